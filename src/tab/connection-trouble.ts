/**
 * Why a tab could not talk to GitLab, in words that say what to fix. A 403 the relay wrote
 * (its host list) is not GitLab refusing a token, a 502 the relay wrote (DNS, port, TLS) is not
 * GitLab's own 5xx, and a server that accepts and never answers is given up on after
 * `CONNECT_TIMEOUT_MS` instead of holding the form for minutes (docs/relay.md lists the relay's
 * reasons and the flags that change them).
 */
import { GitLabTimeoutError, type Failed, type RelayRefusal } from '../gitlab/index.ts';
import { hasErrorCode } from '../errors/index.ts';

/** How long one call of the connect flow (register, verify) may wait for GitLab's answer. */
export const CONNECT_TIMEOUT_MS = 15_000;

/** Where the calls went: the GitLab URL as typed and the relay URL (empty: direct). */
export interface ConnectTarget {
  gitlabUrl: string;
  relayUrl: string;
}

function hostOf(gitlabUrl: string): string {
  try {
    return new URL(gitlabUrl).host;
  } catch {
    return gitlabUrl;
  }
}

function originOf(gitlabUrl: string): string {
  try {
    return new URL(gitlabUrl).origin;
  } catch {
    return gitlabUrl;
  }
}

const DNS_ERRORS = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'EAI_NODATA']);
const CONNECT_ERRORS = new Set(['ETIMEDOUT', 'ENETUNREACH', 'EHOSTUNREACH', 'EHOSTDOWN']);
const CUT_ERRORS = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET']);

/** Node's TLS failures: OpenSSL's protocol errors and the certificate checks. */
function isTlsError(code: string): boolean {
  return (
    code === 'EPROTO' ||
    code.startsWith('ERR_SSL_') ||
    code.startsWith('ERR_TLS_') ||
    code.includes('CERT') ||
    code.startsWith('UNABLE_TO_')
  );
}

/** The relay could not connect to the upstream: say which step failed, from Node's code. */
function unreachableUpstream(relay: RelayRefusal, host: string): string {
  const code = relay.upstreamError;
  if (code !== null && DNS_ERRORS.has(code)) {
    return `The relay could not find ${host} in DNS (${code}). Check the GitLab URL for typos, and that the relay's machine can resolve that name.`;
  }
  if (code === 'ECONNREFUSED') {
    return `Nothing accepts connections at ${host} (ECONNREFUSED): the relay reached the machine, but no server listens on that port. Check the port in the GitLab URL and that GitLab is running.`;
  }
  if (code !== null && CONNECT_ERRORS.has(code)) {
    return `The relay could not connect to ${host} (${code}): a firewall or the network is in the way. Check that the relay's machine can reach GitLab.`;
  }
  if (code !== null && isTlsError(code)) {
    return `The relay could not set up TLS with ${host} (${code}). If GitLab serves plain HTTP, the relay's --upstream must say http://${host}; if its certificate comes from a private CA, start the relay with NODE_EXTRA_CA_CERTS=<CA file>.`;
  }
  if (code !== null && CUT_ERRORS.has(code)) {
    return `${host} closed the connection before answering the relay (${code}). Check that the GitLab URL points at GitLab and that it is up.`;
  }
  return `The relay could not reach ${host}: ${relay.message}${code ? ` (${code})` : ''} Check that GitLab is up and that the relay's machine can reach it.`;
}

/** The relay refused or failed the call itself: its reason, and the flag that changes it. */
function relayMessage(relay: RelayRefusal, target: ConnectTarget): string {
  const host = hostOf(target.gitlabUrl);
  const relayAt = target.relayUrl.trim() || 'the relay';
  switch (relay.reason) {
    case 'host_not_allowed':
      return `The relay at ${relayAt} does not forward to ${host} (host_not_allowed). Check the GitLab URL for typos; if it is right, the relay's operator must add it with --upstream ${originOf(target.gitlabUrl)}.`;
    case 'private_address':
      return `The relay at ${relayAt} will not connect to ${host}: it resolves to a private or loopback address (private_address). If this GitLab is on your own network, the relay's operator can allow it with --allow-private ${host}.`;
    case 'origin_not_allowed':
      return `The relay at ${relayAt} does not accept calls from this page's origin (origin_not_allowed). Use the relay that served this page, or ask its operator to add this origin with --origin.`;
    case 'relay_host_not_allowed':
      return `The relay at ${relayAt} does not answer to that name (relay_host_not_allowed). Use the address it listens on, or ask its operator to add this one with --public-url.`;
    case 'upstream_unreachable':
      return unreachableUpstream(relay, host);
    case 'upstream_timeout':
      return `${host} did not answer the relay in time (upstream_timeout). GitLab may be overloaded or a firewall drops the connection; try again later, or raise the relay's --upstream-timeout-ms.`;
    case 'redirect_refused':
      return `${host} redirected the runner API somewhere the relay does not forward to (redirect_refused). Use the GitLab URL it redirects to.`;
    default:
      return `The relay at ${relayAt} refused the call: ${relay.message} (${relay.reason}). Check that the Relay URL points at a tabrunner relay as new as this page.`;
  }
}

/** What to say about a `Failed` of the connect flow (or of any call to GitLab). */
export function failureMessage(failure: Failed, target: ConnectTarget): string {
  if (failure.relay) return relayMessage(failure.relay, target);
  const host = hostOf(target.gitlabUrl);
  if (failure.status === null) {
    return target.relayUrl.trim()
      ? `Cannot reach the relay at ${target.relayUrl}: ${failure.message}. Check the Relay URL and that the relay runs.`
      : `Cannot reach ${target.gitlabUrl}: ${failure.message}. Check the URL; a browser also needs CORS for the runner API, which GitLab does not send by default: use a relay.`;
  }
  if (failure.status >= 500) {
    return `GitLab at ${host} has a problem of its own: it answered ${failure.message}. Try again later; if it lasts, GitLab's administrators can find the cause in its logs.`;
  }
  if (failure.status === 404) {
    return `${host} answered ${failure.message} to the runner API. Check that the GitLab URL is the instance's address (not a project or group page) and that it is a GitLab.`;
  }
  return `GitLab answered ${failure.message}.`;
}

/** What to say when a call of the connect flow was aborted by `deadline` or by the person. */
export function abortMessage(reason: unknown, target: ConnectTarget): string {
  if (hasErrorCode(reason, GitLabTimeoutError.code)) {
    const seconds = Math.round((reason.data['ms'] as number) / 1000);
    return target.relayUrl.trim()
      ? `No answer from ${hostOf(target.gitlabUrl)} within ${seconds} s: the relay at ${target.relayUrl} or GitLab behind it accepted the call and never answered. Check that the GitLab URL (and its port) points at GitLab and that it is up, then try again.`
      : `No answer from ${hostOf(target.gitlabUrl)} within ${seconds} s: the server accepted the call and never answered. Check that the GitLab URL (and its port) points at GitLab and that it is up, then try again.`;
  }
  return 'Verification cancelled. Nothing was saved.';
}

/**
 * A signal for one call: aborts with a `GitLabTimeoutError` after `ms`, or with the person's
 * reason when `cancel` aborts. `done()` clears the timer.
 */
export function deadline(
  what: string,
  ms: number,
  cancel?: AbortSignal,
): { signal: AbortSignal; done(): void } {
  const controller = new AbortController();
  const onCancel = () => controller.abort(cancel?.reason);
  if (cancel?.aborted) onCancel();
  else cancel?.addEventListener('abort', onCancel, { once: true });
  const timer = setTimeout(() => controller.abort(new GitLabTimeoutError(what, ms)), ms);
  return {
    signal: controller.signal,
    done() {
      clearTimeout(timer);
      cancel?.removeEventListener('abort', onCancel);
    },
  };
}
