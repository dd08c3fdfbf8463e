/**
 * Indexes a pack the git server just sent, in one pass (what `git index-pack` does): every
 * object is inflated once, deltas are resolved against the objects already read, and every
 * object's id is computed from its content. The result is the `.idx` isomorphic-git and git
 * expect beside the pack, and the inflated objects themselves, so the checkout that follows
 * reads nothing twice.
 *
 * Nothing is trusted: the pack's trailing SHA-1 must match its bytes, every object must
 * inflate to the size its header states, every delta must fit its base, and the object count
 * and the end of the data must agree. Ids are computed, never read from the pack, so an object
 * found under an id is the object with that id. Every size a pack states is counted against
 * one budget before it is allocated. Any mismatch is a `SourcesPackError`.
 *
 * isomorphic-git's own indexing inflates every object with pako's streaming inflate, then
 * again in a second pass that resolves deltas. bench/sources-pack.bench.ts times both on its
 * generated pack of 5,402 objects in Node: isomorphic-git 0.94-1.05 s, this pass 0.2-0.33 s
 * with our inflater and node:crypto's SHA-1 (a shared 2-core machine, so ranges over runs).
 */
import { crc32 } from '../../../bytes/index.ts';
import { applyDelta } from './apply-delta.ts';
import { objectHeader, oidAt, type GitObject, type ObjectType } from './git-object.ts';
import { createObjectInflater } from './inflate-object.ts';
import type { ObjectInflater } from './object-inflater.ts';
import { encodePackIndex, type PackIndexEntry } from './pack-index-file.ts';
import { readObjectHeader, readOffsetVarint } from './pack-size.ts';
import type { CreateSha1 } from './sha1.ts';
import { formatLimit, SourcesLimitError, SourcesPackError } from '../../errors/sources-errors.ts';

export interface IndexPackOptions {
  sha1: CreateSha1;
  /** The platform's fastest inflater (object-inflater.ts); default ours. */
  inflater?: ObjectInflater;
  /** Delta bases outside this pack (a thin pack): the store's copy, or null when absent. */
  externalBase?: (oid: string) => Promise<GitObject | null>;
  /**
   * Bound on the bytes of every object inflated or rebuilt from a delta (default 1 GiB): a
   * hostile pack of a few KB can state gigabytes, which must fail the job, not the tab.
   */
  maxBytes?: number;
  /** Objects indexed so far and the pack's total. */
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface IndexedPack {
  /** The pack's trailing checksum in hex: git names the files `pack-<checksum>.pack/.idx`. */
  checksum: string;
  idx: Uint8Array;
  /** Every object in the pack by id, inflated and with deltas applied. */
  objects: Map<string, GitObject>;
}

export const DEFAULT_MAX_PACK_OBJECT_BYTES = 1024 * 1024 * 1024;

const TYPES: (ObjectType | undefined)[] = [undefined, 'commit', 'tree', 'blob', 'tag'];
const OFS_DELTA = 6;
const REF_DELTA = 7;

interface Entry {
  offset: number;
  /** Set once resolved. */
  object?: GitObject;
  oid?: string;
  /** For a delta: its inflated delta data and its base (pack offset or object id). */
  delta?: Uint8Array;
  baseOffset?: number;
  baseOid?: string;
}

function corrupt(reason: string): SourcesPackError {
  return new SourcesPackError({ reason });
}

/** Index `pack` (the whole pack, trailer included). See the module comment. */
export async function indexPack(pack: Uint8Array, options: IndexPackOptions): Promise<IndexedPack> {
  const { sha1, signal } = options;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_PACK_OBJECT_BYTES;
  let used = 0;
  /**
   * Count `size` more bytes against `maxBytes` before they are allocated. Every size comes from
   * pack-size.ts's readers (object headers here, delta headers in `applyDelta`), so it is a
   * safe integer: no NaN can switch the budget off.
   */
  const reserve = (size: number): void => {
    used += size;
    if (used > maxBytes) {
      throw new SourcesLimitError({
        reason:
          `the fetched objects would unpack to more than ${formatLimit(maxBytes)}, ` +
          'the limit of one fetch (GIT_DEPTH fetches less history)',
      });
    }
  };
  const resolve = (base: GitObject, delta: Uint8Array): GitObject => ({
    type: base.type,
    data: applyDelta(base.data, delta, reserve),
  });
  if (
    pack.length < 32 ||
    pack[0] !== 0x50 ||
    pack[1] !== 0x41 ||
    pack[2] !== 0x43 ||
    pack[3] !== 0x4b
  ) {
    throw corrupt('it does not start with a pack header');
  }
  const view = new DataView(pack.buffer, pack.byteOffset, pack.byteLength);
  const version = view.getUint32(4);
  if (version !== 2 && version !== 3) throw corrupt(`pack version ${version} is not 2 or 3`);
  const count = view.getUint32(8);
  const dataEnd = pack.length - 20;

  const inflate = options.inflater ?? createObjectInflater();
  const entries: Entry[] = new Array<Entry>(count);
  const byOffset = new Map<number, Entry>();
  let pos = 12;
  for (let k = 0; k < count; k++) {
    if (k % 1000 === 0) {
      signal?.throwIfAborted();
      options.onProgress?.(k, count);
    }
    const offset = pos;
    if (pos >= dataEnd) throw corrupt(`it ends after ${k} of the ${count} objects it announces`);
    const header = readObjectHeader(pack, pos, dataEnd);
    if (header === 'cut off') throw corrupt(`the object header at offset ${offset} is cut off`);
    if (header === 'too large') {
      throw corrupt(`the object at offset ${offset} states an impossible size`);
    }
    const { type, size } = header;
    pos = header.pos;
    const entry: Entry = { offset };
    if (type === OFS_DELTA) {
      const back = readOffsetVarint(pack, pos, dataEnd);
      if (back === 'cut off') throw corrupt(`the delta at offset ${offset} is cut off`);
      if (back === 'too large') {
        throw corrupt(`the delta at offset ${offset} names an impossible base`);
      }
      pos = back.pos;
      entry.baseOffset = offset - back.value;
      if (!byOffset.has(entry.baseOffset)) {
        throw corrupt(`the delta at offset ${offset} names a base that is no object of the pack`);
      }
    } else if (type === REF_DELTA) {
      if (pos + 20 > dataEnd) throw corrupt(`the delta at offset ${offset} is cut off`);
      entry.baseOid = oidAt(pack, pos);
      pos += 20;
    } else if (!TYPES[type]) {
      throw corrupt(`the object at offset ${offset} has the unknown type ${type}`);
    }
    if (pos > dataEnd) throw corrupt(`the object at offset ${offset} is cut off`);
    reserve(size);
    const { data, end } = inflate(pack.subarray(0, dataEnd), pos, size);
    pos = end;
    const name = TYPES[type];
    if (name) entry.object = { type: name, data };
    else {
      entry.delta = data;
      const base = entry.baseOffset === undefined ? undefined : byOffset.get(entry.baseOffset);
      // ofs-delta bases come earlier in the pack, so they are usually resolved already.
      if (base?.object) {
        entry.object = resolve(base.object, data);
        entry.delta = undefined;
      }
    }
    entries[k] = entry;
    byOffset.set(offset, entry);
  }
  if (pos !== dataEnd) throw corrupt(`${dataEnd - pos} bytes follow its last object`);
  options.onProgress?.(count, count);

  // Every delta not yet resolved waits on its base: a pack offset, or an id known once some
  // object hashes to it. Resolving an object resolves what waits on it, so each delta is
  // touched once whatever order the pack lists them in.
  const waitingOnOffset = new Map<number, Entry[]>();
  const waitingOnOid = new Map<string, Entry[]>();
  const wait = <K>(map: Map<K, Entry[]>, key: K, e: Entry): void => {
    const list = map.get(key);
    if (list) list.push(e);
    else map.set(key, [e]);
  };
  const work: Entry[] = [];
  for (const e of entries) {
    if (e.object) work.push(e);
    else if (e.baseOffset !== undefined) wait(waitingOnOffset, e.baseOffset, e);
    else wait(waitingOnOid, e.baseOid as string, e);
  }
  const settle = (dependents: Entry[] | undefined, base: GitObject): void => {
    for (const d of dependents ?? []) {
      d.object = resolve(base, d.delta as Uint8Array);
      d.delta = undefined;
      work.push(d);
    }
  };
  const drain = (): void => {
    for (let done = 0, e = work.pop(); e; e = work.pop()) {
      if (++done % 1000 === 0) signal?.throwIfAborted();
      const object = e.object as GitObject;
      const { type, data } = object;
      e.oid = oidAt(sha1().update(objectHeader(type, data.length)).update(data).digest(), 0);
      settle(waitingOnOffset.get(e.offset), object);
      waitingOnOffset.delete(e.offset);
      settle(waitingOnOid.get(e.oid), object);
      waitingOnOid.delete(e.oid);
    }
  };
  drain();
  // What still waits names bases outside the pack (a thin pack), or deltas on them: each base
  // is asked of the store once, and one the store lacks may still come from the pack after
  // another base is found.
  for (const oid of [...waitingOnOid.keys()]) {
    if (!waitingOnOid.has(oid)) continue;
    signal?.throwIfAborted();
    const base = await options.externalBase?.(oid);
    if (!base) continue;
    settle(waitingOnOid.get(oid), base);
    waitingOnOid.delete(oid);
    drain();
  }
  const missing = waitingOnOid.entries().next();
  if (!missing.done) {
    const [oid, [stuck]] = missing.value;
    throw corrupt(
      `the delta at offset ${stuck?.offset} needs ${oid}, which is missing ` +
        '(neither in the pack nor in the store)',
    );
  }

  const digest = sha1().update(pack.subarray(0, dataEnd)).digest();
  if (digest.some((byte, i) => byte !== pack[dataEnd + i])) {
    throw corrupt('its SHA-1 checksum does not match its content');
  }

  // An object the pack holds twice is listed twice, as git lists it: git refuses an index
  // that counts fewer objects than the pack's header.
  const indexEntries: PackIndexEntry[] = [];
  const objects = new Map<string, GitObject>();
  entries.forEach((e, i) => {
    const oid = e.oid as string;
    if (!objects.has(oid)) objects.set(oid, e.object as GitObject);
    const next = entries[i + 1]?.offset ?? dataEnd;
    indexEntries.push({ oid, offset: e.offset, crc: crc32(pack.subarray(e.offset, next)) });
  });
  const trailer = pack.subarray(dataEnd);
  return {
    checksum: oidAt(trailer, 0),
    idx: encodePackIndex(indexEntries, trailer, sha1),
    objects,
  };
}
