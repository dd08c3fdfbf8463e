/**
 * Part of the WebContainer test double: a process whose output, exit and reaction to `kill()`
 * a test or a transcript replay decides. Like the real one (docs/architecture.md, "The
 * WebContainer executor"), output is a stream of strings, `exit` resolves with a code, `kill()`
 * returns nothing, and the output stream closes only when told to: it may stay open after the
 * exit, or receive chunks after it.
 */
import type { ContainerProcess } from '../container.ts';

export class FakeProcess implements ContainerProcess {
  readonly exit: Promise<number>;
  readonly input: WritableStream<string>;
  readonly output: ReadableStream<string>;
  /** Everything written to stdin, one entry per write. */
  readonly typed: string[] = [];
  inputClosed = false;
  kills = 0;
  /** What `kill()` does. @default exit with 143 and close the output */
  onKill: () => void = () => {
    this.end(143);
    this.close();
  };
  #out!: ReadableStreamDefaultController<string>;
  #resolveExit!: (code: number) => void;
  #rejectExit!: (err: Error) => void;
  #exited = false;
  #closed = false;

  constructor() {
    this.exit = new Promise((resolve, reject) => {
      this.#resolveExit = resolve;
      this.#rejectExit = reject;
    });
    this.exit.catch(() => undefined);
    this.output = new ReadableStream<string>({ start: (c) => void (this.#out = c) });
    this.input = new WritableStream<string>({
      write: (data) => {
        if (this.#exited) throw new Error('This process already exited');
        this.typed.push(data);
      },
      close: () => {
        this.inputClosed = true;
      },
    });
  }

  get exited(): boolean {
    return this.#exited;
  }

  print(text: string): void {
    if (!this.#closed) this.#out.enqueue(text);
  }

  /** Resolve `exit`; the output stays open unless `close()` is called too. */
  end(code: number): void {
    if (this.#exited) return;
    this.#exited = true;
    this.#resolveExit(code);
  }

  /** `exit` rejects, as it does when the container is torn down under the process. */
  abort(message = 'Process aborted'): void {
    if (this.#exited) return;
    this.#exited = true;
    this.#rejectExit(new Error(message));
    this.close();
  }

  /** End the output stream. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#out.close();
  }

  kill(): void {
    this.kills += 1;
    if (!this.#exited) this.onKill();
  }
}
