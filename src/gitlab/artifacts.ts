/**
 * Artifacts on the wire (docs/runner-protocol.md §8): upload one archive per `artifacts[]`
 * entry with `POST /jobs/:id/artifacts`, download a dependency's archive with
 * `GET /jobs/:id/artifacts`. Building and extracting archives is `src/artifacts`' job.
 */
import type { GitLabClient } from './client.ts';
import { JOB_TOKEN } from './headers.ts';
import { discard, errorMessage, failed, type Failed } from './response.ts';

export interface UploadArtifactOptions {
  jobId: number;
  jobToken: string;
  /**
   * The archive (zip, gzip, or the raw file), whole before it is sent (docs/runner-protocol.md
   * §14.4): a `Blob`, so it may live in a file (`src/cli/file-spool.ts`) rather than in memory;
   * `fetch` streams its bytes into the multipart body.
   */
  file: Blob;
  /** e.g. `default.zip`, `junit.xml.gz` (docs/runner-protocol.md §8.1). */
  filename: string;
  /** `archive`, `junit`, … Sent only when non-empty. */
  artifactType?: string;
  /** `zip`, `gzip`, `raw`, … Sent only when non-empty. */
  artifactFormat?: string;
  /** e.g. `7d`. Sent only when non-empty. */
  expireIn?: string;
  signal?: AbortSignal;
}

export type UploadArtifactResult =
  | { kind: 'created' }
  /** 403: bad token or the job is no longer running. Do not retry. */
  | { kind: 'forbidden'; message: string }
  /** 413: larger than the instance allows. Do not retry. */
  | { kind: 'too-large'; message: string }
  /**
   * Anything else. `retryable` follows the Go helper: 503 up to 6 attempts in all, 400, other
   * statuses and network errors up to 3; 405 (artifacts disabled) not at all. A 307 redirect
   * is followed by `fetch` itself, the body re-sent.
   */
  | (Failed & { retryable: boolean; maxAttempts: number });

/**
 * Upload one artifact archive: multipart field `file`, with `expire_in`, `artifact_format` and
 * `artifact_type` in the query string as the Go runner sends them (docs/runner-protocol.md §8.1).
 */
export async function uploadArtifact(
  client: GitLabClient,
  options: UploadArtifactOptions,
): Promise<UploadArtifactResult> {
  const query: Record<string, string> = {};
  if (options.expireIn) query['expire_in'] = options.expireIn;
  if (options.artifactFormat) query['artifact_format'] = options.artifactFormat;
  if (options.artifactType) query['artifact_type'] = options.artifactType;
  const form = new FormData();
  form.append('file', options.file, options.filename);
  const result = await client.send({
    method: 'POST',
    path: `jobs/${options.jobId}/artifacts`,
    query,
    headers: { [JOB_TOKEN]: options.jobToken },
    body: form,
    signal: options.signal,
  });
  if (result.kind === 'network-error') {
    return { ...(await failed(result)), retryable: true, maxAttempts: 3 };
  }
  const { response } = result;
  switch (response.status) {
    case 201:
      await discard(response);
      return { kind: 'created' };
    case 403:
      return { kind: 'forbidden', message: await errorMessage(response) };
    case 413:
      return { kind: 'too-large', message: await errorMessage(response) };
    case 405:
      return { ...(await failed(result)), retryable: false, maxAttempts: 1 };
    case 503:
      return { ...(await failed(result)), retryable: true, maxAttempts: 6 };
    default:
      return { ...(await failed(result)), retryable: true, maxAttempts: 3 };
  }
}

export interface DownloadArtifactOptions {
  /** The dependency's job id (`dependencies[].id`). */
  jobId: number;
  /** The dependency's token (`dependencies[].token`), sent as `JOB-TOKEN`. */
  token: string;
  /**
   * Told the body bytes read so far against `Content-Length` (`null` when the response has
   * none): `{ loaded: 0 }` once a 200 arrives, then after each chunk the caller reads. Not
   * throttled; the caller decides how often to show it.
   */
  onProgress?: (progress: DownloadProgress) => void;
  signal?: AbortSignal;
}

/** Bytes of an archive download. */
export interface DownloadProgress {
  loaded: number;
  total: number | null;
}

export type DownloadArtifactResult =
  /** 200: the archive, streamed; `size` from `Content-Length` when known. */
  | { kind: 'ok'; body: ReadableStream<Uint8Array>; size: number | null }
  | { kind: 'unauthorized'; message: string }
  | { kind: 'forbidden'; message: string }
  | { kind: 'not-found'; message: string }
  | Failed;

/**
 * Download a dependency's archive. `direct_download` is never sent: a redirect to object storage
 * would need CORS on the bucket (docs/runner-protocol.md §14.4). 401, 403 and 404 are final; the caller may retry
 * `failed` (the Go helper retries twice, 1 s apart). Messages render GitLab JSON and
 * object-storage XML errors.
 */
export async function downloadArtifact(
  client: GitLabClient,
  { jobId, token, onProgress, signal }: DownloadArtifactOptions,
): Promise<DownloadArtifactResult> {
  const result = await client.send({
    method: 'GET',
    path: `jobs/${jobId}/artifacts`,
    headers: { [JOB_TOKEN]: token },
    signal,
  });
  if (result.kind === 'network-error') return failed(result);
  const { response } = result;
  switch (response.status) {
    case 200: {
      const length = response.headers.get('Content-Length');
      const size = length && /^\d+$/.test(length) ? Number(length) : null;
      const body = response.body ?? new Blob([]).stream();
      return { kind: 'ok', body: onProgress ? counted(body, size, onProgress) : body, size };
    }
    case 401:
      return { kind: 'unauthorized', message: await errorMessage(response, true) };
    case 403:
      return { kind: 'forbidden', message: await errorMessage(response, true) };
    case 404:
      return { kind: 'not-found', message: await errorMessage(response, true) };
    default:
      return {
        kind: 'failed',
        status: response.status,
        message: await errorMessage(response, true),
      };
  }
}

/** `body`, telling `onProgress` how many bytes went through as they are read. */
function counted(
  body: ReadableStream<Uint8Array>,
  size: number | null,
  onProgress: (progress: DownloadProgress) => void,
): ReadableStream<Uint8Array> {
  let loaded = 0;
  let total = size;
  onProgress({ loaded, total });
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        loaded += chunk.byteLength;
        // A content-encoded body decodes past its Content-Length: then the total is unknown.
        if (total !== null && loaded > total) total = null;
        controller.enqueue(chunk);
        onProgress({ loaded, total });
      },
    }),
  );
}
