/**
 * Picks how a checkout travels to `mount()`. Below the threshold the documented
 * `FileSystemTree` costs little (the measured rate, 3,376 ms for 42.7 MB, is ~80 ms per MB);
 * above it the binary snapshot pays (~3.5 ms per MB, and binary bytes are not inflated).
 * Trees with symlinks always go as a tree: the snapshot format cannot hold them.
 */
import type { FileTree } from '../port.ts';
import { encodeBinarySnapshot } from './binary-snapshot.ts';
import type { FileSystemTree } from './container.ts';
import { SYMLINK_MODE, toFileSystemTree } from './file-system-tree.ts';

/** 1 MiB: about 80 ms of tree encoding on the measured machine, the most we accept. */
export const DEFAULT_SNAPSHOT_THRESHOLD_BYTES = 1024 * 1024;

export type MountPayload =
  { kind: 'tree'; tree: FileSystemTree } | { kind: 'snapshot'; bytes: Uint8Array };

export function chooseMountPayload(
  tree: FileTree,
  snapshotThresholdBytes: number = DEFAULT_SNAPSHOT_THRESHOLD_BYTES,
): MountPayload {
  const total = tree.files.reduce((sum, f) => sum + f.data.length, 0);
  const hasSymlink = tree.files.some((f) => f.mode === SYMLINK_MODE);
  if (total >= snapshotThresholdBytes && !hasSymlink)
    return { kind: 'snapshot', bytes: encodeBinarySnapshot(tree) };
  return { kind: 'tree', tree: toFileSystemTree(tree) };
}
