/**
 * The checkout of the job's commit: its `FileTree` read straight from git objects
 * (`store/read-file-tree.ts`), what of it the next checkout may take from memory, and, for a
 * caller that keeps the blobs it received (the sources Worker's page side), which files it
 * fills in itself.
 */
import type { FileTree } from '../executors/port.ts';
import type { GitObject } from './git/pack/git-object.ts';
import { readFileTree, type HeldBlobs } from './store/read-file-tree.ts';
import type { SourcesResult } from './sources-types.ts';

export interface CheckOutOptions {
  /** The commit. */
  oid: string;
  /** An object by id: the ones just fetched, the last checkout's, then the store's. */
  read: (oid: string) => GitObject | null | Promise<GitObject | null>;
  /** The object would come from the memory of the last checkout (counted as reused). */
  remembered: (oid: string) => boolean;
  /** The blobs the caller holds; given, returned blobs become the caller's. */
  held?: HeldBlobs;
  onFile?: (files: number) => void;
  signal?: AbortSignal;
}

export interface CheckedOut {
  tree: FileTree;
  /** With `held`: which files to fill in, and what to hold next. */
  blobs?: NonNullable<SourcesResult['blobs']>;
  /** What the next checkout of the project may reuse: trees only when the caller holds blobs. */
  objects: Map<string, GitObject>;
  /** Trees and blobs taken from memory, files whose blob the caller holds included. */
  objectsReused: number;
  /** Paths of gitlinks (submodules) and of Git LFS pointer files. */
  submodules: string[];
  lfsPointers: string[];
  /** Sum of file sizes. */
  bytes: number;
}

/** Read the commit `oid` into a tree. */
export async function checkOut(options: CheckOutOptions): Promise<CheckedOut> {
  let objectsReused = 0;
  const checkout = await readFileTree({
    oid: options.oid,
    ...(options.held ? { held: options.held } : {}),
    read: (oid) => {
      if (options.remembered(oid)) objectsReused += 1;
      return options.read(oid);
    },
    ...(options.onFile ? { onFile: options.onFile } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  let blobs: CheckedOut['blobs'];
  if (options.held) {
    // Returned blobs become the caller's (a Worker transfers them): keep only the trees.
    for (const [oid, object] of checkout.objects)
      if (object.type === 'blob') checkout.objects.delete(oid);
    blobs = { ids: checkout.blobIds, held: checkout.held, all: checkout.blobs };
    objectsReused += checkout.held.length;
  }
  return {
    tree: checkout.tree,
    ...(blobs ? { blobs } : {}),
    objects: checkout.objects,
    objectsReused,
    submodules: checkout.submodules,
    lfsPointers: checkout.lfsPointers,
    bytes: checkout.bytes,
  };
}
