/**
 * One `archive` step of `archive_cache` (docs/cache.md "Saving"): collect the entry's paths (and
 * untracked files) with the artifacts' glob semantics, zip them at `CACHE_COMPRESSION_LEVEL` and
 * stream the zip into the store, printing what GitLab's `cache-archiver` prints with a local
 * cache. Nothing here fails the job: a cache that cannot be made is GitLab's warning, and the
 * store keeps the archive it had. Only an aborted job stops it.
 */
import {
  collectArtifactFiles,
  compressionLevel,
  createArtifactArchive,
  helperLogLine,
  type ArtifactProgress,
  type CollectedFile,
  type RawDeflater,
} from '../artifacts/index.ts';
import { crc32 } from '../bytes/index.ts';
import type { Workspace } from '../executors/port.ts';
import type { Clock } from '../platform/clock.ts';
import type { CacheAddress, CacheStore } from './cache-store.ts';
import { cacheProgress } from './cache-progress.ts';
import { cacheTrace } from './cache-trace.ts';
import { failureText } from './failure-text.ts';
import { goQuote } from './go-quote.ts';
import type { RestoredContents } from './restore-cache.ts';

export interface ArchiveCacheOptions {
  store: CacheStore;
  /** Where the archive goes: GitLab's origin, the project, the planned key. */
  address: CacheAddress;
  /** The entry's `paths`, expanded with `expand` and globbed as artifacts are. */
  paths: readonly string[];
  untracked: boolean;
  /** Files git does not track, relative to the project directory (when `untracked`). */
  untrackedFiles: readonly string[];
  workspace: Pick<Workspace, 'readFile' | 'listFiles'>;
  /** Absolute project directory; archive entries are relative to it. */
  projectDir: string;
  expand: (value: string) => string;
  /** `CACHE_COMPRESSION_LEVEL` (`fastest` … `slowest`); unknown values warn and use `default`. */
  compressionLevel: string | undefined;
  /**
   * What this job restored from the same address: when the files to save are exactly those, the
   * stored archive is kept ("Archive is up to date!").
   */
  restored?: RestoredContents | null;
  /** How zip entries deflate (node:zlib's in the CLI). @default fflate's */
  deflater?: RawDeflater;
  /** Receives trace text (ANSI, `\n`-terminated lines) for the script's stream. */
  line: (text: string) => void;
  clock: Pick<Clock, 'now'>;
  /** Collecting (files) then archiving (bytes), named by the key, throttled to one per 100 ms. */
  onProgress?: (progress: ArtifactProgress) => void;
  signal?: AbortSignal;
}

export interface ArchivedCache {
  /** Whether an archive was saved (false: no files, or it failed with a warning). */
  saved: boolean;
  files: number;
  /** The archive's size. */
  bytes: number;
}

/** Archive and save one cache entry; rejects only when `signal` is aborted. */
export async function archiveCache(options: ArchiveCacheOptions): Promise<ArchivedCache> {
  const { address, line, signal } = options;
  const report = cacheProgress(options);
  const progress = (p: Omit<ArtifactProgress, 'direction' | 'name'>) =>
    report({ direction: 'upload', name: address.key, ...p });
  line(cacheTrace.creating(address.key));
  try {
    const collected = await collectArtifactFiles({
      workspace: options.workspace,
      projectDir: options.projectDir,
      artifact: { paths: [...options.paths], exclude: [], untracked: options.untracked },
      untrackedFiles: [...options.untrackedFiles],
      expand: options.expand,
      onFile: (done, total) =>
        progress({ phase: 'collecting', unit: 'files', loaded: done, total, done: false }),
    });
    for (const text of collected.lines) line(text);
    const files = collected.files;
    if (files.length === 0) {
      line(cacheTrace.noFiles());
      line(cacheTrace.created());
      return { saved: false, files: 0, bytes: 0 };
    }
    const count = files.length;
    progress({ phase: 'collecting', unit: 'files', loaded: count, total: count, done: true });
    if (options.restored && (await upToDate(options, files, options.restored))) {
      line(cacheTrace.upToDate());
      line(cacheTrace.created());
      return { saved: false, files: count, bytes: 0 };
    }
    const level = compressionLevel(options.compressionLevel);
    if (level.warning !== null) {
      line(
        helperLogLine(
          'warning',
          `compression level ${goQuote(options.compressionLevel ?? '')} is invalid, falling back to default`,
        ),
      );
    }
    const totalIn = files.reduce((sum, file) => sum + file.size, 0);
    let bytes = 0;
    const archive = createArtifactArchive({
      workspace: options.workspace,
      projectDir: options.projectDir,
      files,
      format: 'zip',
      level: level.level,
      deflater: options.deflater,
      onProgress: (p) => {
        bytes = p.bytesOut;
        progress({
          phase: 'archiving',
          unit: 'bytes',
          loaded: p.bytesIn,
          total: totalIn,
          files: { done: p.files, total: count },
          bytes: p.bytesOut,
          done: false,
        });
      },
    });
    await options.store.save(address, archive, signal);
    progress({
      phase: 'archiving',
      unit: 'bytes',
      loaded: totalIn,
      total: totalIn,
      files: { done: count, total: count },
      bytes,
      done: true,
    });
    line(cacheTrace.storedLocally());
    line(cacheTrace.created());
    return { saved: true, files: count, bytes };
  } catch (err) {
    if (signal?.aborted) throw err;
    line(cacheTrace.fatal(failureText(err)));
    line(cacheTrace.createFailed());
    return { saved: false, files: 0, bytes: 0 };
  }
}

/**
 * GitLab's archiver keeps the archive when no file to save is newer than it. Here: the store
 * still holds the archive this job restored, and the files to save are the ones it held, each
 * with the same size and CRC-32 (a file deleted or added since also means a new archive).
 */
async function upToDate(
  options: ArchiveCacheOptions,
  files: readonly CollectedFile[],
  restored: RestoredContents,
): Promise<boolean> {
  if (files.length !== restored.files.size) return false;
  for (const file of files) {
    if (restored.files.get(file.path)?.size !== file.size) return false;
  }
  const { gitlab, projectId, key } = options.address;
  const stored = (await options.store.list()).find(
    ({ address: a }) => a.gitlab === gitlab && a.projectId === projectId && a.key === key,
  );
  if (stored?.bytes !== restored.archiveBytes) return false;
  const dir = options.projectDir.replace(/\/+$/, '');
  for (const file of files) {
    options.signal?.throwIfAborted();
    const data = await options.workspace.readFile(`${dir}/${file.path}`);
    if (crc32(data) >>> 0 !== restored.files.get(file.path)?.crc) return false;
  }
  return true;
}
