/**
 * The Node source store: bare git directories under a directory on disk (node:fs), indexing
 * packs with node:crypto's SHA-1 and node:zlib's inflate. Node only;
 * exported from `src/sources/node.ts`, never from the isomorphic `index.ts`.
 */
import * as fs from 'node:fs';
import { resolve } from 'node:path';
import type { Clock } from '../../platform/clock.ts';
import { createFsSourceStore } from './fs-source-store.ts';
import { createNodeSha1 } from '../git/pack/node-sha1.ts';
import { createZlibObjectInflater } from '../git/pack/zlib-inflate-object.ts';
import type { SourceStore, StoreFs } from './source-store.ts';

export interface NodeSourceStoreOptions {
  /** Directory holding one bare git dir per project (created on first use). */
  dir: string;
  /** Total size bound in bytes; least recently used projects are evicted past it. Default none. */
  maxBytes?: number;
  clock?: Clock;
}

/** Create a store on the local file system. */
export function createNodeSourceStore(options: NodeSourceStoreOptions): SourceStore {
  return createFsSourceStore({
    fs: fs as unknown as StoreFs,
    root: resolve(options.dir),
    ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    sha1: createNodeSha1,
    inflater: createZlibObjectInflater(),
  });
}
