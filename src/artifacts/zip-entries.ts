/**
 * Reads a zip's central directory (the authoritative list of entries: names, sizes, methods,
 * Unix modes) without inflating anything, so an archive can be judged before a byte is written.
 * fflate's unzip does not expose modes, which symlink detection needs.
 */
import { CorruptArchiveError } from './errors.ts';

/** One central-directory entry. Sizes are as declared; extraction checks the real ones. */
export interface ZipEntry {
  /** The raw entry name, decoded as UTF-8. */
  name: string;
  /** 0 stored, 8 deflated; anything else is refused by the extractor. */
  method: number;
  /** General-purpose flags; bit 0 means encrypted. */
  flags: number;
  crc: number;
  compressedSize: number;
  size: number;
  /** Offset of the entry's data (after its local header). */
  dataOffset: number;
  /** Unix file type bits (`0o120000` link, `0o040000` dir) when made on Unix, else 0. */
  unixType: number;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const decoder = new TextDecoder();

/**
 * The entries of a zip archive held in memory. Throws `CorruptArchiveError` for a missing or
 * inconsistent directory, offsets outside the data, entries whose bytes overlap or run into the
 * central directory, and ZIP64 archives (over 65,535 entries or 4 GiB, which the browser runner
 * does not read).
 */
export function readZipEntries(bytes: Uint8Array): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (at: number): number => view.getUint16(at, true);
  const u32 = (at: number): number => view.getUint32(at, true);
  const inside = (at: number, length: number): boolean =>
    at >= 0 && length >= 0 && at + length <= bytes.byteLength;

  let eocd = -1;
  for (let at = bytes.byteLength - 22; at >= Math.max(0, bytes.byteLength - 65_557); at--) {
    if (u32(at) === EOCD) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) throw new CorruptArchiveError('no zip end-of-central-directory record');
  const count = u16(eocd + 10);
  const directorySize = u32(eocd + 12);
  const directoryOffset = u32(eocd + 16);
  if (count === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
    throw new CorruptArchiveError('ZIP64 archives are not supported');
  }
  if (!inside(directoryOffset, directorySize)) {
    throw new CorruptArchiveError('the central directory lies outside the archive');
  }

  const entries: ZipEntry[] = [];
  const spans: Span[] = [];
  let at = directoryOffset;
  for (let i = 0; i < count; i++) {
    if (!inside(at, 46) || u32(at) !== CENTRAL) {
      throw new CorruptArchiveError(`central directory entry ${i} is damaged`);
    }
    const madeBy = u16(at + 4) >> 8;
    const nameLength = u16(at + 28);
    const extraLength = u16(at + 30);
    const commentLength = u16(at + 32);
    const external = u32(at + 38);
    const localOffset = u32(at + 42);
    if (!inside(at + 46, nameLength)) throw new CorruptArchiveError(`entry ${i} name is cut off`);
    const name = decoder.decode(bytes.subarray(at + 46, at + 46 + nameLength));
    if (!inside(localOffset, 30) || u32(localOffset) !== LOCAL) {
      throw new CorruptArchiveError(`entry ${JSON.stringify(name)} has no local header`);
    }
    const dataOffset = localOffset + 30 + u16(localOffset + 26) + u16(localOffset + 28);
    const compressedSize = u32(at + 20);
    if (!inside(dataOffset, compressedSize)) {
      throw new CorruptArchiveError(`entry ${JSON.stringify(name)} data lies outside the archive`);
    }
    entries.push({
      name,
      method: u16(at + 10),
      flags: u16(at + 8),
      crc: u32(at + 16),
      compressedSize,
      size: u32(at + 24),
      dataOffset,
      unixType: madeBy === 3 ? (external >>> 16) & 0o170000 : 0,
    });
    spans.push({ name, start: localOffset, end: dataOffset + compressedSize });
    at += 46 + nameLength + extraLength + commentLength;
  }
  checkDisjoint(spans, directoryOffset);
  return entries;
}

/** Where one entry's local header and data lie: `[start, end)`. */
interface Span {
  name: string;
  start: number;
  end: number;
}

/**
 * Each entry must own its bytes. Entries that share them inflate one small stream many times
 * over (2,047 entries on one 1 KiB stream make 2 GiB from 112 KB), which no bound per entry
 * can see; no zip writer produces them.
 */
function checkDisjoint(spans: Span[], directoryOffset: number): void {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  let previous: Span | undefined;
  for (const span of sorted) {
    if (previous && span.start < previous.end) {
      throw new CorruptArchiveError(
        `entries ${JSON.stringify(previous.name)} and ${JSON.stringify(span.name)} overlap (they share bytes, as zip bombs do)`,
      );
    }
    previous = span;
  }
  if (previous && previous.end > directoryOffset) {
    throw new CorruptArchiveError(
      `entry ${JSON.stringify(previous.name)} runs into the central directory`,
    );
  }
}
