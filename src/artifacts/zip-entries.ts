/**
 * Reads a zip's central directory (the authoritative list of entries: names, sizes, methods,
 * Unix modes) without inflating anything, so an archive can be judged before a byte is written.
 * fflate's unzip does not expose modes, which symlink detection needs. Local headers are not
 * read here (that would read the whole archive once more before extraction reads it again):
 * where each entry's bytes may lie is judged from the directory, and `entryData` checks the
 * local header in the bytes the extractor reads for the entry anyway.
 */
import type { ArchiveSource } from './archive-source.ts';
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
  /** Offset of the entry's local header, which its data follows. */
  localOffset: number;
  /**
   * Where the entry's bytes must have ended: the next entry's local header, or the central
   * directory. `[localOffset, end)` holds the entry (see `entryData`).
   */
  end: number;
  /** The entry whose local header lies at `end`, or null for the central directory. */
  next: string | null;
  /** Unix file type bits (`0o120000` link, `0o040000` dir) when made on Unix, else 0. */
  unixType: number;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const LOCAL_HEADER = 30;
/** A local header's name and extra field are at most this long together. */
const LOCAL_LENGTHS = 2 * 0xffff;
const decoder = new TextDecoder();

/** The end record plus the longest comment it may carry. */
const TAIL = 22 + 65_535;

/**
 * The entries of a zip archive, read from its end record and its central directory, without
 * reading any entry. Throws `CorruptArchiveError` for a missing or inconsistent directory,
 * offsets outside the data, entries whose bytes must overlap (each needs at least a local
 * header and its compressed size before the next one), and ZIP64
 * archives (over 65,535 entries or 4 GiB, which the browser runner does not read).
 */
export async function readZipEntries(source: ArchiveSource): Promise<ZipEntry[]> {
  const tailStart = Math.max(0, source.size - TAIL);
  const tail = await source.read(tailStart, source.size - tailStart);
  const tailView = view(tail);
  let eocd = -1;
  for (let at = tail.byteLength - 22; at >= 0; at--) {
    if (tailView.getUint32(at, true) === EOCD) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) throw new CorruptArchiveError('no zip end-of-central-directory record');
  const count = tailView.getUint16(eocd + 10, true);
  const directorySize = tailView.getUint32(eocd + 12, true);
  const directoryOffset = tailView.getUint32(eocd + 16, true);
  if (count === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
    throw new CorruptArchiveError('ZIP64 archives are not supported');
  }
  if (directoryOffset + directorySize > source.size) {
    throw new CorruptArchiveError('the central directory lies outside the archive');
  }

  const directory = await source.read(directoryOffset, directorySize);
  const dir = view(directory);
  const u16 = (at: number): number => dir.getUint16(at, true);
  const u32 = (at: number): number => dir.getUint32(at, true);
  const within = (at: number, length: number): boolean => at + length <= directory.byteLength;
  const entries: ZipEntry[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (!within(at, 46) || u32(at) !== CENTRAL) {
      throw new CorruptArchiveError(`central directory entry ${i} is damaged`);
    }
    const madeBy = u16(at + 4) >> 8;
    const nameLength = u16(at + 28);
    const extraLength = u16(at + 30);
    const commentLength = u16(at + 32);
    const external = u32(at + 38);
    if (!within(at + 46, nameLength)) throw new CorruptArchiveError(`entry ${i} name is cut off`);
    const name = decoder.decode(directory.subarray(at + 46, at + 46 + nameLength));
    const localOffset = u32(at + 42);
    const compressedSize = u32(at + 20);
    if (localOffset + LOCAL_HEADER > directoryOffset) {
      throw new CorruptArchiveError(`entry ${JSON.stringify(name)} has no local header`);
    }
    if (localOffset + LOCAL_HEADER + compressedSize > source.size) {
      throw new CorruptArchiveError(`entry ${JSON.stringify(name)} data lies outside the archive`);
    }
    entries.push({
      name,
      method: u16(at + 10),
      flags: u16(at + 8),
      crc: u32(at + 16),
      compressedSize,
      size: u32(at + 24),
      localOffset,
      end: directoryOffset,
      next: null,
      unixType: madeBy === 3 ? (external >>> 16) & 0o170000 : 0,
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  bound(entries);
  return entries;
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Each entry must own its bytes. Entries that share them inflate one small stream many times
 * over (2,047 entries on one 1 KiB stream make 2 GiB from 112 KB), which no bound per entry
 * can see; no zip writer produces them. Each entry gets the next local header (the last one,
 * the central directory) as its `end`, and must fit a local header and its compressed size
 * before the next one, so no two can share a stream; `entryData` checks the exact fit, and the
 * last entry's, once the local header is read.
 */
function bound(entries: ZipEntry[]): void {
  const sorted = [...entries].sort((a, b) => a.localOffset - b.localOffset);
  for (const [i, entry] of sorted.entries()) {
    const next = sorted[i + 1];
    if (!next) continue;
    entry.end = next.localOffset;
    entry.next = next.name;
    if (entry.localOffset + LOCAL_HEADER + entry.compressedSize > entry.end) {
      throw overlapError(entry);
    }
  }
}

function overlapError(entry: ZipEntry): CorruptArchiveError {
  return entry.next === null
    ? new CorruptArchiveError(`entry ${JSON.stringify(entry.name)} runs into the central directory`)
    : new CorruptArchiveError(
        `entries ${JSON.stringify(entry.name)} and ${JSON.stringify(entry.next)} overlap (they share bytes, as zip bombs do)`,
      );
}

/** The bytes to read for `entry`: its local header, name, extra field and data at most. */
export function readSpan(entry: ZipEntry): { start: number; end: number } {
  const most = entry.localOffset + LOCAL_HEADER + LOCAL_LENGTHS + entry.compressedSize;
  return { start: entry.localOffset, end: Math.min(entry.end, most) };
}

/**
 * `entry`'s compressed data within `bytes` (archive bytes from `offset`, covering
 * `readSpan(entry)`), once its local header is found where the directory says and its data
 * fits before `entry.end`. Throws `CorruptArchiveError` otherwise.
 */
export function entryData(bytes: Uint8Array, offset: number, entry: ZipEntry): Uint8Array {
  const at = entry.localOffset - offset;
  const header = view(bytes.subarray(at, at + LOCAL_HEADER));
  if (header.byteLength < LOCAL_HEADER || header.getUint32(0, true) !== LOCAL) {
    throw new CorruptArchiveError(`entry ${JSON.stringify(entry.name)} has no local header`);
  }
  const dataOffset =
    entry.localOffset + LOCAL_HEADER + header.getUint16(26, true) + header.getUint16(28, true);
  if (dataOffset + entry.compressedSize > entry.end) {
    throw overlapError(entry);
  }
  const start = dataOffset - offset;
  return bytes.subarray(start, start + entry.compressedSize);
}
