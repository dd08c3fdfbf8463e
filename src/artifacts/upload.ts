/**
 * The `upload_artifacts_on_*` stage body (docs/runner-protocol.md §8.1): for each planned upload, collect the files,
 * archive them, send them with the Go helper's retry rules, and print the helper's lines. It
 * never prints a token (the Go helper's `token=` field is left out). Progress goes to
 * `onProgress`, throttled on the client's clock.
 */
import type { Workspace } from '../executors/index.ts';
import { uploadArtifact, type GitLabClient } from '../gitlab/index.ts';
import { notice } from '../job/index.ts';
import { createArtifactArchive } from './archive.ts';
import type { RawDeflater } from './raw-deflater.ts';
import { collectArtifactFiles } from './collect.ts';
import { compressionLevel } from './compression-level.ts';
import { ArtifactUploadError } from './errors.ts';
import { hasErrorCode } from '../errors/index.ts';
import { helperLogLine } from './helper-log-line.ts';
import { artifactProgressReporter, type ArtifactProgress } from './transfer-progress.ts';
import type { PlannedUpload } from './upload-plan.ts';

export interface UploadArtifactsOptions {
  client: GitLabClient;
  jobId: number;
  /** The running job's token, sent as `JOB-TOKEN`; never printed. */
  jobToken: string;
  /** From `planArtifactUploads(...).uploads`. */
  entries: readonly PlannedUpload[];
  /** Where the job ran; files are read through it. */
  workspace: Pick<Workspace, 'listFiles' | 'readFile'>;
  /** Absolute project directory in the sandbox. */
  projectDir: string;
  /** Expands `$VAR` in paths and exclude patterns with the job's variables. */
  expand: (value: string) => string;
  /** Receives trace text (ANSI, `\n`-terminated lines); the caller masks and writes it. */
  line: (text: string) => void;
  /** For `untracked: true` entries: files git does not track. @default [] */
  untrackedFiles?: string[];
  /** The job's `ARTIFACT_COMPRESSION_LEVEL`. @default 'default' */
  compressionLevel?: string;
  /** How zip entries deflate (raw-deflater.ts), e.g. node:zlib's in Node. @default fflate's */
  deflater?: RawDeflater;
  /**
   * Where the archive waits while it is sent (each retry sends it again): a `Blob` of the
   * stream. The default, `new Response(stream).blob()`, is memory in Node and Chromium's blob
   * store in the tab (which moves large blobs to disk); `src/cli/file-spool.ts` keeps it in a
   * temporary file, so memory holds one file, not the archive.
   */
  spool?: (archive: ReadableStream<Uint8Array>) => Promise<Blob>;
  /** Wait between attempts after a retryable failure (the client's clock sleeps). @default 1000 */
  retryDelayMs?: number;
  /**
   * Told how each entry goes: collecting (files read), archiving (file bytes in, archive bytes
   * out), uploading (the archive's size, then its end). At most one report per 100 ms of the
   * client's clock, besides each phase's first and last.
   */
  onProgress?: (progress: ArtifactProgress) => void;
  signal?: AbortSignal;
}

/** One archive GitLab accepted. */
export interface UploadedArtifact {
  filename: string;
  artifactType: string;
  /** Files in the archive. */
  files: number;
  /** Archive size in bytes. */
  bytes: number;
}

export interface UploadArtifactsResult {
  uploaded: UploadedArtifact[];
  /**
   * The first upload that failed, after which no further entry is tried (as the Go runner's
   * stage script stops at a failing helper). The Go runner fails the job for it, 413 included.
   */
  failure: ArtifactUploadError | null;
}

/**
 * Upload each planned entry in order. An entry whose paths match nothing prints
 * `ERROR: No files to upload` and is skipped without failing. Retries follow docs/runner-protocol.md §8.1: 503 up to 6
 * attempts in all, other failures and network errors up to 3, 403 and 413 never.
 */
export async function uploadArtifacts(
  options: UploadArtifactsOptions,
): Promise<UploadArtifactsResult> {
  const uploaded: UploadedArtifact[] = [];
  const { level, warning } = compressionLevel(options.compressionLevel);
  const report = artifactProgressReporter(options.client.clock, options.onProgress);
  for (const entry of options.entries) {
    options.line(notice('Uploading artifacts...'));
    const progress = (p: Omit<ArtifactProgress, 'direction' | 'name'>) =>
      report({ direction: 'upload', name: entry.filename, ...p });
    const { files, lines } = await collectArtifactFiles({
      workspace: options.workspace,
      projectDir: options.projectDir,
      artifact: entry.artifact,
      untrackedFiles: options.untrackedFiles,
      expand: options.expand,
      onFile: (loaded, total) =>
        progress({ phase: 'collecting', unit: 'files', loaded, total, done: false }),
    });
    progress({
      phase: 'collecting',
      unit: 'files',
      loaded: files.length,
      total: files.length,
      done: true,
    });
    for (const text of lines) options.line(text);
    if (files.length === 0) {
      options.line(helperLogLine('error', 'No files to upload'));
      continue;
    }
    if (warning) options.line(warning);
    const artifactType = entry.query['artifact_type'] ?? '';
    const inputBytes = files.reduce((sum, f) => sum + f.size, 0);
    const archiving = (filesDone: number, bytesIn: number, bytesOut: number, done: boolean) => {
      progress({
        phase: 'archiving',
        unit: 'bytes',
        loaded: bytesIn,
        // A file that changed since it was collected must not leave `loaded` past `total`.
        total: done ? bytesIn : Math.max(inputBytes, bytesIn),
        files: { done: filesDone, total: files.length },
        bytes: bytesOut,
        done,
      });
    };
    let file: Blob;
    try {
      let bytesIn = 0;
      archiving(0, 0, 0, false);
      const stream = createArtifactArchive({
        workspace: options.workspace,
        projectDir: options.projectDir,
        files,
        format: entry.query['artifact_format'] ?? '',
        level,
        ...(options.deflater ? { deflater: options.deflater } : {}),
        onProgress: (p) => {
          bytesIn = p.bytesIn;
          archiving(p.files, p.bytesIn, p.bytesOut, false);
        },
      });
      file = await (options.spool ?? ((archive) => new Response(archive).blob()))(stream);
      archiving(files.length, bytesIn, file.size, true);
    } catch (error) {
      if (!hasErrorCode(error, 'ArchiveFormatError')) throw error;
      options.line(helperLogLine('fatal', error.message));
      return {
        uploaded,
        failure: new ArtifactUploadError(error.message, {
          kind: 'failed',
          artifactType,
          status: null,
        }),
      };
    }
    // `fetch` cannot say how much of the body went out, so this phase has no `total` until done.
    progress({ phase: 'uploading', unit: 'bytes', loaded: 0, bytes: file.size, done: false });
    const failure = await send(options, entry, file, artifactType);
    if (failure) return { uploaded, failure };
    progress({
      phase: 'uploading',
      unit: 'bytes',
      loaded: file.size,
      total: file.size,
      bytes: file.size,
      done: true,
    });
    uploaded.push({
      filename: entry.filename,
      artifactType,
      files: files.length,
      bytes: file.size,
    });
  }
  return { uploaded, failure: null };
}

/** Send one archive with the helper's retry loop; a failure, or null once GitLab took it. */
async function send(
  options: UploadArtifactsOptions,
  entry: PlannedUpload,
  file: Blob,
  artifactType: string,
): Promise<ArtifactUploadError | null> {
  const prefix = artifactType
    ? `Uploading artifacts as ${JSON.stringify(artifactType)} to coordinator...`
    : 'Uploading artifacts to coordinator...';
  const id = options.jobId;
  for (let attempt = 1; ; attempt++) {
    const result = await uploadArtifact(options.client, {
      jobId: options.jobId,
      jobToken: options.jobToken,
      file,
      filename: entry.filename,
      artifactType: entry.query['artifact_type'],
      artifactFormat: entry.query['artifact_format'],
      expireIn: entry.query['expire_in'],
      signal: options.signal,
    });
    switch (result.kind) {
      case 'created':
        options.line(
          helperLogLine('info', `${prefix} 201 Created`, { id, responseStatus: '201 Created' }),
        );
        return null;
      case 'forbidden':
        options.line(helperLogLine('error', `${prefix} ${result.message}`, { id, status: 403 }));
        options.line(helperLogLine('fatal', 'permission denied'));
        return new ArtifactUploadError(
          `GitLab refused the ${artifactType || 'artifacts'} upload (${result.message}): the job is no longer running or its token is not valid`,
          { kind: 'forbidden', artifactType, status: 403 },
        );
      case 'too-large':
        options.line(
          helperLogLine('error', `${prefix} too large archive`, {
            id,
            responseStatus: '413 Request Entity Too Large',
            status: 413,
          }),
        );
        options.line(helperLogLine('fatal', 'too large archive'));
        return new ArtifactUploadError(
          `too large archive: the ${artifactType || 'artifacts'} archive (${file.size} bytes) is over the instance's maximum artifacts size; narrow artifacts:paths or add exclude patterns`,
          { kind: 'too-large', artifactType, status: 413 },
        );
      case 'failed': {
        const fields: Record<string, string | number> = { id };
        if (result.status !== null) fields['status'] = result.status;
        options.line(helperLogLine('warning', `${prefix} ${result.message}`, fields));
        if (!result.retryable || attempt >= result.maxAttempts) {
          options.line(helperLogLine('fatal', result.message));
          return new ArtifactUploadError(
            `uploading the ${artifactType || 'artifacts'} archive failed after ${attempt} attempt(s): ${result.message}`,
            { kind: 'failed', artifactType, status: result.status },
          );
        }
        options.line(
          helperLogLine('warning', 'Retrying...', {
            context: 'artifacts-uploader',
            error: result.message,
          }),
        );
        await options.client.clock.sleep(options.retryDelayMs ?? 1000, options.signal);
      }
    }
  }
}
