/**
 * Progress reports of sources and artifacts, turned into the `JobTransfer` a `job-transfer`
 * event carries. Fields are copied one by one, so nothing else the reports may hold (now or
 * later) reaches the page.
 */
import { throttleProgress, type ArtifactProgress } from '../artifacts/index.ts';
import type { Clock } from '../platform/clock.ts';
import type { SourcesProgress } from '../sources/index.ts';
import type { JobTransfer } from './events.ts';

export function artifactTransfer(progress: ArtifactProgress): JobTransfer {
  const { direction, name, phase, unit, loaded, total, files, bytes, done } = progress;
  return {
    direction,
    name,
    phase,
    unit,
    loaded,
    ...(total !== undefined ? { total } : {}),
    ...(files ? { files: { done: files.done, total: files.total } } : {}),
    ...(bytes !== undefined ? { bytes } : {}),
    done,
  };
}

/**
 * Sources progress for the project `name`, throttled on `clock` like artifacts: git reports
 * objects per percent and the HTTP layer bytes per 256 KiB, often both at once.
 */
export function sourcesTransfers(
  name: string,
  clock: Pick<Clock, 'now'>,
  emit: (transfer: JobTransfer) => void,
): (progress: SourcesProgress) => void {
  const report = throttleProgress<JobTransfer>({
    clock,
    emit,
    key: (t) => t.phase,
    done: (t) => t.done,
  });
  // git counts objects and the HTTP layer counts bytes, interleaved: once objects are counted,
  // byte reports only move the byte count, so the line does not flip between the two.
  let counted: Pick<SourcesProgress, 'step' | 'loaded' | 'total'> | null = null;
  return (progress) => {
    if (progress.phase === 'fetch') {
      if (progress.loaded !== undefined) {
        counted = { step: progress.step, loaded: progress.loaded, total: progress.total };
      } else if (counted) {
        progress = { ...progress, ...counted };
      }
    }
    report(sourcesTransfer(name, progress));
  };
}

function sourcesTransfer(name: string, progress: SourcesProgress): JobTransfer {
  const { phase, step, loaded, total, bytes } = progress;
  switch (phase) {
    case 'connect':
      return {
        direction: 'sources',
        name,
        phase: 'connecting',
        unit: 'bytes',
        loaded: bytes,
        done: false,
      };
    case 'fetch':
      return loaded === undefined
        ? {
            direction: 'sources',
            name,
            phase: 'fetching',
            ...(step ? { step } : {}),
            unit: 'bytes',
            loaded: bytes,
            bytes,
            done: false,
          }
        : {
            direction: 'sources',
            name,
            phase: 'fetching',
            ...(step ? { step } : {}),
            unit: 'objects',
            loaded,
            ...(total !== undefined ? { total } : {}),
            bytes,
            done: false,
          };
    case 'tree':
      return {
        direction: 'sources',
        name,
        phase: 'checkout',
        unit: 'files',
        loaded: loaded ?? 0,
        bytes,
        done: false,
      };
    case 'done':
      return {
        direction: 'sources',
        name,
        phase: 'checkout',
        unit: 'files',
        loaded: loaded ?? 0,
        total: total ?? loaded ?? 0,
        bytes,
        done: true,
      };
  }
}
