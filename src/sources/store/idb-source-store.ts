/**
 * The browser source store: bare git directories in IndexedDB through lightning-fs. The store
 * only ever holds `.git` (refs, config, one pack and index per fetch), never a working tree, so
 * lightning-fs's one-put-per-file write pattern and its O(n²) inode allocation stay cheap: a job
 * writes a handful of files. Use it inside the sources Worker only; lightning-fs allows one
 * instance per name per thread.
 */
import FS from '@isomorphic-git/lightning-fs';
import type { Clock } from '../../platform/clock.ts';
import { createFsSourceStore } from './fs-source-store.ts';
import type { SourceStore, StoreFs } from './source-store.ts';

export interface IdbSourceStoreOptions {
  /** IndexedDB database name; default `tabrunner-sources`. */
  name?: string;
  /** Total size bound in bytes; least recently used projects are evicted past it. */
  maxBytes?: number;
  clock?: Clock;
}

/** Create (or reopen) the IndexedDB-backed store. */
export function createIdbSourceStore(options: IdbSourceStoreOptions = {}): SourceStore {
  const fs = new FS(options.name ?? 'tabrunner-sources');
  return createFsSourceStore({
    fs: fs as unknown as StoreFs,
    root: '/projects',
    ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
}
