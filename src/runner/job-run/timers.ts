import type { Clock } from '../../platform/clock.ts';

/** Timers on the injected clock, cleared together. */
export class Timers {
  readonly #abort = new AbortController();
  constructor(readonly clock: Clock) {}

  after(ms: number, fn: () => void): void {
    this.clock.sleep(ms, this.#abort.signal).then(fn, () => undefined);
  }

  clear(): void {
    this.#abort.abort();
  }
}
