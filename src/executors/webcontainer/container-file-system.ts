/**
 * WebContainer's file API as the file system of the stage shell (just-bash's `IFileSystem`), so
 * `cat`, `ls`, `mkdir` and redirections in a job act on the very files `node` and `npm` see.
 * Mounted at the container's workdir; the paths it receives are relative to that mount.
 *
 * The API is a small subset of Node's `fs.promises` (its `FileSystemAPI` typings): no `stat`,
 * modes, links or times. So a path's kind comes from its parent's listing (one call), a file's
 * size from reading it, and modes are kept here: seeded from the checkout's git modes, changed
 * by `chmod`, carried by `mv` and `cp`, forgotten by `rm` (so `./build.sh` and `chmod +x`
 * work for the shell; programs in the container never see them). Links cannot be made.
 */
import type {
  BufferEncoding,
  CpOptions,
  FileContent,
  FsStat,
  IFileSystem,
  MkdirOptions,
  RmOptions,
} from 'just-bash';
import { concat } from '../../bytes/concat-bytes.ts';
import { decodeBytes, encodeString } from '../../platform/byte-encoding.ts';
import { normalizePath as normalize } from '../bash/posix-path.ts';
import type { ContainerDirent, ContainerFs } from './container.ts';
import { fileError, fileErrorCode, translateFileError } from './file-errors.ts';

type ReadFileOptions = Parameters<IFileSystem['readFile']>[1];
type WriteFileOptions = Parameters<IFileSystem['writeFile']>[2];
type DirentEntry = Awaited<ReturnType<NonNullable<IFileSystem['readdirWithFileTypes']>>>[number];

const FILE_MODE = 0o644;
const DIR_MODE = 0o755;
const EPOCH = new Date(0);

type Kind = 'file' | 'directory';

export class ContainerFileSystem implements IFileSystem {
  readonly #fs: ContainerFs;
  /** Permission bits of files that are not 0644, by mount path. */
  readonly #modes = new Map<string, number>();

  constructor(fs: ContainerFs) {
    this.#fs = fs;
  }

  /** Record a file's mode (from git) without touching the container. */
  setMode(path: string, mode: number): void {
    this.#remember(normalize(path), mode & 0o7777);
  }

  async readFile(path: string, options?: ReadFileOptions): Promise<string> {
    return decodeBytes(await this.readFileBuffer(path), encodingOf(options));
  }

  async readFileBuffer(path: string): Promise<Uint8Array> {
    const p = normalize(path);
    if ((await this.#kind(p)) === 'directory') throw fileError('EISDIR', 'read', p);
    try {
      return await this.#fs.readFile(relative(p));
    } catch (err) {
      throw translateFileError(err, 'open', p);
    }
  }

  async writeFile(path: string, content: FileContent, options?: WriteFileOptions): Promise<void> {
    const p = normalize(path);
    if ((await this.#kind(p)) === 'directory') throw fileError('EISDIR', 'open', p);
    try {
      await this.#fs.writeFile(relative(p), bytesOf(content, options));
    } catch (err) {
      throw translateFileError(err, 'open', p);
    }
  }

  async appendFile(path: string, content: FileContent, options?: WriteFileOptions): Promise<void> {
    const p = normalize(path);
    // The API has no append: read, join, write back.
    const before = (await this.#kind(p)) === 'file' ? await this.readFileBuffer(p) : undefined;
    const added = bytesOf(content, options);
    await this.writeFile(p, before ? concat([before, added]) : added);
  }

  /**
   * Put `data` at `path` as a new file, creating its parents. Whatever was there goes first, with
   * the mode kept for it: a symlink is removed, not written through.
   */
  async replaceFile(path: string, data: Uint8Array): Promise<void> {
    const p = normalize(path);
    await this.mkdir(p.slice(0, p.lastIndexOf('/')) || '/', { recursive: true });
    try {
      // Unconditionally, not after a listing: `rm` takes a link itself, dangling or not.
      await this.#fs.rm(relative(p), { force: true });
      this.#forget(p);
      await this.#fs.writeFile(relative(p), data);
    } catch (err) {
      throw translateFileError(err, 'open', p);
    }
  }

  async exists(path: string): Promise<boolean> {
    return (await this.#kind(normalize(path))) !== null;
  }

  async stat(path: string): Promise<FsStat> {
    const p = normalize(path);
    const kind = await this.#kind(p);
    if (kind === null) throw fileError('ENOENT', 'stat', p);
    return {
      isFile: kind === 'file',
      isDirectory: kind === 'directory',
      isSymbolicLink: false,
      mode: this.#modes.get(p) ?? (kind === 'file' ? FILE_MODE : DIR_MODE),
      size: kind === 'file' ? (await this.readFileBuffer(p)).length : 0,
      mtime: EPOCH,
    };
  }

  lstat(path: string): Promise<FsStat> {
    return this.stat(path);
  }

  async mkdir(path: string, options?: MkdirOptions): Promise<void> {
    const p = normalize(path);
    const kind = await this.#kind(p);
    if (kind !== null) {
      if (options?.recursive && kind === 'directory') return;
      throw fileError('EEXIST', 'mkdir', p);
    }
    if (!options?.recursive) await this.#requireParent(p, 'mkdir');
    try {
      await this.#fs.mkdir(relative(p), { recursive: true });
    } catch (err) {
      throw translateFileError(err, 'mkdir', p);
    }
  }

  async readdir(path: string): Promise<string[]> {
    return (await this.readdirWithFileTypes(path)).map((entry) => entry.name);
  }

  async readdirWithFileTypes(path: string): Promise<DirentEntry[]> {
    const p = normalize(path);
    const entries = await this.#list(p);
    if (entries === null) {
      throw fileError((await this.#kind(p)) === 'file' ? 'ENOTDIR' : 'ENOENT', 'scandir', p);
    }
    return entries
      .map((entry) => ({
        name: entry.name,
        isFile: entry.isFile(),
        isDirectory: entry.isDirectory(),
        isSymbolicLink: false,
      }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async rm(path: string, options?: RmOptions): Promise<void> {
    const p = normalize(path);
    const kind = await this.#kind(p);
    if (kind === null) {
      if (options?.force) return;
      throw fileError('ENOENT', 'rm', p);
    }
    if (kind === 'directory' && !options?.recursive && ((await this.#list(p)) ?? []).length > 0)
      throw fileError('ENOTEMPTY', 'rm', p);
    try {
      await this.#fs.rm(relative(p), { recursive: true, force: true });
    } catch (err) {
      throw translateFileError(err, 'rm', p);
    }
    this.#forget(p);
  }

  async cp(src: string, dest: string, options?: CpOptions): Promise<void> {
    const from = normalize(src);
    const to = normalize(dest);
    const kind = await this.#kind(from);
    if (kind === null) throw fileError('ENOENT', 'cp', from);
    if (kind === 'file') {
      await this.writeFile(to, await this.readFileBuffer(from));
      this.#remember(to, this.#modes.get(from));
      return;
    }
    if (!options?.recursive) throw fileError('EISDIR', 'cp', from);
    await this.mkdir(to, { recursive: true });
    for (const entry of (await this.#list(from)) ?? [])
      await this.cp(`${from}/${entry.name}`, `${to}/${entry.name}`, options);
  }

  async mv(src: string, dest: string): Promise<void> {
    const from = normalize(src);
    const to = normalize(dest);
    if ((await this.#kind(from)) === null) throw fileError('ENOENT', 'rename', from);
    await this.#requireParent(to, 'rename');
    try {
      await this.#fs.rename(relative(from), relative(to));
    } catch (err) {
      throw translateFileError(err, 'rename', from);
    }
    for (const [path, mode] of [...this.#modes]) {
      if (path !== from && !path.startsWith(`${from}/`)) continue;
      this.#modes.delete(path);
      this.#modes.set(to + path.slice(from.length), mode);
    }
  }

  resolvePath(base: string, path: string): string {
    return normalize(path.startsWith('/') ? path : `${base}/${path}`);
  }

  /** Only the in-memory file system can answer synchronously; glob expansion lists directories instead. */
  getAllPaths(): string[] {
    return [];
  }

  async chmod(path: string, mode: number): Promise<void> {
    const p = normalize(path);
    if ((await this.#kind(p)) === null) throw fileError('ENOENT', 'chmod', p);
    this.#remember(p, mode & 0o7777);
  }

  async symlink(_target: string, linkPath: string): Promise<void> {
    throw fileError('ENOTSUP', 'symlink', normalize(linkPath));
  }

  async link(_existingPath: string, newPath: string): Promise<void> {
    throw fileError('ENOTSUP', 'link', normalize(newPath));
  }

  async readlink(path: string): Promise<string> {
    const p = normalize(path);
    throw fileError((await this.#kind(p)) === null ? 'ENOENT' : 'EINVAL', 'readlink', p);
  }

  async realpath(path: string): Promise<string> {
    const p = normalize(path);
    if ((await this.#kind(p)) === null) throw fileError('ENOENT', 'realpath', p);
    return p;
  }

  async utimes(path: string): Promise<void> {
    const p = normalize(path);
    if ((await this.#kind(p)) === null) throw fileError('ENOENT', 'utime', p);
  }

  /** What is at `p`, from one listing of its parent (the API has no `stat`). */
  async #kind(p: string): Promise<Kind | null> {
    if (p === '/') return 'directory';
    const slash = p.lastIndexOf('/');
    const entries = await this.#list(p.slice(0, slash) || '/');
    const entry = entries?.find((e) => e.name === p.slice(slash + 1));
    if (!entry) return null;
    return entry.isDirectory() ? 'directory' : 'file';
  }

  /** A directory's entries; null when it is missing or not a directory. */
  async #list(p: string): Promise<ContainerDirent[] | null> {
    try {
      return await this.#fs.readdir(relative(p), { withFileTypes: true });
    } catch (err) {
      const code = fileErrorCode(err);
      if (code === 'ENOENT' || code === 'ENOTDIR') return null;
      throw translateFileError(err, 'scandir', p);
    }
  }

  async #requireParent(p: string, syscall: string): Promise<void> {
    const parent = p.slice(0, p.lastIndexOf('/')) || '/';
    const kind = await this.#kind(parent);
    if (kind === null) throw fileError('ENOENT', syscall, p);
    if (kind === 'file') throw fileError('ENOTDIR', syscall, p);
  }

  #remember(p: string, mode: number | undefined): void {
    if (mode === undefined || mode === FILE_MODE) this.#modes.delete(p);
    else this.#modes.set(p, mode);
  }

  #forget(p: string): void {
    for (const path of [...this.#modes.keys()])
      if (path === p || path.startsWith(`${p}/`)) this.#modes.delete(path);
  }
}

/** The container API's form of a mount path: relative to its workdir. */
function relative(p: string): string {
  return p === '/' ? '.' : p.slice(1);
}

function encodingOf(options: ReadFileOptions | WriteFileOptions): BufferEncoding {
  if (typeof options === 'string') return options;
  return options?.encoding ?? 'utf8';
}

/** just-bash hands binary data over as latin1 strings flagged `binary`. */
function bytesOf(content: FileContent, options: WriteFileOptions): Uint8Array {
  return typeof content === 'string' ? encodeString(content, encodingOf(options)) : content;
}
