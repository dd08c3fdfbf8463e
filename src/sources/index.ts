/**
 * Sources: fetch exactly the commit GitLab asks for into a persistent per-project store and hand
 * it to the executor as a file tree. This surface is isomorphic (Node and browser Worker); the
 * node:fs store lives in `./node.ts`. The tab's side is not here: its Worker entry
 * (`./worker/worker.ts`, which owns the IndexedDB store) sits above this door and imports it, and
 * the page talks to that Worker through `./worker/sources-worker-client.ts`.
 *
 * WebContainer mount form (docs/architecture.md, "WebContainer facts"): a `FileSystemTree`
 * costs a latin1 JSON copy of every byte (69 MB / 3.4 s for a 43 MB tree), a msgpack snapshot
 * none (147 ms). The
 * WebContainer adapter turns the `FileTree` into one (`executors/webcontainer/binary-snapshot.ts`,
 * chosen by `mount-payload.ts` for checkouts of 1 MiB and more) on the page, from the bytes this
 * Worker transferred. The snapshot has no place for symlinks (a tree with one is mounted as a
 * `FileSystemTree`) nor for the executable bit (neither form has one).
 */
export { getSources } from './get-sources.ts';
export type {
  GetSourcesOptions,
  SourcesLine,
  SourcesProgress,
  SourcesResult,
  SourcesSettings,
  SourcesStats,
} from './sources-types.ts';
export type { GitInfo } from './fetch/fetch-plan.ts';
export type { SourceStore, StoreProject, StoreUsage, StoreFs } from './store/source-store.ts';
export { createFsSourceStore, type FsSourceStoreOptions } from './store/fs-source-store.ts';
export {
  SourcesAuthError,
  SourcesCommitError,
  SourcesConfigError,
  SourcesFetchError,
  SourcesLimitError,
  SourcesPackError,
  SourcesStoreError,
} from './errors/sources-errors.ts';
export { CheckoutCache, sharedCheckoutCache } from './store/checkout-cache.ts';
