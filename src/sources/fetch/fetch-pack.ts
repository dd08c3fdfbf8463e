/**
 * One upload-pack exchange for one want, into the store: the pack is indexed (every object
 * inflated, verified and kept in memory for the checkout) while it is written
 * (`store/write-pack.ts`), and the store's shallow boundary follows the server's shallow update.
 * Nothing of the pack is used before it checks out.
 */
import type { GitObject } from '../git/pack/git-object.ts';
import { indexPack } from '../git/pack/index-pack.ts';
import type { PackReader } from '../store/pack-reader.ts';
import type { ObjectInflater } from '../git/pack/object-inflater.ts';
import type { CreateSha1 } from '../git/pack/sha1.ts';
import type { GitHttpTarget } from '../git/wire/git-http.ts';
import { uploadPack } from '../git/wire/upload-pack.ts';
import { writeShallow } from '../store/bare-repository.ts';
import type { StoreFs } from '../store/source-store.ts';
import { writePack } from '../store/write-pack.ts';

/** How much one fetch may bring: the pack's bytes, and the bytes its objects unpack to. */
export interface FetchLimits {
  packBytes: number;
  unpackedBytes: number;
}

/** A step of the transfer: git's own (`Counting objects`, …) or `Indexing objects`. */
export interface FetchProgress {
  phase: 'fetch';
  step: string;
  loaded: number;
  total: number;
}

/** What every fetch of one `getSources` shares. */
export interface FetchPackContext {
  target: GitHttpTarget;
  fs: StoreFs;
  gitdir: string;
  /** The store's packs: delta bases of a thin pack. */
  packs: PackReader;
  /** Objects fetched so far; this fetch adds its own. */
  fetched: Map<string, GitObject>;
  /** The store's shallow commits; updated (and written) by this fetch. */
  shallow: Set<string>;
  haves: string[];
  depth: number;
  sha1: CreateSha1;
  inflater?: ObjectInflater;
  limits?: FetchLimits;
  onProgress: (progress: FetchProgress) => void;
  signal?: AbortSignal;
}

/** `Counting objects:  50% (1/2)` and the like, as progress. */
function serverProgress(text: string): { step: string; loaded: number; total: number }[] {
  const out = [];
  for (const line of text.split(/[\r\n]+/)) {
    const match = /^([^:]+):\s+\d+% \((\d+)\/(\d+)\)/.exec(line.trim());
    if (match)
      out.push({ step: match[1] as string, loaded: Number(match[2]), total: Number(match[3]) });
  }
  return out;
}

/** Fetch `want` into the store; resolves with the number of objects the pack brought. */
export async function fetchPack(
  context: FetchPackContext,
  want: string,
  capabilities: Set<string>,
): Promise<number> {
  const { fs, gitdir, fetched, shallow, limits, signal } = context;
  const result = await uploadPack(context.target, {
    wants: [want],
    haves: context.haves,
    shallows: [...shallow],
    depth: context.depth,
    capabilities,
    onProgress: (text) => {
      for (const p of serverProgress(text)) context.onProgress({ phase: 'fetch', ...p });
    },
    ...(limits ? { maxPackBytes: limits.packBytes } : {}),
  });
  let objects = 0;
  if (result.pack) {
    const indexed = await writePack(fs, gitdir, result.pack, (pack) =>
      indexPack(pack, {
        sha1: context.sha1,
        ...(context.inflater ? { inflater: context.inflater } : {}),
        ...(limits ? { maxBytes: limits.unpackedBytes } : {}),
        externalBase: async (oid) => fetched.get(oid) ?? (await context.packs.read(oid)),
        onProgress: (loaded, total) =>
          context.onProgress({ phase: 'fetch', step: 'Indexing objects', loaded, total }),
        ...(signal ? { signal } : {}),
      }),
    );
    for (const [oid, object] of indexed.objects) fetched.set(oid, object);
    objects = indexed.objects.size;
  }
  if (result.shallow.length || result.unshallow.length) {
    for (const oid of result.shallow) shallow.add(oid);
    for (const oid of result.unshallow) shallow.delete(oid);
    await writeShallow(fs, gitdir, shallow);
  }
  return objects;
}
