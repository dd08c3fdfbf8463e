/**
 * The trees and blobs of each project's last checkout, kept in memory for the life of the
 * process (CLI) or the sources Worker (tab), so the next job's checkout reads from git objects
 * only what changed: a tree whose id is unchanged is the same tree, a blob the same bytes.
 * Entries are keyed by object id, so they can never be stale. Nothing here is persisted: after
 * a reload the first checkout reads everything from the store's packs again (and refills this).
 * Bounded by total bytes, least recently used project first out.
 */
import type { GitObject } from '../git/pack/git-object.ts';

export class CheckoutCache {
  readonly maxBytes: number;
  readonly #projects = new Map<
    string,
    { objects: ReadonlyMap<string, GitObject>; bytes: number }
  >();

  /** @param maxBytes total object bytes kept over all projects (default 512 MiB). */
  constructor(options: { maxBytes?: number } = {}) {
    this.maxBytes = options.maxBytes ?? 512 * 1024 * 1024;
  }

  /** The objects of the project's last checkout, if still held. */
  get(projectKey: string): ReadonlyMap<string, GitObject> | undefined {
    return this.#projects.get(projectKey)?.objects;
  }

  /** Hold `objects` as the project's last checkout; a checkout over the bound is not held. */
  set(projectKey: string, objects: ReadonlyMap<string, GitObject>): void {
    this.#projects.delete(projectKey);
    let bytes = 0;
    for (const object of objects.values()) bytes += object.data.length;
    if (bytes > this.maxBytes) return;
    this.#projects.set(projectKey, { objects, bytes });
    let total = 0;
    for (const entry of this.#projects.values()) total += entry.bytes;
    for (const [key, entry] of this.#projects) {
      if (total <= this.maxBytes) break;
      this.#projects.delete(key);
      total -= entry.bytes;
    }
  }

  delete(projectKey: string): void {
    this.#projects.delete(projectKey);
  }
}

/** The cache `getSources` uses unless given another: one per process or Worker. */
export const sharedCheckoutCache = new CheckoutCache();
