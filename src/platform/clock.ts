/**
 * Time as a dependency. Everything that waits or stamps time takes a `Clock`, so tests and
 * benchmarks can control it and `src/job` stays free of the wall clock.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Resolve after `ms`; reject with the signal's reason if it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * The timers as they were when this module loaded: just-bash's defence in depth (in Node)
 * blocks the global ones while a script runs, and the shell's `sleep` is such a time.
 */
const { setTimeout: startTimer, clearTimeout: stopTimer } = globalThis;

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = startTimer(
        () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        Math.max(0, ms),
      );
      const onAbort = () => {
        stopTimer(timer);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/**
 * `promise`'s value, or `'timeout'` once `ms` passed on `clock`, whichever comes first. The
 * timer is cancelled either way. Every bounded wait goes through here.
 */
export async function within<T>(
  clock: Clock,
  promise: Promise<T>,
  ms: number,
): Promise<T | 'timeout'> {
  const timer = new AbortController();
  const timeout = clock.sleep(ms, timer.signal).then(
    () => 'timeout' as const,
    () => 'timeout' as const,
  );
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    timer.abort();
  }
}

/**
 * `AbortSignal.timeout` on `clock`: `signal` aborts with `reason` once `ms` passed, for work
 * that takes a signal rather than being raced with `within`. `clear()` when the work ended
 * first, so no timer outlives it.
 */
export function timeoutSignal(
  clock: Clock,
  ms: number,
  reason: unknown,
): { signal: AbortSignal; clear(): void } {
  const deadline = new AbortController();
  const timer = new AbortController();
  clock.sleep(ms, timer.signal).then(
    () => deadline.abort(reason),
    () => undefined,
  );
  return { signal: deadline.signal, clear: () => timer.abort() };
}
