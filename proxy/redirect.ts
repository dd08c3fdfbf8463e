/**
 * What the relay does with an upstream redirect: it never follows one itself, and passes it
 * on only when the target is a configured upstream and a path it would relay, rewritten to
 * point back at the relay. Anything else would let a redirect carry the browser (and its
 * tokens) off the allow-list.
 */
import { classifyPath } from './allowed-paths.ts';
import type { Upstream } from './config.ts';
import { RELAY_PREFIX } from './relay-path.ts';
import { RelayError } from './relay-error.ts';

/** 3xx statuses that carry a `Location` to follow (RFC 9110 §15.4). */
export const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * The `Location` to return to the browser, relative to the relay (so it works whatever
 * origin the relay is reached on), or a RelayError. `fromPath` is the path and query the
 * upstream answered: a relative `Location` is relative to it (RFC 9110 §10.2.2).
 */
export function rewriteLocation(
  location: string,
  from: Upstream,
  fromPath: string,
  upstreams: ReadonlyMap<string, Upstream>,
  method: string,
  contentType: string | null,
): string {
  let target: URL;
  try {
    target = new URL(location, `${from.scheme}://${from.host}${fromPath}`);
  } catch {
    throw new RelayError('redirect_refused', 'The upstream sent a redirect the relay cannot read.');
  }
  const upstream = upstreams.get(target.host);
  if (
    !upstream ||
    `${upstream.scheme}:` !== target.protocol ||
    target.username ||
    target.password
  ) {
    throw new RelayError(
      'redirect_refused',
      'The upstream redirected to a host the relay does not serve.',
    );
  }
  // 303 turns into GET; 301/302 usually do for POST; 307/308 keep the method (RFC 9110 §15.4).
  const nextMethod = method === 'GET' || method === 'HEAD' ? method : 'GET';
  try {
    classifyPath(nextMethod, target.pathname, target.search, contentType);
  } catch {
    try {
      classifyPath(method, target.pathname, target.search, contentType);
    } catch {
      throw new RelayError(
        'redirect_refused',
        'The upstream redirected to a path the relay does not serve.',
      );
    }
  }
  return `${RELAY_PREFIX}/${upstream.host}${target.pathname}${target.search}`;
}
