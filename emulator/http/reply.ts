/**
 * What a handler answers: a status, headers and a body, turned into a fetch `Response` by
 * `server.ts`. Handlers return replies instead of writing to the socket so that fault injection
 * (lost responses, docs/runner-protocol.md §13) and CORS can wrap every answer in one place.
 */

/** One HTTP answer. `body` is sent as is; use `json()` for GitLab's JSON bodies. */
export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string | Uint8Array | null;
  /**
   * Answered by Workhorse itself (the long-poll 204, docs/runner-protocol.md §3.3): it never passes Rails' CORS
   * middleware, so in `gitlab` CORS mode it carries no CORS headers (docs/runner-protocol.md §14).
   */
  fromWorkhorse?: boolean;
}

/** A JSON answer with `Content-Type: application/json`, as Grape sends it (docs/runner-protocol.md §1.4). */
export function json(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
  return {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(value),
  };
}

/** An answer without a body (204, or a status whose body nobody reads). */
export function empty(status: number, headers: Record<string, string> = {}): Reply {
  return { status, headers, body: null };
}

/** GitLab's `{"message": "<status> <text>"}` error shape (`forbidden!`, `not_found!`, …). */
export function message(status: number, text: string, headers: Record<string, string> = {}): Reply {
  return json(status, { message: `${status} ${text}` }, headers);
}

/** Grape's parameter validation error shape: `400 {"error": "token is missing"}`. */
export function paramError(text: string): Reply {
  return json(400, { error: text });
}

/** Shorthands for GitLab's most common answers. */
export const forbidden = (headers: Record<string, string> = {}): Reply =>
  message(403, 'Forbidden', headers);
export const notFound = (what = 'Not Found'): Reply => message(404, what);
export const unauthorized = (): Reply => message(401, 'Unauthorized');

/**
 * The `Response` for `reply`, with `outer` headers (CORS, request id) under the reply's own and an
 * explicit `Content-Length`, so even an empty answer is framed by length, not chunked.
 */
export function toResponse(reply: Reply, outer: Record<string, string>): Response {
  const body = reply.body ?? '';
  const length = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  return new Response(reply.body as string | Uint8Array<ArrayBuffer> | null, {
    status: reply.status,
    headers: { ...outer, ...reply.headers, 'Content-Length': String(length) },
  });
}
