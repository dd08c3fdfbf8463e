/**
 * The parsed view of one HTTP request that handlers receive: path parameters, query, headers and
 * a body read once on demand. Parameters merge query and body as Grape does, so a `token` may
 * come from either (docs/runner-protocol.md §1.2). It wraps the fetch `Request` Hono hands the
 * server, so handlers never see a socket.
 */

/** Raised when a body is larger than the caller allowed; the server answers 413. */
export class BodyTooLargeError extends Error {
  constructor() {
    super('request body is larger than this endpoint accepts');
  }
}

export type ParamValue = unknown;

export class EmulatorRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  /** Path parameters from the route table, decoded, e.g. `{ id: '12' }`. */
  readonly params: Readonly<Record<string, string>>;
  /** Aborts when the client goes away; long polls stop waiting then. */
  readonly signal: AbortSignal;

  readonly #request: Request;
  #bytes: Promise<Uint8Array> | null = null;
  #fields: Promise<Record<string, ParamValue>> | null = null;

  constructor(request: Request, params: Readonly<Record<string, string>>) {
    const url = new URL(request.url);
    this.#request = request;
    this.method = request.method.toUpperCase();
    this.path = url.pathname;
    this.query = url.searchParams;
    this.params = params;
    this.signal = request.signal;
  }

  /** A request header by name (any case); repeated headers come joined with `, `. */
  header(name: string): string | undefined {
    return this.#request.headers.get(name) ?? undefined;
  }

  /** Media type of `Content-Type` without parameters, lower-cased. */
  mediaType(): string {
    return (this.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  }

  /** The whole body; rejects with `BodyTooLargeError` past `limit` bytes (the rest is drained). */
  bytes(limit = 16 * 1024 * 1024): Promise<Uint8Array> {
    this.#bytes ??= readBody(this.#request.body, limit);
    return this.#bytes;
  }

  /**
   * Query parameters merged with the JSON or urlencoded body (body wins), like Grape's `params`.
   * A body that is not valid JSON yields no body fields rather than an exception.
   */
  fields(): Promise<Record<string, ParamValue>> {
    this.#fields ??= this.#readFields();
    return this.#fields;
  }

  async #readFields(): Promise<Record<string, ParamValue>> {
    const merged: Record<string, ParamValue> = Object.fromEntries(this.query.entries());
    const type = this.mediaType();
    if (type === 'application/json') {
      const text = new TextDecoder().decode(await this.bytes());
      if (text.trim() === '') return merged;
      try {
        const parsed: unknown = JSON.parse(text);
        if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
          Object.assign(merged, parsed);
        }
      } catch {
        // Grape answers 400 for unparsable JSON; handlers see missing fields and say so.
        merged['__invalid_json'] = true;
      }
    } else if (type === 'application/x-www-form-urlencoded') {
      const text = new TextDecoder().decode(await this.bytes());
      Object.assign(merged, Object.fromEntries(new URLSearchParams(text).entries()));
    }
    return merged;
  }
}

async function readBody(
  body: ReadableStream<Uint8Array> | null,
  limit: number,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  let tooLarge = false;
  const reader = body?.getReader();
  while (reader) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    // Keep draining after the limit so the client gets our answer instead of a reset socket.
    if (size > limit) tooLarge = true;
    else chunks.push(value);
  }
  if (tooLarge) throw new BodyTooLargeError();
  return new Uint8Array(Buffer.concat(chunks));
}

/** A field as a string, or undefined when absent or not a scalar. */
export function stringField(fields: Record<string, ParamValue>, key: string): string | undefined {
  const value = fields[key];
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** A Grape `Boolean` param: true/false, "true"/"false", "1"/"0"; undefined when absent or invalid. */
export function booleanField(fields: Record<string, ParamValue>, key: string): boolean | undefined {
  const value = fields[key];
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === '1' || value === 1) return true;
  if (value === 'false' || value === '0' || value === 0) return false;
  return undefined;
}

/** A Grape `Integer` param; undefined when absent or not an integer. */
export function integerField(fields: Record<string, ParamValue>, key: string): number | undefined {
  const value = fields[key];
  const n = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) ? n : undefined;
}

/** A JSON object field, or undefined. */
export function objectField(
  fields: Record<string, ParamValue>,
  key: string,
): Record<string, unknown> | undefined {
  const value = fields[key];
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
