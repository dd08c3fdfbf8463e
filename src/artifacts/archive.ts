/**
 * Turns collected files into the bytes GitLab expects for an artifact (docs/runner-protocol.md §8.1): a zip for
 * `archive`, gzip for reports such as JUnit, or the file itself for `raw`. Streams file by
 * file, so memory holds one file and its compressed bytes, not the archive.
 */
import { Gzip } from 'fflate';
import type { Workspace } from '../executors/index.ts';
import { concatBytes, crc32 } from '../bytes/index.ts';
import type { DeflateLevel } from './compression-level.ts';
import { ArchiveFormatError } from './errors.ts';
import { fflateRawDeflater, type RawDeflater, type RawDeflateStream } from './raw-deflater.ts';

/** Input slices handed to fflate, so output chunks flow while a large file compresses. */
const SLICE = 1024 * 1024;
/** What fflate's zip writer can express without ZIP64. */
const MAX_ZIP_ENTRIES = 65_535;
const UNIX = 3;
const REGULAR_FILE_0644 = 0o100644 << 16;

export interface CreateArtifactArchiveOptions {
  /** Where the files are; only `readFile` is used. */
  workspace: Pick<Workspace, 'readFile'>;
  /** Absolute project directory; `files[].path` are relative to it. */
  projectDir: string;
  /** Relative `/`-separated paths, e.g. from `collectArtifactFiles`. */
  files: readonly { path: string }[];
  /** `artifact_format`: `zip` (or empty), `gzip` or `raw`. */
  format: string;
  /** Deflate level, from `compressionLevel(ARTIFACT_COMPRESSION_LEVEL)`. @default 5 */
  level?: DeflateLevel;
  /**
   * How zip entries deflate: fflate's by default; Node passes node:zlib's (raw-deflater.ts).
   * Gzip reports always use fflate's (one small file each).
   */
  deflater?: RawDeflater;
  /** Modification time written into entries. @default now */
  mtime?: Date;
  /** Called after each slice or file goes into the archive (unthrottled). */
  onProgress?: (progress: ArchiveProgress) => void;
}

/** How far an archive has got. */
export interface ArchiveProgress {
  /** Files wholly read into the archive. */
  files: number;
  /** File bytes handed to the compressor. */
  bytesIn: number;
  /** Archive bytes produced. */
  bytesOut: number;
}

/**
 * A stream of the archive's bytes. Files are read lazily, one per pull, and a file larger than
 * a slice goes into the compressor a slice per pull, so a slow consumer (the upload) holds the
 * work back and `onProgress` moves through a large file. Throws `ArchiveFormatError` at once for formats the
 * browser runner cannot write (`zipzstd`, `tarzstd`), several files as `raw`, or more files
 * than a zip without ZIP64 can list. A file that vanished errors the stream with `ENOENT`.
 */
export function createArtifactArchive(
  options: CreateArtifactArchiveOptions,
): ReadableStream<Uint8Array> {
  const { files, format } = options;
  const level = options.level ?? 5;
  const mtime = options.mtime ?? new Date();
  const read = (path: string): Promise<Uint8Array> =>
    options.workspace.readFile(`${options.projectDir.replace(/\/+$/, '')}/${path}`);
  const tally = new Tally(options.onProgress);

  switch (format) {
    case '':
    case 'zip':
      if (files.length > MAX_ZIP_ENTRIES) {
        throw new ArchiveFormatError(
          `${files.length} files are more than a zip archive can hold here (${MAX_ZIP_ENTRIES}); narrow artifacts:paths or archive a directory with tar in the script`,
          { format: 'zip', files: files.length },
        );
      }
      return zipStream(files, read, level, options.deflater ?? fflateRawDeflater, mtime, tally);
    case 'gzip':
      return gzipStream(files, read, level, mtime, tally);
    case 'raw': {
      const [only] = files;
      if (!only || files.length !== 1) {
        throw new ArchiveFormatError(
          `only one file can be sent as raw, got ${files.length}; make the report's path match exactly one file`,
          { format, files: files.length },
        );
      }
      return rawStream(only.path, read, tally);
    }
    default:
      throw new ArchiveFormatError(
        `artifact format ${JSON.stringify(format)} is not supported by tabrunner; use zip, gzip or raw`,
        { format, files: files.length },
      );
  }
}

type Reader = (path: string) => Promise<Uint8Array>;

/** Counts what went in and out, and tells `onProgress`. */
class Tally {
  readonly #progress: ArchiveProgress = { files: 0, bytesIn: 0, bytesOut: 0 };
  constructor(readonly onProgress: ((progress: ArchiveProgress) => void) | undefined) {}

  out(chunk: Uint8Array): void {
    this.#progress.bytesOut += chunk.byteLength;
  }

  report(): void {
    this.onProgress?.({ ...this.#progress });
  }

  in(bytes: number, fileDone: boolean): void {
    this.#progress.bytesIn += bytes;
    if (fileDone) this.#progress.files += 1;
  }
}

/**
 * A file going into a compressor one slice per pull, so archive bytes (and progress) flow while
 * a large file compresses, and a slow consumer holds the compressing back.
 */
class Feed {
  #offset = 0;
  constructor(
    readonly target: { push(chunk: Uint8Array, final?: boolean): void },
    readonly data: Uint8Array,
  ) {}

  /** Push the next slice; returns its size and whether it was the file's last. */
  next(): { bytes: number; last: boolean } {
    const { data } = this;
    const end = Math.min(this.#offset + SLICE, data.byteLength);
    const bytes = end - this.#offset;
    this.target.push(data.subarray(this.#offset, end), end === data.byteLength);
    this.#offset = end;
    return { bytes, last: end === data.byteLength };
  }
}

const LOCAL_HEADER = 0x04034b50;
const DATA_DESCRIPTOR = 0x08074b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
/** Bit 3: sizes and CRC follow the data; bit 11: the name is UTF-8. */
const FLAG_DESCRIPTOR = 0x0008;
const FLAG_UTF8 = 0x0800;
const encoder = new TextEncoder();

/** What the central directory needs of one entry, kept while the archive is written. */
interface Written {
  name: Uint8Array;
  flags: number;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  offset: number;
}

/**
 * The zip, written here rather than by fflate's `Zip` (which costs a third of the time on small
 * files): per file a local header and its deflated bytes, then the central directory. A file
 * that fits one slice is deflated whole and its header carries its sizes; a larger one goes in
 * slice by slice, its sizes in a data descriptor after it. Memory holds one file, its deflated
 * bytes, and the central directory (about 50 bytes and the name per file).
 */
function zipStream(
  files: readonly { path: string }[],
  read: Reader,
  level: DeflateLevel,
  deflater: RawDeflater,
  mtime: Date,
  tally: Tally,
): ReadableStream<Uint8Array> {
  const written: Written[] = [];
  const time = dosTime(mtime);
  let offset = 0;
  let index = 0;
  let feed: ZipFeed | null = null;
  const method = level === 0 ? 0 : 8;
  const deflate = (): RawDeflateStream | null =>
    level === 0 ? null : deflater(level as Exclude<DeflateLevel, 0>);
  return new ReadableStream<Uint8Array>({
    // Small files go in together until a slice's worth of input, one chunk out per pull: a
    // stream operation per file would cost more than deflating a 10 KB file.
    async pull(controller) {
      const parts: Uint8Array[] = [];
      const emit = (chunk: Uint8Array): void => {
        if (chunk.byteLength === 0) return;
        offset += chunk.byteLength;
        parts.push(chunk);
      };
      let taken = 0;
      let ended = false;
      while (taken < SLICE) {
        if (feed) {
          taken += stepFeed(feed, emit, tally);
          if (feed.at === feed.data.byteLength) feed = null;
          break;
        }
        const file = files[index++];
        if (!file) {
          emit(centralDirectory(written, offset, time));
          ended = true;
          break;
        }
        const data = await read(file.path);
        if (offset > 0xffffffff) throw tooLarge(files.length);
        const entry: Written = {
          name: encoder.encode(file.path),
          flags: FLAG_UTF8,
          method,
          crc: 0,
          compressedSize: 0,
          size: 0,
          offset,
        };
        written.push(entry);
        if (data.byteLength > SLICE) {
          // Sizes are known only once the last slice went in: they follow in a descriptor.
          entry.flags |= FLAG_DESCRIPTOR;
          emit(localHeader(entry, time));
          feed = { entry, data, at: 0, stream: deflate() };
          continue;
        }
        const body = deflate()?.push(data, true) ?? [data];
        entry.crc = crc32(data) >>> 0;
        entry.size = data.byteLength;
        entry.compressedSize = body.reduce((sum, chunk) => sum + chunk.byteLength, 0);
        emit(localHeader(entry, time));
        for (const chunk of body) emit(chunk);
        tally.in(data.byteLength, true);
        taken += data.byteLength;
      }
      const chunk = parts.length === 1 ? (parts[0] as Uint8Array) : concatBytes(parts);
      tally.out(chunk);
      if (chunk.byteLength > 0) controller.enqueue(chunk);
      tally.report();
      if (ended) controller.close();
    },
  });
}

/** Put the feed's next slice in; returns its size. */
function stepFeed(feed: ZipFeed, emit: (chunk: Uint8Array) => void, tally: Tally): number {
  const { entry, data, stream } = feed;
  const end = Math.min(feed.at + SLICE, data.byteLength);
  const piece = data.subarray(feed.at, end);
  const last = end === data.byteLength;
  feed.at = end;
  entry.crc = crc32(piece, entry.crc);
  for (const chunk of stream ? stream.push(piece, last) : [piece]) {
    entry.compressedSize += chunk.byteLength;
    emit(chunk);
  }
  if (last) {
    entry.crc >>>= 0;
    entry.size = data.byteLength;
    emit(dataDescriptor(entry));
  }
  tally.in(piece.byteLength, last);
  return piece.byteLength;
}

/** A file larger than a slice on its way into the zip. */
interface ZipFeed {
  entry: Written;
  data: Uint8Array;
  at: number;
  stream: RawDeflateStream | null;
}

function tooLarge(files: number): ArchiveFormatError {
  return new ArchiveFormatError(
    'the zip archive grows past 4 GiB, more than a zip without ZIP64 can address; narrow artifacts:paths or archive a directory with tar in the script',
    { format: 'zip', files },
  );
}

/** MS-DOS date and time in local time, as zip tools write and read them. */
function dosTime(date: Date): { time: number; date: number } {
  const year = Math.min(Math.max(date.getFullYear(), 1980), 2107);
  return {
    time: (date.getHours() << 11) | (date.getMinutes() << 5) | (date.getSeconds() >> 1),
    date: ((year - 1980) << 9) | ((date.getMonth() + 1) << 5) | date.getDate(),
  };
}

function localHeader(entry: Written, time: { time: number; date: number }): Uint8Array {
  const out = new Uint8Array(30 + entry.name.byteLength);
  const view = new DataView(out.buffer);
  const streamed = (entry.flags & FLAG_DESCRIPTOR) !== 0;
  view.setUint32(0, LOCAL_HEADER, true);
  view.setUint16(4, 20, true);
  view.setUint16(6, entry.flags, true);
  view.setUint16(8, entry.method, true);
  view.setUint16(10, time.time, true);
  view.setUint16(12, time.date, true);
  view.setUint32(14, streamed ? 0 : entry.crc, true);
  view.setUint32(18, streamed ? 0 : entry.compressedSize, true);
  view.setUint32(22, streamed ? 0 : entry.size, true);
  view.setUint16(26, entry.name.byteLength, true);
  out.set(entry.name, 30);
  return out;
}

function dataDescriptor(entry: Written): Uint8Array {
  const out = new Uint8Array(16);
  const view = new DataView(out.buffer);
  view.setUint32(0, DATA_DESCRIPTOR, true);
  view.setUint32(4, entry.crc, true);
  view.setUint32(8, entry.compressedSize, true);
  view.setUint32(12, entry.size, true);
  return out;
}

function centralDirectory(
  entries: readonly Written[],
  offset: number,
  time: { time: number; date: number },
): Uint8Array {
  const size = entries.reduce((sum, e) => sum + 46 + e.name.byteLength, 0);
  if (offset + size > 0xffffffff) throw tooLarge(entries.length);
  const out = new Uint8Array(size + 22);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const entry of entries) {
    view.setUint32(at, CENTRAL_HEADER, true);
    view.setUint16(at + 4, (UNIX << 8) | 20, true);
    view.setUint16(at + 6, 20, true);
    view.setUint16(at + 8, entry.flags, true);
    view.setUint16(at + 10, entry.method, true);
    view.setUint16(at + 12, time.time, true);
    view.setUint16(at + 14, time.date, true);
    view.setUint32(at + 16, entry.crc, true);
    view.setUint32(at + 20, entry.compressedSize, true);
    view.setUint32(at + 24, entry.size, true);
    view.setUint16(at + 28, entry.name.byteLength, true);
    view.setUint32(at + 38, REGULAR_FILE_0644, true);
    view.setUint32(at + 42, entry.offset, true);
    out.set(entry.name, at + 46);
    at += 46 + entry.name.byteLength;
  }
  view.setUint32(at, END_OF_CENTRAL_DIRECTORY, true);
  view.setUint16(at + 8, entries.length, true);
  view.setUint16(at + 10, entries.length, true);
  view.setUint32(at + 12, size, true);
  view.setUint32(at + 16, offset, true);
  return out;
}

/**
 * fflate's level 0 (stored blocks) writes a broken gzip member when a file's size is 65,535
 * modulo 65,536: bytes after the last block push the trailer out of place ("incorrect data
 * check"). Level 1 decodes at every size (archive-levels.test.ts), so `fastest` means level 1
 * for gzip; zip stores `fastest` entries without fflate's deflate at all.
 */
function gzipLevel(level: DeflateLevel): Exclude<DeflateLevel, 0> {
  return level === 0 ? 1 : level;
}

/** One gzip member per file, named after it, concatenated (GitLab reads them as one stream). */
function gzipStream(
  files: readonly { path: string }[],
  read: Reader,
  level: DeflateLevel,
  mtime: Date,
  tally: Tally,
): ReadableStream<Uint8Array> {
  let index = 0;
  let feed: Feed | null = null;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!feed) {
        const file = files[index++];
        if (!file) {
          controller.close();
          return;
        }
        const data = await read(file.path);
        const gzip = new Gzip({ level: gzipLevel(level), mtime, filename: file.path }, (chunk) => {
          tally.out(chunk);
          if (chunk.byteLength > 0) controller.enqueue(chunk);
        });
        feed = new Feed(gzip, data);
      }
      const { bytes, last } = feed.next();
      if (last) feed = null;
      tally.in(bytes, last);
      tally.report();
    },
  });
}

function rawStream(path: string, read: Reader, tally: Tally): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const data = await read(path);
      tally.out(data);
      tally.in(data.byteLength, true);
      controller.enqueue(data);
      tally.report();
      controller.close();
    },
  });
}
