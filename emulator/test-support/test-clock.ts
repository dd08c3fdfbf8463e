/**
 * A clock for tests whose `now()` can be moved forward by hand, while `sleep` still waits in
 * real time (long polls and slow faults stay real, timeouts can be reached without waiting).
 */
import { systemClock, type Clock } from '../../src/platform/clock.ts';

export class TestClock implements Clock {
  #offset = 0;

  now(): number {
    return Date.now() + this.#offset;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return systemClock.sleep(ms, signal);
  }

  /** Jump `ms` into the future. */
  advance(ms: number): void {
    this.#offset += ms;
  }
}
