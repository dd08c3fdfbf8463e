/**
 * Why the relay refused or failed a request, as a value that knows its HTTP response.
 * Messages and data name hosts and reasons, never a token or a request body.
 */
import { TabrunnerError } from '../src/errors/index.ts';

/** Every reason the relay answers with an error, and the status it answers with. */
export const RELAY_ERROR_STATUS = {
  /** The raw request target is absolute, encoded, double-encoded or walks with `..`. */
  bad_request_target: 400,
  /**
   * The `Host` header names neither the relay's listen address nor a `--public-url` (DNS
   * rebinding). 421 Misdirected Request: this server does not answer for that name.
   */
  relay_host_not_allowed: 421,
  /** The `<host>` segment is not one of the configured upstreams. */
  host_not_allowed: 403,
  /** The path is neither a runner API path nor a git fetch path. */
  path_not_allowed: 403,
  /** `git-receive-pack`: the relay only carries fetches, never pushes. */
  push_not_allowed: 403,
  /** The path is allowed but not with this method. */
  method_not_allowed: 405,
  /** A browser on an origin the configuration does not name. */
  origin_not_allowed: 403,
  /** The upstream resolves to a private, loopback or otherwise special address. */
  private_address: 403,
  /** The request body is larger than `maxRequestBytes`. */
  body_too_large: 413,
  /** The upstream redirected to a host or path the relay would refuse. */
  redirect_refused: 502,
  /** The upstream could not be reached or broke the connection. */
  upstream_unreachable: 502,
  /** The upstream went quiet for longer than `upstreamTimeoutMs`. */
  upstream_timeout: 504,
  /** Nothing is served at this path. */
  not_found: 404,
} as const;

export type RelayErrorReason = keyof typeof RELAY_ERROR_STATUS;

export interface RelayErrorData extends Record<string, unknown> {
  reason: RelayErrorReason;
  status: number;
}

export class RelayError extends TabrunnerError<RelayErrorData> {
  static readonly code = 'RelayError';

  constructor(reason: RelayErrorReason, message: string, options?: { cause?: unknown }) {
    super(RelayError.code, message, { reason, status: RELAY_ERROR_STATUS[reason] }, options);
  }

  get status(): number {
    return this.data.status;
  }

  get reason(): RelayErrorReason {
    return this.data.reason;
  }

  /**
   * Node's error code for why the upstream could not be reached (`ENOTFOUND`, `ECONNREFUSED`,
   * `EPROTO`, `DEPTH_ZERO_SELF_SIGNED_CERT`, …), or `null`. Only the code, which names no host,
   * path or token: the page turns it into advice (DNS, port, TLS), see docs/relay.md.
   */
  get upstreamError(): string | null {
    const cause: unknown = this.cause;
    if (typeof cause !== 'object' || cause === null) return null;
    const code = (cause as { code?: unknown }).code;
    return typeof code === 'string' && /^[A-Z][A-Z0-9_]{1,63}$/.test(code) ? code : null;
  }

  /**
   * The JSON body of every refusal, `{ error, message }` plus `upstream_error` when Node gave a
   * code: one spelling for answers made as a `Response` (toResponse) and those written straight
   * on the socket (raw-target.ts).
   */
  body(): string {
    const upstreamError = this.upstreamError;
    return JSON.stringify({
      error: this.reason,
      message: this.message,
      ...(upstreamError !== null ? { upstream_error: upstreamError } : {}),
    });
  }

  /** A JSON answer with `body()`; 405 carries `Allow` when given. */
  toResponse(extraHeaders: Record<string, string> = {}): Response {
    return new Response(this.body(), {
      status: this.status,
      headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...extraHeaders },
    });
  }
}
