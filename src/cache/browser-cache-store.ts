/**
 * The tab's cache store (docs/cache.md, "Where caches live: the tab"): GitLab's `cache:`
 * archives in the origin's storage, shared by every tab and Worker of the origin. Archive bytes
 * live in OPFS where the browser can stream to it, else in IndexedDB (`ArchiveFiles`); which
 * file is an address's archive, its size and last use live in an IndexedDB index.
 *
 * A save streams to a fresh file nobody names, then swaps it in under the origin-wide Web Lock
 * (`<name>:commit`) in one index transaction: a reader sees the old archive or the new one,
 * whole. Two tabs saving one key both write their own file; the later swap wins and the other
 * file is retired. A retired archive (replaced or evicted) stays on disk for `retiredGraceMs`,
 * because a restore in another tab may be reading it and OPFS makes a deleted file unreadable.
 * While a file is being written its writer holds the lock `<name>:write:<file>`; a file no
 * index entry names whose lock is free was left by a closed tab, and is deleted.
 */
import { TabrunnerError } from '../errors/index.ts';
import type { ArchiveFiles } from './archive-files.ts';
import { cacheEntryId } from './cache-entry-id.ts';
import type { CacheAddress, CacheEntry, CacheStore, CacheUsage } from './cache-store.ts';
import { entriesToEvict } from './eviction.ts';
import { idbDone, idbRequest } from '../platform/idb-request.ts';
import { CHUNKS, indexedDbArchiveFiles } from './indexeddb-archive-files.ts';
import { opfsArchiveFiles, opfsWritable } from './opfs-archive-files.ts';

export interface BrowserCacheStoreOptions {
  /** Most archive bytes kept; past it, least recently used archives are evicted after a save. */
  budgetBytes: number;
  /**
   * Names the IndexedDB database (`<name>:<backend>`), the OPFS directory and the Web Locks.
   * Every tab of the origin must use the same name to share caches; tests use their own.
   * @default 'tabrunner-cache'
   */
  name?: string;
  /** @default 'auto': OPFS where pages can write it as a stream, else IndexedDB. */
  backend?: 'auto' | 'opfs' | 'indexeddb';
  /**
   * How long a replaced or evicted archive stays readable for a restore that already opened it.
   * @default 600_000 (ten minutes: a restore reads a 50 MB archive in seconds)
   */
  retiredGraceMs?: number;
  /**
   * Longest wait for the origin-wide index lock, which each holder keeps for one short
   * transaction: past it a tab of this site is stuck holding it, and the cache step fails.
   * @default 30_000
   */
  lockWaitMs?: number;
  /** Epoch milliseconds, for `lastUsed`. @default Date.now */
  now?: () => number;
}

/** A `CacheStore` that says where it keeps its bytes (Settings › Storage shows it). */
export interface BrowserCacheStore extends CacheStore {
  readonly backend: ArchiveFiles['backend'];
}

const ENTRIES = 'entries';
const RETIRED = 'retired';
const DB_VERSION = 1;

/** One archive in the index: the address it answers and the file that holds it. */
interface IndexEntry {
  id: string;
  address: CacheAddress;
  file: string;
  bytes: number;
  lastUsed: number;
}

/** A file no address names any more, deleted once `retiredAt` is `retiredGraceMs` old. */
interface RetiredFile {
  file: string;
  retiredAt: number;
}

function openIndex(name: string): Promise<IDBDatabase> {
  const open = indexedDB.open(name, DB_VERSION);
  open.onupgradeneeded = () => {
    const db = open.result;
    db.createObjectStore(ENTRIES, { keyPath: 'id' });
    db.createObjectStore(RETIRED, { keyPath: 'file' });
    db.createObjectStore(CHUNKS, { keyPath: ['file', 'index'] });
  };
  return idbRequest(open).then((db) => {
    // A newer build opening the database in another tab would wait for this one forever.
    db.onversionchange = () => db.close();
    return db;
  });
}

function toCacheEntry(entry: IndexEntry): CacheEntry {
  return { address: entry.address, bytes: entry.bytes, lastUsed: entry.lastUsed };
}

function quotaError(err: unknown): unknown {
  if (!(err instanceof DOMException && err.name === 'QuotaExceededError')) return err;
  return new TabrunnerError(
    'CacheStoreError',
    'The browser refused to store more for this page (its storage quota is full). Clear caches or stored repositories in Settings › Storage, or free disk space.',
    { reason: 'quota' },
    { cause: err },
  );
}

/**
 * Open the origin's cache store, and delete what closed tabs left half-written. Rejects with a
 * `CacheStoreError` where the page has no IndexedDB (some private windows) or is not a secure
 * context.
 */
export async function openBrowserCacheStore(
  options: BrowserCacheStoreOptions,
): Promise<BrowserCacheStore> {
  if (typeof navigator.locks?.request !== 'function' || !crypto.subtle) {
    throw new TabrunnerError(
      'CacheStoreError',
      'This page is not a secure context (https or localhost), where browsers keep Web Locks and Web Crypto, so jobs run without caches.',
      { reason: 'insecure-context' },
    );
  }
  const name = options.name ?? 'tabrunner-cache';
  const backend = options.backend ?? 'auto';
  let files: ArchiveFiles | null = null;
  if (backend === 'opfs' || (backend === 'auto' && opfsWritable())) {
    try {
      files = await opfsArchiveFiles(name);
    } catch (err) {
      // Firefox's private windows refuse OPFS; IndexedDB still works there.
      if (backend === 'opfs') throw err;
    }
  }
  let db: IDBDatabase;
  try {
    db = await openIndex(`${name}:${files?.backend ?? 'indexeddb'}`);
  } catch (err) {
    throw new TabrunnerError(
      'CacheStoreError',
      'This browser keeps no storage for this page (IndexedDB is unavailable, as in some private windows), so jobs run without caches.',
      { reason: 'unavailable' },
      { cause: err },
    );
  }
  const store = new OriginCacheStore(db, files ?? indexedDbArchiveFiles(db), name, options);
  await store.sweep();
  return store;
}

class OriginCacheStore implements BrowserCacheStore {
  readonly #db: IDBDatabase;
  readonly #files: ArchiveFiles;
  readonly #commitLock: string;
  readonly #writeLockPrefix: string;
  readonly #budgetBytes: number;
  readonly #graceMs: number;
  readonly #lockWaitMs: number;
  readonly #now: () => number;

  constructor(
    db: IDBDatabase,
    files: ArchiveFiles,
    name: string,
    options: BrowserCacheStoreOptions,
  ) {
    this.#db = db;
    this.#files = files;
    this.#commitLock = `${name}:commit`;
    this.#writeLockPrefix = `${name}:write:`;
    this.#budgetBytes = options.budgetBytes;
    this.#graceMs = options.retiredGraceMs ?? 600_000;
    this.#lockWaitMs = options.lockWaitMs ?? 30_000;
    this.#now = options.now ?? Date.now;
  }

  get backend(): ArchiveFiles['backend'] {
    return this.#files.backend;
  }

  async open(address: CacheAddress): Promise<Blob | null> {
    const id = await cacheEntryId(address);
    const tx = this.#db.transaction(ENTRIES, 'readwrite');
    const entries = tx.objectStore(ENTRIES);
    const entry = (await idbRequest(entries.get(id))) as IndexEntry | undefined;
    if (!entry) return null;
    entries.put({ ...entry, lastUsed: this.#now() } satisfies IndexEntry);
    await idbDone(tx);
    const blob = await this.#files.read(entry.file);
    if (blob && blob.size === entry.bytes) return blob;
    // Its bytes are gone or cut short (storage cleared behind our back): a miss, and forgotten.
    await this.#locked(async () => {
      const tx = this.#db.transaction([ENTRIES, RETIRED], 'readwrite');
      const current = (await idbRequest(tx.objectStore(ENTRIES).get(id))) as IndexEntry | undefined;
      if (current?.file === entry.file) this.#retire(tx, [current]);
      await idbDone(tx);
    });
    return null;
  }

  async save(
    address: CacheAddress,
    archive: ReadableStream<Uint8Array>,
    signal?: AbortSignal,
  ): Promise<void> {
    signal?.throwIfAborted();
    const id = await cacheEntryId(address);
    const file = crypto.randomUUID();
    await navigator.locks.request(this.#writeLockPrefix + file, async () => {
      let bytes: number;
      try {
        bytes = await this.#files.write(file, archive, signal);
        signal?.throwIfAborted();
      } catch (err) {
        // A part left behind (the disk refused the delete too) goes with the next sweep.
        await this.#removed(file);
        throw quotaError(err);
      }
      // Still holding the file's write lock, so no sweep takes the file for a leftover.
      await this.#locked(async () => {
        const tx = this.#db.transaction([ENTRIES, RETIRED], 'readwrite');
        const entries = tx.objectStore(ENTRIES);
        const previous = (await idbRequest(entries.get(id))) as IndexEntry | undefined;
        const saved: IndexEntry = { id, address, file, bytes, lastUsed: this.#now() };
        entries.put(saved);
        if (previous) this.#retire(tx, [previous], false);
        const all = (await idbRequest(entries.getAll())) as IndexEntry[];
        const indexed = new Map(all.map((entry) => [toCacheEntry(entry), entry]));
        const evict = entriesToEvict([...indexed.keys()], this.#budgetBytes, (entry) => {
          return indexed.get(entry)?.id === id;
        });
        this.#retire(
          tx,
          evict.map((entry) => indexed.get(entry) as IndexEntry),
        );
        await idbDone(tx);
        await this.#deleteRetired();
      });
    });
  }

  async list(): Promise<CacheEntry[]> {
    return (await this.#entries()).map(toCacheEntry);
  }

  async usage(): Promise<CacheUsage> {
    const entries = await this.#entries();
    return {
      entries: entries.length,
      bytes: entries.reduce((sum, entry) => sum + entry.bytes, 0),
      budgetBytes: this.#budgetBytes,
    };
  }

  /** Forget every archive and delete its bytes now, retired ones too, and leftovers. */
  async clear(): Promise<void> {
    await this.#locked(async () => {
      const tx = this.#db.transaction([ENTRIES, RETIRED], 'readwrite');
      tx.objectStore(ENTRIES).clear();
      tx.objectStore(RETIRED).clear();
      await idbDone(tx);
      await this.#deleteUnnamed();
    });
  }

  /**
   * Delete files no entry names whose writer is gone (a tab closed mid-save) and retired files
   * past their grace. Runs when the store opens.
   */
  async sweep(): Promise<void> {
    await this.#locked(async () => {
      await this.#deleteRetired();
      await this.#deleteUnnamed();
    });
  }

  async #entries(): Promise<IndexEntry[]> {
    const tx = this.#db.transaction(ENTRIES, 'readonly');
    return (await idbRequest(tx.objectStore(ENTRIES).getAll())) as IndexEntry[];
  }

  /** Within `tx`: drop the entries (unless `drop` is false: already replaced) and retire files. */
  #retire(tx: IDBTransaction, entries: IndexEntry[], drop = true): void {
    const retiredAt = this.#now();
    for (const entry of entries) {
      if (drop) tx.objectStore(ENTRIES).delete(entry.id);
      tx.objectStore(RETIRED).put({ file: entry.file, retiredAt } satisfies RetiredFile);
    }
  }

  /** Under the commit lock: delete retired files whose grace has passed. */
  async #deleteRetired(): Promise<void> {
    const tx = this.#db.transaction(RETIRED, 'readonly');
    const retired = (await idbRequest(tx.objectStore(RETIRED).getAll())) as RetiredFile[];
    const due = retired.filter((r) => this.#now() - r.retiredAt >= this.#graceMs);
    for (const { file } of due) {
      if (!(await this.#removed(file))) continue;
      const drop = this.#db.transaction(RETIRED, 'readwrite');
      drop.objectStore(RETIRED).delete(file);
      await idbDone(drop);
    }
  }

  /**
   * Under the commit lock, so no save swaps a file in meanwhile: delete every file neither an
   * entry nor the retired list names and whose writer's lock is free.
   */
  async #deleteUnnamed(): Promise<void> {
    const tx = this.#db.transaction([ENTRIES, RETIRED], 'readonly');
    const entries = (await idbRequest(tx.objectStore(ENTRIES).getAll())) as IndexEntry[];
    const retired = (await idbRequest(tx.objectStore(RETIRED).getAllKeys())) as string[];
    const named = new Set([...entries.map((entry) => entry.file), ...retired]);
    for (const file of await this.#files.names()) {
      if (named.has(file)) continue;
      await navigator.locks.request(
        this.#writeLockPrefix + file,
        { ifAvailable: true },
        async (lock) => {
          if (lock) await this.#removed(file);
        },
      );
    }
  }

  /**
   * Delete a file nobody needs, saying whether it went. Housekeeping never fails a save or an
   * open: a file the browser will not delete now stays for the next sweep.
   */
  async #removed(file: string): Promise<boolean> {
    try {
      await this.#files.remove(file);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * The index's work under the origin-wide lock; a wait past `lockWaitMs` fails the cache step
   * (a warning in the job) instead of waiting for ever on a stuck tab.
   */
  async #locked<T>(work: () => Promise<T>): Promise<T> {
    const signal = AbortSignal.timeout(this.#lockWaitMs);
    let granted = false;
    try {
      return await navigator.locks.request(this.#commitLock, { signal }, () => {
        granted = true;
        return work();
      });
    } catch (err) {
      if (granted || !signal.aborted) throw err;
      throw new TabrunnerError(
        'CacheStoreError',
        `Another tab of this site has held the cache index for ${this.#lockWaitMs / 1000} s. Reload or close the other tabrunner tabs.`,
        { reason: 'lock-timeout' },
        { cause: err },
      );
    }
  }
}
