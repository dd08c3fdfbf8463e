/**
 * Builds the executor's `FileTree` straight from git objects, with no working-tree write
 * (isomorphic-git.md §1.5): regular and executable files, symlinks (data = link target),
 * submodule paths as empty directories (what `git checkout` leaves without submodule init), and
 * a note of Git LFS pointer files, which stay pointers.
 */
import { readBlob, readCommit, readTree } from 'isomorphic-git';
import type { FileTree, TreeFile } from '../executors/port.ts';
import { openPackReader, type PackReader } from './pack-reader.ts';
import type { StoreFs } from './source-store.ts';

export interface ReadFileTreeOptions {
  fs: StoreFs;
  gitdir: string;
  /** Commit id. */
  oid: string;
  /** isomorphic-git object cache shared with the fetch. */
  cache?: object;
  /** Called every 500 files with the count so far. */
  onFile?: (files: number) => void;
  signal?: AbortSignal;
}

export interface ReadFileTreeResult {
  tree: FileTree;
  /** Paths of gitlinks (submodules). */
  submodules: string[];
  /** Paths whose content is a Git LFS pointer. */
  lfsPointers: string[];
  /** Sum of file sizes. */
  bytes: number;
}

const LFS_PREFIX = new TextEncoder().encode('version https://git-lfs.github.com/spec/');

function isLfsPointer(data: Uint8Array): boolean {
  if (data.length > 1024 || data.length < LFS_PREFIX.length) return false;
  for (let i = 0; i < LFS_PREFIX.length; i++) if (data[i] !== LFS_PREFIX[i]) return false;
  return true;
}

/** Read every file of the commit's tree. */
export async function readFileTree(options: ReadFileTreeOptions): Promise<ReadFileTreeResult> {
  const { fs, gitdir, cache = {} } = options;
  const files: TreeFile[] = [];
  const directories: string[] = [];
  const submodules: string[] = [];
  const lfsPointers: string[] = [];
  let bytes = 0;

  const packs: PackReader = await openPackReader(fs, gitdir);
  const decoder = new TextDecoder();

  async function entries(treeOid: string): Promise<{ mode: string; path: string; oid: string }[]> {
    const packed = packs.read(treeOid);
    if (!packed) return (await readTree({ fs, gitdir, oid: treeOid, cache })).tree;
    // `<octal mode> <name>\0<20-byte id>` repeated.
    const data = packed.data;
    const out: { mode: string; path: string; oid: string }[] = [];
    let pos = 0;
    while (pos < data.length) {
      const space = data.indexOf(0x20, pos);
      const nul = data.indexOf(0, space);
      let oid = '';
      for (let i = nul + 1; i < nul + 21; i++) oid += (data[i] ?? 0).toString(16).padStart(2, '0');
      out.push({
        mode: decoder.decode(data.subarray(pos, space)).padStart(6, '0'),
        path: decoder.decode(data.subarray(space + 1, nul)),
        oid,
      });
      pos = nul + 21;
    }
    return out;
  }

  async function blob(oid: string): Promise<Uint8Array> {
    return packs.read(oid)?.data ?? (await readBlob({ fs, gitdir, oid, cache })).blob;
  }

  async function visit(treeOid: string, prefix: string): Promise<void> {
    options.signal?.throwIfAborted();
    for (const entry of await entries(treeOid)) {
      const path = prefix + entry.path;
      if (entry.mode === '040000') {
        await visit(entry.oid, `${path}/`);
      } else if (entry.mode === '160000') {
        submodules.push(path);
        directories.push(path);
      } else {
        const data = await blob(entry.oid);
        const mode = Number.parseInt(entry.mode, 8);
        files.push({ path, data, mode });
        bytes += data.length;
        if (mode !== 0o120000 && isLfsPointer(data)) lfsPointers.push(path);
        if (options.onFile && files.length % 500 === 0) options.onFile(files.length);
      }
    }
  }

  const commit = packs.read(options.oid);
  const treeOid =
    commit?.type === 'commit'
      ? decoder.decode(commit.data.subarray(5, 45))
      : (await readCommit({ fs, gitdir, oid: options.oid, cache })).commit.tree;
  await visit(treeOid, '');
  const tree: FileTree = directories.length ? { files, directories } : { files };
  return { tree, submodules, lfsPointers, bytes };
}
