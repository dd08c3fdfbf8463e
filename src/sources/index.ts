/**
 * Sources: fetch exactly the commit GitLab asks for into a persistent per-project store and hand
 * it to the executor as a file tree. This surface is isomorphic (Node and browser Worker); the
 * node:fs store lives in `./node.ts`, the Worker entry in `./worker.ts`.
 *
 * WebContainer mount form (webcontainer.md §2 "mount"): a `FileSystemTree` costs a latin1 JSON
 * copy of every byte (69 MB / 3.4 s for a 43 MB tree), a msgpack snapshot none (147 ms). The
 * snapshot is `{ d: { <name>: { d: {…} } | { f: { c: <bin> } } } }` built from
 * `FileTree.files` in one pass (split paths, nest maps, bin8/16/32 for `c`), encoded inside this
 * Worker and transferred as one `ArrayBuffer` to `mount()`. Symlinks and the executable bit have
 * no place in it: the adapter recreates them after mounting (`mode` 0o120000 data = target).
 * Not built yet: the executor adapter owns that encoder.
 */
export {
  getSources,
  type GetSourcesOptions,
  type SourcesLine,
  type SourcesProgress,
  type SourcesResult,
  type SourcesSettings,
  type SourcesStats,
} from './get-sources.ts';
export type { GitInfo } from './fetch-plan.ts';
export type { SourceStore, StoreProject, StoreUsage, StoreFs } from './source-store.ts';
export { createFsSourceStore, type FsSourceStoreOptions } from './fs-source-store.ts';
export {
  SourcesAuthError,
  SourcesCommitError,
  SourcesConfigError,
  SourcesFetchError,
  SourcesStoreError,
} from './sources-errors.ts';
export { createIdbSourceStore, type IdbSourceStoreOptions } from './idb-source-store.ts';
export {
  SourcesWorkerClient,
  type WorkerGetSourcesCall,
  type WorkerLike,
} from './sources-worker-client.ts';
export type { WorkerStoreOptions } from './worker-protocol.ts';
