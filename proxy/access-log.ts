/**
 * The relay's structured access log: one JSON object per request, written when the response
 * body has ended (or was cut), so the line has the bytes really sent. Entries hold the method,
 * a redacted path, status and timings; never headers, bodies or tokens (redact.ts). Requests
 * refused before any URL parsing (bad targets, CONNECT) are logged too.
 */
import type { IncomingMessage } from 'node:http';
import { redactText } from './redact.ts';
import type { RelayError, RelayErrorReason } from './relay-error.ts';

export interface AccessLogEntry {
  /** ISO time the request arrived. */
  time: string;
  method: string;
  /** Path and query as requested (or the raw target, when refused before parsing), tokens redacted. */
  path: string;
  status: number;
  /** `host[:port]` of the upstream, when the request was relayed. */
  upstream: string | null;
  /** Why the relay refused or failed, when it did. */
  reason: RelayErrorReason | null;
  /** The `Origin` header, when a browser sent one. */
  origin: string | null;
  /** Response body bytes delivered to the client. */
  bytes: number;
  /** False when the client went away or the upstream broke off mid-body. */
  completed: boolean;
  durationMs: number;
}

export type AccessLogSink = (entry: AccessLogEntry) => void;

/** Writes each entry as a JSON line to stdout. */
export const stdoutAccessLog: AccessLogSink = (entry) => {
  process.stdout.write(`${JSON.stringify(entry)}\n`);
};

export interface RequestFacts {
  startedAt: number;
  method: string;
  /** Path and query as received; the raw request target when it could not be parsed. */
  target: string;
  origin: string | null;
  upstream: string | null;
  reason: RelayErrorReason | null;
}

/**
 * Returns `response` with its body counted; `sink` receives the entry once the body ends,
 * errors or is cancelled (at once for bodiless responses).
 */
export function logged(response: Response, facts: RequestFacts, sink: AccessLogSink): Response {
  let bytes = 0;
  let written = false;
  const write = (completed: boolean) => {
    if (written) return;
    written = true;
    sink({
      time: new Date(facts.startedAt).toISOString(),
      method: facts.method,
      path: redactText(facts.target),
      status: response.status,
      upstream: facts.upstream,
      reason: facts.reason,
      origin: facts.origin === null ? null : redactText(facts.origin),
      bytes,
      completed,
      durationMs: Date.now() - facts.startedAt,
    });
  };
  if (response.body === null) {
    write(true);
    return response;
  }
  const reader = response.body.getReader();
  const counted = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const next = await reader.read();
          if (next.done) {
            controller.close();
            write(true);
            return;
          }
          bytes += next.value.byteLength;
          controller.enqueue(next.value);
        } catch (err) {
          controller.error(err);
          write(false);
        }
      },
      async cancel(reason) {
        write(false);
        await reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  return new Response(counted, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

/** What the log keeps of a request node parsed but the relay did not read further. */
export type RefusedRequest = Pick<IncomingMessage, 'method' | 'url' | 'headers'>;

/** Logs a request the adapters refused before it became a `Request` (raw-target.ts, CONNECT). */
export function logRefusal(
  sink: AccessLogSink,
  request: RefusedRequest,
  error: RelayError,
  bytes: number,
): void {
  const origin = request.headers.origin;
  sink({
    time: new Date().toISOString(),
    method: request.method ?? '',
    path: redactText(request.url ?? ''),
    status: error.status,
    upstream: null,
    reason: error.reason,
    origin: origin === undefined ? null : redactText(origin),
    bytes,
    completed: true,
    durationMs: 0,
  });
}
