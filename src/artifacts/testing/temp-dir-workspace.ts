/**
 * Test support: a `Workspace` backed by a real temporary directory (node:fs), standing in for
 * an executor's sandbox. Sandbox paths map below the temp dir; every write whose path, or whose
 * directory's real location after following symlinks (dangling ones too), falls outside the
 * project directory is refused and recorded in `outsideAttempts`, so tests can prove an
 * extraction never wrote outside. A symlink at the written path itself is replaced, as the
 * `Workspace` port promises.
 */
import {
  chmod,
  lstat,
  mkdir,
  mkdtemp,
  readFile,
  readdir,
  readlink,
  realpath,
  rm,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, posix, relative, resolve, sep } from 'node:path';
import type { StageResult, Workspace } from '../../executors/index.ts';
import { TabrunnerError } from '../../errors/index.ts';

export interface TempDirWorkspace extends Workspace {
  /** The host directory standing for the sandbox's `/`. */
  readonly root: string;
  /** Absolute sandbox project directory, e.g. `/builds/group/project`. */
  readonly projectDir: string;
  /** Host path of a sandbox path (for seeding files and inspecting results). */
  host(sandboxPath: string): string;
  /** Sandbox paths of writes refused because they pointed outside the project directory. */
  readonly outsideAttempts: string[];
  /** Every sandbox path successfully written, in order. */
  readonly writes: string[];
  /** Sandbox paths of the regular files anywhere outside the project directory, sorted. */
  filesOutsideProject(): Promise<string[]>;
}

/** Create a temp-dir workspace with an empty project directory. */
export async function createTempDirWorkspace(
  projectDir = '/builds/group/project',
): Promise<TempDirWorkspace> {
  const root = await mkdtemp(join(tmpdir(), 'tabrunner-artifacts-'));
  const host = (path: string): string => join(root, posix.resolve('/', path));
  const projectHost = host(projectDir);
  await mkdir(projectHost, { recursive: true });
  const realProject = await realpath(projectHost);
  const outsideAttempts: string[] = [];
  const writes: string[] = [];

  const inside = (hostPath: string, base: string): boolean => {
    const rel = relative(base, hostPath);
    return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !rel.startsWith(sep);
  };
  /**
   * Where a write to `hostPath` lands: its nearest existing ancestor resolved, plus the rest.
   * `realpath` fails on a dangling symlink, which a write follows to create its target, so a
   * link found on the way is followed by hand (at most 40 times, as Linux does).
   */
  const realLocation = async (hostPath: string, links = 0): Promise<string | null> => {
    let existing = hostPath;
    const rest: string[] = [];
    for (;;) {
      const stat = await lstat(existing).catch(() => null);
      if (stat?.isSymbolicLink()) {
        if (links >= 40) return null;
        const target = resolve(dirname(existing), await readlink(existing));
        return realLocation(join(target, ...rest.reverse()), links + 1);
      }
      if (stat) return join(await realpath(existing), ...rest.reverse());
      rest.push(basename(existing));
      existing = dirname(existing);
    }
  };
  const notFound = (path: string): TabrunnerError =>
    new TabrunnerError('ENOENT', `no such file: ${path}`, { path });

  const workspace: TempDirWorkspace = {
    root,
    projectDir,
    host,
    outsideAttempts,
    writes,
    lost: null,
    runStage(): Promise<StageResult> {
      return Promise.reject(new Error('temp-dir workspace runs no shell'));
    },
    async writeFiles(dir, files) {
      // File by file through writeFile's checks; a real disk has no faster bulk form to model.
      for (const file of files) {
        const path = posix.join(dir, file.path);
        try {
          await workspace.writeFile(path, file.data);
        } catch (error) {
          if ((error as { code?: unknown }).code !== 'EISDIR') throw error;
          throw new TabrunnerError('EISDIR', `a directory is at ${path}`, { path });
        }
        if (file.mode !== undefined && (file.mode & 0o111) !== 0) {
          await chmod(host(path), file.mode & 0o777);
        }
      }
    },
    async writeFile(path, data) {
      const target = host(path);
      // The directory the file lands in, after following links; a symlink at the path itself
      // is replaced, not followed, as the port promises.
      const parent = inside(target, projectHost) ? await realLocation(dirname(target)) : null;
      const landing = parent === null ? null : join(parent, basename(target));
      if (landing === null || !inside(landing, realProject)) {
        outsideAttempts.push(path);
        throw new TabrunnerError('OutsideProject', `refused write outside project: ${path}`, {
          path,
        });
      }
      await mkdir(dirname(landing), { recursive: true });
      if ((await lstat(landing).catch(() => null))?.isSymbolicLink()) await unlink(landing);
      await writeFile(landing, data);
      writes.push(path);
    },
    async readFile(path) {
      try {
        return new Uint8Array(await readFile(host(path)));
      } catch {
        throw notFound(path);
      }
    },
    async listFiles(dir) {
      const found: string[] = [];
      const visit = async (sandboxDir: string): Promise<void> => {
        let names: string[];
        try {
          names = await readdir(host(sandboxDir));
        } catch {
          return;
        }
        for (const name of names) {
          const child = posix.join(sandboxDir, name);
          const stat = await lstat(host(child));
          if (stat.isDirectory()) await visit(child);
          else found.push(child);
        }
      };
      await visit(posix.resolve('/', dir));
      return found.sort();
    },
    async filesOutsideProject() {
      const outside: string[] = [];
      for (const rel of await readdir(root, { recursive: true })) {
        const full = join(root, rel);
        if (inside(full, projectHost)) continue;
        if ((await lstat(full)).isFile()) outside.push(`/${rel.split(sep).join('/')}`);
      }
      return outside.sort();
    },
    async dispose() {
      await rm(root, { recursive: true, force: true });
    },
  };
  return workspace;
}
