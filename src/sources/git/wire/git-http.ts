/**
 * One request of git's smart HTTP protocol (gitprotocol-http) through an isomorphic-git
 * `HttpClient`, with the relay prefix applied the way isomorphic-git's `corsProxy` does it, the
 * job's credentials as a header only, and the status mapped to the sources errors: 401/403 is
 * `SourcesAuthError`, any other non-200 a `SourcesFetchError` whose text is redacted.
 */
import type { GitHttpResponse, HttpClient } from 'isomorphic-git';
import type { RepoRemote } from './repo-url.ts';
import { SourcesAuthError, SourcesFetchError } from '../../errors/sources-errors.ts';

export interface GitHttpTarget {
  http: HttpClient;
  remote: RepoRemote;
  /** Relay prefix (`https://relay/gitlab`), or one ending in `?` for query-style proxies. */
  corsProxy?: string;
  /** The job's signal: once it fires, its reason is what every failure becomes. */
  signal?: AbortSignal;
}

function proxied(url: string, corsProxy: string | undefined): string {
  if (!corsProxy) return url;
  return corsProxy.endsWith('?')
    ? `${corsProxy}${url}`
    : `${corsProxy}/${url.replace(/^https?:\/\//, '')}`;
}

async function preview(response: GitHttpResponse): Promise<string> {
  let text = '';
  try {
    const decoder = new TextDecoder();
    for await (const chunk of response.body ?? []) {
      text += decoder.decode(chunk, { stream: true });
      if (text.length > 300) break;
    }
  } catch {
    // The status says enough.
  }
  return text.trim().slice(0, 200);
}

/** Send one request to `<repo url>/<path>`; resolves only with a 200 response. */
export async function gitRequest(
  target: GitHttpTarget,
  request: {
    method: 'GET' | 'POST';
    path: string;
    headers?: Record<string, string>;
    body?: Uint8Array;
  },
): Promise<GitHttpResponse> {
  const { remote } = target;
  const url = `${proxied(remote.url.replace(/\/+$/, ''), target.corsProxy)}/${request.path}`;
  let response: GitHttpResponse;
  try {
    const body = request.body;
    response = await target.http.request({
      url,
      method: request.method,
      headers: { ...request.headers, ...remote.headers() },
      ...(body
        ? {
            body: (async function* () {
              yield body;
            })(),
          }
        : {}),
    });
  } catch (err) {
    target.signal?.throwIfAborted();
    throw new SourcesFetchError({
      url: remote.url,
      reason: remote.redact(err instanceof Error ? err.message : String(err)),
    });
  }
  const status = response.statusCode;
  if (status === 401 || status === 403) throw new SourcesAuthError({ url: remote.url, status });
  if (status !== 200) {
    const text = await preview(response);
    throw new SourcesFetchError({
      url: remote.url,
      status,
      reason: remote.redact(
        `HTTP ${status} ${response.statusMessage ?? ''}`.trim() + (text ? `: ${text}` : ''),
      ),
    });
  }
  return response;
}
