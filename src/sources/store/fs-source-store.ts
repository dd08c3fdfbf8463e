/**
 * `SourceStore` over any promise fs: `<root>/<encoded key>/` is a bare git dir, with
 * `tabrunner.json` ({ key, lastUsed }) beside git's own files. Used by the node:fs and the
 * IndexedDB stores, so both behave the same and the Node tests cover the logic of both.
 */
import type { Clock } from '../../platform/clock.ts';
import { systemClock } from '../../platform/clock.ts';
import type { ObjectInflater } from '../git/pack/object-inflater.ts';
import type { CreateSha1 } from '../git/pack/sha1.ts';
import type { SourceStore, StoreFs, StoreProject, StoreUsage } from './source-store.ts';
import { SourcesStoreError } from '../errors/sources-errors.ts';

export interface FsSourceStoreOptions {
  fs: StoreFs;
  /** Absolute directory in `fs` holding one sub-directory per project. */
  root: string;
  /** Upper bound on the total size in bytes; default unbounded. */
  maxBytes?: number;
  /** Source of `lastUsed`; default the system clock. */
  clock?: Clock;
  /** The platform's fastest SHA-1 (`SourceStore.sha1`); default the portable one. */
  sha1?: CreateSha1;
  /** The platform's fastest inflater (`SourceStore.inflater`); default ours. */
  inflater?: ObjectInflater;
}

const META = 'tabrunner.json';

interface Stat {
  size: number;
  isDirectory(): boolean;
}

/** Project keys become one safe path segment: `[A-Za-z0-9_-]` kept, the rest `%XX`. */
function encodeKey(key: string): string {
  let out = '';
  for (const byte of new TextEncoder().encode(key)) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9_-]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function isNotFound(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** Create a store rooted at `root` in `fs`. */
export function createFsSourceStore(options: FsSourceStoreOptions): SourceStore {
  const { fs, root } = options;
  const p = fs.promises;
  const clock = options.clock ?? systemClock;
  const maxBytes = options.maxBytes ?? Infinity;
  const leases = new Map<string, Promise<void>>();

  async function mkdirp(path: string): Promise<void> {
    const parts = path.split('/').filter(Boolean);
    let current = '';
    for (const part of parts) {
      current += `/${part}`;
      try {
        await p.mkdir(current);
      } catch (err) {
        if ((err as { code?: unknown }).code !== 'EEXIST') throw err;
      }
    }
  }

  async function removeTree(path: string): Promise<void> {
    let stat: Stat;
    try {
      stat = (await p.lstat(path)) as Stat;
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    if (!stat.isDirectory()) {
      await p.unlink(path);
      return;
    }
    for (const name of (await p.readdir(path)) as string[]) await removeTree(`${path}/${name}`);
    await p.rmdir(path);
  }

  async function sizeOf(path: string): Promise<number> {
    const stat = (await p.lstat(path)) as Stat;
    if (!stat.isDirectory()) return stat.size;
    let total = 0;
    for (const name of (await p.readdir(path)) as string[])
      total += await sizeOf(`${path}/${name}`);
    return total;
  }

  async function readMeta(dir: string): Promise<{ key: string; lastUsed: number } | null> {
    try {
      const text = (await p.readFile(`${root}/${dir}/${META}`, 'utf8')) as string;
      const meta = JSON.parse(text) as { key?: unknown; lastUsed?: unknown };
      if (typeof meta.key !== 'string' || typeof meta.lastUsed !== 'number') return null;
      return { key: meta.key, lastUsed: meta.lastUsed };
    } catch {
      return null;
    }
  }

  async function usage(): Promise<StoreUsage> {
    let dirs: string[] = [];
    try {
      dirs = (await p.readdir(root)) as string[];
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    const projects: StoreUsage['projects'] = [];
    for (const dir of dirs) {
      const meta = await readMeta(dir);
      let bytes = 0;
      try {
        bytes = await sizeOf(`${root}/${dir}`);
      } catch (err) {
        if (!isNotFound(err)) throw err;
        continue;
      }
      projects.push({
        key: meta?.key ?? decodeURIComponent(dir),
        bytes,
        lastUsed: meta?.lastUsed ?? 0,
      });
    }
    projects.sort((a, b) => b.lastUsed - a.lastUsed);
    return { projects, bytes: projects.reduce((sum, x) => sum + x.bytes, 0), maxBytes };
  }

  async function remove(projectKey: string): Promise<void> {
    await removeTree(`${root}/${encodeKey(projectKey)}`);
    await p.flush?.();
  }

  async function prune(pruneOptions: { keep?: string[] } = {}): Promise<string[]> {
    if (maxBytes === Infinity) return [];
    const keep = new Set([...(pruneOptions.keep ?? []), ...leases.keys()]);
    const current = await usage();
    let total = current.bytes;
    const evicted: string[] = [];
    for (const project of [...current.projects].reverse()) {
      if (total <= maxBytes) break;
      if (keep.has(project.key)) continue;
      await removeTree(`${root}/${encodeKey(project.key)}`);
      total -= project.bytes;
      evicted.push(project.key);
    }
    if (evicted.length) await p.flush?.();
    return evicted;
  }

  async function open(projectKey: string, openOptions: { fresh: boolean }): Promise<StoreProject> {
    // One lease per key: wait for the previous holder, then take the slot.
    while (leases.has(projectKey)) await leases.get(projectKey);
    let end!: () => void;
    leases.set(
      projectKey,
      new Promise<void>((resolve) => {
        end = resolve;
      }),
    );
    const finish = () => {
      leases.delete(projectKey);
      end();
    };
    const gitdir = `${root}/${encodeKey(projectKey)}`;
    try {
      if (openOptions.fresh) await removeTree(gitdir);
      await mkdirp(gitdir);
    } catch (err) {
      finish();
      throw new SourcesStoreError(
        { projectKey, reason: `cannot create ${gitdir}: ${String(err)}` },
        { cause: err },
      );
    }
    let released = false;
    return {
      fs,
      gitdir,
      location: gitdir,
      release: async () => {
        if (released) return;
        released = true;
        try {
          const meta = JSON.stringify({ key: projectKey, lastUsed: clock.now() });
          await p.writeFile(`${gitdir}/${META}`, meta, 'utf8');
          await p.flush?.();
          finish();
          await prune({ keep: [projectKey] });
        } finally {
          if (leases.has(projectKey)) finish();
        }
      },
    };
  }

  return {
    open,
    usage,
    remove,
    prune,
    ...(options.sha1 ? { sha1: options.sha1 } : {}),
    ...(options.inflater ? { inflater: options.inflater } : {}),
  };
}
