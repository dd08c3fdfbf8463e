/**
 * The request target exactly as the client sent it, checked before any URL parser can
 * normalise it. A WHATWG URL turns `/a/%2e%2e/b` into `/b` and an absolute-form target
 * (`GET http://evil/ HTTP/1.1`) into another host, so the adapters (node.ts, vite-plugin.ts)
 * call this on the raw target and refuse rather than guess what the client meant.
 */
import type { ServerResponse } from 'node:http';
import { logRefusal, type AccessLogSink, type RefusedRequest } from './access-log.ts';
import { RELAYED_RESPONSE_HEADERS } from './headers.ts';
import { RelayError } from './relay-error.ts';

/**
 * Encodings with no business in a GitLab or app path: `.` (`%2e`), `/` (`%2f`), `\` (`%5c`),
 * NUL (`%00`) and `%` itself (`%25`, the start of every double encoding).
 */
const ENCODED_DELIMITER = /%(?:2e|2f|5c|00|25)/i;

/** `.` or `..` as a whole segment (RFC 3986 §3.3 dot-segments). */
const DOT_SEGMENT = /(?:^|\/)\.{1,2}(?:\/|$)/;

/** Returns null when the target is acceptable, else the refusal. */
export function checkRawTarget(target: string): RelayError | null {
  if (!target.startsWith('/')) {
    // Absolute-form or authority-form (RFC 9112 §3.2.2): the relay is not a forward proxy.
    return new RelayError(
      'bad_request_target',
      'Absolute URLs are refused: the relay is not a forward proxy.',
    );
  }
  const queryAt = target.indexOf('?');
  const path = queryAt === -1 ? target : target.slice(0, queryAt);
  if (path.startsWith('//')) {
    return new RelayError('bad_request_target', 'Network-path references are refused.');
  }
  if (path.includes('\\') || path.includes('//')) {
    return new RelayError('bad_request_target', 'Backslashes and empty segments are refused.');
  }
  if (DOT_SEGMENT.test(path)) {
    return new RelayError('bad_request_target', 'Paths with . or .. segments are refused.');
  }
  if (ENCODED_DELIMITER.test(path)) {
    return new RelayError(
      'bad_request_target',
      'Encoded dots, slashes and percent signs are refused.',
    );
  }
  return null;
}

/**
 * Headers of a refusal written straight on the socket: the JSON answer, closed after it, with
 * the sandbox every answer under `/gitlab/` carries (headers.ts), since a refused target may be
 * one under `/gitlab/`.
 */
export function refusalHeaders(body: string): Record<string, string> {
  return {
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(body)),
    'Cache-Control': 'no-store',
    Connection: 'close',
    ...RELAYED_RESPONSE_HEADERS,
  };
}

/**
 * The adapters' first step (node.ts, vite-plugin.ts): answers and logs a refusal when the raw
 * target of `req` is refused; false when the request may go on to the handler.
 */
export function refuseRawTarget(
  req: RefusedRequest,
  res: ServerResponse,
  log: AccessLogSink,
): boolean {
  const refusal = checkRawTarget(req.url ?? '');
  if (refusal === null) return false;
  const body = refusal.body();
  res.writeHead(refusal.status, refusalHeaders(body));
  res.end(body);
  logRefusal(log, req, refusal, Buffer.byteLength(body));
  return true;
}
