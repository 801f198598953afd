import { createPrivateKey } from 'node:crypto';
import { z } from 'zod';
import { isLoopbackHostname } from '../../../core/address-list.js';
import { emailDomain, parseMailbox, type Mailbox } from '../../../core/email-address.js';
import { MAIL_DRIVERS, type MailDriver } from '../../../ports/mailer.js';

/**
 * The mail settings (validated with the rest of the configuration in src/config.ts): SMTP_URL with
 * its credentials, MAIL_FROM, DKIM, the timeouts. A problem names its variable and never repeats
 * the value: SMTP_URL and MAIL_DKIM_PRIVATE_KEY hold secrets.
 */

export const SMTP_PORT_DEFAULT = { 'smtp:': 587, 'smtps:': 465 } as const;
/** Connecting (DNS, TCP, TLS, the server's greeting): a server slower than this is down for us. */
export const SMTP_CONNECT_TIMEOUT_MS_DEFAULT = 10_000;
/** Silence on an open connection; long enough for a server that scans the attachment before it answers. */
export const SMTP_SOCKET_TIMEOUT_MS_DEFAULT = 60_000;
/** RFC 8301: DKIM signing keys shorter than this are refused by verifiers. */
export const DKIM_RSA_BITS_MIN = 1024;

const SMTP_URL_EXAMPLE = 'smtp://user:password@mail.example.com:587 (STARTTLS) or smtps://user:password@mail.example.com:465 (TLS)';

/** SMTP_URL read: where the server is, how to reach it, and who we are to it (password not enumerable). */
export interface SmtpServer {
  readonly host: string;
  readonly port: number;
  /** smtps://: TLS from the first byte. */
  readonly secure: boolean;
  /**
   * smtp:// with credentials to another machine: STARTTLS is required, so a password never crosses
   * a network in clear (an attacker who strips STARTTLS from the greeting gets a refusal, not it).
   */
  readonly require_tls: boolean;
  readonly username: string | undefined;
  readonly password: string | undefined;
}

export interface DkimSettings {
  readonly domain: string;
  readonly selector: string;
  /** PEM; not enumerable. */
  readonly private_key: string;
}

export interface SmtpConfig {
  readonly server: SmtpServer;
  readonly dkim: DkimSettings | undefined;
  readonly connect_timeout_ms: number;
  readonly socket_timeout_ms: number;
}

export interface MailConfig {
  readonly driver: MailDriver;
  /** The sender of every e-mail; set whenever the driver is not `none`. */
  readonly from: Mailbox | undefined;
  readonly smtp: SmtpConfig | undefined;
}

/** The console driver's sender when MAIL_FROM is unset (test mode only; `.invalid` can never be delivered to). */
export const CONSOLE_MAIL_FROM: Mailbox = Object.freeze({ name: 'roamcard', address: 'receipts@roamcard.invalid' });

export function parseSmtpUrl(text: string): { ok: true; server: SmtpServer } | { ok: false; problem: string } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, problem: `must look like ${SMTP_URL_EXAMPLE}` };
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') return { ok: false, problem: `must start with smtp:// or smtps://, e.g. ${SMTP_URL_EXAMPLE}` };
  if (url.hostname === '') return { ok: false, problem: `must name the server, e.g. ${SMTP_URL_EXAMPLE}` };
  if ((url.pathname !== '' && url.pathname !== '/') || url.search !== '' || url.hash !== '') {
    return { ok: false, problem: 'must have no path, query or fragment: the timeouts and DKIM have their own variables' };
  }
  const credentials = decodedCredentials(url);
  if (!credentials.ok) return credentials;
  const { username, password } = credentials;
  if ((username === undefined) !== (password === undefined)) {
    return { ok: false, problem: 'must give both a user name and a password (smtp://user:password@host), or neither' };
  }
  const secure = url.protocol === 'smtps:';
  const server = {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: url.port === '' ? SMTP_PORT_DEFAULT[url.protocol] : Number(url.port), secure,
    require_tls: !secure && username !== undefined && !isLoopbackHostname(url.hostname), username,
  } as SmtpServer;
  // Not enumerable: a logged or serialised configuration never shows it.
  Object.defineProperty(server, 'password', { value: password, enumerable: false });
  return { ok: true, server: Object.freeze(server) };
}

type Credentials = { ok: true; username: string | undefined; password: string | undefined } | { ok: false; problem: string };

function decodedCredentials(url: URL): Credentials {
  try {
    return {
      ok: true,
      username: url.username === '' ? undefined : decodeURIComponent(url.username),
      password: url.password === '' ? undefined : decodeURIComponent(url.password),
    };
  } catch {
    return { ok: false, problem: 'has a user name or password that is not valid percent-encoding (write a "%" as %25, "@" as %40, ":" as %3A)' };
  }
}

/** The PEM as given, where "\n" written out (a one-line environment file) stands for a line break. */
function dkimPem(text: string): string {
  return text.includes('-----BEGIN') && !text.includes('\n') ? text.replace(/\\n/g, '\n') : text;
}

function dkimKeyProblem(text: string): string | undefined {
  try {
    const key = createPrivateKey(dkimPem(text));
    if (key.asymmetricKeyType !== 'rsa') return 'must be an RSA private key (the signer speaks rsa-sha256 only)';
    if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < DKIM_RSA_BITS_MIN) return `must be an RSA key of at least ${DKIM_RSA_BITS_MIN} bits (2048 recommended)`;
    return undefined;
  } catch {
    return 'must be an RSA private key in PEM ("-----BEGIN PRIVATE KEY-----…"; line breaks may be written as \\n)';
  }
}

const milliseconds = (minimum: number, maximum: number) => z.coerce.number().int()
  .min(minimum, `must be a number of milliseconds from ${minimum} to ${maximum}`).max(maximum, `must be a number of milliseconds from ${minimum} to ${maximum}`);

export const mailEnvironmentShape = {
  MAIL_DRIVER: z.enum(MAIL_DRIVERS, { error: `must be one of ${MAIL_DRIVERS.join(', ')}` }).optional(),
  SMTP_URL: z.string().superRefine((text, context) => {
    const parsed = parseSmtpUrl(text);
    if (!parsed.ok) context.addIssue({ code: 'custom', message: parsed.problem });
  }).optional(),
  MAIL_FROM: z.string().superRefine((text, context) => {
    const parsed = parseMailbox(text);
    if (!parsed.ok) context.addIssue({ code: 'custom', message: parsed.problem });
  }).optional(),
  MAIL_DKIM_DOMAIN: z.string().trim().toLowerCase()
    .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'must be a domain name such as example.com').optional(),
  MAIL_DKIM_SELECTOR: z.string().trim()
    .regex(/^[A-Za-z0-9]([A-Za-z0-9_-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9_-]{0,62}))*$/, 'must be a DKIM selector such as mail2026 (letters, digits, "-", "_", ".")').optional(),
  MAIL_DKIM_PRIVATE_KEY: z.string().superRefine((text, context) => {
    const problem = dkimKeyProblem(text);
    if (problem) context.addIssue({ code: 'custom', message: problem });
  }).optional(),
  SMTP_CONNECT_TIMEOUT_MS: milliseconds(1_000, 120_000).default(SMTP_CONNECT_TIMEOUT_MS_DEFAULT),
  SMTP_SOCKET_TIMEOUT_MS: milliseconds(1_000, 600_000).default(SMTP_SOCKET_TIMEOUT_MS_DEFAULT),
};

type MailEnvironment = z.infer<z.ZodObject<typeof mailEnvironmentShape>>;

const DKIM_VARIABLES = ['MAIL_DKIM_DOMAIN', 'MAIL_DKIM_SELECTOR', 'MAIL_DKIM_PRIVATE_KEY'] as const;

/** Problems between the mail variables, each naming its variable (the values were checked one by one already). */
export function mailProblems(env: MailEnvironment): Array<{ path: string; message: string }> {
  const problems: Array<{ path: string; message: string }> = [];
  if (env.SMTP_URL !== undefined && env.MAIL_FROM === undefined) {
    problems.push({ path: 'MAIL_FROM', message: 'must be set when SMTP_URL is: the sender of receipts, e.g. "roamcard <receipts@example.com>"' });
  }
  if (env.MAIL_DRIVER === 'smtp' && env.SMTP_URL === undefined) problems.push({ path: 'SMTP_URL', message: `must be set when MAIL_DRIVER=smtp, e.g. ${SMTP_URL_EXAMPLE}` });
  const dkim_set = DKIM_VARIABLES.filter((name) => env[name] !== undefined);
  // Half a DKIM setting would silently send unsigned mail: all three or none.
  if (dkim_set.length > 0 && dkim_set.length < DKIM_VARIABLES.length) {
    for (const name of DKIM_VARIABLES.filter((variable) => env[variable] === undefined)) {
      problems.push({ path: name, message: 'must be set as well: DKIM signing needs MAIL_DKIM_DOMAIN, MAIL_DKIM_SELECTOR and MAIL_DKIM_PRIVATE_KEY, or none of them' });
    }
  }
  return problems;
}

/**
 * The driver: MAIL_DRIVER when given, else `smtp` when SMTP_URL is set, else `none` (receipts go
 * by SMS alone). `console` prints every e-mail, receipt links with their tokens included, and sends
 * nothing: test mode only, so a production configuration cannot reach it (a mistake there would
 * leave payers without their receipts and put the links in the server's output).
 */
export function mailDriver(env: MailEnvironment, test_mode: boolean): { ok: true; driver: MailDriver } | { ok: false; problem: string } {
  const driver = env.MAIL_DRIVER ?? (env.SMTP_URL === undefined ? 'none' : 'smtp');
  if (driver === 'console' && !test_mode) {
    return { ok: false, problem: 'MAIL_DRIVER: "console" is for test mode only (PAYMENTS_SANDBOX on): it prints e-mails, receipt links included, and sends none. Set SMTP_URL and MAIL_FROM to send receipts, or leave MAIL_DRIVER unset (receipts then go by SMS)' };
  }
  return { ok: true, driver };
}

/** The settings for `driver` (mailProblems has checked they are complete). */
export function mailConfig(env: MailEnvironment, driver: MailDriver): MailConfig {
  const from = env.MAIL_FROM === undefined ? undefined : mailboxOf(env.MAIL_FROM);
  if (driver === 'none') return Object.freeze({ driver, from: undefined, smtp: undefined });
  if (driver === 'console') return Object.freeze({ driver, from: from ?? CONSOLE_MAIL_FROM, smtp: undefined });
  const parsed = parseSmtpUrl(env.SMTP_URL ?? '');
  if (!parsed.ok || from === undefined) throw new Error('MAIL_DRIVER=smtp without SMTP_URL and MAIL_FROM (mailProblems checks them)');
  return Object.freeze({
    driver, from,
    smtp: Object.freeze({
      server: parsed.server, dkim: dkimSettings(env),
      connect_timeout_ms: env.SMTP_CONNECT_TIMEOUT_MS, socket_timeout_ms: env.SMTP_SOCKET_TIMEOUT_MS,
    }),
  });
}

/** Things worth a warning at start: mail configured but not used, a signature receivers will not align with the sender. */
export function mailWarnings(env: MailEnvironment, config: MailConfig): string[] {
  const warnings: string[] = [];
  if (config.driver !== 'smtp' && env.SMTP_URL !== undefined) {
    warnings.push(`SMTP_URL is set but MAIL_DRIVER=${config.driver}: no e-mail is sent, receipts go by SMS`);
  }
  const dkim = config.smtp?.dkim;
  const from_domain = config.from === undefined ? undefined : emailDomain(config.from.address);
  if (dkim && from_domain !== undefined && from_domain !== dkim.domain && !from_domain.endsWith(`.${dkim.domain}`)) {
    warnings.push(`MAIL_DKIM_DOMAIN ${dkim.domain} is not the domain of MAIL_FROM (${from_domain}): receivers applying DMARC will not count the signature for the sender`);
  }
  return warnings;
}

function mailboxOf(text: string): Mailbox {
  const parsed = parseMailbox(text);
  if (!parsed.ok) throw new Error(`MAIL_FROM: ${parsed.problem}`);
  return parsed.mailbox;
}

function dkimSettings(env: MailEnvironment): DkimSettings | undefined {
  const { MAIL_DKIM_DOMAIN: domain, MAIL_DKIM_SELECTOR: selector, MAIL_DKIM_PRIVATE_KEY: private_key } = env;
  if (domain === undefined || selector === undefined || private_key === undefined) return undefined;
  const dkim = { domain, selector } as DkimSettings;
  Object.defineProperty(dkim, 'private_key', { value: dkimPem(private_key), enumerable: false });
  return Object.freeze(dkim);
}
