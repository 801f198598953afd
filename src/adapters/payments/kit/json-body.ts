import type { IncomingMessage } from 'node:http';

/**
 * Reading JSON the way adapters and their fakes need it: a body that is not JSON is an answer to
 * classify (a malformed webhook, an unreadable provider reply), not an exception to unwind.
 */

/** The parsed value, or undefined when the text is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * A request's whole body (a fake server's or a test receiver's), or undefined once it passes
 * `bytes_max`: reading stops there, so a runaway client cannot fill the memory.
 */
export async function readBody(request: IncomingMessage, bytes_max: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    bytes += buffer.length;
    if (bytes > bytes_max) return undefined;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}
