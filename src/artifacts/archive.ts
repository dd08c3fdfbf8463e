/**
 * Turns collected files into the bytes GitLab expects for an artifact (docs/runner-protocol.md §8.1): a zip for
 * `archive`, gzip for reports such as JUnit, or the file itself for `raw`. Streams file by
 * file through fflate so memory holds one file and its compressed chunks, not the archive.
 */
import { deflateSync, Gzip, Zip, ZipDeflate, ZipPassThrough, type ZipInputFile } from 'fflate';
import type { Workspace } from '../executors/index.ts';
import { crc32 } from '../bytes/index.ts';
import type { DeflateLevel } from './compression-level.ts';
import { ArchiveFormatError } from './errors.ts';

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
      return zipStream(files, read, level, mtime, tally);
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

function zipStream(
  files: readonly { path: string }[],
  read: Reader,
  level: DeflateLevel,
  mtime: Date,
  tally: Tally,
): ReadableStream<Uint8Array> {
  let zip: Zip;
  let index = 0;
  let feed: Feed | null = null;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      zip = new Zip((error, chunk, final) => {
        if (error) {
          controller.error(error);
          return;
        }
        tally.out(chunk);
        if (chunk.byteLength > 0) controller.enqueue(chunk);
        if (final) controller.close();
      });
    },
    async pull() {
      if (!feed) {
        const file = files[index++];
        if (!file) {
          zip.end();
          tally.report();
          return;
        }
        const data = await read(file.path);
        if (level !== 0 && data.byteLength <= SLICE) {
          // One-shot deflate is ~2.5x faster than fflate's streaming ZipDeflate for small files.
          const entry: ZipInputFile = {
            filename: file.path,
            size: data.byteLength,
            crc: crc32(data) >>> 0,
            compression: 8,
            os: UNIX,
            attrs: REGULAR_FILE_0644,
            mtime,
          };
          zip.add(entry);
          entry.ondata?.(null, deflateSync(data, { level }), true);
          tally.in(data.byteLength, true);
          tally.report();
          return;
        }
        const entry =
          level === 0 ? new ZipPassThrough(file.path) : new ZipDeflate(file.path, { level });
        entry.os = UNIX;
        entry.attrs = REGULAR_FILE_0644;
        entry.mtime = mtime;
        zip.add(entry);
        feed = new Feed(entry, data);
      }
      const { bytes, last } = feed.next();
      if (last) feed = null;
      tally.in(bytes, last);
      tally.report();
    },
  });
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
