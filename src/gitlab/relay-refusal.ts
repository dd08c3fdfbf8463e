/**
 * Telling the relay's own refusals apart from GitLab's answers. Through the relay a 403 may be
 * GitLab refusing a token or the relay refusing the host, and a 502 may be GitLab's front proxy
 * or the relay failing to connect (docs/relay.md, "What it forwards and what it refuses").
 *
 * The relay writes `{ "error": "<reason>", "message": "…" }` (plus `upstream_error`, Node's code
 * for a failed connection). GitLab's own JSON never looks like that: its `error` values are
 * status lines (`404 Not Found`) or OAuth words (`invalid_token`), and only this exact set of
 * snake_case reasons, with a string `message` beside it, is taken as the relay's. A header
 * would not do: a relay on another origin would have to expose it through CORS, and older relays
 * do not send it, while the body reads the same everywhere.
 */
import { CONTENT_TYPE, JSON_MEDIA_TYPE } from './headers.ts';

/** Every reason the relay answers with (proxy/relay-error.ts, kept in step by a test). */
export const RELAY_REASONS = [
  'bad_request_target',
  'relay_host_not_allowed',
  'host_not_allowed',
  'path_not_allowed',
  'push_not_allowed',
  'method_not_allowed',
  'origin_not_allowed',
  'private_address',
  'body_too_large',
  'redirect_refused',
  'upstream_unreachable',
  'upstream_timeout',
  'not_found',
] as const;

export type RelayReason = (typeof RELAY_REASONS)[number];

/** A refusal the relay wrote itself; nothing in it came from GitLab. */
export interface RelayRefusal {
  reason: RelayReason;
  /** The relay's sentence, e.g. `The upstream gitlab.example.com could not be reached.` */
  message: string;
  /** Node's code for a failed upstream connection (`ENOTFOUND`, `ECONNREFUSED`, `EPROTO`, …). */
  upstreamError: string | null;
}

function isRelayReason(value: unknown): value is RelayReason {
  return typeof value === 'string' && (RELAY_REASONS as readonly string[]).includes(value);
}

/** The relay's refusal in a response body already read as `text`, or `null` for anything else. */
export function relayRefusalIn(response: Response, text: string): RelayRefusal | null {
  // response.ts's `mediaType`, spelled here because response.ts imports this module.
  const type = (response.headers.get(CONTENT_TYPE) ?? '').split(';')[0]?.trim().toLowerCase();
  if (response.status < 400 || type !== JSON_MEDIA_TYPE) return null;
  let decoded: unknown;
  try {
    decoded = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded)) return null;
  const { error, message, upstream_error: upstreamError } = decoded as Record<string, unknown>;
  if (!isRelayReason(error) || typeof message !== 'string') return null;
  return {
    reason: error,
    message,
    upstreamError:
      typeof upstreamError === 'string' && /^[A-Z][A-Z0-9_]{1,63}$/.test(upstreamError)
        ? upstreamError
        : null,
  };
}

/** Read `response`'s body (consuming it) and return the relay's refusal in it, if it is one. */
export async function relayRefusalOf(response: Response): Promise<RelayRefusal | null> {
  let text: string;
  try {
    text = await response.text();
  } catch {
    return null;
  }
  return relayRefusalIn(response, text);
}
