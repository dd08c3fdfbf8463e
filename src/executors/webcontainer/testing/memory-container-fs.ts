/**
 * Part of the WebContainer test double: the container's file API in memory. WebContainer's
 * `fs` is a subset of Node's `fs.promises` (its typings say so, method by method), so this
 * answers as Node does, errors included (`ENOENT: no such file or directory, open 'x'` with
 * `code`); memory-container-fs.test.ts checks it against node:fs on a real directory.
 * Paths are relative to the workdir (`''` and `.` are the workdir itself).
 */
import type { ContainerDirent, ContainerFs } from '../container.ts';

type Node = { kind: 'file'; data: Uint8Array } | { kind: 'dir' };

export class MemoryContainerFs implements ContainerFs {
  /** Path (normalised, `''` for the root) → entry. */
  readonly #nodes = new Map<string, Node>([['', { kind: 'dir' }]]);

  async readFile(path: string): Promise<Uint8Array> {
    const p = norm(path);
    const node = this.#nodes.get(p);
    if (!node) throw nodeError('ENOENT', 'open', path);
    if (node.kind === 'dir') throw nodeError('EISDIR', 'read', path);
    return node.data.slice();
  }

  async writeFile(path: string, data: string | Uint8Array): Promise<void> {
    const p = norm(path);
    this.#parentDir(p, 'open', path);
    if (this.#nodes.get(p)?.kind === 'dir') throw nodeError('EISDIR', 'open', path);
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data.slice();
    this.#nodes.set(p, { kind: 'file', data: bytes });
  }

  async readdir(path: string, _options: { withFileTypes: true }): Promise<ContainerDirent[]> {
    const p = norm(path);
    const node = this.#nodes.get(p);
    if (!node) throw nodeError('ENOENT', 'scandir', path);
    if (node.kind !== 'dir') throw nodeError('ENOTDIR', 'scandir', path);
    return this.#children(p)
      .sort()
      .map((name) => {
        const child = this.#nodes.get(join(p, name));
        return {
          name,
          isFile: () => child?.kind === 'file',
          isDirectory: () => child?.kind === 'dir',
        };
      });
  }

  async mkdir(path: string, _options: { recursive: true }): Promise<string> {
    const p = norm(path);
    const parts = p === '' ? [] : p.split('/');
    let first: string | undefined;
    for (let i = 1; i <= parts.length; i++) {
      const at = parts.slice(0, i).join('/');
      const node = this.#nodes.get(at);
      if (node?.kind === 'file') throw nodeError('EEXIST', 'mkdir', path);
      if (!node) {
        this.#nodes.set(at, { kind: 'dir' });
        first ??= at;
      }
    }
    return first ?? '';
  }

  async rm(path: string, options: { force?: boolean; recursive?: boolean } = {}): Promise<void> {
    const p = norm(path);
    const node = this.#nodes.get(p);
    if (!node) {
      if (options.force) return;
      throw nodeError('ENOENT', 'rm', path);
    }
    if (node.kind === 'dir' && !options.recursive)
      throw Object.assign(
        new Error(`Path is a directory: rm returned EISDIR (is a directory) ${path}`),
        {
          code: 'ERR_FS_EISDIR',
        },
      );
    for (const key of [...this.#nodes.keys()])
      if (key === p || key.startsWith(`${p}/`)) this.#nodes.delete(key);
    if (p === '') this.#nodes.set('', { kind: 'dir' });
  }

  async rename(oldPath: string, newPath: string): Promise<void> {
    const from = norm(oldPath);
    const to = norm(newPath);
    if (!this.#nodes.has(from)) throw nodeError('ENOENT', 'rename', oldPath);
    this.#parentDir(to, 'rename', newPath);
    const moved = [...this.#nodes.entries()].filter(
      ([k]) => k === from || k.startsWith(`${from}/`),
    );
    for (const [key] of moved) this.#nodes.delete(key);
    for (const [key, node] of moved) this.#nodes.set(to + key.slice(from.length), node);
  }

  #children(dir: string): string[] {
    const prefix = dir === '' ? '' : `${dir}/`;
    return [...this.#nodes.keys()]
      .filter((k) => k !== dir && k.startsWith(prefix) && !k.slice(prefix.length).includes('/'))
      .map((k) => k.slice(prefix.length));
  }

  #parentDir(p: string, syscall: string, path: string): void {
    const parent = p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '';
    const node = this.#nodes.get(parent);
    if (!node) throw nodeError('ENOENT', syscall, path);
    if (node.kind !== 'dir') throw nodeError('ENOTDIR', syscall, path);
  }
}

const MESSAGES: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EEXIST: 'file already exists',
  ENOTDIR: 'not a directory',
  EISDIR: 'illegal operation on a directory',
};

function nodeError(code: string, syscall: string, path: string): Error {
  return Object.assign(new Error(`${code}: ${MESSAGES[code]}, ${syscall} '${path}'`), {
    code,
    syscall,
    path,
  });
}

function norm(path: string): string {
  return path
    .split('/')
    .filter((s) => s !== '' && s !== '.')
    .join('/');
}

function join(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}
