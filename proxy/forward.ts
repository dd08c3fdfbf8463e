/**
 * Sends one request to an upstream and turns its answer into a web `Response`, streaming both
 * bodies with backpressure. Uses node:http rather than `fetch` because it never follows
 * redirects, never decodes `Content-Encoding`, and lets the address guard run inside the DNS
 * lookup of the very connection it guards.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { checkLiteralAddress, guardedLookup } from './address-guard.ts';
import type { Upstream } from './config.ts';
import { downstreamResponseHeaders, upstreamRequestHeaders } from './headers.ts';
import { RelayError } from './relay-error.ts';

export interface ForwardOptions {
  upstream: Upstream;
  /** Path and query on the upstream, already checked by allowed-paths.ts. */
  pathAndQuery: string;
  request: Request;
  maxRequestBytes: number;
  upstreamTimeoutMs: number;
}

/** What came back, plus the raw facts the access log wants. */
export interface ForwardResult {
  response: Response;
  /** Upstream `Location`, if any, for the redirect policy (redirect.ts) to judge. */
  location: string | null;
}

// Keep-alive pools, one per scheme; lookups run per new connection, so reuse stays guarded.
const agents = {
  http: new HttpAgent({ keepAlive: true }),
  https: new HttpsAgent({ keepAlive: true }),
};

/** Statuses whose responses never have a body (RFC 9110 §6.4.1). */
const NULL_BODY_STATUSES = new Set([204, 205, 304]);

/** Counts request bytes and fails the stream once they pass the limit. */
class ByteLimit extends Transform {
  #seen = 0;
  readonly #limit: number;

  constructor(limit: number) {
    super();
    this.#limit = limit;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.#seen += chunk.length;
    if (this.#seen > this.#limit) {
      done(new RelayError('body_too_large', `The request body exceeds ${this.#limit} bytes.`));
      return;
    }
    done(null, chunk);
  }
}

/** A web stream over the upstream response that reads only as fast as the client takes. */
function streamBody(response: IncomingMessage): ReadableStream<Uint8Array> {
  const chunks = response[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const next = (await chunks.next()) as IteratorResult<Buffer>;
          if (next.done) controller.close();
          else
            controller.enqueue(
              new Uint8Array(next.value.buffer, next.value.byteOffset, next.value.length),
            );
        } catch (err) {
          controller.error(err);
        }
      },
      cancel() {
        response.destroy();
      },
    },
    { highWaterMark: 0 },
  );
}

function toRelayError(err: unknown, host: string): RelayError {
  if (err instanceof RelayError) return err;
  return new RelayError('upstream_unreachable', `The upstream ${host} could not be reached.`, {
    cause: err,
  });
}

/** Forwards the request; rejects with a RelayError when no upstream response arrives. */
export function forward(options: ForwardOptions): Promise<ForwardResult> {
  const { upstream, request } = options;
  const literal = checkLiteralAddress(upstream.hostname, upstream.host);
  if (literal && !upstream.allowPrivate) return Promise.reject(literal);

  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > options.maxRequestBytes) {
    return Promise.reject(
      new RelayError(
        'body_too_large',
        `The request body exceeds ${options.maxRequestBytes} bytes.`,
      ),
    );
  }

  const headers: Record<string, string> = {
    ...upstreamRequestHeaders(request.headers),
    host: upstream.host,
  };
  // A GET may announce a body that never becomes part of the Request; sent on, the upstream
  // would wait for those bytes, or read the next request on the pooled connection as them.
  if (request.body === null) delete headers['content-length'];

  // A request without a body can be sent again as it was: the one place that matters is a
  // pooled connection the upstream closed while idle, which fails before any answer.
  const attempt = (fresh: boolean): Promise<ForwardResult> =>
    send(options, headers, fresh).catch((err: unknown) => {
      if (fresh || request.body !== null || !isStaleConnection(err)) throw err;
      return attempt(true);
    });
  return attempt(false).catch((err: unknown) => {
    throw toRelayError(err, upstream.host);
  });
}

/**
 * Node's keep-alive pool reuses an idle connection until the upstream closes it, and that close
 * can cross the next request on the wire (GitLab's Puma closes idle connections after a few
 * seconds): the request then dies with ECONNRESET or EPIPE before any answer, and nothing
 * reached GitLab. Node documents this and `reusedSocket` to tell it apart.
 */
const staleConnectionErrors = new WeakSet<object>();

function isStaleConnection(err: unknown): boolean {
  return typeof err === 'object' && err !== null && staleConnectionErrors.has(err);
}

/**
 * The TLS server name (SNI) for an https upstream. SNI carries DNS names only (RFC 6066 §3):
 * node sends an IP literal anyway, with a deprecation warning (DEP0123), so an upstream given
 * by IP gets `''`, which sends none; the certificate is still checked against that IP.
 */
function serverName(upstream: Upstream): string | undefined {
  if (upstream.scheme !== 'https') return undefined;
  return isIP(upstream.hostname) === 0 ? upstream.hostname : '';
}

/** One exchange with the upstream; `fresh` opens a new connection instead of a pooled one. */
function send(
  options: ForwardOptions,
  headers: Record<string, string>,
  fresh: boolean,
): Promise<ForwardResult> {
  const { upstream, request } = options;
  return new Promise<ForwardResult>((resolve, reject) => {
    const sendRequest = upstream.scheme === 'https' ? httpsRequest : httpRequest;
    const outgoing = sendRequest({
      agent: fresh ? false : agents[upstream.scheme],
      host: upstream.hostname,
      port: upstream.port,
      servername: serverName(upstream),
      method: request.method,
      path: options.pathAndQuery,
      headers,
      lookup: upstream.allowPrivate ? undefined : guardedLookup(upstream.host),
      signal: request.signal,
    });
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      const code = (err as { code?: unknown } | null)?.code;
      const stale =
        outgoing.reusedSocket &&
        !request.signal.aborted &&
        (code === 'ECONNRESET' || code === 'EPIPE');
      if (stale && typeof err === 'object' && err !== null) staleConnectionErrors.add(err);
      reject(err);
    };

    outgoing.setTimeout(options.upstreamTimeoutMs, () => {
      outgoing.destroy(
        new RelayError('upstream_timeout', `The upstream ${upstream.host} did not answer in time.`),
      );
    });
    outgoing.on('error', fail);
    outgoing.on('response', (incoming) => {
      if (settled) {
        incoming.destroy();
        return;
      }
      settled = true;
      const status = incoming.statusCode ?? 0;
      if (status < 200 || status > 599) {
        incoming.destroy();
        reject(
          new RelayError(
            'upstream_unreachable',
            `The upstream ${upstream.host} sent status ${status}.`,
          ),
        );
        return;
      }
      const headers = downstreamResponseHeaders(incoming.rawHeaders);
      const empty = NULL_BODY_STATUSES.has(status) || request.method === 'HEAD';
      if (empty) incoming.resume();
      // Errors after the headers (a cut connection, the idle timeout) end the body stream.
      incoming.on('error', () => undefined);
      resolve({
        response: new Response(empty ? null : streamBody(incoming), { status, headers }),
        location: incoming.headers.location ?? null,
      });
    });

    if (request.body === null) {
      outgoing.end();
      return;
    }
    const body = Readable.fromWeb(request.body as NodeReadableStream<Uint8Array>);
    pipeline(body, new ByteLimit(options.maxRequestBytes), outgoing).catch((err: unknown) => {
      outgoing.destroy(err instanceof Error ? err : undefined);
      fail(err);
    });
  });
}
