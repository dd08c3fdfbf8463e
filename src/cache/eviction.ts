/**
 * Least-recently-used eviction for a cache store with a size budget (docs/cache.md): which
 * entries to delete so the rest fits. Pure, so the tab's and the CLI's stores evict alike.
 */
import type { CacheEntry } from './cache-store.ts';

/**
 * The entries to delete, oldest use first, until what remains fits `budgetBytes`. `keep` (the
 * archive just saved) is never chosen, even when it alone is over budget: a job's own cache is
 * worth more than older ones, and the next save evicts it like any other.
 */
export function entriesToEvict(
  entries: readonly CacheEntry[],
  budgetBytes: number,
  keep?: (entry: CacheEntry) => boolean,
): CacheEntry[] {
  let total = entries.reduce((sum, entry) => sum + entry.bytes, 0);
  const evict: CacheEntry[] = [];
  const oldestFirst = [...entries].sort((a, b) => a.lastUsed - b.lastUsed);
  for (const entry of oldestFirst) {
    if (total <= budgetBytes) break;
    if (keep?.(entry)) continue;
    evict.push(entry);
    total -= entry.bytes;
  }
  return evict;
}
