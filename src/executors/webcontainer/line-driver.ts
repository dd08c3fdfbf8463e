/**
 * Drives one persistent `jsh --osc` process line by line, so `cd` and `export` carry over as in
 * a real shell. It owns the protocol: wait for a prompt, type the line, drop the pty's echo of
 * it, stream the line's output with OSC 654 markers stripped and CRLF turned into LF, and take
 * the exit code from the `exit` marker. Cancelling escalates Ctrl-C → `kill()` → "stuck"; what
 * to do with a stuck shell (tear the WebContainer down) is the caller's decision.
 */
import type { Clock } from '../../platform/clock.ts';
import type { ContainerProcess } from './container.ts';
import { CrlfNormalizer } from './crlf-normalizer.ts';
import { OscParser, type OscMarker } from './osc-parser.ts';
import { abortError, shellExitedError, shellNotReadyError } from './webcontainer-errors.ts';

export interface LineDriverOptions {
  clock: Clock;
  /** How long jsh may take to show its first prompt. @default 30_000 */
  readyTimeoutMs?: number;
  /** After Ctrl-C, how long the line may take to end before the shell is killed. @default 2_000 */
  interruptGraceMs?: number;
  /** After `kill()`, how long the shell may take to exit before it counts as stuck. @default 3_000 */
  killGraceMs?: number;
}

type State = 'starting' | 'idle' | 'echo' | 'output' | 'after-exit' | 'dead';

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(reason: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A line's result may be superseded by cancellation; never let it surface as unhandled.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

interface Line {
  onOutput: (text: string) => void;
  /** Line breaks still to come from the pty echoing what was typed. */
  echoBreaks: number;
  crlf: CrlfNormalizer;
  done: Deferred<number>;
}

export class LineDriver {
  readonly #process: ContainerProcess;
  readonly #writer: WritableStreamDefaultWriter<string>;
  readonly #clock: Clock;
  readonly #interruptGraceMs: number;
  readonly #killGraceMs: number;
  readonly #parser = new OscParser();
  #state: State = 'starting';
  #interactive = false;
  #atPrompt = false;
  #line: Line | undefined;
  #promptWaiters: Deferred<undefined>[] = [];
  readonly #exited = deferred<undefined>();
  /** Serialises `run` calls: one line at a time. */
  #tail: Promise<unknown> = Promise.resolve();

  private constructor(process: ContainerProcess, options: LineDriverOptions) {
    this.#process = process;
    this.#writer = process.input.getWriter();
    this.#clock = options.clock;
    this.#interruptGraceMs = options.interruptGraceMs ?? 2_000;
    this.#killGraceMs = options.killGraceMs ?? 3_000;
    void this.#pump();
    process.exit.then(
      (code) => this.#die(code),
      () => this.#die(null),
    );
  }

  /** Attach to a freshly spawned `jsh --osc` and wait until it is ready for a first line. */
  static async start(process: ContainerProcess, options: LineDriverOptions): Promise<LineDriver> {
    const driver = new LineDriver(process, options);
    const timeoutMs = options.readyTimeoutMs ?? 30_000;
    const ready = driver.#waitForPrompt().then(() => true);
    if (!(await driver.#within(ready, timeoutMs))) {
      driver.close();
      throw shellNotReadyError(timeoutMs);
    }
    return driver;
  }

  /** False once the shell exited, was killed, or was declared stuck. */
  get alive(): boolean {
    return this.#state !== 'dead';
  }

  /**
   * Type one line (it may hold quoted line breaks) and resolve with its exit code. `onOutput`
   * gets the line's output only: no echo, no prompt, no markers. An aborted `signal` rejects with
   * an `AbortError` whose `data.stage` says how far cancelling had to go; on `stuck` the shell
   * is abandoned and the caller should tear the WebContainer down.
   */
  run(command: string, onOutput: (text: string) => void, signal: AbortSignal): Promise<number> {
    const result = this.#tail.then(() => this.#runNow(command, onOutput, signal));
    this.#tail = result.catch(() => undefined);
    return result;
  }

  /** Kill the shell. Safe to call more than once. */
  close(): void {
    if (this.#state === 'dead') return;
    this.#process.kill();
  }

  async #runNow(
    command: string,
    onOutput: (text: string) => void,
    signal: AbortSignal,
  ): Promise<number> {
    if (this.#state === 'dead') throw shellExitedError(null);
    if (signal.aborted) throw abortError('before-start', signal.reason);
    let onAbort = (): void => undefined;
    const aborted = new Promise<'aborted'>((resolve) => {
      onAbort = () => resolve('aborted');
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await this.#typeLine(command, onOutput, aborted, signal);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  async #typeLine(
    command: string,
    onOutput: (text: string) => void,
    aborted: Promise<'aborted'>,
    signal: AbortSignal,
  ): Promise<number> {
    if ((await Promise.race([this.#waitForPrompt(), aborted])) === 'aborted')
      throw abortError('before-start', signal.reason);

    const typed = `${command}\n`;
    const line: Line = {
      onOutput,
      echoBreaks: typed.split('\n').length - 1,
      crlf: new CrlfNormalizer(),
      done: deferred<number>(),
    };
    this.#line = line;
    this.#state = 'echo';
    this.#atPrompt = false;
    this.#writer.write(typed).catch(() => undefined);

    const first = await Promise.race([line.done.promise, aborted]);
    if (first !== 'aborted') return first;
    return this.#cancel(line, signal.reason);
  }

  async #cancel(line: Line, reason: unknown): Promise<never> {
    this.#writer.write('\x03').catch(() => undefined);
    const ended = line.done.promise.then(
      () => true,
      () => true,
    );
    if ((await this.#within(ended, this.#interruptGraceMs)) && this.alive)
      throw abortError('interrupted', reason);
    if (this.alive) {
      this.#process.kill();
      if (
        !(await this.#within(
          this.#exited.promise.then(() => true),
          this.#killGraceMs,
        ))
      ) {
        this.#die(null);
        throw abortError('stuck', reason);
      }
    }
    throw abortError('killed', reason);
  }

  /** Resolve true if `promise` settles first, false after `ms` on the injected clock. */
  async #within(promise: Promise<boolean>, ms: number): Promise<boolean> {
    const timer = new AbortController();
    const timeout = this.#clock.sleep(ms, timer.signal).then(
      () => false,
      () => false,
    );
    try {
      return await Promise.race([promise, timeout]);
    } finally {
      timer.abort();
    }
  }

  #waitForPrompt(): Promise<void> {
    if (this.#state === 'dead') return Promise.reject(shellExitedError(null));
    if (this.#interactive && this.#atPrompt) return Promise.resolve();
    const waiter = deferred<undefined>();
    this.#promptWaiters.push(waiter);
    return waiter.promise;
  }

  async #pump(): Promise<void> {
    const reader = this.#process.output.getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        for (const event of this.#parser.push(value)) {
          if (event.kind === 'text') this.#onText(event.text);
          else this.#onMarker(event.marker);
        }
      }
      for (const event of this.#parser.flush()) if (event.kind === 'text') this.#onText(event.text);
    } catch {
      // A torn-down container errors the stream; the exit promise or the caller handles the rest.
    }
  }

  #onText(text: string): void {
    const line = this.#line;
    if (!line) return; // banner, prompt text: not part of any line's output
    let rest = text;
    if (this.#state === 'echo') {
      while (line.echoBreaks > 0) {
        const lf = rest.indexOf('\n');
        if (lf === -1) return;
        rest = rest.slice(lf + 1);
        line.echoBreaks -= 1;
      }
      this.#state = 'output';
    }
    if (this.#state === 'output' && rest !== '') {
      const out = line.crlf.push(rest);
      if (out !== '') line.onOutput(out);
    }
  }

  #onMarker(marker: OscMarker): void {
    switch (marker.type) {
      case 'interactive':
        this.#interactive = true;
        this.#maybeReady();
        return;
      case 'pid':
        // The line started: whatever echo is still pending was not a line break after all.
        if (this.#state === 'echo') this.#state = 'output';
        return;
      case 'exit': {
        const line = this.#line;
        // An exit marker with no line typed is stale (jsh prints one at start-up).
        if (!line) return;
        const tail = line.crlf.flush();
        if (tail !== '') line.onOutput(tail);
        this.#line = undefined;
        this.#state = 'after-exit';
        line.done.resolve(marker.code);
        return;
      }
      case 'prompt':
        // A prompt during a line is a continuation prompt: the line is still being read.
        if (this.#state === 'echo' || this.#state === 'output' || this.#state === 'dead') return;
        this.#state = 'idle';
        this.#atPrompt = true;
        this.#maybeReady();
        return;
      case 'unknown':
        return;
    }
  }

  #maybeReady(): void {
    if (!this.#interactive || !this.#atPrompt) return;
    const waiters = this.#promptWaiters;
    this.#promptWaiters = [];
    for (const w of waiters) w.resolve(undefined);
  }

  #die(exitCode: number | null): void {
    if (this.#state === 'dead') return;
    this.#state = 'dead';
    const error = shellExitedError(exitCode);
    this.#line?.done.reject(error);
    this.#line = undefined;
    for (const w of this.#promptWaiters) w.reject(error);
    this.#promptWaiters = [];
    this.#exited.resolve(undefined);
  }
}
