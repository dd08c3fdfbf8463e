/**
 * Test support: writes zip archives whose every field may lie (sizes, CRCs, offsets, methods,
 * modes, entries sharing one local header), to build the hostile archives the extractor must
 * refuse. Honest fields are computed with Node's zlib, independently of the code under test.
 */
import { crc32, deflateRawSync } from 'node:zlib';

export interface ZipSpec {
  name: string | Uint8Array;
  /** The file's bytes; deflated unless `method` is 0 or `payload` is given. */
  content?: Uint8Array;
  /** The entry's data exactly as stored after its local header (already compressed). */
  payload?: Uint8Array;
  /** @default 8 */
  method?: number;
  flags?: number;
  crc?: number;
  size?: number;
  compressedSize?: number;
  /** Unix mode (`0o100644`, `0o120777` for a symlink); written as made on Unix. */
  mode?: number;
  /** Write no local header: point the central entry at the one of entry `sharesLocalOf`. */
  sharesLocalOf?: number;
  /** The local header offset the central directory states, whatever was written. */
  localOffset?: number;
}

export interface ZipLayout {
  /** Entry count the end record states. @default the number of central entries */
  count?: number;
  /** Central directory offset the end record states. @default where it was written */
  directoryOffset?: number;
}

const enc = new TextEncoder();

/** The archive: local headers and data in order, then the central directory and its end. */
export function writeZip(specs: readonly ZipSpec[], layout: ZipLayout = {}): Uint8Array {
  const parts: Uint8Array[] = [];
  let offset = 0;
  const locals: number[] = [];
  const resolved = specs.map((spec) => {
    const name = typeof spec.name === 'string' ? enc.encode(spec.name) : spec.name;
    const content = spec.content ?? new Uint8Array();
    const method = spec.method ?? 8;
    const payload =
      spec.payload ?? (method === 0 ? content : new Uint8Array(deflateRawSync(content)));
    return {
      spec,
      name,
      method,
      payload,
      crc: spec.crc ?? crc32(content),
      size: spec.size ?? content.byteLength,
      compressedSize: spec.compressedSize ?? payload.byteLength,
      flags: spec.flags ?? 0x0800,
    };
  });

  for (const entry of resolved) {
    if (entry.spec.sharesLocalOf !== undefined) {
      locals.push(locals[entry.spec.sharesLocalOf] ?? 0);
      continue;
    }
    const header = new Uint8Array(30 + entry.name.byteLength);
    const view = new DataView(header.buffer);
    view.setUint32(0, 0x04034b50, true);
    view.setUint16(4, 20, true);
    view.setUint16(6, entry.flags, true);
    view.setUint16(8, entry.method, true);
    view.setUint32(14, entry.crc >>> 0, true);
    view.setUint32(18, entry.compressedSize >>> 0, true);
    view.setUint32(22, entry.size >>> 0, true);
    view.setUint16(26, entry.name.byteLength, true);
    header.set(entry.name, 30);
    locals.push(offset);
    parts.push(header, entry.payload);
    offset += header.byteLength + entry.payload.byteLength;
  }

  const directoryOffset = offset;
  resolved.forEach((entry, i) => {
    const record = new Uint8Array(46 + entry.name.byteLength);
    const view = new DataView(record.buffer);
    view.setUint32(0, 0x02014b50, true);
    view.setUint16(4, ((entry.spec.mode === undefined ? 0 : 3) << 8) | 20, true);
    view.setUint16(6, 20, true);
    view.setUint16(8, entry.flags, true);
    view.setUint16(10, entry.method, true);
    view.setUint32(16, entry.crc >>> 0, true);
    view.setUint32(20, entry.compressedSize >>> 0, true);
    view.setUint32(24, entry.size >>> 0, true);
    view.setUint16(28, entry.name.byteLength, true);
    view.setUint32(38, ((entry.spec.mode ?? 0) << 16) >>> 0, true);
    view.setUint32(42, (entry.spec.localOffset ?? locals[i] ?? 0) >>> 0, true);
    record.set(entry.name, 46);
    parts.push(record);
    offset += record.byteLength;
  });

  const end = new Uint8Array(22);
  const view = new DataView(end.buffer);
  const count = layout.count ?? resolved.length;
  view.setUint32(0, 0x06054b50, true);
  view.setUint16(8, count, true);
  view.setUint16(10, count, true);
  view.setUint32(12, offset - directoryOffset, true);
  view.setUint32(16, (layout.directoryOffset ?? directoryOffset) >>> 0, true);
  parts.push(end);

  const out = new Uint8Array(offset + end.byteLength);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}
