/**
 * A read-only view of the objects in a store's packfiles, for the checkout and the delta bases
 * of a thin pack. Every `.idx` is read when the reader opens (small: 28 bytes per object)
 * and searched in place; a pack's data is read the first time one of its objects is needed, so a
 * fetch whose checkout is served from memory never loads the old packs at all. Objects inflate
 * synchronously, one zlib stream each (an `ObjectInflater`, no stream per object), and deltas
 * (ofs and ref) resolve against the same packs, recent bases kept in memory.
 */
import { applyDelta } from '../git/pack/apply-delta.ts';
import { oidAt, type GitObject, type ObjectType } from '../git/pack/git-object.ts';
import { createObjectInflater } from '../git/pack/inflate-object.ts';
import { readObjectHeader, readOffsetVarint } from '../git/pack/pack-size.ts';
import { readPackIndex, type PackIndex } from '../git/pack/pack-index-file.ts';
import type { StoreFs } from './source-store.ts';
import { SourcesStoreError } from '../errors/sources-errors.ts';

const TYPES: Record<number, ObjectType> = { 1: 'commit', 2: 'tree', 3: 'blob', 4: 'tag' };

interface Pack {
  path: string;
  index: PackIndex;
  data?: Promise<Uint8Array>;
}

export interface PackReader {
  /** The object is in one of the packs (no pack data is read). */
  has(oid: string): boolean;
  /** The object, or null when no pack holds it. */
  read(oid: string): Promise<GitObject | null>;
}

/** Open the packs of `gitdir`; `projectKey` names the store in errors. */
export async function openPackReader(
  fs: StoreFs,
  gitdir: string,
  projectKey: string,
): Promise<PackReader> {
  const dir = `${gitdir}/objects/pack`;
  let names: string[] = [];
  try {
    names = (await fs.promises.readdir(dir)) as string[];
  } catch {
    names = [];
  }
  const packs: Pack[] = [];
  for (const name of names.filter((n) => n.endsWith('.idx'))) {
    const idx = (await fs.promises.readFile(`${dir}/${name}`)) as Uint8Array;
    let index: PackIndex;
    try {
      index = readPackIndex(new Uint8Array(idx.buffer, idx.byteOffset, idx.byteLength));
    } catch (err) {
      throw new SourcesStoreError({ projectKey, reason: `${name}: ${(err as Error).message}` });
    }
    packs.push({ path: `${dir}/${name.replace(/\.idx$/, '.pack')}`, index });
  }
  const inflate = createObjectInflater();
  // Delta bases are often shared (e.g. by files of one directory): keep recent ones.
  const baseCache = new Map<string, GitObject>();

  function dataOf(pack: Pack): Promise<Uint8Array> {
    pack.data ??= Promise.resolve(fs.promises.readFile(pack.path)).then(
      (d) => d as Uint8Array,
      (err: unknown) => {
        throw new SourcesStoreError({ projectKey, reason: `cannot read ${pack.path}: ${err}` });
      },
    );
    return pack.data;
  }

  async function readAt(pack: Pack, offset: number): Promise<GitObject> {
    const key = `${packs.indexOf(pack)}:${offset}`;
    const cached = baseCache.get(key);
    if (cached) return cached;
    const d = await dataOf(pack);
    // Objects end where the pack's 20-byte trailer starts.
    const end = d.length - 20;
    let result: GitObject;
    try {
      const header = readObjectHeader(d, offset, end);
      if (header === 'cut off') throw new Error('the object header is cut off');
      if (header === 'too large') throw new Error('the object states an impossible size');
      const { type, size } = header;
      let pos = header.pos;
      if (type === 6) {
        const back = readOffsetVarint(d, pos, end);
        if (back === 'cut off') throw new Error('the delta is cut off');
        if (back === 'too large') throw new Error('the delta names an impossible base');
        pos = back.pos;
        const base = await readAt(pack, offset - back.value);
        result = { type: base.type, data: applyDelta(base.data, inflate(d, pos, size).data) };
      } else if (type === 7) {
        const baseOid = oidAt(d, pos);
        const base = await read(baseOid);
        if (!base) throw new Error(`delta base ${baseOid} is missing`);
        result = { type: base.type, data: applyDelta(base.data, inflate(d, pos + 20, size).data) };
      } else {
        const name = TYPES[type];
        if (!name) throw new Error(`bad object type ${type}`);
        result = { type: name, data: inflate(d, pos, size).data };
      }
    } catch (err) {
      if (err instanceof SourcesStoreError) throw err;
      throw new SourcesStoreError({
        projectKey,
        reason: `${pack.path} at offset ${offset}: ${(err as Error).message}`,
      });
    }
    if (result.type === 'tree' || result.data.length < 64 * 1024) {
      if (baseCache.size > 2048) baseCache.delete(baseCache.keys().next().value ?? '');
      baseCache.set(key, result);
    }
    return result;
  }

  async function read(oid: string): Promise<GitObject | null> {
    for (const pack of packs) {
      const offset = pack.index.offset(oid);
      if (offset !== undefined) return readAt(pack, offset);
    }
    return null;
  }

  return { has: (oid) => packs.some((p) => p.index.offset(oid) !== undefined), read };
}
