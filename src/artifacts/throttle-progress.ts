/**
 * Rate limiting for progress reports, on the injected clock, so a 50 MB archive read slice by
 * slice or a download read chunk by chunk sends a handful of reports instead of thousands.
 */
import type { Clock } from '../platform/clock.ts';

/** The usual spacing between two reports of one phase. */
export const PROGRESS_INTERVAL_MS = 100;

export interface ThrottleProgressOptions<P> {
  clock: Pick<Clock, 'now'>;
  /** Receives the reports that pass. */
  emit: (progress: P) => void;
  /** Reports with another key start a new phase (e.g. `upload:artifacts.zip:archiving`). */
  key: (progress: P) => string;
  /** The phase's last report, which always passes. */
  done: (progress: P) => boolean;
  /** @default PROGRESS_INTERVAL_MS */
  intervalMs?: number;
}

/**
 * A reporter that passes on at most one report per `intervalMs` of clock time, except that the
 * first report of each phase and each phase's last one always pass, so a watcher sees every
 * phase start and end with exact numbers. Nothing is held back for later: a report that comes
 * too soon is dropped, so nothing arrives after the work it describes.
 */
export function throttleProgress<P>(options: ThrottleProgressOptions<P>): (progress: P) => void {
  const interval = options.intervalMs ?? PROGRESS_INTERVAL_MS;
  let lastKey: string | null = null;
  let lastAt = 0;
  return (progress) => {
    const key = options.key(progress);
    const now = options.clock.now();
    if (key === lastKey && !options.done(progress) && now - lastAt < interval) return;
    lastKey = key;
    lastAt = now;
    options.emit(progress);
  };
}
