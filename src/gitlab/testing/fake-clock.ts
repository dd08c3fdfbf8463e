/**
 * A virtual clock for tests: `sleep` never waits for real time. Pending sleeps fire one per
 * macrotask, earliest deadline first, and `now()` jumps to each deadline, so long waits
 * (backoff, keep-alive, update intervals) take no real time and keep their order.
 */
import type { Clock } from '../../platform/clock.ts';

interface Timer {
  at: number;
  seq: number;
  resolve: () => void;
}

export class FakeClock implements Clock {
  #now: number;
  #seq = 0;
  #timers: Timer[] = [];
  #pumping = false;
  #holds = 0;
  /** Every duration passed to `sleep`, in call order. */
  readonly sleeps: number[] = [];

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer: Timer = { at: this.#now + Math.max(0, ms), seq: this.#seq++, resolve: () => {} };
      const onAbort = () => {
        this.#timers = this.#timers.filter((t) => t !== timer);
        reject(signal?.reason);
      };
      timer.resolve = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#timers.push(timer);
      this.#pump();
    });
  }

  /**
   * Freeze virtual time until the returned function is called (e.g. while a request is in
   * flight, so that requests take no virtual time even when other sleepers are waiting).
   */
  hold(): () => void {
    this.#holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#holds--;
      if (this.#holds === 0 && this.#timers.length) this.#pump();
    };
  }

  #pump(): void {
    if (this.#pumping || this.#holds > 0) return;
    this.#pumping = true;
    setTimeout(() => {
      this.#pumping = false;
      if (this.#holds > 0) return;
      this.#timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.#timers.shift();
      if (!next) return;
      this.#now = Math.max(this.#now, next.at);
      next.resolve();
      if (this.#timers.length) this.#pump();
    }, 0);
  }
}
