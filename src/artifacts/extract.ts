/**
 * Safe extraction of a dependency's downloaded archive or a restored cache into the project
 * directory (docs/runner-protocol.md §8.2), only through the executor's `Workspace`, in bulk
 * writes (`writeFiles`). A zip is read where it lies (a `Blob` is read at its directory, then a
 * batch of entries at a time), never held whole. The whole archive is judged before anything
 * is written: entries with `..`, absolute paths, drive letters or backslashes, symlinks leading
 * out, names given twice, paths that pass through an existing file or symlink or land on a
 * directory are refused (an entry named like an existing file or symlink replaces it); size,
 * count and density bounds (per entry and for the archive as a whole) stop zip bombs, and the
 * real inflated sizes and checksums are checked again before data is written: by default a
 * zip batch at a time (a corrupt entry leaves the batches before it written), with
 * `allOrNothing` every entry before any is (the cache's restore); a gzip file before any of it.
 * Where each entry's bytes may lie is judged from the central directory; its local header is
 * checked in the read that fetches its data for inflating, so the archive is read once, not
 * twice (a damaged local header is then found like damaged data: by a batch).
 * One thing only the write finds: an empty directory at an entry's path, since `listFiles`
 * lists files and so no directory without one (see `writeBatch`).
 */
import type { TreeFile, Workspace } from '../executors/index.ts';
import { concatBytes, crc32 } from '../bytes/index.ts';
import { archiveSource, type ArchiveSource } from './archive-source.ts';
import { ArchiveLimitError, CorruptArchiveError, UnsafeArchiveEntryError } from './errors.ts';
import { gunzipMembers, readGzipHeader } from './gunzip-members.ts';
import { helperLogLine } from './helper-log-line.ts';
import { projectRelative } from './project-path.ts';
import { fflateRawInflater, type RawInflater } from './raw-inflater.ts';
import { entryData, readSpan, readZipEntries, type ZipEntry } from './zip-entries.ts';

/** Bounds on what one archive may unpack to. */
export interface ExtractLimits {
  /** Compressed archive size (checked by the downloader before reading it all, and here). */
  maxArchiveBytes: number;
  /** Entries in the archive, directories included. */
  maxEntries: number;
  /** Total bytes written, as declared and as really inflated. */
  maxTotalBytes: number;
  /** Largest inflated/compressed ratio for one entry larger than `ratioFloorBytes`. */
  maxRatio: number;
  /**
   * Largest ratio of all the bytes written to the archive's size, once they pass
   * `ratioFloorBytes`: many small dense entries make a bomb no entry alone gives away.
   */
  maxArchiveRatio: number;
  /** Entries up to this size may be as dense as they like (a 1 MiB file of zeros is harmless). */
  ratioFloorBytes: number;
}

/** Defaults: generous for real artifacts, far below what hurts a browser tab. */
export const DEFAULT_EXTRACT_LIMITS: ExtractLimits = {
  maxArchiveBytes: 1024 * 1024 * 1024,
  maxEntries: 100_000,
  maxTotalBytes: 2 * 1024 * 1024 * 1024,
  maxRatio: 200,
  maxArchiveRatio: 200,
  ratioFloorBytes: 1024 * 1024,
};

export interface ExtractArtifactArchiveOptions {
  /**
   * Where to write; `listFiles` finds existing files and symlinks an entry must not cross. An
   * entry named like a file or symlink already there replaces it (`writeFile` replaces a
   * symlink rather than following it, as GitLab's helper removes a file before creating it).
   */
  workspace: Pick<Workspace, 'writeFiles' | 'listFiles'>;
  /** Absolute project directory; every entry lands below it or the archive is refused. */
  projectDir: string;
  /**
   * Zip (`PK`) or gzip (`1f 8b`), told apart by magic bytes. A zip `Blob` is read in pieces; a
   * gzip archive (one report file) is read whole.
   */
  archive: Blob | Uint8Array;
  /** Overrides of `DEFAULT_EXTRACT_LIMITS`. */
  limits?: Partial<ExtractLimits>;
  /** How zip entries inflate: fflate's by default; Node passes node:zlib's (raw-inflater.ts). */
  inflater?: RawInflater;
  /**
   * Write nothing unless every entry inflates to its declared size and passes its CRC-32 (the
   * cache's restore, docs/cache.md: a corrupt archive is a clean miss). An archive that unpacks
   * to at most `heldBytes` is held inflated and written with one `writeFiles` (for a
   * WebContainer, one snapshot mount); a larger one is inflated twice, checked whole first and
   * then written in batches, so memory stays bounded by `heldBytes` either way. Without it, each
   * batch is written once it is checked.
   */
  allOrNothing?: { heldBytes: number };
  /**
   * Called once the archive is judged safe, then after each batch is written, or, when
   * `allOrNothing` holds the files for one write, after each batch is inflated and checked
   * (unthrottled).
   */
  onProgress?: (progress: ExtractProgress) => void;
}

/** How far an extraction has got. */
export interface ExtractProgress {
  /** Files done (see `onProgress`), and in all. */
  files: number;
  filesTotal: number;
  /** Bytes done. */
  bytes: number;
  /** Bytes to write as the zip declares them (checked while writing); unknown for gzip. */
  bytesTotal?: number;
}

export interface ExtractedArchive {
  /** Files written, relative to the project directory, in archive order. */
  files: string[];
  /** Each file written: its size and CRC-32 as the archive declared and the write checked. */
  checksums: Map<string, FileChecksum>;
  /** Bytes written. */
  bytes: number;
  /** Helper lines for the trace (symlinks the workspace cannot create are skipped with a warning). */
  lines: string[];
}

/** What a zip entry says of its file's contents, checked when it was inflated. */
export interface FileChecksum {
  size: number;
  crc: number;
}

const S_IFLNK = 0o120000;
const S_IFDIR = 0o040000;
const MAX_LINK_TARGET = 4096;
/**
 * A batch, read at once and written with one `writeFiles` (unless `allOrNothing` holds them all):
 * enough files that a WebContainer mount or a sandbox write pays its fixed cost rarely, few
 * enough bytes that memory holds one batch (plus one larger file).
 */
const BATCH_FILES = 1000;
const BATCH_BYTES = 8 * 1024 * 1024;
/** Compressed bytes read at once for a batch; an entry larger than this is read alone. */
const READ_SPAN = 8 * 1024 * 1024;
const decoder = new TextDecoder();

/**
 * Extract `archive` below `projectDir`. Throws `UnsafeArchiveEntryError` (nothing written),
 * `ArchiveLimitError` (a bomb: nothing written when declared sizes give it away, otherwise
 * stopped at the entry whose real size betrays it), or `CorruptArchiveError`.
 */
export async function extractArtifactArchive(
  options: ExtractArtifactArchiveOptions,
): Promise<ExtractedArchive> {
  const limits = { ...DEFAULT_EXTRACT_LIMITS, ...options.limits };
  const source = archiveSource(options.archive);
  if (source.size > limits.maxArchiveBytes) {
    throw new ArchiveLimitError(
      `the artifact archive is ${source.size} bytes, more than the ${limits.maxArchiveBytes} allowed; raise the extract limit maxArchiveBytes if this is expected`,
      {
        limit: 'maxArchiveBytes',
        value: source.size,
        max: limits.maxArchiveBytes,
        entry: null,
      },
    );
  }
  const magic = await source.read(0, Math.min(2, source.size));
  if (magic[0] === 0x50 && magic[1] === 0x4b) return extractZip(options, source, limits);
  if (magic[0] === 0x1f && magic[1] === 0x8b) {
    return extractGzip(options, await source.read(0, source.size), limits);
  }
  throw new CorruptArchiveError('it is neither a zip nor a gzip archive (unknown magic bytes)');
}

interface Planned {
  entry: ZipEntry;
  path: string;
}

async function extractZip(
  options: ExtractArtifactArchiveOptions,
  source: ArchiveSource,
  limits: ExtractLimits,
): Promise<ExtractedArchive> {
  const { projectDir } = options;
  const inflater = options.inflater ?? fflateRawInflater;
  const entries = await readZipEntries(source);
  if (entries.length > limits.maxEntries) {
    throw new ArchiveLimitError(
      `the artifact archive has ${entries.length} entries, more than the ${limits.maxEntries} allowed; refusing it as a possible zip bomb`,
      { limit: 'maxEntries', value: entries.length, max: limits.maxEntries, entry: null },
    );
  }
  const existing = await existingPaths(options.workspace, projectDir);
  const planned: Paths = { files: new Set(), directories: new Set() };
  const lines: string[] = [];
  const plan: Planned[] = [];
  let declared = 0;

  for (const entry of entries) {
    const path = entryPath(entry.name, projectDir);
    if (entry.flags & 1) throw new UnsafeArchiveEntryError(entry.name, 'it is encrypted');
    if (entry.method !== 0 && entry.method !== 8) {
      throw new CorruptArchiveError(
        `entry ${JSON.stringify(entry.name)} uses compression method ${entry.method}; only stored and deflate are supported`,
      );
    }
    const isDirectory = entry.name.endsWith('/') || entry.unixType === S_IFDIR;
    if (path === '.' || isDirectory) continue;
    checkPlace(entry.name, path, existing, planned);
    if (entry.unixType === S_IFLNK) {
      const span = readSpan(entry);
      const raw = entryData(
        await source.read(span.start, span.end - span.start),
        span.start,
        entry,
      );
      const target = decoder.decode(inflateEntry(raw, entry, MAX_LINK_TARGET, inflater));
      const parent = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '.';
      const root = projectDir.replace(/\/+$/, '');
      const landing = projectRelative(
        target.startsWith('/') ? target : `${root}/${parent}/${target}`,
        projectDir,
      );
      if (landing === null) {
        throw new UnsafeArchiveEntryError(
          entry.name,
          `it is a symlink to ${JSON.stringify(target)}, outside the project directory`,
        );
      }
      lines.push(
        helperLogLine(
          'warning',
          `${path}: symlink to ${target} skipped; this executor's workspace cannot create symlinks`,
        ),
      );
      continue;
    }
    checkRatio(entry.size, entry.compressedSize, limits, entry.name, 'maxRatio');
    declared += entry.size;
    if (declared > limits.maxTotalBytes) {
      throw totalError(declared, limits, entry.name);
    }
    checkRatio(declared, source.size, limits, null, 'maxArchiveRatio');
    planned.files.add(path);
    for (const ancestor of ancestors(path)) planned.directories.add(ancestor);
    plan.push({ entry, path });
  }

  const files: string[] = [];
  const checksums = new Map(
    plan.map(({ entry, path }) => [path, { size: entry.size, crc: entry.crc >>> 0 }]),
  );
  let done = 0;
  const progress = () =>
    options.onProgress?.({
      files: files.length,
      filesTotal: plan.length,
      bytes: done,
      bytesTotal: declared,
    });
  progress();
  const whole = options.allOrNothing;
  if (whole && declared <= whole.heldBytes) {
    const held: TreeFile[] = [];
    for (const batch of batches(plan)) {
      for (const file of await inflateBatch(source, batch, inflater)) {
        held.push(file);
        done += file.data.byteLength;
        files.push(file.path);
      }
      progress();
    }
    await writeBatch(options.workspace, projectDir, plan, held);
    return { files, checksums, bytes: done, lines };
  }
  // Too large to hold: a first pass only checks, so the writing pass cannot meet a bad entry.
  if (whole) for (const batch of batches(plan)) await inflateBatch(source, batch, inflater);
  for (const batch of batches(plan)) {
    const tree = await inflateBatch(source, batch, inflater);
    await writeBatch(options.workspace, projectDir, batch, tree);
    for (const file of tree) {
      done += file.data.byteLength;
      files.push(file.path);
    }
    progress();
  }
  return { files, checksums, bytes: done, lines };
}

/**
 * One batch's files read with one read, their local headers checked, inflated and checked
 * against their sizes and CRC-32s.
 */
async function inflateBatch(
  source: ArchiveSource,
  batch: readonly Planned[],
  inflater: RawInflater,
): Promise<TreeFile[]> {
  const spans = batch.map(({ entry }) => readSpan(entry));
  const start = Math.min(...spans.map((span) => span.start));
  const end = Math.max(...spans.map((span) => span.end));
  const bytes = await source.read(start, end - start);
  const raws = batch.map(({ entry }) => entryData(bytes, start, entry));
  const tree: TreeFile[] = [];
  for (const [i, { entry, path }] of batch.entries()) {
    const data = inflateEntry(raws[i] as Uint8Array, entry, entry.size, inflater);
    if (data.byteLength !== entry.size) {
      throw new CorruptArchiveError(
        `entry ${JSON.stringify(entry.name)} inflates to ${data.byteLength} bytes, not the ${entry.size} it declares`,
      );
    }
    if (crc32(data) >>> 0 !== entry.crc >>> 0) {
      throw new CorruptArchiveError(`entry ${JSON.stringify(entry.name)} fails its CRC-32 check`);
    }
    tree.push({ path, data });
  }
  return tree;
}

/**
 * The plan cut into batches in archive order: at most `BATCH_FILES` files and `BATCH_BYTES`
 * inflated, read with one read of at most `READ_SPAN` (an entry larger than that is a batch of
 * its own, so memory holds the largest file once, not the archive).
 */
function* batches(plan: readonly Planned[]): Generator<Planned[]> {
  let batch: Planned[] = [];
  let bytes = 0;
  let start = Infinity;
  let end = -Infinity;
  for (const planned of plan) {
    const { size } = planned.entry;
    const span = readSpan(planned.entry);
    const spanStart = Math.min(start, span.start);
    const spanEnd = Math.max(end, span.end);
    const fits =
      batch.length < BATCH_FILES && bytes + size <= BATCH_BYTES && spanEnd - spanStart <= READ_SPAN;
    if (batch.length > 0 && !fits) {
      yield batch;
      batch = [];
      bytes = 0;
      start = span.start;
      end = span.end;
    } else {
      start = spanStart;
      end = spanEnd;
    }
    batch.push(planned);
    bytes += size;
  }
  if (batch.length > 0) yield batch;
}

async function extractGzip(
  options: ExtractArtifactArchiveOptions,
  archive: Uint8Array,
  limits: ExtractLimits,
): Promise<ExtractedArchive> {
  const { projectDir } = options;
  // Read here for the name, to judge the path before anything inflates; `gunzipMembers` reads
  // this header again (a few bytes) as it checks every member's.
  const { name } = readGzipHeader(archive, 0);
  if (name === null) {
    throw new CorruptArchiveError('the gzip archive does not name the file it holds');
  }
  const path = entryPath(name, projectDir);
  if (path === '.') throw new UnsafeArchiveEntryError(name, 'it names the project directory');
  const existing = await existingPaths(options.workspace, projectDir);
  checkPlace(name, path, existing, { files: new Set(), directories: new Set() });
  options.onProgress?.({ files: 0, filesTotal: 1, bytes: 0 });
  // One file from the whole archive: its ratio is the archive's too, so the lower bound holds.
  const ratioLimit = limits.maxArchiveRatio < limits.maxRatio ? 'maxArchiveRatio' : 'maxRatio';
  const chunks: Uint8Array[] = [];
  let size = 0;
  gunzipMembers(archive, (chunk) => {
    size += chunk.byteLength;
    if (size > limits.maxTotalBytes) throw totalError(size, limits, name);
    checkRatio(size, archive.byteLength, limits, name, ratioLimit);
    chunks.push(chunk);
  });
  const data = concatBytes(chunks);
  await writeBatch(options.workspace, projectDir, [{ name, path }], [{ path, data }]);
  options.onProgress?.({ files: 1, filesTotal: 1, bytes: size, bytesTotal: size });
  const checksums = new Map([[path, { size, crc: crc32(data) >>> 0 }]]);
  return { files: [path], checksums, bytes: size, lines: [] };
}

/**
 * Write one batch's files (or, all or nothing, all of them). An empty directory at an entry's
 * path passed `checkPlace` unseen: the workspace refuses the write with `EISDIR` naming the
 * path, which is the refusal `checkPlace` gives a directory it sees, here after the batches
 * before it were written.
 */
async function writeBatch(
  workspace: Pick<Workspace, 'writeFiles'>,
  projectDir: string,
  batch: readonly { path: string; name?: string; entry?: ZipEntry }[],
  tree: TreeFile[],
): Promise<void> {
  const root = projectDir.replace(/\/+$/, '');
  try {
    await workspace.writeFiles(root, tree);
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code !== 'EISDIR') throw error;
    const at = (error as { data?: { path?: unknown } }).data?.path;
    const refused =
      batch.find(({ path }) => typeof at === 'string' && `${root}/${path}` === at) ?? batch[0];
    if (!refused) throw error;
    throw directoryError(refused.entry?.name ?? refused.name ?? refused.path, refused.path);
  }
}

function directoryError(name: string, path: string): UnsafeArchiveEntryError {
  return new UnsafeArchiveEntryError(
    name,
    `it would replace the directory ${JSON.stringify(path)}`,
  );
}

/** The entry's path relative to the project, or a refusal saying why it is unsafe. */
function entryPath(name: string, projectDir: string): string {
  if (name.includes('\0')) throw new UnsafeArchiveEntryError(name, 'its name contains a NUL byte');
  if (name.includes('\\')) {
    throw new UnsafeArchiveEntryError(name, 'its name contains a backslash');
  }
  if (/^[A-Za-z]:/.test(name)) throw new UnsafeArchiveEntryError(name, 'it names a drive letter');
  if (name.startsWith('/')) throw new UnsafeArchiveEntryError(name, 'it is an absolute path');
  if (name.split('/').includes('..')) {
    throw new UnsafeArchiveEntryError(name, 'it climbs out with ".."');
  }
  const path = projectRelative(name, projectDir);
  if (path === null) throw new UnsafeArchiveEntryError(name, 'it lands outside the project');
  return path;
}

/** `a/b/c` → `a`, `a/b`. */
function ancestors(path: string): string[] {
  const out: string[] = [];
  for (let slash = path.indexOf('/'); slash > 0; slash = path.indexOf('/', slash + 1)) {
    out.push(path.slice(0, slash));
  }
  return out;
}

/** Paths relative to the project: files (symlinks list as files) and the directories above them. */
interface Paths {
  files: Set<string>;
  directories: Set<string>;
}

/** What is already in the project. */
async function existingPaths(
  workspace: Pick<Workspace, 'listFiles'>,
  projectDir: string,
): Promise<Paths> {
  const found: Paths = { files: new Set(), directories: new Set() };
  for (const absolute of await workspace.listFiles(projectDir)) {
    const path = projectRelative(absolute, projectDir);
    if (path === null || path === '.') continue;
    found.files.add(path);
    for (const ancestor of ancestors(path)) found.directories.add(ancestor);
  }
  return found;
}

/**
 * Refuse a file entry at `path` that would be written through an existing or planned file or
 * symlink, replace a directory, or repeat a name (which of two entries wins differs between
 * zip readers, so an archive that relies on it is refused).
 */
function checkPlace(name: string, path: string, existing: Paths, planned: Paths): void {
  for (const ancestor of ancestors(path)) {
    if (existing.files.has(ancestor) || planned.files.has(ancestor)) {
      throw new UnsafeArchiveEntryError(
        name,
        `it would be written through ${JSON.stringify(ancestor)}, which is a file or a symlink`,
      );
    }
  }
  if (existing.directories.has(path) || planned.directories.has(path)) {
    throw directoryError(name, path);
  }
  if (planned.files.has(path)) {
    throw new UnsafeArchiveEntryError(name, `${JSON.stringify(path)} appears twice in the archive`);
  }
}

/**
 * Refuse `size` bytes from `compressed` once past `ratioFloorBytes` and denser than `limit`
 * allows: one entry (`entry` names it) under `maxRatio`, or the archive as a whole (`entry`
 * null) under `maxArchiveRatio`.
 */
function checkRatio(
  size: number,
  compressed: number,
  limits: ExtractLimits,
  entry: string | null,
  limit: 'maxRatio' | 'maxArchiveRatio',
): void {
  if (size <= limits.ratioFloorBytes) return;
  const ratio = size / Math.max(compressed, 1);
  const max = limits[limit];
  if (ratio <= max) return;
  const what =
    entry === null
      ? 'the artifact archive as a whole'
      : `artifact archive entry ${JSON.stringify(entry)}`;
  throw new ArchiveLimitError(
    `${what} expands ${Math.round(ratio)} times (${size} bytes from ${compressed}); refusing it as a possible zip bomb (the limit is ${max}:1)`,
    { limit, value: Math.round(ratio), max, entry },
  );
}

function totalError(total: number, limits: ExtractLimits, entry: string): ArchiveLimitError {
  return new ArchiveLimitError(
    `the artifact archive unpacks to more than ${limits.maxTotalBytes} bytes (reached ${total} at ${JSON.stringify(entry)}); refusing it as a possible zip bomb`,
    { limit: 'maxTotalBytes', value: total, max: limits.maxTotalBytes, entry },
  );
}

/**
 * Inflate one entry's `raw` bytes with `inflater`, refusing it as soon as it passes `max` bytes
 * (its declared size, already within every bound).
 */
function inflateEntry(
  raw: Uint8Array,
  entry: ZipEntry,
  max: number,
  inflater: RawInflater,
): Uint8Array {
  if (entry.method === 0) {
    if (raw.byteLength > max) throw declaredSizeError(entry, max);
    return raw.slice();
  }
  let data: Uint8Array | null;
  try {
    data = inflater(raw, max);
  } catch (error) {
    throw new CorruptArchiveError(
      `entry ${JSON.stringify(entry.name)} does not inflate (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  if (data === null) throw declaredSizeError(entry, max);
  return data;
}

function declaredSizeError(entry: ZipEntry, max: number): ArchiveLimitError {
  return new ArchiveLimitError(
    `artifact archive entry ${JSON.stringify(entry.name)} inflates past the ${max} bytes it declares; refusing it as a possible zip bomb`,
    { limit: 'declaredSize', value: max + 1, max, entry: entry.name },
  );
}
