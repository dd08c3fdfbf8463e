/**
 * The page's one cache store (docs/cache.md, "Where caches live: the tab"): opened once, shared
 * by the runner and Settings › Storage, and by every other tab of the origin through the
 * origin's storage. Where the page has no storage for it (IndexedDB refused, as in some private
 * windows) jobs get a store that keeps nothing, so every cache is a miss with GitLab's warning
 * and the job goes on.
 */
import { openBrowserCacheStore, type BrowserCacheStore } from '../cache/browser-cache-store.ts';
import type { CacheStore, CacheUsage } from '../cache/index.ts';
import { TabrunnerError } from '../errors/index.ts';

/** The bound of GitLab's `cache:` archives in the origin's storage, least recently used first out. */
export const CACHE_STORE_MAX_BYTES = 1024 * 1024 * 1024;

/** A store, and where its bytes live: `none` when the page has no storage for caches. */
export interface TabCacheStore {
  store: CacheStore;
  backend: BrowserCacheStore['backend'] | 'none';
  /** Why there is no storage, for Settings › Storage (`backend: 'none'`). */
  problem?: string;
}

export type { CacheUsage };

let opened: Promise<TabCacheStore> | null = null;

/** The page's cache store, opened on first use. */
export function tabCacheStore(): Promise<TabCacheStore> {
  opened ??= openBrowserCacheStore({ budgetBytes: CACHE_STORE_MAX_BYTES }).then(
    (store): TabCacheStore => ({ store, backend: store.backend }),
    (err: unknown): TabCacheStore => {
      const problem = err instanceof Error ? err.message : String(err);
      return { store: storeThatKeepsNothing(problem), backend: 'none', problem };
    },
  );
  return opened;
}

function storeThatKeepsNothing(problem: string): CacheStore {
  const empty: CacheUsage = { entries: 0, bytes: 0, budgetBytes: 0 };
  return {
    open: () => Promise.resolve(null),
    async save(_address, archive) {
      await archive.cancel();
      throw new TabrunnerError('CacheStoreError', problem, { reason: 'unavailable' });
    },
    list: () => Promise.resolve([]),
    usage: () => Promise.resolve(empty),
    clear: () => Promise.resolve(),
  };
}
