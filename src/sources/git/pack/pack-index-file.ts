/**
 * The version 2 pack index (`.idx`, git's gitformat-pack "Version 2 pack-*.idx files"): what
 * lets isomorphic-git, git and `store/pack-reader.ts` find an object in a pack without reading it all.
 * Layout: magic, version, fan-out[256], sorted ids, CRC-32 per object, 31-bit offsets (the top
 * bit points into a table of 64-bit offsets), the pack's checksum, the index's own SHA-1.
 */
import { oidBytes } from './git-object.ts';
import type { CreateSha1 } from './sha1.ts';

export interface PackIndexEntry {
  oid: string;
  offset: number;
  /** CRC-32 of the object's bytes in the pack, header included. */
  crc: number;
}

const MAGIC = 0xff744f63;

function u32(b: Uint8Array, o: number): number {
  return (
    (b[o] ?? 0) * 0x1000000 + (((b[o + 1] ?? 0) << 16) | ((b[o + 2] ?? 0) << 8) | (b[o + 3] ?? 0))
  );
}

/** Write the index of a pack whose trailing checksum is `packChecksum`. */
export function encodePackIndex(
  entries: readonly PackIndexEntry[],
  packChecksum: Uint8Array,
  sha1: CreateSha1,
): Uint8Array {
  const sorted = [...entries].sort((a, b) => (a.oid < b.oid ? -1 : a.oid > b.oid ? 1 : 0));
  const n = sorted.length;
  const large = sorted.filter((e) => e.offset >= 0x80000000).length;
  const size = 8 + 256 * 4 + n * 28 + large * 8 + 40;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC);
  view.setUint32(4, 2);
  const fanout = new Uint32Array(256);
  for (const e of sorted) {
    const first = Number.parseInt(e.oid.slice(0, 2), 16);
    fanout[first] = (fanout[first] ?? 0) + 1;
  }
  let running = 0;
  for (let i = 0; i < 256; i++) {
    running += fanout[i] ?? 0;
    view.setUint32(8 + i * 4, running);
  }
  const names = 8 + 256 * 4;
  const crcs = names + n * 20;
  const offsets = crcs + n * 4;
  const largeOffsets = offsets + n * 4;
  let nextLarge = 0;
  sorted.forEach((e, i) => {
    out.set(oidBytes(e.oid), names + i * 20);
    view.setUint32(crcs + i * 4, e.crc >>> 0);
    if (e.offset < 0x80000000) {
      view.setUint32(offsets + i * 4, e.offset);
    } else {
      view.setUint32(offsets + i * 4, 0x80000000 | nextLarge);
      view.setUint32(largeOffsets + nextLarge * 8, Math.floor(e.offset / 0x100000000));
      view.setUint32(largeOffsets + nextLarge * 8 + 4, e.offset >>> 0);
      nextLarge += 1;
    }
  });
  out.set(packChecksum, size - 40);
  out.set(
    sha1()
      .update(out.subarray(0, size - 20))
      .digest(),
    size - 20,
  );
  return out;
}

/** Finds objects in a version 2 index by binary search: nothing is parsed up front. */
export interface PackIndex {
  /** The object's offset in the pack, or undefined when the pack does not hold it. */
  offset(oid: string): number | undefined;
}

/** Read an index; throws on anything but a complete version 2 index. */
export function readPackIndex(idx: Uint8Array): PackIndex {
  if (idx.length < 8 + 256 * 4 + 40 || u32(idx, 0) !== MAGIC || u32(idx, 4) !== 2) {
    throw new Error('not a version 2 pack index');
  }
  const n = u32(idx, 8 + 255 * 4);
  const names = 8 + 256 * 4;
  const offsets = names + n * 24;
  const large = offsets + n * 4;
  if (idx.length < large + 40) throw new Error('truncated pack index');
  return {
    offset(oid) {
      if (!/^[0-9a-f]{40}$/.test(oid)) return undefined;
      const key = oidBytes(oid);
      const first = key[0] as number;
      let lo = first ? u32(idx, 8 + (first - 1) * 4) : 0;
      let hi = u32(idx, 8 + first * 4);
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        const at = names + mid * 20;
        let cmp = 0;
        for (let i = 0; i < 20 && cmp === 0; i++)
          cmp = (idx[at + i] as number) - (key[i] as number);
        if (cmp === 0) {
          const offset = u32(idx, offsets + mid * 4);
          if (offset < 0x80000000) return offset;
          const j = offset - 0x80000000;
          return u32(idx, large + j * 8) * 0x100000000 + u32(idx, large + j * 8 + 4);
        }
        if (cmp < 0) lo = mid + 1;
        else hi = mid;
      }
      return undefined;
    },
  };
}
