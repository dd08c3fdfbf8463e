/**
 * WebContainer's file API as the file system of the stage shell (just-bash's `IFileSystem`), so
 * `cat`, `ls`, `mkdir` and redirections in a job act on the very files `node` and `npm` see.
 * Mounted at the container's workdir; the paths it receives are relative to that mount.
 *
 * The API is a small subset of Node's `fs.promises` (reference: its `FileSystemAPI` typings):
 * no `stat`, modes, links or times. So a path's kind comes from listing its parent, a file's
 * size from reading it, every file is 0644 and every directory 0755 (`chmod` succeeds and
 * changes nothing, as a job's `chmod +x` must not fail), and links cannot be made. Errors are
 * shaped like just-bash's own (`ENOENT: no such file or directory, open '/x'`), whatever the
 * container threw, because just-bash's commands read them.
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
import { normalizePath as normalize } from '../bash/posix-path.ts';
import type { ContainerFs } from './container.ts';

type ReadFileOptions = Parameters<IFileSystem['readFile']>[1];
type WriteFileOptions = Parameters<IFileSystem['writeFile']>[2];
type DirentEntry = Awaited<ReturnType<NonNullable<IFileSystem['readdirWithFileTypes']>>>[number];

const FILE_MODE = 0o644;
const DIR_MODE = 0o755;
const EPOCH = new Date(0);
const encoder = new TextEncoder();

type Kind = 'file' | 'directory';

export class ContainerFileSystem implements IFileSystem {
  readonly #fs: ContainerFs;

  constructor(fs: ContainerFs) {
    this.#fs = fs;
  }

  async readFile(path: string, options?: ReadFileOptions): Promise<string> {
    return decode(await this.readFileBuffer(path), encodingOf(options));
  }

  async readFileBuffer(path: string): Promise<Uint8Array> {
    const p = normalize(path);
    if ((await this.#kind(p)) === 'directory') throw fsError('EISDIR', 'read', p);
    try {
      return await this.#fs.readFile(relative(p));
    } catch (err) {
      throw translate(err, 'open', p);
    }
  }

  async writeFile(path: string, content: FileContent, options?: WriteFileOptions): Promise<void> {
    const p = normalize(path);
    await this.#requireParent(p, 'open');
    if ((await this.#kind(p)) === 'directory') throw fsError('EISDIR', 'open', p);
    try {
      await this.#fs.writeFile(relative(p), encode(content, encodingOf(options)));
    } catch (err) {
      throw translate(err, 'open', p);
    }
  }

  async appendFile(path: string, content: FileContent, options?: WriteFileOptions): Promise<void> {
    const p = normalize(path);
    const before = (await this.#kind(p)) === 'file' ? await this.readFileBuffer(p) : undefined;
    const added = encode(content, encodingOf(options));
    if (!before) return this.writeFile(p, added);
    const joined = new Uint8Array(before.length + added.length);
    joined.set(before);
    joined.set(added, before.length);
    await this.writeFile(p, joined);
  }

  async exists(path: string): Promise<boolean> {
    return (await this.#kind(normalize(path))) !== null;
  }

  async stat(path: string): Promise<FsStat> {
    const p = normalize(path);
    const kind = await this.#kind(p);
    if (kind === null) throw fsError('ENOENT', 'stat', p);
    const size = kind === 'file' ? (await this.readFileBuffer(p)).length : 0;
    return {
      isFile: kind === 'file',
      isDirectory: kind === 'directory',
      isSymbolicLink: false,
      mode: kind === 'file' ? FILE_MODE : DIR_MODE,
      size,
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
      throw fsError('EEXIST', 'mkdir', p);
    }
    if (!options?.recursive) await this.#requireParent(p, 'mkdir');
    try {
      await this.#fs.mkdir(relative(p), { recursive: true });
    } catch (err) {
      throw translate(err, 'mkdir', p);
    }
  }

  async readdir(path: string): Promise<string[]> {
    return (await this.readdirWithFileTypes(path)).map((entry) => entry.name);
  }

  async readdirWithFileTypes(path: string): Promise<DirentEntry[]> {
    const p = normalize(path);
    const kind = await this.#kind(p);
    if (kind === null) throw fsError('ENOENT', 'scandir', p);
    if (kind === 'file') throw fsError('ENOTDIR', 'scandir', p);
    const entries = await this.#list(p);
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
      throw fsError('ENOENT', 'rm', p);
    }
    if (kind === 'directory' && !options?.recursive && (await this.#list(p)).length > 0)
      throw fsError('ENOTEMPTY', 'rm', p);
    try {
      await this.#fs.rm(relative(p), { recursive: true, force: true });
    } catch (err) {
      throw translate(err, 'rm', p);
    }
  }

  async cp(src: string, dest: string, options?: CpOptions): Promise<void> {
    const from = normalize(src);
    const to = normalize(dest);
    const kind = await this.#kind(from);
    if (kind === null) throw fsError('ENOENT', 'cp', from);
    if (kind === 'file') return this.writeFile(to, await this.readFileBuffer(from));
    if (!options?.recursive) throw fsError('EISDIR', 'cp', from);
    await this.mkdir(to, { recursive: true });
    for (const entry of await this.#list(from))
      await this.cp(`${from}/${entry.name}`, `${to}/${entry.name}`, options);
  }

  async mv(src: string, dest: string): Promise<void> {
    const from = normalize(src);
    const to = normalize(dest);
    if ((await this.#kind(from)) === null) throw fsError('ENOENT', 'rename', from);
    await this.#requireParent(to, 'rename');
    try {
      await this.#fs.rename(relative(from), relative(to));
    } catch (err) {
      throw translate(err, 'rename', from);
    }
  }

  resolvePath(base: string, path: string): string {
    return normalize(path.startsWith('/') ? path : `${base}/${path}`);
  }

  /** Only the in-memory file system can answer synchronously; glob expansion lists directories instead. */
  getAllPaths(): string[] {
    return [];
  }

  async chmod(path: string): Promise<void> {
    const p = normalize(path);
    if ((await this.#kind(p)) === null) throw fsError('ENOENT', 'chmod', p);
  }

  async symlink(_target: string, linkPath: string): Promise<void> {
    throw fsError('ENOTSUP', 'symlink', normalize(linkPath));
  }

  async link(_existingPath: string, newPath: string): Promise<void> {
    throw fsError('ENOTSUP', 'link', normalize(newPath));
  }

  async readlink(path: string): Promise<string> {
    const p = normalize(path);
    throw fsError((await this.#kind(p)) === null ? 'ENOENT' : 'EINVAL', 'readlink', p);
  }

  async realpath(path: string): Promise<string> {
    const p = normalize(path);
    if ((await this.#kind(p)) === null) throw fsError('ENOENT', 'realpath', p);
    return p;
  }

  async utimes(path: string): Promise<void> {
    const p = normalize(path);
    if ((await this.#kind(p)) === null) throw fsError('ENOENT', 'utime', p);
  }

  /** What is at `p`, from its parent's listing (the API has no `stat`). */
  async #kind(p: string): Promise<Kind | null> {
    if (p === '/') return 'directory';
    const slash = p.lastIndexOf('/');
    const parent = p.slice(0, slash) || '/';
    const name = p.slice(slash + 1);
    if ((await this.#kind(parent)) !== 'directory') return null;
    const entry = (await this.#list(parent)).find((e) => e.name === name);
    if (!entry) return null;
    return entry.isDirectory() ? 'directory' : 'file';
  }

  async #list(p: string) {
    try {
      return await this.#fs.readdir(relative(p), { withFileTypes: true });
    } catch (err) {
      throw translate(err, 'scandir', p);
    }
  }

  async #requireParent(p: string, syscall: string): Promise<void> {
    const parent = p.slice(0, p.lastIndexOf('/')) || '/';
    const kind = await this.#kind(parent);
    if (kind === null) throw fsError('ENOENT', syscall, p);
    if (kind === 'file') throw fsError('ENOTDIR', syscall, p);
  }
}

const MESSAGES: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EEXIST: 'file already exists',
  ENOTDIR: 'not a directory',
  EISDIR: 'illegal operation on a directory',
  ENOTEMPTY: 'directory not empty',
  EINVAL: 'invalid argument',
  ENOTSUP: "operation not supported: WebContainer's file API cannot make links",
};

function fsError(code: string, syscall: string, path: string): Error {
  return Object.assign(new Error(`${code}: ${MESSAGES[code] ?? code}, ${syscall} '${path}'`), {
    code,
  });
}

/** A container error in just-bash's shape, when its code can be recognised. */
function translate(err: unknown, syscall: string, path: string): Error {
  const text = `${(err as { code?: unknown })?.code ?? ''} ${err instanceof Error ? err.message : String(err)}`;
  const code = Object.keys(MESSAGES).find((c) => text.includes(c));
  return code ? fsError(code, syscall, path) : err instanceof Error ? err : new Error(String(err));
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
function encode(content: FileContent, encoding: BufferEncoding): Uint8Array {
  if (typeof content !== 'string') return content;
  switch (encoding) {
    case 'binary':
    case 'latin1':
      return Uint8Array.from(content, (c) => c.charCodeAt(0) & 0xff);
    case 'base64':
      return Uint8Array.from(atob(content), (c) => c.charCodeAt(0));
    case 'hex':
      return Uint8Array.from(content.match(/../g) ?? [], (h) => parseInt(h, 16));
    default:
      return encoder.encode(content);
  }
}

function decode(bytes: Uint8Array, encoding: BufferEncoding): string {
  switch (encoding) {
    case 'binary':
    case 'latin1': {
      let text = '';
      for (let i = 0; i < bytes.length; i += 0x8000)
        text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return text;
    }
    case 'base64':
      return btoa(decode(bytes, 'latin1'));
    case 'hex':
      return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
    default:
      return new TextDecoder().decode(bytes);
  }
}
