/**
 * Just enough MIME reading for tests to check what a mail server received: the top-level headers
 * and the attachments of a multipart message (base64 parts decoded). Not a parser for mail from
 * elsewhere: it reads what nodemailer writes.
 */

export interface MimeAttachment {
  readonly filename: string;
  readonly content_type: string;
  readonly content: Buffer;
}

export interface MimePart {
  readonly headers: ReadonlyMap<string, string>;
  readonly body: string;
}

/** Headers (lower-cased names, folded lines joined) and the body, split at the first empty line. */
export function splitMimePart(raw: string): MimePart {
  const at = raw.search(/\r?\n\r?\n/);
  const head = at === -1 ? raw : raw.slice(0, at);
  const body = at === -1 ? '' : raw.slice(at).replace(/^\r?\n\r?\n/, '');
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body };
}

/** A header's parameter: `filename` of `attachment; filename=RC-2026-000001.pdf`, quoted or not. */
export function headerParameter(value: string | undefined, name: string): string | undefined {
  const match = new RegExp(`(?:^|;)\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]*))`, 'i').exec(value ?? '');
  return match ? (match[1] ?? match[2]) : undefined;
}

/** The parts of a multipart body, nested multiparts opened too. */
export function mimeParts(part: MimePart): MimePart[] {
  const boundary = headerParameter(part.headers.get('content-type'), 'boundary');
  if (!boundary) return [part];
  const pieces = part.body.split(`--${boundary}`).slice(1);
  return pieces.filter((piece) => !piece.startsWith('--')).flatMap((piece) => mimeParts(splitMimePart(piece.replace(/^\r?\n/, ''))));
}

export function mimeAttachments(raw: string): MimeAttachment[] {
  return mimeParts(splitMimePart(raw))
    .filter((part) => /^attachment/i.test(part.headers.get('content-disposition') ?? ''))
    .map((part) => ({
      filename: headerParameter(part.headers.get('content-disposition'), 'filename') ?? '',
      content_type: (part.headers.get('content-type') ?? '').split(';')[0]!.trim(),
      content: /base64/i.test(part.headers.get('content-transfer-encoding') ?? '')
        ? Buffer.from(part.body.replace(/\s+/g, ''), 'base64')
        : Buffer.from(part.body),
    }));
}

/** The text/plain part, decoded from quoted-printable or base64 when it is so encoded. */
export function mimeText(raw: string, content_type = 'text/plain'): string | undefined {
  const part = mimeParts(splitMimePart(raw)).find((candidate) => (candidate.headers.get('content-type') ?? '').toLowerCase().startsWith(content_type));
  if (!part) return undefined;
  const encoding = (part.headers.get('content-transfer-encoding') ?? '').toLowerCase();
  if (encoding === 'base64') return Buffer.from(part.body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') {
    // Each =XX is a byte of UTF-8: as %XX (a literal "%" escaped first) decodeURIComponent joins them into characters.
    return decodeURIComponent(part.body.replace(/=\r?\n/g, '').replace(/%/g, '%25').replace(/=([0-9A-F]{2})/gi, '%$1'));
  }
  return part.body;
}

/** A header with RFC 2047 encoded words (=?UTF-8?B?…?= or =?UTF-8?Q?…?=) as the reader sees it. */
export function decodeHeader(value: string | undefined): string {
  return (value ?? '').replace(/\?=\s+=\?/g, '?==?').replace(/=\?utf-8\?([bq])\?([^?]*)\?=/gi, (_, encoding: string, text: string) => (
    encoding.toLowerCase() === 'b'
      ? Buffer.from(text, 'base64').toString('utf8')
      : decodeURIComponent(text.replace(/_/g, ' ').replace(/%/g, '%25').replace(/=([0-9A-F]{2})/gi, '%$1'))
  ));
}
