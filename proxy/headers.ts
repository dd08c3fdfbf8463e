/**
 * Which headers cross the relay, in each direction. Requests carry an allow-list (what a runner
 * and git send); responses carry everything except hop-by-hop headers, cookies and the
 * upstream's own CORS answer, which the relay replaces (cors.ts). docs/relay.md, "What it
 * forwards and what it refuses", states the policy for operators. The runner's header names are
 * GitLab Runner's, in `common/consts.go` and `network/gitlab.go` of
 * https://gitlab.com/gitlab-org/gitlab-runner/-/blob/main/ (the paths below are from there).
 */

/**
 * Request headers forwarded upstream. Anything else (Cookie, Host, Forwarded, X-Forwarded-*,
 * Origin, Referer, Sec-*) stays at the relay: the upstream sees the relay, not the browser.
 */
export const FORWARDED_REQUEST_HEADERS: readonly string[] = [
  'accept',
  'accept-encoding', // bodies pass through still encoded; the client decodes
  'accept-language',
  'authorization', // git: Basic gitlab-ci-token:<job token> (helpers/url/gitauth.go)
  'content-encoding', // git sends gzip'd upload-pack requests
  'content-length',
  'content-range', // PATCH trace (network/gitlab.go PatchTrace)
  'content-type',
  'git-protocol', // protocol v2 negotiation
  'job-token', // JOB-TOKEN (common/consts.go)
  'private-token', // PRIVATE-TOKEN: token reset with a PAT (network/gitlab.go ResetTokenWithPAT)
  'range',
  'runner-token', // RUNNER-TOKEN (common/consts.go)
  'user-agent',
  'x-request-id', // correlation id (network/gitlab.go correlationIDHeader)
];

/**
 * Hop-by-hop headers (RFC 9110 §7.6.1, RFC 9112 §7.1 for Transfer-Encoding and TE), plus the
 * non-standard Keep-Alive and Proxy-Connection. They describe one connection, so they never
 * cross the relay, nor do the headers a `Connection` header names.
 */
export const HOP_BY_HOP_HEADERS: readonly string[] = [
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
];

/**
 * Response headers the relay never returns: cookies (the relay keeps no session and must not
 * plant GitLab's on its own origin, RFC 6265 §4.1), headers that act on the whole origin the
 * relay shares with the app, and the upstream's CORS and page policies, which describe
 * GitLab's policy, not the relay's.
 */
const DROPPED_RESPONSE_HEADERS: readonly string[] = [
  'set-cookie',
  'set-cookie2',
  'clear-site-data', // `"storage"` would wipe the tokens the app keeps in IndexedDB
  'refresh', // a redirect the redirect policy (redirect.ts) would never see
  'service-worker-allowed', // would let a relayed script claim the app's scope
  // The upstream's enforced CSP needs no entry: handler.ts sets RELAYED_RESPONSE_HEADERS on
  // every answer under /gitlab/, which replaces it. A report-only one would survive that.
  'content-security-policy-report-only',
  'alt-svc', // points at the upstream's other endpoints, which the browser must not use
  'access-control-allow-origin',
  'access-control-allow-credentials',
  'access-control-allow-headers',
  'access-control-allow-methods',
  'access-control-expose-headers',
  'access-control-max-age',
];

/** Header names listed in `Connection` (RFC 9110 §7.6.1), lower case. */
function connectionNamed(connection: string | null | undefined): Set<string> {
  return new Set(
    (connection ?? '')
      .split(',')
      .map((t) => t.trim().toLowerCase())
      .filter(Boolean),
  );
}

/** Headers to send upstream for a browser's request. */
export function upstreamRequestHeaders(incoming: Headers): Record<string, string> {
  const named = connectionNamed(incoming.get('connection'));
  const out: Record<string, string> = {};
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const value = incoming.get(name);
    if (value !== null && !named.has(name)) out[name] = value;
  }
  return out;
}

/**
 * Headers to return to the browser from an upstream response, given as node's
 * `rawHeaders` (name, value, name, value…) so repeated headers keep their order.
 */
export function downstreamResponseHeaders(rawHeaders: readonly string[]): Headers {
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    pairs.push([(rawHeaders[i] ?? '').toLowerCase(), rawHeaders[i + 1] ?? '']);
  }
  const named = connectionNamed(pairs.find(([n]) => n === 'connection')?.[1]);
  const out = new Headers();
  for (const [name, value] of pairs) {
    if (HOP_BY_HOP_HEADERS.includes(name) || DROPPED_RESPONSE_HEADERS.includes(name)) continue;
    if (named.has(name)) continue;
    out.append(name, value);
  }
  return out;
}

/**
 * Set on everything the relay answers under `/gitlab/`. An upstream answer opened as a page
 * would otherwise run on the relay's origin, which may be the app's, next to its saved tokens:
 * the sandbox gives it an opaque origin and no script, nosniff keeps JSON and packfiles from
 * turning into HTML. `same-origin` CORP still lets the app read it: its page is same-origin,
 * and a page on another origin reads through CORS, which CORP does not apply to.
 */
export const RELAYED_RESPONSE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': "sandbox; default-src 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Cross-Origin-Resource-Policy': 'same-origin',
};
