/**
 * The CLI's cache store (docs/cache.md, "Where caches live: the CLI"): one directory of real
 * files, shared by every tabrunner process pointed at it. Node only: imported by src/cli, never
 * by code the tab's bundle reaches.
 *
 * Per address, named by a hash so any key makes a safe file name:
 * - `<hash>.zip`, the archive, only ever replaced whole: a save writes a temporary file in the
 *   same directory, syncs it, and renames it over (atomic), so two processes saving one key
 *   leave one of the two archives, never a mix;
 * - `<hash>.json`, the address and when it was last used. Written before the archive it
 *   describes, so an archive always has one; an archive without one is an eviction cut short.
 * Files starting with a dot are a save in progress (`.tmp-…`) or an archive being read
 * (`.read-…`, see `open`), named after the process that made them so leftovers of a process that
 * died are found and removed.
 */
import { createHash, randomBytes } from 'node:crypto';
import { constants, openAsBlob } from 'node:fs';
import { copyFile, link, mkdir, open, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { TabrunnerError } from '../errors/index.ts';
import { systemClock, type Clock } from '../platform/clock.ts';
import type { CacheAddress, CacheEntry, CacheStore, CacheUsage } from './cache-store.ts';
import { entriesToEvict } from './eviction.ts';

export interface NodeCacheStoreOptions {
  /** The cache directory, created on first save. */
  dir: string;
  /** Most bytes of archives kept; least recently used ones go past it. */
  budgetBytes: number;
  /** Source of `lastUsed`; default the system clock. */
  clock?: Clock;
}

/**
 * How long a temporary file may go unwritten, or an archive opened for reading be kept, before
 * the next save takes it for a leftover even when its process seems alive (process ids are
 * reused, by containers most of all). Far longer than any save's pause or any restore.
 */
const LEFTOVER_MS = 60 * 60 * 1000;

export function createNodeCacheStore(options: NodeCacheStoreOptions): CacheStore {
  const dir = resolve(options.dir);
  const clock = options.clock ?? systemClock;
  const budgetBytes = options.budgetBytes;
  const token = () => `${process.pid}-${clock.now()}-${randomBytes(6).toString('hex')}`;

  async function writeMeta(address: CacheAddress, lastUsed: number): Promise<void> {
    const temporary = join(dir, `.tmp-${token()}.json`);
    const meta: StoredMeta = { ...address, lastUsed };
    await writeSynced(temporary, JSON.stringify(meta));
    await rename(temporary, join(dir, `${fileName(address)}.json`));
  }

  async function remove(name: string): Promise<void> {
    // Metadata first: a save racing this eviction writes its metadata before its archive, so at
    // worst the eviction wins and the save is lost, which a cache may do.
    await rm(join(dir, `${name}.json`), { force: true });
    await rm(join(dir, `${name}.zip`), { force: true });
  }

  async function list(): Promise<CacheEntry[]> {
    const entries: CacheEntry[] = [];
    for (const name of await names()) {
      if (name.startsWith('.') || !name.endsWith('.json')) continue;
      const base = name.slice(0, -'.json'.length);
      const meta = parseMeta(await readFile(join(dir, name), 'utf8').catch(() => ''));
      const bytes = await stat(join(dir, `${base}.zip`)).then(
        (s) => s.size,
        () => null,
      );
      if (!meta || bytes === null || fileName(meta) !== base) continue;
      const { lastUsed, ...address } = meta;
      entries.push({ address, bytes, lastUsed });
    }
    return entries;
  }

  async function names(): Promise<string[]> {
    return readdir(dir).catch((err: unknown) => {
      if (isMissing(err)) return [];
      throw err;
    });
  }

  /** Remove what dead or long-silent processes left: temporaries, read links, lone archives. */
  async function removeLeftovers(): Promise<void> {
    const all = await names();
    const present = new Set(all);
    for (const name of all) {
      const leftover = /^\.(?:tmp|read)-(\d+)-(\d+)-/.exec(name);
      if (leftover) {
        const path = join(dir, name);
        const since = name.startsWith('.tmp-')
          ? await stat(path).then(
              (s) => s.mtimeMs,
              () => 0,
            )
          : Number(leftover[2]);
        if (!processAlive(Number(leftover[1])) || clock.now() - since > LEFTOVER_MS) {
          await rm(path, { force: true });
        }
      } else if (name.endsWith('.zip') && !present.has(`${name.slice(0, -4)}.json`)) {
        await rm(join(dir, name), { force: true });
      }
    }
  }

  return {
    async open(address) {
      const archive = join(dir, `${fileName(address)}.zip`);
      // A Blob from `openAsBlob` reads its file by name, and fails once the file changed: a
      // link of its own pins this version of the archive while a save replaces it or an
      // eviction removes it. `removeLeftovers` deletes the link later.
      const reading = join(dir, `.read-${token()}`);
      try {
        await link(archive, reading);
      } catch (err) {
        if (isMissing(err)) return null;
        // File systems without hard links: a copy (a reflink where the file system can).
        try {
          await copyFile(archive, reading, constants.COPYFILE_FICLONE);
        } catch (copyErr) {
          if (isMissing(copyErr)) return null;
          throw copyErr;
        }
      }
      await writeMeta(address, clock.now());
      return openAsBlob(reading);
    },

    async save(address, archive, signal) {
      await mkdir(dir, { recursive: true });
      await removeLeftovers();
      const name = fileName(address);
      const temporary = join(dir, `.tmp-${token()}.zip`);
      try {
        await writeStream(temporary, archive, signal);
        await writeMeta(address, clock.now());
        await rename(temporary, join(dir, `${name}.zip`));
      } catch (err) {
        await rm(temporary, { force: true });
        throw err;
      }
      const evict = entriesToEvict(
        await list(),
        budgetBytes,
        (entry) => fileName(entry.address) === name,
      );
      for (const entry of evict) await remove(fileName(entry.address));
    },

    list,

    async usage(): Promise<CacheUsage> {
      const entries = await list();
      return {
        entries: entries.length,
        bytes: entries.reduce((sum, entry) => sum + entry.bytes, 0),
        budgetBytes,
      };
    },

    async clear() {
      for (const name of await names()) {
        if (!name.startsWith('.') && name.endsWith('.json')) await remove(name.slice(0, -5));
      }
      await removeLeftovers();
    },
  };
}

type StoredMeta = CacheAddress & { lastUsed: number };

/** The file name for an address: any key, any host, always a safe and fixed-length name. */
function fileName(address: CacheAddress): string {
  return createHash('sha256')
    .update(JSON.stringify([address.gitlab, address.projectId, address.key]))
    .digest('hex');
}

/** A metadata file's content, or null when it is not one (torn, foreign, hand-edited). */
function parseMeta(text: string): StoredMeta | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { gitlab, projectId, key, lastUsed } = value as Record<string, unknown>;
  if (typeof gitlab !== 'string' || typeof key !== 'string') return null;
  if (!Number.isInteger(projectId) || !Number.isFinite(lastUsed)) return null;
  return { gitlab, projectId: projectId as number, key, lastUsed: lastUsed as number };
}

async function writeSynced(path: string, text: string): Promise<void> {
  const handle = await open(path, 'w');
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Write the stream to `path` and sync it; an abort cancels the stream and rejects. */
async function writeStream(
  path: string,
  stream: ReadableStream<Uint8Array>,
  signal: AbortSignal | undefined,
): Promise<void> {
  const reader = stream.getReader();
  const onAbort = () => void reader.cancel(signal?.reason).catch(() => undefined);
  signal?.addEventListener('abort', onAbort, { once: true });
  const handle = await open(path, 'w');
  try {
    signal?.throwIfAborted();
    for (;;) {
      const { done, value } = await reader.read();
      signal?.throwIfAborted();
      if (done) break;
      await handle.write(value);
    }
    await handle.sync();
  } catch (err) {
    await reader.cancel(err).catch(() => undefined);
    if (signal?.aborted) {
      throw new TabrunnerError('AbortError', 'The cache save was aborted.', {}, { cause: err });
    }
    throw err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    reader.releaseLock();
    await handle.close();
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, as another user's.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ENOENT';
}
