/**
 * Where GitLab's `cache:` archives live between jobs (docs/cache.md). GitLab's runner keeps one
 * `cache.zip` per key on local disk or in object storage; tabrunner keeps them in the origin's
 * storage in the tab (shared by every tab of the origin) and under the state folder in the CLI.
 * The store knows nothing of zip files or jobs: it keeps opaque archives by address, whole or
 * not at all, and forgets the least recently used ones past its budget.
 */

/** One cache archive's name: GitLab's host, the project, and the key as the job sent it. */
export interface CacheAddress {
  /** GitLab's origin, e.g. `https://gitlab.example.com`, so two instances never share a key. */
  gitlab: string;
  /** `job_info.project_id`. */
  projectId: number;
  /** The cache key after the runner expanded it; any string, stores encode it themselves. */
  key: string;
}

/** A stored archive, as the store lists it. */
export interface CacheEntry {
  address: CacheAddress;
  bytes: number;
  /** When a job last restored or saved it (epoch milliseconds): eviction goes oldest first. */
  lastUsed: number;
}

/** What the store holds, for Settings › Storage. */
export interface CacheUsage {
  entries: number;
  bytes: number;
  /** Most the store keeps before it evicts least recently used archives. */
  budgetBytes: number;
}

export interface CacheStore {
  /**
   * The archive saved under `address`, or null when there is none. A `Blob` so a reader can seek
   * (a zip's directory is at its end) without holding the archive in memory. Counts as a use.
   * Never a half-written archive: a save in progress is invisible until it is complete.
   */
  open(address: CacheAddress): Promise<Blob | null>;
  /**
   * Store the archive the stream yields under `address`, replacing the one there only once the
   * whole stream is written; a stream that errors, or an aborted `signal`, leaves the previous
   * archive in place. Two saves of one address at once (two tabs, two processes) leave one of
   * the two archives whole, never a mix. Then evicts least recently used entries over budget.
   */
  save(
    address: CacheAddress,
    archive: ReadableStream<Uint8Array>,
    signal?: AbortSignal,
  ): Promise<void>;
  /** Every archive stored, for the Storage view and eviction. */
  list(): Promise<CacheEntry[]>;
  usage(): Promise<CacheUsage>;
  /** Forget every archive ("Clear caches"). */
  clear(): Promise<void>;
}
