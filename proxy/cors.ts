/**
 * The relay's CORS policy (Fetch standard, "CORS protocol"): which browser origins may call it,
 * and which response headers their scripts may read. Unlike a response-header-only policy, a
 * request from an origin that is not allowed is refused here before anything goes upstream.
 */
import { FORWARDED_REQUEST_HEADERS } from './headers.ts';

/**
 * Response headers a page may read through the relay. GitLab's own CORS exposes only
 * pagination headers, which hides what a runner acts on (docs/relay.md, first section). The
 * paths below are GitLab Runner's files that read each header, under
 * https://gitlab.com/gitlab-org/gitlab-runner/-/blob/main/.
 */
export const EXPOSED_HEADERS: readonly string[] = [
  'Job-Status', // canceling/canceled on PATCH trace and PUT job (network/remote_job_state_response.go)
  'Range', // the server's trace offset, also on 416 (network/patch_response.go)
  'X-GitLab-Trace-Update-Interval', // network/remote_job_state_response.go
  'X-GitLab-Last-Update', // long polling of jobs/request (network/client.go)
  'Retry-After', // 429 and 503 backoff (network/retry_requester.go)
  'RateLimit-ResetTime', // network/retry_requester.go
  'RateLimit-Limit',
  'RateLimit-Remaining',
  'RateLimit-Reset',
  'X-Request-Id', // correlation id (network/gitlab.go)
  'Content-Range',
  'Content-Disposition', // artifact file names
  'Content-Encoding',
  'ETag',
  'WWW-Authenticate', // git: which auth the server wants on 401
  'Link', // pagination, as GitLab exposes it
  'X-Total',
  'X-Total-Pages',
  'X-Per-Page',
  'X-Page',
  'X-Next-Page',
  'X-Prev-Page',
];

/** Request headers a page may set (answered in preflights): what the relay forwards. */
const ALLOWED_REQUEST_HEADERS = FORWARDED_REQUEST_HEADERS;

/** Preflight answers are cached this long by the browser (Chromium caps it at 2 h). */
const PREFLIGHT_MAX_AGE_SECONDS = 600;

export type OriginDecision =
  /** No `Origin`: not a browser's cross-origin call (git CLI, curl); no CORS headers needed. */
  | { kind: 'none' }
  /** The page is served by the relay itself (same host), or its origin is configured. */
  | { kind: 'allowed'; origin: string }
  | { kind: 'refused' };

/**
 * Decides on the request's `Origin`. The relay's own host counts as allowed: a browser sets
 * `Origin` and `Host` itself, so a page elsewhere cannot claim to be same-origin.
 */
export function decideOrigin(request: Request, allowedOrigins: readonly string[]): OriginDecision {
  const origin = request.headers.get('origin');
  if (origin === null) return { kind: 'none' };
  if (allowedOrigins.includes(origin)) return { kind: 'allowed', origin };
  try {
    if (new URL(origin).host === new URL(request.url).host) return { kind: 'allowed', origin };
  } catch {
    // `Origin: null` (sandboxed frames, file:) and garbage are refused.
  }
  return { kind: 'refused' };
}

/** Headers that let the page at `origin` read a relayed response. */
export function corsResponseHeaders(origin: string): Record<string, string> {
  return {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Expose-Headers': EXPOSED_HEADERS.join(', '),
    Vary: 'Origin',
  };
}

/** The answer to a preflight for a path that allows `methods`. */
export function preflightResponse(origin: string, methods: readonly string[]): Response {
  return new Response(null, {
    status: 204,
    headers: {
      'Access-Control-Allow-Origin': origin,
      'Access-Control-Allow-Methods': methods.join(', '),
      'Access-Control-Allow-Headers': ALLOWED_REQUEST_HEADERS.join(', '),
      'Access-Control-Max-Age': String(PREFLIGHT_MAX_AGE_SECONDS),
      Vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
    },
  });
}
