/**
 * Reads a zip's central directory (the authoritative list of entries: names, sizes, methods,
 * Unix modes) without inflating anything, so an archive can be judged before a byte is written.
 * fflate's unzip does not expose modes, which symlink detection needs.
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
  /** Offset of the entry's data (after its local header). */
  dataOffset: number;
  /** Unix file type bits (`0o120000` link, `0o040000` dir) when made on Unix, else 0. */
  unixType: number;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const decoder = new TextDecoder();

/** Local headers are read through windows of this size, so a directory costs few reads. */
const WINDOW = 1024 * 1024;
/** The end record plus the longest comment it may carry. */
const TAIL = 22 + 65_535;

/**
 * The entries of a zip archive, read from its end record, its central directory and each
 * entry's local header (which says where the data starts), without reading any entry's data.
 * Throws `CorruptArchiveError` for a missing or inconsistent directory, offsets outside the
 * data, entries whose bytes overlap or run into the central directory, and ZIP64 archives
 * (over 65,535 entries or 4 GiB, which the browser runner does not read).
 */
export async function readZipEntries(source: ArchiveSource): Promise<ZipEntry[]> {
  const inside = (at: number, length: number): boolean =>
    at >= 0 && length >= 0 && at + length <= source.size;

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
  if (!inside(directoryOffset, directorySize)) {
    throw new CorruptArchiveError('the central directory lies outside the archive');
  }

  const directory = await source.read(directoryOffset, directorySize);
  const dir = view(directory);
  const u16 = (at: number): number => dir.getUint16(at, true);
  const u32 = (at: number): number => dir.getUint32(at, true);
  const within = (at: number, length: number): boolean => at + length <= directory.byteLength;
  const listed: (Omit<ZipEntry, 'dataOffset'> & { localOffset: number })[] = [];
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
    listed.push({
      name: decoder.decode(directory.subarray(at + 46, at + 46 + nameLength)),
      method: u16(at + 10),
      flags: u16(at + 8),
      crc: u32(at + 16),
      compressedSize: u32(at + 20),
      size: u32(at + 24),
      unixType: madeBy === 3 ? (external >>> 16) & 0o170000 : 0,
      localOffset: u32(at + 42),
    });
    at += 46 + nameLength + extraLength + commentLength;
  }

  // Local headers in archive order, through windows: one read covers many small entries.
  const dataOffsets = new Map<number, number>();
  let window: Uint8Array = new Uint8Array(0);
  let windowStart = 0;
  for (const localOffset of [...new Set(listed.map((e) => e.localOffset))].sort((a, b) => a - b)) {
    if (!inside(localOffset, 30)) continue;
    if (localOffset < windowStart || localOffset + 30 > windowStart + window.byteLength) {
      windowStart = localOffset;
      window = await source.read(localOffset, Math.min(WINDOW, source.size - localOffset));
    }
    const header = new DataView(window.buffer, window.byteOffset + localOffset - windowStart, 30);
    if (header.getUint32(0, true) !== LOCAL) continue;
    const lengths = header.getUint16(26, true) + header.getUint16(28, true);
    dataOffsets.set(localOffset, localOffset + 30 + lengths);
  }

  const entries: ZipEntry[] = [];
  const spans: Span[] = [];
  for (const { localOffset, ...entry } of listed) {
    const dataOffset = dataOffsets.get(localOffset);
    if (dataOffset === undefined) {
      throw new CorruptArchiveError(`entry ${JSON.stringify(entry.name)} has no local header`);
    }
    if (!inside(dataOffset, entry.compressedSize)) {
      throw new CorruptArchiveError(
        `entry ${JSON.stringify(entry.name)} data lies outside the archive`,
      );
    }
    entries.push({ ...entry, dataOffset });
    spans.push({ name: entry.name, start: localOffset, end: dataOffset + entry.compressedSize });
  }
  checkDisjoint(spans, directoryOffset);
  return entries;
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
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
