/**
 * Reading GitLab's responses as the Go runner does (docs/runner-protocol.md §1.4): JSON only
 * with the exact `application/json` media type, error messages rendered as
 * `400 Bad Request (runner_projects.base: Maximum number …)`, and the protocol headers parsed
 * leniently (absent, empty or malformed values mean "unknown", never an exception).
 */
import {
  CONTENT_TYPE,
  JOB_STATUS,
  JSON_MEDIA_TYPE,
  RANGE,
  TRACE_UPDATE_INTERVAL,
} from './headers.ts';
import { relayRefusalIn, relayRefusalOf, type RelayRefusal } from './relay-refusal.ts';

const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No Content',
  301: 'Moved Permanently',
  302: 'Found',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  412: 'Precondition Failed',
  413: 'Request Entity Too Large',
  415: 'Unsupported Media Type',
  416: 'Requested Range Not Satisfiable',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** `404 Not Found`, as Go's `http.StatusText` renders it (HTTP/2 responses have no reason). */
export function statusLine(status: number): string {
  const text = STATUS_TEXT[status];
  return text ? `${status} ${text}` : `${status}`;
}

/** The media type of a response, lower-cased, without parameters (`charset` is allowed). */
export function mediaType(response: Response): string {
  return (response.headers.get(CONTENT_TYPE) ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** GitLab's `message`: a string, or an object of arrays joined as the Go runner joins them. */
export function renderGitLabMessage(message: unknown): string | null {
  if (typeof message === 'string') return message;
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return null;
  const parts: string[] = [];
  for (const [key, value] of Object.entries(message as Record<string, unknown>)) {
    const values = Array.isArray(value) ? value.map((v) => String(v)) : [String(value)];
    parts.push(`${key}: ${values.join('; ')}`);
  }
  return parts.length ? parts.join(', ') : null;
}

/**
 * The message for a non-2xx response: `<status line>` plus GitLab's JSON `message` in
 * parentheses when there is one (and it is not just the status line again). With
 * `xml: true`, object-storage errors (`<Error><Code>…</Code><Message>…`) are rendered as
 * `403 Forbidden (AccessDenied: Access Denied)` (docs/runner-protocol.md §8.2). Consumes the body.
 */
export async function errorMessage(response: Response, xml = false): Promise<string> {
  let text: string;
  try {
    text = await response.text();
  } catch {
    return statusLine(response.status);
  }
  return errorMessageOf(response, text, xml);
}

/** `errorMessage` for a body already read as `text`. */
function errorMessageOf(response: Response, text: string, xml: boolean): string {
  const line = statusLine(response.status);
  const type = mediaType(response);
  if (type === JSON_MEDIA_TYPE) {
    try {
      const decoded: unknown = JSON.parse(text);
      const message =
        typeof decoded === 'object' && decoded !== null
          ? renderGitLabMessage((decoded as Record<string, unknown>)['message'])
          : null;
      if (message && message !== line) return `${line} (${message})`;
    } catch {
      return `${line} (${JSON_MEDIA_TYPE} decode error)`;
    }
  } else if (xml && (type === 'application/xml' || type === 'text/xml')) {
    const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
    const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1] ?? '';
    if (code) return `${line} (${code}: ${message})`;
  }
  return line;
}

/** Decode a success body that must be JSON (docs/runner-protocol.md §1.4). Consumes the body. */
export async function readJson(
  response: Response,
): Promise<{ ok: true; value: unknown } | { ok: false; message: string }> {
  const type = mediaType(response);
  if (type !== JSON_MEDIA_TYPE) {
    await response.body?.cancel().catch(() => undefined);
    const got = response.headers.get(CONTENT_TYPE) ?? '(none)';
    return { ok: false, message: `server should return application/json. Got: ${got}` };
  }
  try {
    return { ok: true, value: JSON.parse(await response.text()) as unknown };
  } catch (err) {
    return {
      ok: false,
      message: `Error decoding json payload ${err instanceof Error ? err.message : String(err)}`,
    };
  }
}

/** Drop a body we do not need, so the connection can be reused. */
export async function discard(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => undefined);
}

/** `Job-Status`, or `null` when absent or unreadable. */
export function jobStatusOf(response: Response): string | null {
  const value = response.headers.get(JOB_STATUS)?.trim();
  return value ? value : null;
}

/** Longest interval the server may ask for (15 min, docs/runner-protocol.md §6.5). */
export const MAX_UPDATE_INTERVAL_MS = 15 * 60_000;

/**
 * `X-GitLab-Trace-Update-Interval` in milliseconds: positive integers only, capped at 15 min;
 * zero, negative, empty and non-numeric values mean "no change" (`null`) (docs/runner-protocol.md §6.5).
 */
export function updateIntervalOf(response: Response): number | null {
  const value = response.headers.get(TRACE_UPDATE_INTERVAL)?.trim();
  if (!value || !/^\d+$/.test(value)) return null;
  const seconds = Number(value);
  if (seconds <= 0) return null;
  return Math.min(seconds * 1000, MAX_UPDATE_INTERVAL_MS);
}

/** The next offset in `Range: 0-<n>` (the number after the dash is a length, docs/runner-protocol.md §6.3), or `null`. */
export function rangeEndOf(response: Response): number | null {
  const match = /^\s*(?:bytes[ =])?0-(\d+)\s*$/.exec(response.headers.get(RANGE) ?? '');
  return match?.[1] !== undefined ? Number(match[1]) : null;
}

/**
 * An unexpected outcome: an HTTP status no rule covers (after the retry layer), a body that
 * could not be decoded, or no response at all (`status: null`, network error; the Go runner's
 * internal −1). The runner treats it as "try again later".
 */
export interface Failed {
  kind: 'failed';
  status: number | null;
  /** e.g. `400 Bad Request (runner_projects.base: Maximum number …)`. Never holds a token. */
  message: string;
  /** Set when the relay wrote this answer itself, not GitLab (relay-refusal.ts). */
  relay?: RelayRefusal;
}

/** A `Failed` from a network error or an unexpected response (consumes the body). */
export async function failed(
  result: { kind: 'network-error'; message: string } | { kind: 'response'; response: Response },
): Promise<Failed> {
  if (result.kind === 'network-error')
    return { kind: 'failed', status: null, message: result.message };
  const { response } = result;
  let text: string;
  try {
    text = await response.text();
  } catch {
    return { kind: 'failed', status: response.status, message: statusLine(response.status) };
  }
  const relay = relayRefusalIn(response, text);
  return {
    kind: 'failed',
    status: response.status,
    message: errorMessageOf(response, text, false),
    ...(relay ? { relay } : {}),
  };
}

/**
 * A `Failed` for a response the relay wrote itself, whatever its status (a 403 the relay
 * wrote is not GitLab refusing a token); `null` for GitLab's own answers. Consumes the body
 * only when it returns a `Failed`: otherwise the caller still reads it.
 */
export async function relayFailure(response: Response): Promise<Failed | null> {
  if (response.status < 400 || mediaType(response) !== JSON_MEDIA_TYPE) return null;
  const copy = response.clone();
  const relay = await relayRefusalOf(copy);
  if (relay === null) return null;
  await discard(response);
  return {
    kind: 'failed',
    status: response.status,
    message: `${statusLine(response.status)} (${relay.message})`,
    relay,
  };
}

/** Read a JSON object field as a string, or `null`. */
export function stringField(value: unknown, key: string): string | null {
  if (typeof value !== 'object' || value === null) return null;
  const field = (value as Record<string, unknown>)[key];
  return typeof field === 'string' ? field : null;
}

/** Read a JSON object field as a number, or `null`. */
export function numberField(value: unknown, key: string): number | null {
  if (typeof value !== 'object' || value === null) return null;
  const field = (value as Record<string, unknown>)[key];
  return typeof field === 'number' ? field : null;
}
