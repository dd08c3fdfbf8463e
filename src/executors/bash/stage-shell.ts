/**
 * Runs job stages in just-bash, a bash interpreter written in TypeScript: the one shell both
 * executors share, so a job's script means the same thing in either (the contract cases prove
 * it). Each stage is one `exec()` of the generated stage script (stage-script.ts) from the
 * project directory with the job's environment: errexit, pipefail, `exit N`, functions, `cd`
 * and variables behave as in GitLab's bash, and nothing carries over to the next stage.
 *
 * What differs between executors comes in through the options: the file system the job sees
 * (in memory for `shell`; WebContainer's, mounted under its workdir, for `webcontainer`), the
 * extra commands (programs that run in a WebContainer), and the advice for missing commands.
 */
import { Bash, defineCommand } from 'just-bash';
import type { BashExecResult, Command, IFileSystem } from 'just-bash';
import type { Stage, StageHooks, StageResult } from '../port.ts';
import { abortError, busyError } from './bash-errors.ts';
import { SHELL_LIMITS } from './limits.ts';
import { createLoopYieldPlugin, createYieldCommand } from './loop-yield.ts';
import { addMissingCommandHints, type MissingCommandHint } from './missing-commands.ts';
import { OutputTap } from './output-tap.ts';
import { LINE_COMMAND, markedLine, stageScript } from './stage-script.ts';
import { createStreamRedirectPlugin } from './stream-redirect.ts';
import { XtraceFilter } from './xtrace-filter.ts';

/** Writes to the running stage's output; a live command streams through it. */
export type StageOutput = (chunk: Uint8Array) => void;

interface StageShellOptions {
  /** The file system the job sees; the tap's two device paths are added on top. */
  fs: IFileSystem;
  /** Absolute; every stage starts here. */
  projectDir: string;
  /** The environment every stage starts with. */
  env: Record<string, string>;
  /** Commands beyond just-bash's own, given the running stage's output. */
  commands?: (output: StageOutput) => Command[];
  /** Names among `commands` that stream while they run (program-calls.ts, "Live"). */
  live?: ReadonlySet<string>;
  /** Where `sleep` waits. @default just-bash's own timer */
  sleep?: (ms: number) => Promise<void>;
  /** Advice printed after bash's "command not found". */
  missingCommandHint: MissingCommandHint;
  /** Resolves once whatever a cancelled stage started has stopped. */
  settle?: () => Promise<void>;
}

const encoder = new TextEncoder();

export class StageShell {
  readonly #bash: Bash;
  readonly #tap = new OutputTap();
  readonly #options: StageShellOptions;
  #running:
    | { nonce: string; hooks: StageHooks; stop(reason: unknown): void; ended: Promise<void> }
    | undefined;

  constructor(options: StageShellOptions) {
    this.#options = options;
    const lineCommand = defineCommand(LINE_COMMAND, async (args) => {
      const stage = this.#running;
      const index = stage ? markedLine(args, stage.nonce) : null;
      if (stage && index !== null) stage.hooks.onLine(index);
      return { stdout: '', stderr: '', exitCode: 0 };
    });
    const output: StageOutput = (chunk) => this.#tap.listener?.('stdout', chunk);
    this.#bash = new Bash({
      fs: this.#tap.wrap(options.fs),
      cwd: options.projectDir,
      env: options.env,
      customCommands: [createYieldCommand(), lineCommand, ...(options.commands?.(output) ?? [])],
      // just-bash blocks the host's timers while a script runs; a clock built on them can't sleep.
      ...(options.sleep ? { sleep: options.sleep } : {}),
      executionLimits: SHELL_LIMITS,
    });
    this.#bash.registerTransformPlugin(createLoopYieldPlugin());
    this.#bash.registerTransformPlugin(createStreamRedirectPlugin(options.live));
  }

  /** Create what every stage needs in `fs`: `/tmp` and the tap's device files. Call once. */
  static async install(fs: IFileSystem): Promise<void> {
    await fs.mkdir('/tmp', { recursive: true });
    await OutputTap.install(fs);
  }

  async run(stage: Stage, hooks: StageHooks, signal: AbortSignal): Promise<StageResult> {
    if (signal.aborted) throw abortError('before-start', signal.reason);
    if (this.#running) throw busyError();
    const hint = this.#options.missingCommandHint;
    const decoder = new TextDecoder();
    const xtrace = new XtraceFilter();
    // stderr is where bash says "command not found" and where `set -x` writes.
    const cleaned = (chunk: Uint8Array): Uint8Array => {
      let text = decoder.decode(chunk);
      const found = text.includes('command not found');
      const traced = XtraceFilter.concerns(text);
      if (!found && !traced) return chunk;
      if (traced) text = xtrace.filter(text);
      if (found) text = addMissingCommandHints(text, hint);
      return encoder.encode(text);
    };
    const nonce = newNonce();
    // The caller's signal, or `stop()`: whichever comes first ends the stage.
    const stopping = new AbortController();
    const forward = () => stopping.abort(signal.reason);
    signal.addEventListener('abort', forward, { once: true });
    let ended!: () => void;
    this.#running = {
      nonce,
      hooks,
      stop: (reason) => stopping.abort(reason),
      ended: new Promise((resolve) => (ended = resolve)),
    };
    const stopped = stopping.signal;
    this.#tap.listener = (stream, chunk) => {
      const out = stream === 'stderr' ? cleaned(chunk) : chunk;
      if (out.length > 0) hooks.onOutput(out);
    };
    let result: BashExecResult;
    try {
      // The stream-redirect plugin sends each command's output to the tap as it runs.
      const env = { ...this.#options.env, ...stage.env };
      result = await this.#bash.exec(stageScript(stage.lines, nonce, Object.keys(env)), {
        env,
        replaceEnv: true,
        cwd: this.#options.projectDir,
        // Keep heredoc bodies and indentation exactly as written.
        rawScript: true,
        signal: stopped,
      });
    } catch (err) {
      // Thrown once `finally` has run.
      throw stopped.aborted ? abortError('interrupted', stopped.reason) : err;
    } finally {
      // just-bash gives up on a cancelled stage at once; what is still stopping ends first, and
      // what it prints on the way out still reaches the log.
      if (stopped.aborted) await this.#options.settle?.();
      signal.removeEventListener('abort', forward);
      this.#tap.listener = undefined;
      this.#running = undefined;
      ended();
    }
    if (stopped.aborted) throw abortError('interrupted', stopped.reason);
    // Only what bypassed the tap lands here, e.g. a syntax error found before anything ran.
    if (result.stdout) hooks.onOutput(encoder.encode(result.stdout));
    const stderr = result.stderr ? cleaned(encoder.encode(result.stderr)) : undefined;
    if (stderr && stderr.length > 0) hooks.onOutput(stderr);
    return { exitCode: result.exitCode };
  }

  /**
   * End the running stage as a cancel would (its `run` rejects with an `AbortError` whose cause
   * is `reason`); resolves once it has ended. Nothing to do between stages.
   */
  async stop(reason: unknown): Promise<void> {
    const running = this.#running;
    if (!running) return;
    running.stop(reason);
    await running.ended;
  }
}

/** Tells this stage's markers from a job's own call of the marker command. */
function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
