/**
 * Test support: hand-built git packs and objects (pack-format.txt), for the suites that feed
 * `indexPack` and `readFileTree` what no git server writes: wrong counts, sizes and bases, bad
 * zlib, hostile trees. Ids are computed with node:crypto, independently of `src/sources`. Node
 * only.
 */
import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import type { ObjectType } from '../git/pack/git-object.ts';

/** Pack object type numbers (pack-format.txt "Object types"). */
export const PACK_TYPE = {
  commit: 1,
  tree: 2,
  blob: 3,
  tag: 4,
  ofsDelta: 6,
  refDelta: 7,
} as const;

const encoder = new TextEncoder();

export const bytesOf = (text: string): Uint8Array => encoder.encode(text);

/** Join byte arrays. */
export function concatBytes(parts: readonly (Uint8Array | readonly number[])[]): Uint8Array {
  const arrays = parts.map((p) => (p instanceof Uint8Array ? p : Uint8Array.from(p)));
  const out = new Uint8Array(arrays.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of arrays) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The git id of an object: SHA-1 of `<type> <size>\0<data>`. */
export function objectId(type: ObjectType, data: Uint8Array): string {
  return createHash('sha1').update(`${type} ${data.length}\0`).update(data).digest('hex');
}

function sha1(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha1').update(data).digest());
}

export function hexBytes(oid: string): Uint8Array {
  return Uint8Array.from(Buffer.from(oid, 'hex'));
}

/** A delta's size varint (little-endian base-128), as in its base and result size. */
export function sizeVarint(value: number): number[] {
  const out: number[] = [];
  do {
    const low = value % 128;
    value = Math.floor(value / 128);
    out.push(value ? low | 0x80 : low);
  } while (value);
  return out;
}

/** An object header: type in bits 4-6 of the first byte, size 4 bits then 7 per byte. */
export function objectHeaderBytes(type: number, size: number): number[] {
  const out: number[] = [];
  let byte = (type << 4) | (size % 16);
  size = Math.floor(size / 16);
  while (size) {
    out.push(byte | 0x80);
    byte = size % 128;
    size = Math.floor(size / 128);
  }
  out.push(byte);
  return out;
}

/** An ofs-delta's distance back, in its "+1 per continuation" big-endian encoding. */
function offsetBytes(back: number): number[] {
  const out = [back & 0x7f];
  back = Math.floor(back / 128);
  while (back) {
    back -= 1;
    out.unshift(0x80 | (back & 0x7f));
    back = Math.floor(back / 128);
  }
  return out;
}

/** One entry of a pack. Overrides let a test state what a real packer never would. */
export interface PackEntry {
  type: number;
  /** The content (for a delta: the delta data), deflated unless `zlib` is given. */
  data: Uint8Array;
  /** REF_DELTA: the base's id. */
  base?: string;
  /** OFS_DELTA: index of an earlier entry to name as base. */
  baseIndex?: number;
  /** OFS_DELTA: the raw distance back (wins over `baseIndex`). */
  back?: number;
  /** The size the header states (default: `data.length`). */
  size?: number;
  /** Raw bytes in place of the header (type, size and base). */
  header?: Uint8Array;
  /** Raw bytes in place of the deflated data. */
  zlib?: Uint8Array;
}

export interface PackOptions {
  version?: number;
  /** The object count the header states (default: the entries given). */
  count?: number;
  /** Leave the trailing SHA-1 off. */
  noTrailer?: boolean;
}

/** Pack entries back to back, without the 12-byte header or the trailer. */
function entryBytes(entries: readonly PackEntry[]): { body: Uint8Array[]; offsets: number[] } {
  const body: Uint8Array[] = [];
  const offsets: number[] = [];
  let at = 12;
  for (const entry of entries) {
    offsets.push(at);
    let header: Uint8Array;
    if (entry.header) header = entry.header;
    else {
      const parts: (Uint8Array | number[])[] = [
        objectHeaderBytes(entry.type, entry.size ?? entry.data.length),
      ];
      if (entry.type === PACK_TYPE.ofsDelta) {
        const back = entry.back ?? at - (offsets[entry.baseIndex ?? Number.NaN] ?? Number.NaN);
        if (!Number.isSafeInteger(back)) throw new RangeError('an ofs-delta needs its base');
        parts.push(offsetBytes(back));
      }
      if (entry.type === PACK_TYPE.refDelta) parts.push(hexBytes(entry.base ?? '0'.repeat(40)));
      header = concatBytes(parts);
    }
    const data = entry.zlib ?? new Uint8Array(deflateSync(entry.data));
    body.push(header, data);
    at += header.length + data.length;
  }
  return { body, offsets };
}

/** A pack of `entries` in order, its SHA-1 trailer computed (unless `noTrailer`). */
export function buildPack(entries: readonly PackEntry[], options: PackOptions = {}): Uint8Array {
  const head = new Uint8Array(12);
  head.set(bytesOf('PACK'));
  const view = new DataView(head.buffer);
  view.setUint32(4, options.version ?? 2);
  view.setUint32(8, options.count ?? entries.length);
  const body = concatBytes([head, ...entryBytes(entries).body]);
  return options.noTrailer ? body : seal(body);
}

/** Where each entry of `buildPack(entries)` starts. */
export function entryOffsets(entries: readonly PackEntry[]): number[] {
  return entryBytes(entries).offsets;
}

/** `body` with its SHA-1 appended: a pack whose checksum matches whatever its bytes are. */
export function seal(body: Uint8Array): Uint8Array {
  return concatBytes([body, sha1(body)]);
}

/** A delta (pack-format.txt "Deltified representation"): sizes, then copy/insert ops. */
export function delta(baseSize: number, resultSize: number, ops: readonly number[]): Uint8Array {
  return Uint8Array.from([...sizeVarint(baseSize), ...sizeVarint(resultSize), ...ops]);
}

/** A copy op of `size` bytes from `offset` of the base (all offset and size bytes spelled out). */
export function copyOp(offset: number, size: number): number[] {
  return [
    0xff,
    offset & 0xff,
    (offset >>> 8) & 0xff,
    (offset >>> 16) & 0xff,
    Math.floor(offset / 0x1000000) & 0xff,
    size & 0xff,
    (size >>> 8) & 0xff,
    (size >>> 16) & 0xff,
  ];
}

/** An insert op of `bytes` (1 to 127 of them). */
export function insertOp(bytes: Uint8Array): number[] {
  return [bytes.length, ...bytes];
}

/** One raw tree entry: the name may hold any bytes, the mode any text. */
export interface RawTreeEntry {
  mode: string;
  name: string | Uint8Array;
  oid: string;
}

/** A tree object's content: `<mode> <name>\0<20-byte id>` per entry, in the order given. */
export function treeData(entries: readonly RawTreeEntry[]): Uint8Array {
  return concatBytes(
    entries.flatMap((e) => [
      bytesOf(`${e.mode} `),
      typeof e.name === 'string' ? bytesOf(e.name) : e.name,
      [0],
      hexBytes(e.oid),
    ]),
  );
}

/** A commit's content naming `tree`. */
export function commitData(tree: string, message = 'hostile'): Uint8Array {
  return bytesOf(
    `tree ${tree}\nauthor A <a@example.com> 0 +0000\ncommitter A <a@example.com> 0 +0000\n\n${message}\n`,
  );
}
