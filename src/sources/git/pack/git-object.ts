/**
 * A git object as the sources code passes it around: its type and its inflated content (no
 * `<type> <size>\0` header), plus the id helpers every reader and writer of packs shares.
 */

export type ObjectType = 'commit' | 'tree' | 'blob' | 'tag';

export interface GitObject {
  type: ObjectType;
  data: Uint8Array;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** The 40-hex id held in `bytes[start, start + 20)`. */
export function oidAt(bytes: Uint8Array, start: number): string {
  let out = '';
  for (let i = start; i < start + 20; i++) out += HEX[bytes[i] ?? 0];
  return out;
}

/** The 20 raw bytes of a 40-hex id. */
export function oidBytes(oid: string): Uint8Array {
  const out = new Uint8Array(20);
  for (let i = 0; i < 20; i++) out[i] = Number.parseInt(oid.slice(i * 2, i * 2 + 2), 16);
  return out;
}

const encoder = new TextEncoder();

/** The header git hashes in front of an object's content: `<type> <size>\0`. */
export function objectHeader(type: ObjectType, size: number): Uint8Array {
  return encoder.encode(`${type} ${size}\0`);
}
