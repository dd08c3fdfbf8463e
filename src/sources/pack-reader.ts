/**
 * A fast read-only view of a store's packfiles for building the file tree. isomorphic-git's
 * `readBlob` re-lists `objects/pack` and inflates through a `DecompressionStream` per object,
 * which costs about a millisecond each (5,000 files ≈ 5 s in Node 20); here each pack and index
 * is read once and objects are inflated synchronously with fflate. Deltas (ofs and ref) are
 * resolved against the same packs. Objects not found (loose objects) return `null`, and the
 * caller falls back to isomorphic-git.
 */
import { inflateSync } from 'fflate';
import type { StoreFs } from './source-store.ts';

type ObjectType = 'commit' | 'tree' | 'blob' | 'tag';
const TYPES: Record<number, ObjectType> = { 1: 'commit', 2: 'tree', 3: 'blob', 4: 'tag' };

interface Pack {
  data: Uint8Array;
  offsets: Map<string, number>;
}

export interface PackObject {
  type: ObjectType;
  data: Uint8Array;
}

export interface PackReader {
  read(oid: string): PackObject | null;
}

function hex(bytes: Uint8Array, start: number): string {
  let out = '';
  for (let i = start; i < start + 20; i++) out += (bytes[i] ?? 0).toString(16).padStart(2, '0');
  return out;
}

function u32(b: Uint8Array, o: number): number {
  return (
    (b[o] ?? 0) * 0x1000000 + (((b[o + 1] ?? 0) << 16) | ((b[o + 2] ?? 0) << 8) | (b[o + 3] ?? 0))
  );
}

function parseIndex(idx: Uint8Array): Map<string, number> {
  // v2: ff 74 4f 63, version 2, fan-out[256], names[n], crc[n], offsets[n], large offsets.
  if (u32(idx, 0) !== 0xff744f63 || u32(idx, 4) !== 2) throw new Error('unsupported pack index');
  const n = u32(idx, 8 + 255 * 4);
  const names = 8 + 256 * 4;
  const offsets = names + n * 24;
  const large = offsets + n * 4;
  const map = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    let offset = u32(idx, offsets + i * 4);
    if (offset & 0x80000000) {
      const j = offset & 0x7fffffff;
      offset = u32(idx, large + j * 8) * 0x100000000 + u32(idx, large + j * 8 + 4);
    }
    map.set(hex(idx, names + i * 20), offset);
  }
  return map;
}

function inflate(data: Uint8Array, at: number, size: number): Uint8Array {
  // Skip the 2-byte zlib header; raw inflate stops at the final block.
  return inflateSync(data.subarray(at + 2), { out: new Uint8Array(size) });
}

function applyDelta(base: Uint8Array, delta: Uint8Array): Uint8Array {
  let pos = 0;
  const varint = () => {
    let value = 0;
    let shift = 0;
    let byte: number;
    do {
      byte = delta[pos++] ?? 0;
      value += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return value;
  };
  varint(); // base size
  const out = new Uint8Array(varint());
  let o = 0;
  while (pos < delta.length) {
    const op = delta[pos++] ?? 0;
    if (op & 0x80) {
      let offset = 0;
      let size = 0;
      for (let i = 0; i < 4; i++) if (op & (1 << i)) offset += (delta[pos++] ?? 0) * 2 ** (8 * i);
      for (let i = 0; i < 3; i++) if (op & (0x10 << i)) size += (delta[pos++] ?? 0) * 2 ** (8 * i);
      if (size === 0) size = 0x10000;
      out.set(base.subarray(offset, offset + size), o);
      o += size;
    } else if (op) {
      out.set(delta.subarray(pos, pos + op), o);
      pos += op;
      o += op;
    } else throw new Error('invalid delta opcode');
  }
  return out;
}

/** Load every pack of `gitdir` once. */
export async function openPackReader(fs: StoreFs, gitdir: string): Promise<PackReader> {
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
    const data = (await fs.promises.readFile(
      `${dir}/${name.replace(/\.idx$/, '.pack')}`,
    )) as Uint8Array;
    packs.push({
      data,
      offsets: parseIndex(new Uint8Array(idx.buffer, idx.byteOffset, idx.byteLength)),
    });
  }
  // Delta bases are often shared (e.g. by files of one directory): keep recent ones.
  const baseCache = new Map<string, PackObject>();

  function readAt(pack: Pack, offset: number): PackObject {
    const key = `${packs.indexOf(pack)}:${offset}`;
    const cached = baseCache.get(key);
    if (cached) return cached;
    const d = pack.data;
    let pos = offset;
    let byte = d[pos++] ?? 0;
    const type = (byte >> 4) & 7;
    let size = byte & 0x0f;
    let shift = 4;
    while (byte & 0x80) {
      byte = d[pos++] ?? 0;
      size += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    }
    let result: PackObject;
    if (type === 6) {
      byte = d[pos++] ?? 0;
      let back = byte & 0x7f;
      while (byte & 0x80) {
        byte = d[pos++] ?? 0;
        back = (back + 1) * 128 + (byte & 0x7f);
      }
      const base = readAt(pack, offset - back);
      result = { type: base.type, data: applyDelta(base.data, inflate(d, pos, size)) };
    } else if (type === 7) {
      const base = read(hex(d, pos));
      if (!base) throw new Error('missing delta base');
      result = { type: base.type, data: applyDelta(base.data, inflate(d, pos + 20, size)) };
    } else {
      const name = TYPES[type];
      if (!name) throw new Error(`unknown pack object type ${type}`);
      result = { type: name, data: inflate(d, pos, size) };
    }
    if (result.type === 'tree' || result.data.length < 64 * 1024) {
      if (baseCache.size > 2048) baseCache.delete(baseCache.keys().next().value ?? '');
      baseCache.set(key, result);
    }
    return result;
  }

  function read(oid: string): PackObject | null {
    for (const pack of packs) {
      const offset = pack.offsets.get(oid);
      if (offset !== undefined) return readAt(pack, offset);
    }
    return null;
  }

  return { read };
}
