/**
 * One persistent shell session on a just-bash instance. Each `Bash.exec()` starts from the
 * instance's base cwd and environment, so the session carries the shell's state from one line to
 * the next itself: the environment the line ended with (exports, plain assignments, `unset`),
 * its `PWD`, and the `set -o`/`shopt` options it turned on. Functions and aliases do not carry
 * over (just-bash cannot print function bodies back): a function must be defined in the line
 * that uses it.
 */
import type { Bash, BashExecResult } from 'just-bash';
import type { LineResult, Session, StepLine } from '../port.ts';
import { addMissingCommandHints } from './missing-commands.ts';
import type { OutputTap } from './output-tap.ts';
import { abortError, busyError } from './shell-errors.ts';

/** Options worth keeping between lines; the rest are just-bash's fixed defaults. */
const CARRIED_SET_OPTIONS = [
  'errexit',
  'nounset',
  'pipefail',
  'noglob',
  'noclobber',
  'allexport',
  'xtrace',
];

/** Variables just-bash computes itself; carrying them as plain values would only confuse. */
const COMPUTED = new Set(['?', 'SHELLOPTS', 'BASHOPTS', 'PWD']);

/** What the session needs from its workspace: the shell, the tap, and the one-line-at-a-time gate. */
export interface SessionHost {
  readonly bash: Bash;
  readonly tap: OutputTap;
  assertAlive(): void;
}

export class ShellSession implements Session {
  readonly #host: SessionHost;
  #env: Record<string, string>;
  #cwd: string;
  #shellOptions = '';

  constructor(host: SessionHost, env: Record<string, string>, cwd: string) {
    this.#host = host;
    this.#env = { ...env };
    this.#cwd = cwd;
  }

  async run(
    line: StepLine,
    onOutput: (chunk: Uint8Array) => void,
    signal: AbortSignal,
  ): Promise<LineResult> {
    this.#host.assertAlive();
    if (signal.aborted) throw abortError('before-start', signal.reason);
    const { bash, tap } = this.#host;
    if (tap.listener) throw busyError();
    const encoder = new TextEncoder();
    const decoder = new TextDecoder();
    const hinted = (chunk: Uint8Array): Uint8Array => {
      const text = decoder.decode(chunk);
      return text.includes('command not found')
        ? encoder.encode(addMissingCommandHints(text))
        : chunk;
    };
    tap.listener = (stream, chunk) => onOutput(stream === 'stderr' ? hinted(chunk) : chunk);
    let result: BashExecResult;
    try {
      // The stream-redirect plugin sends each command's output to the tap as it runs.
      result = await bash.exec(`${this.#shellOptions}${line.command}`, {
        env: this.#env,
        replaceEnv: true,
        cwd: this.#cwd,
        // Keep heredoc bodies and indentation exactly as written.
        rawScript: true,
        signal,
      });
    } catch (err) {
      if (signal.aborted) throw abortError('interrupted', signal.reason);
      throw err;
    } finally {
      tap.listener = undefined;
    }
    if (signal.aborted) throw abortError('interrupted', signal.reason);
    // Only what bypassed the tap lands here, e.g. a syntax error found before anything ran.
    if (result.stdout) onOutput(encoder.encode(result.stdout));
    if (result.stderr) onOutput(encoder.encode(addMissingCommandHints(result.stderr)));
    this.#carryState(result.env);
    return { exitCode: result.exitCode };
  }

  setEnv(vars: Record<string, string>): void {
    Object.assign(this.#env, vars);
  }

  cwd(): string {
    return this.#cwd;
  }

  #carryState(env: Record<string, string>): void {
    this.#cwd = env.PWD ?? this.#cwd;
    const next: Record<string, string> = {};
    for (const [name, value] of Object.entries(env)) if (!COMPUTED.has(name)) next[name] = value;
    this.#env = next;
    const setOptions = (env.SHELLOPTS ?? '')
      .split(':')
      .filter((o) => CARRIED_SET_OPTIONS.includes(o));
    const shopts = (env.BASHOPTS ?? '').split(':').filter((o) => /^[a-z_]+$/.test(o));
    this.#shellOptions =
      (shopts.length > 0 ? `shopt -s ${shopts.join(' ')}; ` : '') +
      (setOptions.length > 0 ? `set ${setOptions.map((o) => `-o ${o}`).join(' ')}; ` : '');
  }
}
