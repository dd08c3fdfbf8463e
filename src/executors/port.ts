/**
 * The executor port: the only thing the runner knows about where a script runs.
 *
 * A job stage (`step_script`, `after_script`) runs as ONE script, the way GitLab's shell
 * executor runs one generated bash script per stage (docs/architecture.md, "Running a stage"):
 * a fresh shell in the project directory with the job's environment and `set -eo pipefail`;
 * each entry runs after the runner was told it starts (so it can echo `$ cmd`); the first
 * failing command ends the stage with its exit code unless the script turned errexit off;
 * `exit N` ends it with N; `cd` and variables carry from one entry to the next and never to
 * the next stage. Every adapter passes the contract cases in `contract/`.
 *
 * Lifecycle: `Executor.describe` (may be called often; adapters cache it) → `Executor.prepare`
 * → `Workspace` (one job) → `runStage` per stage → `Workspace.dispose` → at page/process end
 * `Executor.dispose`.
 *
 * Errors: cancellation rejects with a `TabrunnerError` whose `code === 'AbortError'` and whose
 * `data.stage` says how far stopping got (`before-start`, `interrupted`, or WebContainer's
 * `stuck`, when stopping cost the workspace); the caller reads `signal.reason` to tell a cancel
 * from a timeout. A missing file is `code === 'ENOENT'`. Compare codes, not classes.
 */

/** A file to place in the workspace. `mode` follows git: 0o100644, 0o100755 or 0o120000 (link). */
export interface TreeFile {
  /** Relative to the project directory, `/`-separated, no `.` or `..` segments. */
  path: string;
  /** File contents; for a link (0o120000), the link target as UTF-8. */
  data: Uint8Array;
  /** The executable bit counts: `0o100755` gives a file the job's shell can run. @default 0o100644 */
  mode?: number;
}

/** A checkout handed to the executor: paths are relative to the project directory, `/`-separated. */
export interface FileTree {
  files: TreeFile[];
  /** Empty directories git cannot express but a job may need (rare). */
  directories?: string[];
}

/** What the sandbox is, as the runner needs it before planning a job. */
export interface ExecutorInfo {
  /**
   * Absolute root of all builds in the sandbox (`CI_BUILDS_DIR`); projects live at
   * `<buildsDir>/<namespace>/<project>`. Paths the job sees are real paths of the sandbox.
   */
  buildsDir: string;
  /** What interprets the job's lines (`info.shell`). */
  shell: string;
  /** `node --version` inside the sandbox (e.g. `v20.19.1`), when it has Node. */
  nodeVersion?: string;
}

export interface PrepareOptions {
  /** Absolute project directory inside the sandbox, below `ExecutorInfo.buildsDir`. */
  projectDir: string;
  /** Environment every stage starts with (job variables after expansion). */
  env: Record<string, string>;
}

/** One stage of the job script. */
export interface Stage {
  /**
   * The stage's entries in order, each exactly as the job wrote it, trimmed. An entry may span
   * several lines (`if …\nfi`, heredocs); an empty entry runs nothing.
   */
  lines: string[];
  /** Variables added for this stage only (e.g. `CI_JOB_STATUS` for after_script). */
  env?: Record<string, string>;
}

export interface StageHooks {
  /**
   * Entry `index` is about to run: everything the earlier entries wrote has been delivered.
   * Called for every entry that runs, in order; not for entries after the stage ended.
   */
  onLine(index: number): void;
  /**
   * Output of the stage (stdout and stderr interleaved as far as the adapter can tell), as it
   * is produced; every chunk arrives before `runStage` settles. Raw bytes that may split a UTF-8
   * character; the consumer decodes in streaming mode.
   */
  onOutput(chunk: Uint8Array): void;
}

export interface StageResult {
  /** How the stage's shell ended: 0, the failing command's status, or N from `exit N`. */
  exitCode: number;
}

export interface Workspace {
  /**
   * Null while the workspace is usable; once the sandbox lost it (a WebContainer torn down
   * because a program ignored `kill()`), why, in a sentence the trace can show.
   */
  readonly lost: string | null;
  /**
   * Run one stage in a fresh shell (see the top of this file). Resolves with the exit code,
   * whatever it is. An aborted `signal` (cancel, or `AbortSignal.timeout` for the job timeout)
   * stops the stage promptly and rejects with an `AbortError`-coded error; an already aborted
   * signal rejects without running anything. One stage at a time.
   */
  runStage(stage: Stage, hooks: StageHooks, signal: AbortSignal): Promise<StageResult>;
  /**
   * Write a file (file variables, downloaded artifacts), creating parent directories. Absolute
   * sandbox path. Called between stages. What is at `path` is replaced, never written through: a
   * symlink there is removed first, as GitLab's helper removes a file before creating it, so a
   * link in the checkout cannot send an artifact outside the project.
   */
  writeFile(path: string, data: Uint8Array): Promise<void>;
  /**
   * Write many files below the absolute directory `dir` at once (a restored cache, an extracted
   * archive), each as `writeFile` would: parents created, what is at a file's path replaced, a
   * symlink there removed rather than followed. `files[].path` are relative to `dir` and already
   * validated (no `.` or `..` segments, no absolute paths); `mode` 0o100755 makes a file
   * executable where the sandbox keeps modes. A file whose path is a directory rejects with code
   * `EISDIR`, naming the path in `data.path`; files before it in the list may have been written.
   * Adapters write in their fastest bulk form (a WebContainer mounts one binary snapshot), so
   * callers pass batches of bounded size rather than one file at a time.
   */
  writeFiles(dir: string, files: readonly TreeFile[]): Promise<void>;
  /** Read a file back (artifacts, reports). Absolute path; rejects with code `ENOENT` if absent. */
  readFile(path: string): Promise<Uint8Array>;
  /**
   * List files (not directories) under an absolute directory, recursively, as sorted absolute
   * paths. A missing directory lists as empty.
   */
  listFiles(dir: string): Promise<string[]>;
  /**
   * Remove the workspace and everything the job wrote; nothing the job started keeps running
   * afterwards (a stage still running is cancelled first). Safe to call twice.
   */
  dispose(): Promise<void>;
}

export interface Executor {
  /** Executor name as GitLab shows it (`info.executor`). */
  readonly name: string;
  /** The sandbox's paths and tools. May start the sandbox; rejects with the reason it cannot. */
  describe(): Promise<ExecutorInfo>;
  /**
   * Put the tree in `projectDir` and return a workspace for one job. May start the sandbox on
   * first use; may assume the tree's paths are already validated (no `..`, no absolute paths).
   */
  prepare(tree: FileTree, options: PrepareOptions): Promise<Workspace>;
  /** Release everything the executor holds (the WebContainer instance, workers). */
  dispose(): Promise<void>;
}
