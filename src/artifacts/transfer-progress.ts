/**
 * What artifact transfers tell a watcher while they run (the tab's progress line). Plain data,
 * so it can cross a worker boundary; it names files and jobs, never a token or a URL.
 */
import type { Clock } from '../platform/clock.ts';
import { throttleProgress } from './throttle-progress.ts';

export type ArtifactTransferPhase =
  'collecting' | 'archiving' | 'uploading' | 'downloading' | 'extracting';

export interface ArtifactProgress {
  direction: 'upload' | 'download';
  /** Upload: the archive's file name (`artifacts.zip`); download: the dependency job's name. */
  name: string;
  /** Upload: collecting → archiving → uploading. Download: downloading → extracting. */
  phase: ArtifactTransferPhase;
  /** What `loaded` and `total` count: files while collecting, bytes otherwise. */
  unit: 'files' | 'bytes';
  /** Done so far; never decreases within a phase. */
  loaded: number;
  /**
   * Where `loaded` ends, when that is known. Absent while uploading: `fetch` cannot tell how
   * much of a request body has gone out (streaming request bodies need HTTP/2 in Chromium), so
   * an upload reports its size and its end, not a made-up percentage. Absent while downloading
   * without `Content-Length`, and while a gzip is extracted, until the phase is done.
   */
  total?: number;
  /** Archiving and extracting: files done and in all. */
  files?: { done: number; total: number };
  /** Archiving: archive bytes written so far. Uploading: the archive's size. */
  bytes?: number;
  /**
   * The phase finished; `loaded` equals `total`. A phase that fails (a refused upload, a bad
   * archive) has no `done` report: the stage ends instead.
   */
  done: boolean;
}

/** `onProgress` throttled per artifact and phase on `clock`, or nothing to do without it. */
export function artifactProgressReporter(
  clock: Pick<Clock, 'now'>,
  onProgress: ((progress: ArtifactProgress) => void) | undefined,
): (progress: ArtifactProgress) => void {
  if (!onProgress) return () => undefined;
  return throttleProgress({
    clock,
    emit: onProgress,
    key: (p) => `${p.name}:${p.phase}`,
    done: (p) => p.done,
  });
}
