/**
 * The executor port: the only thing the runner knows about where a script runs.
 *
 * Kept as small as gitlab-runner-rs's handler. Echoing `$ cmd`, sections, stop-on-failure and
 * after_script semantics live once above the port, in `src/runner`; an adapter only runs what
 * it is given. Adapters (`shell/`, `webcontainer/`) never import each other. Every adapter
 * passes `test/contract/executor.ts`.
 *
 * Lifecycle: `Executor.prepare` → `Workspace` (one job) → `openSession` (one per step group:
 * before_script + script share one, after_script gets a fresh one) → `Session.run` per line →
 * `Workspace.dispose` → at page/process end `Executor.dispose`.
 *
 * Errors: cancellation rejects with a `TabrunnerError` whose `code === 'AbortError'` and whose
 * `data.stage` says how far stopping got (`before-start`, `interrupted`, or adapter-specific
 * stages such as WebContainer's `killed`/`stuck`); the caller reads `signal.reason` to tell a
 * cancel from a timeout. A missing file is `code === 'ENOENT'`. Compare codes, not classes.
 */

/** A file to place in the workspace. `mode` follows git: 0o100644, 0o100755 or 0o120000 (link). */
export interface TreeFile {
  /** Relative to the project directory, `/`-separated, no `.` or `..` segments. */
  path: string;
  /** File contents; for a link (0o120000), the link target as UTF-8. */
  data: Uint8Array;
  /** Adapters without modes (WebContainer) place every file as a plain file. @default 0o100644 */
  mode?: number;
}

/** A checkout handed to the executor: paths are relative to the project directory, `/`-separated. */
export interface FileTree {
  files: TreeFile[];
  /** Empty directories git cannot express but a job may need (rare). */
  directories?: string[];
}

export interface PrepareOptions {
  /** Absolute project directory inside the sandbox, e.g. `/builds/group/project`. */
  projectDir: string;
  /** Environment every session starts with (job variables after expansion). */
  env: Record<string, string>;
}

/** One script entry to run in the persistent session. */
export interface StepLine {
  /**
   * Shell text exactly as the job wrote it. It may span several lines (`if …\nfi`, heredocs);
   * it runs as one unit and yields one exit code.
   */
  command: string;
}

export interface LineResult {
  /** The exit status of the line: `exit 3` → 3, `false` → 1, unknown command → 127. */
  exitCode: number;
}

/**
 * A persistent shell session in a prepared workspace: `cd`, `export` and `unset` made by one line
 * are seen by the next, as in the official runner's generated bash script. A session runs one
 * line at a time; the runner awaits each `run` before the next.
 */
export interface Session {
  /**
   * Run one line. Output (stdout and stderr interleaved, in order as far as the adapter can
   * tell) goes to `onOutput` as it is produced, every chunk before the returned promise settles.
   * Chunks are raw bytes and may split a UTF-8 character; the consumer decodes in streaming
   * mode. Resolves with the exit code, whatever it is: stopping on failure is the runner's
   * business. An aborted `signal` (cancel, or `AbortSignal.timeout` for the job timeout) stops
   * the line promptly and rejects with an `AbortError`-coded error; an already aborted signal
   * rejects without running anything.
   */
  run(
    line: StepLine,
    onOutput: (chunk: Uint8Array) => void,
    signal: AbortSignal,
  ): Promise<LineResult>;
  /**
   * Replace or add environment variables for the following lines (e.g. `CI_JOB_STATUS` before
   * after_script). Called between lines, never while one runs.
   */
  setEnv(vars: Record<string, string>): void;
  /** Current working directory of the session, as an absolute sandbox path. */
  cwd(): string;
}

export interface Workspace {
  /**
   * Start a fresh shell session in the project directory with the prepared environment; it does
   * not inherit `cd` or `export` from earlier sessions.
   */
  openSession(): Promise<Session>;
  /**
   * Write a file (file variables, downloaded artifacts), creating parent directories. Absolute
   * sandbox path. Called between lines.
   */
  writeFile(path: string, data: Uint8Array): Promise<void>;
  /** Read a file back (artifacts, reports). Absolute path; rejects with code `ENOENT` if absent. */
  readFile(path: string): Promise<Uint8Array>;
  /**
   * List files (not directories) under an absolute directory, recursively, as sorted absolute
   * paths. A missing directory lists as empty.
   */
  listFiles(dir: string): Promise<string[]>;
  /** Remove the workspace and everything the job wrote. Safe to call twice. */
  dispose(): Promise<void>;
}

export interface Executor {
  /** Executor name as GitLab shows it (`info.executor`). */
  readonly name: string;
  /**
   * Put the tree in `projectDir` and return a workspace for one job. May boot the sandbox on
   * first use; may assume the tree's paths are already validated (no `..`, no absolute paths).
   */
  prepare(tree: FileTree, options: PrepareOptions): Promise<Workspace>;
  /** Release everything the executor holds (the WebContainer instance, workers). */
  dispose(): Promise<void>;
}
