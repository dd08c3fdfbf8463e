/**
 * The `download_artifacts` stage body (docs/runner-protocol.md §8.2, §4.11): for each dependency with an archive,
 * download it with that dependency's token and extract it safely into the project directory,
 * printing the lines the Go helper prints. A missing, expired or forbidden archive is a
 * `MissingDependencyError` (the runner's `missing_dependency_failure`). Progress goes to
 * `onProgress`, throttled on the client's clock.
 */
import type { Workspace } from '../executors/index.ts';
import { downloadArtifact, type GitLabClient, type JobDependency } from '../gitlab/index.ts';
import { notice } from '../job/index.ts';
import { concatBytes } from '../bytes/index.ts';
import { ArchiveLimitError, DependencyDownloadError, MissingDependencyError } from './errors.ts';
import { DEFAULT_EXTRACT_LIMITS, extractArtifactArchive, type ExtractLimits } from './extract.ts';
import { helperLogLine } from './helper-log-line.ts';
import type { RawInflater } from './raw-inflater.ts';
import { artifactProgressReporter, type ArtifactProgress } from './transfer-progress.ts';

export interface DownloadDependenciesOptions {
  client: GitLabClient;
  /** The payload's `dependencies[]`; only those with `artifacts_file.filename` are fetched. */
  dependencies: readonly JobDependency[];
  /** Where to extract; `writeFiles` and `listFiles` are used. */
  workspace: Pick<Workspace, 'writeFiles' | 'listFiles'>;
  /** Absolute project directory in the sandbox. */
  projectDir: string;
  /** Receives trace text (ANSI, `\n`-terminated lines). */
  line: (text: string) => void;
  /** Overrides of `DEFAULT_EXTRACT_LIMITS`. */
  limits?: Partial<ExtractLimits>;
  /** How zip entries inflate: fflate's by default; Node passes node:zlib's (raw-inflater.ts). */
  inflater?: RawInflater;
  /** Wait between attempts of a failed (5xx, network) download. @default 1000 */
  retryDelayMs?: number;
  /**
   * Told how each dependency goes: downloading (body bytes against `Content-Length`), then
   * extracting (bytes and files written). At most one report per 100 ms of the client's clock,
   * besides each phase's first and last.
   */
  onProgress?: (progress: ArtifactProgress) => void;
  signal?: AbortSignal;
}

export interface DownloadedDependency {
  id: number;
  name: string;
  /** Files written into the project directory. */
  files: number;
  bytes: number;
}

/** Attempts per dependency: the Go helper's first try plus 2 retries, 1 s apart. */
const ATTEMPTS = 3;

/**
 * Download and extract every dependency that has artifacts, in payload order. Returns what was
 * extracted (empty when no dependency has artifacts: then the runner prints no section).
 * Throws `MissingDependencyError` on 401/403/404, `DependencyDownloadError` when retries run
 * out, and the extraction errors of `extractArtifactArchive` for hostile archives.
 */
export async function downloadDependencies(
  options: DownloadDependenciesOptions,
): Promise<DownloadedDependency[]> {
  const limits = { ...DEFAULT_EXTRACT_LIMITS, ...options.limits };
  const report = artifactProgressReporter(options.client.clock, options.onProgress);
  const done: DownloadedDependency[] = [];
  for (const dependency of options.dependencies) {
    if (!dependency.artifacts_file?.filename) continue;
    const progress: Progress = (p) =>
      report({ direction: 'download', name: dependency.name, ...p });
    options.line(notice(`Downloading artifacts for ${dependency.name} (${dependency.id})...`));
    const archive = await fetchArchive(options, dependency, limits.maxArchiveBytes, progress);
    progress({
      phase: 'downloading',
      unit: 'bytes',
      loaded: archive.byteLength,
      total: archive.byteLength,
      done: true,
    });
    const extracted = await extractArtifactArchive({
      workspace: options.workspace,
      projectDir: options.projectDir,
      archive,
      limits,
      inflater: options.inflater,
      onProgress: (p) =>
        progress({
          phase: 'extracting',
          unit: 'bytes',
          loaded: p.bytes,
          total: p.bytesTotal,
          files: { done: p.files, total: p.filesTotal },
          done: false,
        }),
    });
    progress({
      phase: 'extracting',
      unit: 'bytes',
      loaded: extracted.bytes,
      total: extracted.bytes,
      files: { done: extracted.files.length, total: extracted.files.length },
      done: true,
    });
    for (const text of extracted.lines) options.line(text);
    done.push({
      id: dependency.id,
      name: dependency.name,
      files: extracted.files.length,
      bytes: extracted.bytes,
    });
  }
  return done;
}

type Progress = (progress: Omit<ArtifactProgress, 'direction' | 'name'>) => void;

async function fetchArchive(
  options: DownloadDependenciesOptions,
  dependency: JobDependency,
  maxBytes: number,
  progress: Progress,
): Promise<Uint8Array> {
  const prefix = 'Downloading artifacts from coordinator...';
  const id = dependency.id;
  const missing = (status: 401 | 403 | 404): MissingDependencyError =>
    new MissingDependencyError({ dependencyId: id, dependencyName: dependency.name, status });
  for (let attempt = 1; ; attempt++) {
    const result = await downloadArtifact(options.client, {
      jobId: id,
      token: dependency.token,
      onProgress: ({ loaded, total }) =>
        progress({
          phase: 'downloading',
          unit: 'bytes',
          loaded,
          total: total ?? undefined,
          done: false,
        }),
      signal: options.signal,
    });
    switch (result.kind) {
      case 'ok': {
        const archive = await readBounded(result.body, maxBytes, dependency.name);
        options.line(helperLogLine('info', `${prefix} ok`, { id, responseStatus: '200 OK' }));
        return archive;
      }
      case 'unauthorized':
        options.line(
          helperLogLine('error', `${prefix} unauthorized`, {
            id,
            responseStatus: '401 Unauthorized',
            status: result.message,
          }),
        );
        options.line(helperLogLine('fatal', 'permission denied'));
        throw missing(401);
      case 'forbidden':
        options.line(
          helperLogLine('error', `${prefix} forbidden`, {
            id,
            responseStatus: '403 Forbidden',
            status: result.message,
          }),
        );
        options.line(helperLogLine('fatal', 'permission denied'));
        throw missing(403);
      case 'not-found':
        options.line(
          helperLogLine('error', `${prefix} not found`, { id, responseStatus: '404 Not Found' }),
        );
        options.line(helperLogLine('fatal', 'file does not exist'));
        throw missing(404);
      case 'failed': {
        options.line(helperLogLine('warning', `${prefix} failed`, { id, status: result.message }));
        if (attempt >= ATTEMPTS) {
          options.line(helperLogLine('fatal', 'invalid argument'));
          throw new DependencyDownloadError(
            `downloading the artifacts of ${dependency.name} (job ${id}) failed ${attempt} times: ${result.message}; check that GitLab is reachable and retry the job`,
            { dependencyId: id, dependencyName: dependency.name, status: result.status },
          );
        }
        await options.client.clock.sleep(options.retryDelayMs ?? 1000, options.signal);
      }
    }
  }
}

/** Read a body into memory, refusing (and cancelling) one larger than `max`. */
async function readBounded(
  body: ReadableStream<Uint8Array>,
  max: number,
  name: string,
): Promise<Uint8Array> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => undefined);
      throw new ArchiveLimitError(
        `the artifacts of ${name} are more than ${max} bytes; refusing to download them (extract limit maxArchiveBytes)`,
        { limit: 'maxArchiveBytes', value: size, max, entry: null },
      );
    }
    chunks.push(value);
  }
  return concatBytes(chunks);
}
