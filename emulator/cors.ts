/**
 * CORS for a browser under test (docs/runner-protocol.md §13, §14), switchable at run time:
 * - `gitlab`: GitLab's Rack::Cors policy: `/api/*` (and our admin API) allow any origin,
 *   header and method but expose only GitLab's pagination and file headers; git paths and
 *   Workhorse's own long-poll answers get no CORS headers at all.
 * - `relay`: every path, exposing the headers a runner needs, as tabrunner's relay does.
 * - `off`: no CORS headers; preflights fail.
 * Like rack-cors, headers are added only to requests that carry `Origin`.
 */
import type { CorsMode } from './context.ts';

/** Headers GitLab's `config/application.rb` exposes on `/api/*` (docs/runner-protocol.md §14). */
export const GITLAB_EXPOSED_HEADERS = [
  'Link',
  'X-Total',
  'X-Total-Pages',
  'X-Per-Page',
  'X-Page',
  'X-Next-Page',
  'X-Prev-Page',
  'X-Gitlab-Blob-Id',
  'X-Gitlab-Commit-Id',
  'X-Gitlab-Content-Sha256',
  'X-Gitlab-Encoding',
  'X-Gitlab-File-Name',
  'X-Gitlab-File-Path',
  'X-Gitlab-Last-Commit-Id',
  'X-Gitlab-Ref',
  'X-Gitlab-Size',
] as const;

/** Headers the relay exposes so a browser runner can read them (docs/runner-protocol.md §13). */
export const RELAY_EXPOSED_HEADERS = [
  'Job-Status',
  'Range',
  'X-GitLab-Trace-Update-Interval',
  'X-GitLab-Last-Update',
  'Retry-After',
  'X-Request-Id',
  'RateLimit-ResetTime',
  'Location',
] as const;

const ALLOWED_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS';

/** Which kind of path a request is for, as far as CORS cares. */
export type PathKind = 'api' | 'admin' | 'git' | 'other';

/** What to do about CORS for one request. */
export interface CorsInput {
  mode: CorsMode;
  kind: PathKind;
  origin: string | undefined;
  /** `Access-Control-Request-Headers` of a preflight. */
  requestHeaders: string | undefined;
  /** The answer came from Workhorse, not Rails (docs/runner-protocol.md §3.3). */
  fromWorkhorse?: boolean;
}

/** CORS response headers for this request, or null when none apply. */
export function corsHeaders(input: CorsInput): Record<string, string> | null {
  if (input.origin === undefined || input.mode === 'off') return null;
  let exposed: readonly string[];
  if (input.mode === 'gitlab') {
    if (input.kind !== 'api' && input.kind !== 'admin') return null;
    if (input.fromWorkhorse) return null;
    exposed = GITLAB_EXPOSED_HEADERS;
  } else {
    exposed = RELAY_EXPOSED_HEADERS;
  }
  const headers: Record<string, string> = {
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Allow-Methods': ALLOWED_METHODS,
    'Access-Control-Expose-Headers': exposed.join(', '),
    'Access-Control-Max-Age': '7200',
    Vary: 'Origin',
  };
  if (input.requestHeaders) headers['Access-Control-Allow-Headers'] = input.requestHeaders;
  return headers;
}
