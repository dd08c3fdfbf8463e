/**
 * Test support: writes gzip members (RFC 1952) whose header and trailer may lie, to build the
 * damaged and hostile gzip artifacts the extractor must refuse. Honest fields are computed with
 * Node's zlib, independently of the code under test.
 */
import { crc32, deflateRawSync } from 'node:zlib';

export interface GzipSpec {
  /** `FNAME`; null writes none. */
  name: string | null;
  content: Uint8Array;
  /** The deflate data exactly as stored (already compressed). */
  payload?: Uint8Array;
  /** Extra `FLG` bits ORed in (reserved bits, `FTEXT`…). */
  extraFlags?: number;
  /** `FEXTRA` field bytes (its length is written before them). */
  extra?: Uint8Array;
  /** `FCOMMENT`. */
  comment?: string;
  /** Write `FHCRC`: the header's CRC-32 low 16 bits, or this value instead. */
  headerCrc?: true | number;
  /** Compression method byte. @default 8 */
  method?: number;
  crc?: number;
  isize?: number;
}

const FHCRC = 2;
const FEXTRA = 4;
const FNAME = 8;
const FCOMMENT = 16;
const latin1 = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);

export function writeGzipMember(spec: GzipSpec): Uint8Array {
  let flags = spec.extraFlags ?? 0;
  if (spec.headerCrc !== undefined) flags |= FHCRC;
  if (spec.extra) flags |= FEXTRA;
  if (spec.name !== null) flags |= FNAME;
  if (spec.comment !== undefined) flags |= FCOMMENT;
  const header: number[] = [0x1f, 0x8b, spec.method ?? 8, flags, 0, 0, 0, 0, 0, 3];
  if (spec.extra) {
    header.push(spec.extra.byteLength & 0xff, spec.extra.byteLength >> 8, ...spec.extra);
  }
  if (spec.name !== null) header.push(...latin1(spec.name), 0);
  if (spec.comment !== undefined) header.push(...latin1(spec.comment), 0);
  if (spec.headerCrc !== undefined) {
    const value =
      spec.headerCrc === true ? crc32(Uint8Array.from(header)) & 0xffff : spec.headerCrc;
    header.push(value & 0xff, value >> 8);
  }
  const payload = spec.payload ?? new Uint8Array(deflateRawSync(spec.content));
  const trailer = new Uint8Array(8);
  const view = new DataView(trailer.buffer);
  view.setUint32(0, (spec.crc ?? crc32(spec.content)) >>> 0, true);
  view.setUint32(4, (spec.isize ?? spec.content.byteLength) >>> 0, true);
  const out = new Uint8Array(header.length + payload.byteLength + 8);
  out.set(header, 0);
  out.set(payload, header.length);
  out.set(trailer, header.length + payload.byteLength);
  return out;
}
