/** A clock whose sleeps end only when a test says so: cancellation paths without real waiting. */
import type { Clock } from '../../../platform/clock.ts';

interface Sleeper {
  ms: number;
  wake(): void;
}

export class ManualClock implements Clock {
  #sleepers: Sleeper[] = [];
  #watchers: { ms: number; found(s: Sleeper): void }[] = [];

  now(): number {
    return 0;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const sleeper: Sleeper = {
        ms,
        wake: () => {
          this.#sleepers = this.#sleepers.filter((s) => s !== sleeper);
          resolve();
        },
      };
      signal?.addEventListener('abort', () => {
        this.#sleepers = this.#sleepers.filter((s) => s !== sleeper);
        reject(signal.reason);
      });
      const watcher = this.#watchers.find((w) => w.ms === ms);
      if (watcher) {
        this.#watchers = this.#watchers.filter((w) => w !== watcher);
        watcher.found(sleeper);
      } else {
        this.#sleepers.push(sleeper);
      }
    });
  }

  /** Wait until something sleeps for exactly `ms`, then end that sleep. */
  async elapse(ms: number): Promise<void> {
    const pending = this.#sleepers.find((s) => s.ms === ms);
    const sleeper =
      pending ?? (await new Promise<Sleeper>((found) => this.#watchers.push({ ms, found })));
    sleeper.wake();
  }
}
