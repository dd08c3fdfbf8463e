/**
 * A `Clock` whose `sleep` runs on a dedicated Worker's timers, for the tab. A hidden tab's own
 * timers are throttled (1 s alignment, then one wake-up a minute under Chrome's intensive
 * throttling); the runner's poll and trace intervals must not stall with them. Falls back to
 * `systemClock` where Workers are unavailable.
 */
import { systemClock, type Clock } from './clock.ts';
import type { TimerReply, TimerRequest } from './timer-protocol.ts';

export interface WorkerClock extends Clock {
  /** `worker` when sleeps run on the Worker, `page` when they fell back to the page's timers. */
  readonly kind: 'worker' | 'page';
  dispose(): void;
}

export function createWorkerClock(): WorkerClock {
  let worker: Worker;
  try {
    worker = new Worker(new URL('./timer-worker.ts', import.meta.url), { type: 'module' });
  } catch {
    return { ...systemClock, kind: 'page', dispose: () => undefined };
  }
  const waiting = new Map<number, () => void>();
  let nextId = 1;
  worker.addEventListener('message', (event: MessageEvent<TimerReply>) => {
    const resolve = waiting.get(event.data.id);
    waiting.delete(event.data.id);
    resolve?.();
  });
  const post = (message: TimerRequest) => worker.postMessage(message);

  return {
    kind: 'worker',
    now: () => Date.now(),
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        const id = nextId++;
        const onAbort = () => {
          waiting.delete(id);
          post({ type: 'clear', id });
          reject(signal?.reason);
        };
        waiting.set(id, () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        });
        signal?.addEventListener('abort', onAbort, { once: true });
        post({ type: 'set', id, ms: Math.max(0, ms) });
      }),
    dispose: () => worker.terminate(),
  };
}
