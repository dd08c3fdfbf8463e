/**
 * @module src/cache: GitLab's `cache:` (docs/cache.md). Pure planning of the `restore_cache` and
 * `archive_cache` stages from the payload's `cache[]` (`planCacheRestore`, `planCacheArchive`),
 * the two operations that carry a plan's steps out against a `CacheStore`, and the store seam
 * itself. Concrete stores are imported by whoever wires a runner (the CLI, the tab), not from
 * here: the Node store would drag `node:fs` into the tab's bundle. Import from here.
 */
export type { CacheAddress, CacheEntry, CacheStore, CacheUsage } from './cache-store.ts';
export { defaultCacheKey, sanitizeCacheKey, type SanitizedCacheKey } from './cache-key.ts';
export {
  planCacheArchive,
  planCacheRestore,
  type CachePlanInput,
  type CacheStagePlan,
  type CacheStep,
} from './cache-plan.ts';
export {
  restoreCache,
  type RestoreCacheOptions,
  type RestoredCache,
  type RestoredContents,
} from './restore-cache.ts';
export { archiveCache, type ArchiveCacheOptions, type ArchivedCache } from './archive-cache.ts';
