/**
 * The transport of the runner API: base URL, injected `fetch`, the retry layer, request ids and
 * what can be learned from response headers (docs/runner-protocol.md §1, §14).
 *
 * It knows no endpoint; each endpoint file builds its call and interprets the response. It uses
 * only web-standard `fetch`, `Request`, `Response`, `Headers`, so it runs in browsers and Node.
 * It never puts a token in a URL, a message or an error.
 */
import { systemClock, type Clock } from '../platform/clock.ts';
import { InvalidGitLabUrlError } from './errors.ts';
import {
  ACCEPT,
  CONTENT_TYPE,
  PROTOCOL_RESPONSE_HEADERS,
  RATE_LIMIT_RESET_TIME,
  REQUEST_ID,
  RETRY_AFTER,
  USER_AGENT,
} from './headers.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface GitLabClientOptions {
  /** The instance URL, e.g. `https://gitlab.example.com/` (a legacy trailing `/ci` is fine). */
  url: string;
  /** The `fetch` to use. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Used for every wait (retry backoff). @default systemClock */
  clock?: Clock;
  /**
   * Sent as `User-Agent` (docs/runner-protocol.md §1.3). Leave it out in browsers: they forbid setting it.
   * @default none
   */
  userAgent?: string;
  /** Numbers in [0, 1) for backoff jitter. @default Math.random */
  random?: () => number;
  /** Attempts per call in the retry layer, the first included (docs/runner-protocol.md §1.5). @default 5 */
  maxAttempts?: number;
}

/** One API call, relative to `<instance>/api/v4/`. */
export interface ApiCall {
  method: HttpMethod;
  /** e.g. `jobs/request`, `jobs/12/trace` (no leading slash). */
  path: string;
  /** Query parameters; never put a token here. */
  query?: Record<string, string>;
  headers?: Record<string, string>;
  /** A JSON body: sets `Content-Type: application/json`. */
  json?: unknown;
  /** A raw body, re-sent unchanged on retries. */
  body?: Blob | FormData | string;
  /** `Content-Type` of `body` (omit for `FormData`, which sets its own boundary). */
  contentType?: string;
  /** Add `Accept: application/json` (only when the caller will decode JSON, docs/runner-protocol.md §1.3). */
  acceptJson?: boolean;
  /** Aborting rejects the call with the signal's reason, as `fetch` does. */
  signal?: AbortSignal;
  /** Let the request outlive the page (`fetch` keepalive): the last word of a closing tab. */
  keepalive?: boolean;
}

/** What one call produced: a response (maybe after retries), or no response at all. */
export type ApiResult =
  | { kind: 'response'; response: Response; attempts: number; retried: number[] }
  | {
      kind: 'network-error';
      /** e.g. `couldn't execute POST https://host/api/v4/jobs/request: fetch failed (ECONNREFUSED)`. */
      message: string;
      attempts: number;
      /** Statuses of the earlier attempts the retry layer retried (e.g. `[502, 503]`). */
      retried: number[];
    };

export interface GitLabClient {
  /** The normalised instance URL without trailing slash, e.g. `https://gitlab.example.com`. */
  readonly url: string;
  /** `<url>/api/v4/`. */
  readonly apiUrl: string;
  readonly clock: Clock;
  /**
   * Whether the protocol response headers (`Job-Status`, `Range`, `X-GitLab-Trace-Update-Interval`,
   * `X-GitLab-Last-Update`) are readable, learned from responses (docs/runner-protocol.md §14.1): `true` once one was
   * seen or the response is same-origin; `false` once a response that always carries them came
   * without them; `null` while unknown. The runner uses it to choose long polling and to
   * advertise `cancel_gracefully`.
   */
  readonly headersReadable: boolean | null;
  /** Send one call through the retry layer of docs/runner-protocol.md §1.5. Rejects only when `signal` aborts. */
  send(call: ApiCall): Promise<ApiResult>;
  /**
   * Record what a response says about header visibility. `expected`: GitLab always sends at
   * least one protocol header on this response (PATCH 202/416, PUT 200), so their absence proves
   * they are hidden.
   */
  observeHeaders(response: Response, expected: boolean): void;
}

/** Statuses the retry layer retries: 408, 429, 500, 502, 503, 504 and ≥ 512 (docs/runner-protocol.md §1.5). */
export function isRetriableStatus(status: number): boolean {
  return [408, 429, 500, 502, 503, 504].includes(status) || status >= 512;
}

const BACKOFF_MIN_MS = 100;
const BACKOFF_MAX_MS = 60_000;

/**
 * How long to wait before retrying after `response` (docs/runner-protocol.md §1.5), first match wins:
 * `RateLimit-ResetTime` (RFC 1123 date, if in the future), `Retry-After` (integer seconds,
 * if positive), else exponential backoff 100 ms × 2ⁿ with jitter, capped at 60 s, where
 * `backoffAttempt` counts the backoffs used so far in this call (from 0).
 */
export function retryDelayMs(
  headers: Headers,
  backoffAttempt: number,
  now: number,
  random: () => number,
): { ms: number; usedBackoff: boolean } {
  const reset = headers.get(RATE_LIMIT_RESET_TIME);
  if (reset) {
    const at = Date.parse(reset);
    if (!Number.isNaN(at) && at - now > 0) return { ms: at - now, usedBackoff: false };
  }
  const after = headers.get(RETRY_AFTER)?.trim();
  if (after && /^[+-]?\d+$/.test(after)) {
    const seconds = Number(after);
    if (seconds > 0) return { ms: seconds * 1000, usedBackoff: false };
  }
  // Like jpillora/backoff (used by the Go runner): a random value between min and min × 2ⁿ.
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** backoffAttempt);
  const ms = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS + random() * (ceiling - BACKOFF_MIN_MS));
  return { ms, usedBackoff: true };
}

/**
 * Normalise the instance URL (docs/runner-protocol.md §1.1): trailing slashes and a legacy `/ci` go, only http(s) is
 * accepted, and credentials, queries and fragments are refused.
 * @throws InvalidGitLabUrlError with a message saying what to fix.
 */
export function normalizeGitLabUrl(input: string): string {
  let text = input.trim().replace(/\/+$/, '');
  if (text.endsWith('/ci')) text = text.slice(0, -3).replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidGitLabUrlError(input, 'it is not an absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidGitLabUrlError(
      input,
      `only http and https are supported, not ${url.protocol.replace(':', '')}`,
    );
  }
  if (url.username || url.password) {
    url.username = '';
    url.password = '';
    throw new InvalidGitLabUrlError(url.href, 'it contains credentials; give the token separately');
  }
  if (url.search || url.hash) {
    throw new InvalidGitLabUrlError(input, 'remove the query string and fragment');
  }
  return url.href.replace(/\/+$/, '');
}

/** A fresh request id: a UUIDv4 without dashes, 32 lowercase hex characters (docs/runner-protocol.md §1.3). */
export function newRequestId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function describeNetworkError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as { cause?: unknown }).cause;
  const code =
    typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? `${err.message} (${code})` : err.message;
}

/** Create the client. @throws InvalidGitLabUrlError when `url` cannot be used. */
export function createGitLabClient(options: GitLabClientOptions): GitLabClient {
  const url = normalizeGitLabUrl(options.url);
  const apiUrl = `${url}/api/v4/`;
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const maxAttempts = Math.max(1, options.maxAttempts ?? 5);
  let headersReadable: boolean | null = null;

  function observeHeaders(response: Response, expected: boolean): void {
    if (headersReadable === true) return;
    if (response.type === 'basic') headersReadable = true;
    else if (PROTOCOL_RESPONSE_HEADERS.some((name) => response.headers.has(name)))
      headersReadable = true;
    else if (expected) headersReadable = false;
  }

  function buildUrl(call: ApiCall): string {
    const target = new URL(call.path, apiUrl);
    for (const [key, value] of Object.entries(call.query ?? {})) {
      target.searchParams.set(key, value);
    }
    return target.href;
  }

  async function send(call: ApiCall): Promise<ApiResult> {
    const target = buildUrl(call);
    const headers = new Headers(call.headers);
    if (options.userAgent) headers.set(USER_AGENT, options.userAgent);
    if (call.acceptJson) headers.set(ACCEPT, 'application/json');
    let body: Blob | FormData | string | undefined = call.body;
    if (call.json !== undefined) {
      body = JSON.stringify(call.json);
      headers.set(CONTENT_TYPE, 'application/json');
    } else if (call.contentType) {
      headers.set(CONTENT_TYPE, call.contentType);
    }

    let backoffAttempt = 0;
    const retried: number[] = [];
    for (let attempt = 1; ; attempt++) {
      headers.set(REQUEST_ID, newRequestId());
      let response: Response;
      try {
        response = await doFetch(target, {
          method: call.method,
          headers,
          body,
          signal: call.signal,
          redirect: 'follow',
          ...(call.keepalive ? { keepalive: true } : {}),
        });
      } catch (err) {
        if (call.signal?.aborted) throw call.signal.reason;
        return {
          kind: 'network-error',
          message: `couldn't execute ${call.method} ${target}: ${describeNetworkError(err)}`,
          attempts: attempt,
          retried,
        };
      }
      observeHeaders(response, false);
      if (!isRetriableStatus(response.status) || attempt >= maxAttempts) {
        return { kind: 'response', response, attempts: attempt, retried };
      }
      const delay = retryDelayMs(response.headers, backoffAttempt, clock.now(), random);
      if (delay.usedBackoff) backoffAttempt++;
      retried.push(response.status);
      await response.body?.cancel().catch(() => undefined);
      await clock.sleep(delay.ms, call.signal);
    }
  }

  return {
    url,
    apiUrl,
    clock,
    get headersReadable() {
      return headersReadable;
    },
    send,
    observeHeaders,
  };
}
