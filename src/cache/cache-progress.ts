/**
 * A cache stage's progress for the job panel, at most one report per phase and key per 100 ms
 * besides each phase's last (the artifacts' throttle), or nothing when no one listens.
 */
import { throttleProgress, type ArtifactProgress } from '../artifacts/index.ts';
import type { Clock } from '../platform/clock.ts';

export function cacheProgress(options: {
  clock: Pick<Clock, 'now'>;
  onProgress?: (progress: ArtifactProgress) => void;
}): (progress: ArtifactProgress) => void {
  if (!options.onProgress) return () => undefined;
  return throttleProgress<ArtifactProgress>({
    clock: options.clock,
    emit: options.onProgress,
    key: (p) => `${p.name}:${p.phase}`,
    done: (p) => p.done,
  });
}
