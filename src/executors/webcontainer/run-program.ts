/**
 * Runs one program in the container the way working clients do (docs/architecture.md, "The
 * WebContainer executor"): `spawn(command, args, { cwd, env })`, output read from
 * `process.output`, the exit code from `await process.exit`, `kill()` to stop it. Every wait is
 * bounded: the spawn itself, the output still draining after the exit (the stream may never
 * close, and a process may write after its exit), and stopping it (`kill()`, then giving up:
 * a busy loop ignores it, webcontainer-core #1121, and only a new container ends it; the
 * caller decides that). A cancel counts from the moment it comes, the spawn included.
 */
import { within, type Clock } from '../../platform/clock.ts';
import type { Container, ContainerProcess, SpawnOptions } from './container.ts';
import { ProgramOutput } from './program-output.ts';

export interface ProgramLimits {
  /** How long `spawn()` may take to hand back a process. @default 30_000 */
  spawnTimeoutMs?: number;
  /** After the exit, how long late output may still arrive before reading stops. @default 250 */
  drainGraceMs?: number;
  /** After `kill()`, how long it may take to end before it counts as stuck. @default 3_000 */
  killGraceMs?: number;
}

export const DEFAULT_PROGRAM_LIMITS: Required<ProgramLimits> = {
  spawnTimeoutMs: 30_000,
  drainGraceMs: 250,
  killGraceMs: 3_000,
};

export interface ProgramCall {
  command: string;
  args: string[];
  /** Relative to the container's workdir; empty for the workdir itself. */
  cwd: string;
  env: Record<string, string>;
  /** Written to the program's stdin before it is closed. */
  stdin: string;
  /** Give the program a terminal of this size (tools then see a TTY and may use colour). */
  terminal?: { cols: number; rows: number };
  onOutput(chunk: Uint8Array): void;
  signal: AbortSignal;
}

export type ProgramResult =
  | { kind: 'exited'; exitCode: number }
  /** `spawn()` failed or did not answer in time: nothing ran, or what ran was killed. */
  | { kind: 'not-started'; message: string }
  /** `exit` rejected: the container went away under the program (a teardown). */
  | { kind: 'lost'; message: string }
  /** The signal stopped it. `stuck`: it ignored `kill()` and may still run. */
  | { kind: 'cancelled'; how: 'before-start' | 'killed' | 'stuck' };

/** Every process this adapter started and that may still run, so a job's end can stop them. */
export interface ProcessTracker {
  started(process: ContainerProcess): void;
  ended(process: ContainerProcess): void;
}

interface RunOptions {
  clock: Clock;
  limits: Required<ProgramLimits>;
  tracker: ProcessTracker;
}

export async function runProgram(
  container: Container,
  call: ProgramCall,
  options: RunOptions,
): Promise<ProgramResult> {
  const { clock, limits, tracker } = options;
  const cancelled = whenAborted(call.signal);
  try {
    if (call.signal.aborted) return { kind: 'cancelled', how: 'before-start' };
    const spawnOptions: SpawnOptions = {
      ...(call.cwd ? { cwd: call.cwd } : {}),
      env: call.env,
      ...(call.terminal ? { terminal: call.terminal } : {}),
    };
    const spawning = container.spawn(call.command, call.args, spawnOptions);
    const { spawnTimeoutMs } = limits;
    let first: ContainerProcess | 'timeout' | 'aborted';
    try {
      first = await within(clock, Promise.race([spawning, cancelled.promise]), spawnTimeoutMs);
    } catch (err) {
      return { kind: 'not-started', message: err instanceof Error ? err.message : String(err) };
    }
    if (first === 'timeout' || first === 'aborted') {
      // A process handed back late is not ours to run: stop it, and keep it tracked until it ends.
      spawning.then(
        (late) => {
          tracker.started(late);
          late.kill();
          late.exit.then(
            () => tracker.ended(late),
            () => tracker.ended(late),
          );
        },
        () => undefined,
      );
      return first === 'aborted'
        ? { kind: 'cancelled', how: 'killed' }
        : {
            kind: 'not-started',
            message:
              `WebContainer did not start it within ${Math.round(spawnTimeoutMs / 1000)} s; ` +
              'retry the job, and reload the tab if it repeats',
          };
    }
    return await supervise(first, call, cancelled.promise, options);
  } finally {
    cancelled.dispose();
  }
}

/** Feed, read and await a started process; stop it when the signal says so. */
async function supervise(
  process: ContainerProcess,
  call: ProgramCall,
  cancelled: Promise<'aborted'>,
  { clock, limits, tracker }: RunOptions,
): Promise<ProgramResult> {
  tracker.started(process);
  const decoder = new ProgramOutput();
  const reader = process.output.getReader();
  const drained = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        const bytes = decoder.push(value);
        if (bytes.length > 0) call.onOutput(bytes);
      }
    } catch {
      // A cancelled read or a torn-down container: what arrived so far is all there is.
    }
  })();
  void feedInput(process, call.stdin);

  const exit = process.exit.then(
    (code) => ({ code }),
    (err: unknown) => ({ lost: err instanceof Error ? err.message : String(err) }),
  );
  let result: ProgramResult;
  const first = await Promise.race([exit, cancelled]);
  if (first === 'aborted') {
    killQuietly(process);
    result =
      (await within(clock, exit, limits.killGraceMs)) === 'timeout'
        ? { kind: 'cancelled', how: 'stuck' }
        : { kind: 'cancelled', how: 'killed' };
  } else if ('code' in first) {
    result = { kind: 'exited', exitCode: first.code };
  } else {
    result = { kind: 'lost', message: first.lost };
  }

  // Output may still be on its way after the exit, and the stream may never close.
  if ((await within(clock, drained, limits.drainGraceMs)) === 'timeout')
    await reader.cancel().catch(() => undefined);
  const tail = decoder.flush();
  if (tail.length > 0) call.onOutput(tail);
  if (!(result.kind === 'cancelled' && result.how === 'stuck')) tracker.ended(process);
  return result;
}

/** A promise that resolves when `signal` aborts, also when it already has. */
function whenAborted(signal: AbortSignal): { promise: Promise<'aborted'>; dispose(): void } {
  let onAbort = (): void => undefined;
  const promise = new Promise<'aborted'>((resolve) => {
    onAbort = () => resolve('aborted');
    if (signal.aborted) resolve('aborted');
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  return { promise, dispose: () => signal.removeEventListener('abort', onAbort) };
}

/** `kill()` on a process of a torn-down container throws; the process is gone either way. */
export function killQuietly(process: ContainerProcess): void {
  try {
    process.kill();
  } catch {
    // Nothing left to stop.
  }
}

/** GitLab's runner gives a script an empty stdin; a program here gets the pipe's bytes, then the end. */
async function feedInput(process: ContainerProcess, stdin: string): Promise<void> {
  const writer = process.input.getWriter();
  try {
    if (stdin !== '') await writer.write(stdin);
    await writer.close();
  } catch {
    // The process already ended: nothing left to feed.
  } finally {
    writer.releaseLock();
  }
}
