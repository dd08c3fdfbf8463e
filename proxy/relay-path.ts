/**
 * The relay's URL scheme: `<relay>/gitlab/<host[:port]>/<path on that host>`. With
 * `corsProxy: '<relay>/gitlab'`, isomorphic-git builds exactly this shape
 * (`${corsProxy}/${host}/${path}`), and the runner API client uses it as its base URL.
 * The target scheme comes from the configuration, never from the URL.
 */
import type { Upstream } from './config.ts';
import { redactText } from './redact.ts';
import { RelayError } from './relay-error.ts';

export const RELAY_PREFIX = '/gitlab';

export interface RelayTarget {
  upstream: Upstream;
  /** Path on the upstream, starting with `/`. */
  pathname: string;
}

/** Only what a `host[:port]` may contain; anything else is shown as `?` in messages. */
export function printableHost(segment: string): string {
  return redactText(segment)
    .replace(/[^a-z0-9.:[\]-]/gi, '?')
    .slice(0, 100);
}

/** Splits a normalised pathname under RELAY_PREFIX into a configured upstream and its path. */
export function parseRelayPath(
  pathname: string,
  upstreams: ReadonlyMap<string, Upstream>,
): RelayTarget {
  const rest = pathname.slice(RELAY_PREFIX.length + 1);
  const slash = rest.indexOf('/');
  const host = (slash === -1 ? rest : rest.slice(0, slash)).toLowerCase();
  const upstream = upstreams.get(host);
  if (!upstream) {
    // The segment may be `gitlab-ci-token:<token>@host`; `printableHost` hides `@` but not the
    // token, so cut at the last `@` and keep only what follows.
    const shown = printableHost(host.slice(host.lastIndexOf('@') + 1));
    throw new RelayError(
      'host_not_allowed',
      `The relay does not forward to "${shown}"; ask its operator to add it with --upstream.`,
    );
  }
  return { upstream, pathname: slash === -1 ? '/' : rest.slice(slash) };
}
