/**
 * The executor port: the only thing the runner knows about where a script runs.
 *
 * Kept as small as gitlab-runner-rs's handler. Echoing `$ cmd`, sections, stop-on-failure and
 * after_script semantics live once above the port, in `src/runner`; an adapter only runs what
 * it is given. Adapters (`shell/`, `webcontainer/`) never import each other.
 */

/** A file to place in the workspace. `mode` follows git: 0o100644, 0o100755 or 0o120000 (link). */
export interface TreeFile {
  path: string;
  data: Uint8Array;
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
  /** Environment every step starts with (job variables after expansion). */
  env: Record<string, string>;
}

/** One shell line (possibly multi-line text) to run in the persistent session. */
export interface StepLine {
  command: string;
}

export interface LineResult {
  exitCode: number;
}

/**
 * A prepared workspace with one persistent shell session: `cd` and `export` made by one line are
 * seen by the next, as in the official runner's generated bash script.
 */
export interface Session {
  /**
   * Run one line. Output (stdout and stderr interleaved, in order) goes to `onOutput` as it is
   * produced. Resolves with the exit code; an aborted `signal` stops the line and rejects with
   * an `AbortError`-coded error.
   */
  run(
    line: StepLine,
    onOutput: (chunk: Uint8Array) => void,
    signal: AbortSignal,
  ): Promise<LineResult>;
  /** Replace or add environment variables for the following lines (e.g. `CI_JOB_STATUS`). */
  setEnv(vars: Record<string, string>): void;
  /** Current working directory of the session (for tests and diagnostics). */
  cwd(): string;
}

export interface Workspace {
  /** Start a fresh shell session in the project directory with the prepared environment. */
  openSession(): Promise<Session>;
  /** Write a file (file variables, downloaded artifacts). Paths are absolute. */
  writeFile(path: string, data: Uint8Array): Promise<void>;
  /** Read a file back (artifacts, reports). Absolute path; rejects with code `ENOENT` if absent. */
  readFile(path: string): Promise<Uint8Array>;
  /** List files (not directories) under an absolute directory, recursively, as absolute paths. */
  listFiles(dir: string): Promise<string[]>;
  /** Remove the workspace and everything the job wrote. Safe to call twice. */
  dispose(): Promise<void>;
}

export interface Executor {
  /** Executor name as GitLab shows it (`info.executor`). */
  readonly name: string;
  /** Put the tree in `projectDir` and return a workspace. */
  prepare(tree: FileTree, options: PrepareOptions): Promise<Workspace>;
  /** Release everything the executor holds (the WebContainer instance, workers). */
  dispose(): Promise<void>;
}
