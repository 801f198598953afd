import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';

/**
 * A real SMTP server (the `smtp-server` package) on loopback for tests: it keeps every message it
 * took, raw, with its envelope, and can ask for a login and refuse chosen recipients with a given
 * reply code. Plain SMTP without STARTTLS (the test talks to itself on 127.0.0.1).
 */

export interface ReceivedMail {
  readonly from: string;
  readonly to: readonly string[];
  /** The message as it came over DATA (headers and MIME body). */
  readonly raw: string;
  /** The user the session logged in as, if it did. */
  readonly user: string | undefined;
}

export interface SmtpSinkOptions {
  /** Sessions must log in with these (AUTH PLAIN or LOGIN); without them no login is offered. */
  readonly credentials?: { readonly username: string; readonly password: string };
  /** Recipients refused at RCPT TO with this reply code (550: no such user; 450: try later). */
  readonly refuse?: (recipient: string) => number | undefined;
}

export interface SmtpSink {
  readonly port: number;
  /** smtp://[user:password@]127.0.0.1:<port>, as SMTP_URL takes it. */
  readonly url: string;
  readonly received: readonly ReceivedMail[];
  readonly logins_refused: number;
  close(): Promise<void>;
}

/** Refused logins answer 535 (RFC 4954: authentication credentials invalid). */
const LOGIN_REFUSED_CODE = 535;

export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const received: ReceivedMail[] = [];
  const { credentials, refuse } = options;
  let logins_refused = 0;
  const server = new SMTPServer({
    logger: false,
    disabledCommands: credentials ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authOptional: credentials === undefined,
    // No TLS on loopback in a test: the login may travel in clear here.
    allowInsecureAuth: true,
    onAuth(auth, _session, callback) {
      const valid = credentials !== undefined && auth.username === credentials.username && auth.password === credentials.password;
      if (valid) return callback(null, { user: auth.username });
      logins_refused += 1;
      return callback(Object.assign(new Error('Invalid username or password'), { responseCode: LOGIN_REFUSED_CODE }));
    },
    onRcptTo(address, _session, callback) {
      const code = refuse?.(address.address);
      if (code === undefined) return callback();
      return callback(Object.assign(new Error(`Mailbox ${address.address} not available`), { responseCode: code }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          user: typeof session.user === 'string' ? session.user : undefined,
        });
        callback(null, `Ok: queued as sink-${received.length}`);
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  const login = credentials ? `${encodeURIComponent(credentials.username)}:${encodeURIComponent(credentials.password)}@` : '';
  return {
    port,
    url: `smtp://${login}127.0.0.1:${port}`,
    received,
    get logins_refused() {
      return logins_refused;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
