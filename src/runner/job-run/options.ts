/** What a job run is given: the runner's parts, the job GitLab sent, and where to report. */
import type { RawDeflater, RawInflater } from '../../artifacts/index.ts';
import type { CacheStore } from '../../cache/index.ts';
import type { Executor, ExecutorInfo, FileTree } from '../../executors/port.ts';
import type { GitLabClient, RunnerInfo } from '../../gitlab/index.ts';
import type { JobPayload, ParsedJob } from '../../gitlab/job-payload.ts';
import type { JobSettings } from '../../job/index.ts';
import type { Clock } from '../../platform/clock.ts';
import type { SourcesProgress } from '../../sources/index.ts';
import type { Emitter } from '../emitter.ts';
import type { RunnerEvent } from '../events.ts';

/** Where the runner gets a job's sources from (`createSourcesProvider` in production). */
export type SourcesProvider = (request: {
  payload: JobPayload;
  settings: JobSettings;
  /** `CI_PROJECT_DIR`, for the trace lines. */
  projectDir: string;
  line: (kind: 'notice' | 'plain' | 'warning', text: string) => void;
  /** Fetch and checkout progress, for the page's progress line (throttled here). */
  progress: (progress: SourcesProgress) => void;
  signal: AbortSignal;
}) => Promise<{ tree: FileTree | null }>;

/** The trace bytes GitLab has not acknowledged, from where its copy most likely ends. */
export interface UnsentTrace {
  /** Offset of `bytes[0]` in the whole trace. */
  offset: number;
  bytes: Uint8Array;
  /** The job's `debug_trace` flag, as its other PATCHes carry it. */
  debugTrace: boolean;
}

/**
 * A job's last words when its host goes away (the tab closes, docs/runner-protocol.md §7.6):
 * writes the closing line, stops sending the trace and returns what GitLab still lacks (`null`
 * when GitLab takes no more trace). Synchronous, for a `pagehide` handler; the job then reports
 * nothing more itself.
 */
export type LastWords = () => UnsentTrace | null;

/** Where an artifact archive waits while the upload sends it (each retry sends it again). */
export interface ArchiveSpool {
  spool(archive: ReadableStream<Uint8Array>): Promise<Blob>;
  /** Remove every archive it holds, once the upload stage is over. */
  dispose(): Promise<void>;
}

/**
 * How a job's archives (artifacts and caches) are made, held and extracted. The CLI passes
 * node:zlib's deflater and inflater and a temporary-file spool (`src/cli`); the tab keeps the
 * defaults, fflate and a `Blob` of the archive (Chromium's blob store moves large ones to disk).
 */
export interface Archiving {
  /** How zip entries deflate. @default fflate's */
  deflater?: RawDeflater;
  /** How zip entries inflate (cache restore, dependencies' artifacts). @default fflate's */
  inflater?: RawInflater;
  /** A spool for one job's upload stage, disposed when the stage ends. @default a `Blob` */
  spool?: () => Promise<ArchiveSpool>;
}

export interface JobRunOptions {
  client: GitLabClient;
  executor: Executor;
  /**
   * What `executor.describe()` answered right before this job was requested (the `Runner` asks
   * before every request and takes no job while it rejects): builds directory and Node version.
   */
  executorInfo: ExecutorInfo;
  sources: SourcesProvider;
  /** Where GitLab's `cache:` archives are kept between jobs (docs/cache.md). */
  cache: CacheStore;
  /** GitLab's origin, the first part of every `CacheAddress` (`RunnerOptions.gitlabOrigin`). */
  gitlabOrigin: string;
  archiving?: Archiving;
  clock: Clock;
  /** Time written into the trace (section markers, docs/runner-protocol.md §9.6 timestamps). Default `clock`. */
  traceClock?: Clock;
  info: RunnerInfo;
  runner: { name: string; token: string; systemId: string };
  /** `<os>/<arch>` for `CI_RUNNER_EXECUTABLE_ARCH`. */
  executableArch: string;
  outputLimit: number;
  parsed: ParsedJob;
  /** Aborted when the runner is stopped immediately: the job fails as a system failure. */
  signal: AbortSignal;
  events: Emitter<RunnerEvent>;
  /** GitLab accepted the job and its trace is being sent: how to end it if the host goes away. */
  onStarted?: (lastWords: LastWords) => void;
}
