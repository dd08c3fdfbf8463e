/**
 * The persistent per-project git object store that makes `GIT_STRATEGY: fetch` cheap: one bare
 * git directory per project, kept between jobs, bounded in size (least recently used projects are
 * evicted) and visible. Implementations: node:fs (`createNodeSourceStore`) and IndexedDB through
 * lightning-fs (`createIdbSourceStore`); both are `createFsSourceStore` over a different fs.
 * A store never holds credentials: remotes are saved without user info.
 */
import type { PromiseFsClient } from 'isomorphic-git';
import type { ObjectInflater } from '../git/pack/object-inflater.ts';
import type { CreateSha1 } from '../git/pack/sha1.ts';

/**
 * The fs a store lives in, in isomorphic-git's `PromiseFsClient` shape: node:fs and lightning-fs
 * both fit, and isomorphic-git can read a store through the same fs (the tests do).
 */
export interface StoreFs extends PromiseFsClient {
  promises: PromiseFsClient['promises'] & {
    /** lightning-fs only: persist the in-memory superblock now instead of after 500 ms. */
    flush?: () => Promise<void>;
  };
}

/** One project's git directory, leased to one job at a time. */
export interface StoreProject {
  /** The fs holding the git directory. */
  fs: StoreFs;
  /** The bare git directory inside `fs`. */
  gitdir: string;
  /** Where the store lives, for trace lines (`/builds`-like, never secret). */
  location: string;
  /** Mark the project used now, persist, evict other projects over the limit, end the lease. */
  release(): Promise<void>;
}

/** What the store holds, most recently used first. */
export interface StoreUsage {
  projects: { key: string; bytes: number; lastUsed: number }[];
  bytes: number;
  /** The configured bound, `Infinity` when unbounded. */
  maxBytes: number;
}

export interface SourceStore {
  /**
   * Lease a project's git directory, waiting for an earlier lease on the same key to end.
   * `fresh` deletes what was stored first (`GIT_STRATEGY: clone`).
   */
  open(projectKey: string, options: { fresh: boolean }): Promise<StoreProject>;
  /** Sizes and last use of every stored project. */
  usage(): Promise<StoreUsage>;
  /** Delete one project's store (no-op when absent). */
  remove(projectKey: string): Promise<void>;
  /** Evict least recently used projects until the total fits `maxBytes`; returns evicted keys. */
  prune(options?: { keep?: string[] }): Promise<string[]>;
  /**
   * SHA-1 as fast as the store's platform has it, for indexing fetched packs; absent means
   * hash-wasm's (`wasm-sha1.ts`). The node:fs store brings node:crypto's.
   */
  sha1?: CreateSha1;
  /** zlib as fast as the platform has it; absent means ours. The node:fs store brings zlib's. */
  inflater?: ObjectInflater;
}
