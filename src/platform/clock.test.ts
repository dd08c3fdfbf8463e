import { describe, expect, it } from 'vitest';
import { timeoutSignal, type Clock } from './clock.ts';

/**
 * A clock whose sleeps end only when the test wakes them, and that shows which were cancelled:
 * the smallest double `timeoutSignal` needs (no real time passes).
 */
function handClock(): {
  clock: Clock;
  sleeps: { ms: number; signal: AbortSignal | undefined; wake(): void }[];
} {
  const sleeps: { ms: number; signal: AbortSignal | undefined; wake(): void }[] = [];
  const clock: Clock = {
    now: () => 0,
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        sleeps.push({ ms, signal, wake: resolve });
        if (signal?.aborted) return reject(signal.reason);
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
      }),
  };
  return { clock, sleeps };
}

/** Let promise callbacks run. */
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

describe('timeoutSignal', () => {
  it('aborts with the given reason once the clock’s sleep of `ms` ends', async () => {
    const { clock, sleeps } = handClock();
    const reason = new Error('too slow');
    const { signal } = timeoutSignal(clock, 1_500, reason);
    expect(sleeps.map((s) => s.ms)).toEqual([1_500]);
    await settle();
    expect(signal.aborted).toBe(false);
    sleeps[0]?.wake();
    await settle();
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe(reason);
  });

  it('never aborts once cleared, and cancels the clock’s sleep', async () => {
    const { clock, sleeps } = handClock();
    const { signal, clear } = timeoutSignal(clock, 1_500, new Error('too slow'));
    clear();
    expect(sleeps[0]?.signal?.aborted).toBe(true);
    // A clock that ended the sleep anyway would not abort it either.
    sleeps[0]?.wake();
    await settle();
    expect(signal.aborted).toBe(false);
  });
});
