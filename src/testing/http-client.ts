/** Calls to a server on loopback (running-server.ts, or a child process) as an API client makes them. */

export interface ApiResponse<Json> {
  readonly status: number;
  readonly headers: Headers;
  /** The parsed body; {} when the body is empty. */
  readonly json: Json;
}

export type ApiCall<Json> = (path: string, body?: unknown, headers?: Record<string, string>) => Promise<ApiResponse<Json>>;

/**
 * GET when there is no body, else a JSON POST. With `idempotency_key_prefix`, every POST carries
 * a fresh Idempotency-Key (`<prefix>-1`, `-2`, …), as a well-behaved client sends.
 */
export function jsonApi<Json = Record<string, unknown>>(base: string, options: { idempotency_key_prefix?: string } = {}): ApiCall<Json> {
  let serial = 0;
  return async (path, body, headers = {}) => {
    const posting = body !== undefined;
    const sent: Record<string, string> = posting ? { 'content-type': 'application/json' } : {};
    if (posting && options.idempotency_key_prefix !== undefined) sent['idempotency-key'] = `${options.idempotency_key_prefix}-${(serial += 1)}`;
    const response = await fetch(`${base}${path}`, {
      method: posting ? 'POST' : 'GET',
      headers: { ...sent, ...headers },
      ...(posting ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, json: (text ? JSON.parse(text) : {}) as Json };
  };
}

/** A form posted as a browser posts it, the redirect not followed (the test reads the Location). */
export function postForm(url: string, fields: Record<string, string>): Promise<Response> {
  return fetch(url, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' });
}
