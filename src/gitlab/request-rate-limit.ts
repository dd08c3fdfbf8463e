/**
 * A sliding one-minute window of request start times, so the trace sender stays within the
 * per-job budget GitLab.com enforces on trace and job updates (docs/runner-protocol.md §1.6), retries included.
 */
import type { Clock } from '../platform/clock.ts';

const MINUTE_MS = 60_000;

export class RequestRateLimit {
  readonly #perMinute: number;
  #times: number[] = [];

  constructor(perMinute: number) {
    this.#perMinute = perMinute;
  }

  /** Count a request that started at `now` (retries the client made count too). */
  record(now: number, count = 1): void {
    for (let i = 0; i < count; i++) this.#times.push(now);
  }

  /** When the next request may start (`now` or earlier: at once). */
  nextSlot(now: number): number {
    this.#times = this.#times.filter((t) => t > now - MINUTE_MS);
    if (this.#times.length < this.#perMinute) return now;
    return (this.#times[this.#times.length - this.#perMinute] ?? now) + MINUTE_MS;
  }

  /** Sleep until a slot is free, then take it. */
  async take(clock: Clock): Promise<void> {
    for (;;) {
      const now = clock.now();
      const slot = this.nextSlot(now);
      if (slot <= now) {
        this.record(now);
        return;
      }
      await clock.sleep(slot - now);
    }
  }
}
