/** Reading fields of a form body parsed by @fastify/formbody (the customer site's and the desk's pages). */

/** A string field of a parsed form body, trimmed; '' when absent (or not a single string). */
export function formField(body: unknown, name: string): string {
  const value = body !== null && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' ? value.trim() : '';
}
