/**
 * Wraps the HTTP client (isomorphic-git's `HttpClient` shape) to count requests and received
 * bytes, for the byte progress and the job's statistics, and to give every request the job's
 * `AbortSignal`, so a canceled job stops mid-transfer.
 */
import type { GitHttpRequest, GitHttpResponse, HttpClient } from 'isomorphic-git';

export interface CountingHttp extends HttpClient {
  /** Requests made and response body bytes received so far. */
  readonly stats: { requests: number; bytesReceived: number; bytesSent: number };
}

/** Count what flows through `http`; `onBytes` sees the running total of received bytes. */
export function countingHttp(
  http: HttpClient,
  options: { signal?: AbortSignal; onBytes?: (received: number) => void } = {},
): CountingHttp {
  const stats = { requests: 0, bytesReceived: 0, bytesSent: 0 };
  async function* count(body: AsyncIterableIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
    for await (const chunk of body) {
      options.signal?.throwIfAborted();
      stats.bytesReceived += chunk.byteLength;
      options.onBytes?.(stats.bytesReceived);
      yield chunk;
    }
  }
  async function* measure(body: AsyncIterableIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
    for await (const chunk of body) {
      stats.bytesSent += chunk.byteLength;
      yield chunk;
    }
  }
  return {
    stats,
    async request(request: GitHttpRequest): Promise<GitHttpResponse> {
      options.signal?.throwIfAborted();
      stats.requests += 1;
      const req: GitHttpRequest = { ...request };
      if (options.signal) req.signal = options.signal;
      if (request.body) req.body = measure(request.body);
      const response = await http.request(req);
      if (response.body) return { ...response, body: count(response.body) };
      return response;
    },
  };
}
