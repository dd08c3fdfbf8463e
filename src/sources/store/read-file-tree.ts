/**
 * Builds the executor's `FileTree` straight from git objects, with no working-tree write:
 * regular and executable files, symlinks (data = link target), submodule paths as empty
 * directories (what `git checkout` leaves without submodule init), and a note of Git LFS pointer
 * files, which stay pointers.
 *
 * Objects come from `read` (the caller chains the pack just fetched, the last checkout kept in
 * memory, and the store's packs). The tree refuses what every git checkout refuses: entry
 * names that are empty, `.`, `..`, `.git` (any case) or contain `/`, and objects of the wrong
 * type. The NTFS and HFS+ look-alikes git also refuses by default (`git~1`, `.git.`,
 * `.g\u200cit`) pass as ordinary names: the executors' file systems give them no meaning.
 *
 * File contents are the objects' own bytes, not copies: copying 50 MB costs more than building
 * the whole tree from memory. Whoever receives the tree must not modify them in place (neither
 * executor does). A caller that still holds blobs of an earlier tree names them in `held`; those
 * files come back without bytes, for the caller to fill in (the sources Worker's page side).
 */
import type { FileTree, TreeFile } from '../../executors/port.ts';
import { oidAt, type GitObject } from '../git/pack/git-object.ts';
import { formatLimit, SourcesLimitError, SourcesPackError } from '../errors/sources-errors.ts';

/** How much one checkout may hold. */
export interface CheckoutLimits {
  /** Files, symlinks, submodules and directories. */
  entries: number;
  /** Sum of file sizes. */
  bytes: number;
}

/**
 * A tab holds the checkout in memory; past this it would crash rather than fail. The bounds
 * also stop a tree that names one subtree many times over (a few KB of objects, 10^10 paths).
 */
export const CHECKOUT_LIMITS: CheckoutLimits = { entries: 250_000, bytes: 1024 * 1024 * 1024 };

/** Blobs a caller still holds, by id, with what the tree needs to know of them. */
export type HeldBlobs = ReadonlyMap<string, { size: number; lfs: boolean }>;

export interface ReadFileTreeOptions {
  /** Commit id. */
  oid: string;
  /** Blobs not to read: their files come back empty and listed in `held`. */
  held?: HeldBlobs;
  /**
   * An object by id, or null when it is nowhere; synchronous when it is at hand (a warm
   * checkout walks thousands of remembered objects, a promise each would double its time).
   */
  read: (oid: string) => GitObject | null | Promise<GitObject | null>;
  /** Bounds on the checkout. @default CHECKOUT_LIMITS */
  limits?: CheckoutLimits;
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
  /** The commit and every tree and blob read for it, by id (what the next checkout may reuse). */
  objects: Map<string, GitObject>;
  /** The blob id of each file of `tree.files`, in order. */
  blobIds: string[];
  /** Indexes into `tree.files` of the files whose bytes are the caller's held blobs. */
  held: number[];
  /** Every blob of the tree: what a caller holds once it has filled this tree in. */
  blobs: Map<string, { size: number; lfs: boolean }>;
}

const NO_BYTES = new Uint8Array(0);

const LFS_PREFIX = new TextEncoder().encode('version https://git-lfs.github.com/spec/');
const decoder = new TextDecoder();

function isLfsPointer(data: Uint8Array): boolean {
  if (data.length > 1024 || data.length < LFS_PREFIX.length) return false;
  for (let i = 0; i < LFS_PREFIX.length; i++) if (data[i] !== LFS_PREFIX[i]) return false;
  return true;
}

interface TreeEntry {
  mode: string;
  name: string;
  oid: string;
}

// Parsed entries per tree object: an unchanged tree held by the checkout cache is the same
// object next time, so a warm checkout decodes only the trees that changed.
const parsed = new WeakMap<GitObject, TreeEntry[]>();

/** `<octal mode> <name>\0<20-byte id>` repeated. */
function parseTree(oid: string, tree: GitObject): TreeEntry[] {
  const memo = parsed.get(tree);
  if (memo) return memo;
  const data = tree.data;
  const out: TreeEntry[] = [];
  const names = new Set<string>();
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    const nul = space < 0 ? -1 : data.indexOf(0, space);
    if (nul < 0 || nul + 21 > data.length) {
      throw new SourcesPackError({ reason: `tree ${oid} is malformed` });
    }
    const name = decoder.decode(data.subarray(space + 1, nul));
    if (
      name === '' ||
      name === '.' ||
      name === '..' ||
      name.includes('/') ||
      name.toLowerCase() === '.git'
    ) {
      throw new SourcesPackError({
        reason: `tree ${oid} has an entry named "${name}", which git refuses to check out`,
      });
    }
    // git fsck's duplicateEntries: a symlink and a directory of one name would let files be
    // placed through the link.
    if (names.has(name)) {
      throw new SourcesPackError({ reason: `tree ${oid} names "${name}" twice` });
    }
    names.add(name);
    out.push({
      mode: decoder.decode(data.subarray(pos, space)).padStart(6, '0'),
      name,
      oid: oidAt(data, nul + 1),
    });
    pos = nul + 21;
  }
  parsed.set(tree, out);
  return out;
}

/** Read every file of the commit's tree. */
export async function readFileTree(options: ReadFileTreeOptions): Promise<ReadFileTreeResult> {
  const files: TreeFile[] = [];
  const directories: string[] = [];
  const submodules: string[] = [];
  const lfsPointers: string[] = [];
  const objects = new Map<string, GitObject>();
  const blobIds: string[] = [];
  const held: number[] = [];
  const blobs = new Map<string, { size: number; lfs: boolean }>();
  let bytes = 0;
  let entries = 0;
  const limits = options.limits ?? CHECKOUT_LIMITS;

  function checked(found: GitObject | null, oid: string, type: GitObject['type'], path: string) {
    if (!found) {
      throw new SourcesPackError({
        reason: `${path || 'the commit'} needs ${type} ${oid}, which is neither in the pack nor in the store`,
      });
    }
    if (found.type !== type) {
      throw new SourcesPackError({ reason: `${path || oid} is a ${found.type}, not a ${type}` });
    }
    objects.set(oid, found);
    return found;
  }

  /** The object, without a promise when it is at hand. */
  function object(
    oid: string,
    type: GitObject['type'],
    path: string,
  ): GitObject | Promise<GitObject> {
    const found = objects.get(oid) ?? options.read(oid);
    return found instanceof Promise
      ? found.then((f) => checked(f, oid, type, path))
      : checked(found, oid, type, path);
  }

  async function visit(treeOid: string, prefix: string): Promise<void> {
    options.signal?.throwIfAborted();
    const tree = await object(treeOid, 'tree', prefix.slice(0, -1));
    for (const entry of parseTree(treeOid, tree)) {
      // Directories count too: a tree of trees of empty trees has no files and no end.
      if (++entries > limits.entries) {
        throw new SourcesLimitError({
          reason: `it has more than ${limits.entries} files and directories`,
        });
      }
      const path = prefix + entry.name;
      if (entry.mode === '040000') {
        await visit(entry.oid, `${path}/`);
      } else if (entry.mode === '160000') {
        submodules.push(path);
        directories.push(path);
      } else {
        const mode = Number.parseInt(entry.mode, 8);
        let info = options.held?.get(entry.oid);
        if (info) {
          held.push(files.length);
          files.push({ path, data: NO_BYTES, mode });
        } else {
          let blob = object(entry.oid, 'blob', path);
          if (blob instanceof Promise) blob = await blob;
          const { data } = blob;
          files.push({ path, data, mode });
          info = blobs.get(entry.oid) ?? { size: data.length, lfs: isLfsPointer(data) };
        }
        bytes += info.size;
        if (bytes > limits.bytes) {
          throw new SourcesLimitError({
            reason: `its files add up to more than ${formatLimit(limits.bytes)}`,
          });
        }
        if (mode !== 0o120000 && info.lfs) lfsPointers.push(path);
        blobs.set(entry.oid, info);
        blobIds.push(entry.oid);
        if (options.onFile && files.length % 500 === 0) options.onFile(files.length);
      }
    }
  }

  const commit = await options.read(options.oid);
  if (commit?.type !== 'commit') {
    throw new SourcesPackError({ reason: `${options.oid} is not a commit` });
  }
  objects.set(options.oid, commit);
  const header = decoder.decode(commit.data.subarray(0, 46));
  if (!/^tree [0-9a-f]{40}\n$/.test(header)) {
    throw new SourcesPackError({ reason: `commit ${options.oid} does not start with its tree` });
  }
  await visit(header.slice(5, 45), '');

  const tree: FileTree = directories.length ? { files, directories } : { files };
  return { tree, submodules, lfsPointers, bytes, objects, blobIds, held, blobs };
}
