/**
 * Test support: a `Workspace` backed by a real temporary directory (node:fs), standing in for
 * an executor's sandbox. Sandbox paths map below the temp dir; every write whose path, or whose
 * real location after following symlinks, falls outside the project directory is refused and
 * recorded in `outsideAttempts`, so tests can prove an extraction never wrote outside.
 */
import {
  lstat,
  mkdir,
  mkdtemp,
  readFile,
  readdir,
  realpath,
  rm,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, posix, relative, sep } from 'node:path';
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
  /** Real location of `hostPath`: its nearest existing ancestor resolved, plus the rest. */
  const realLocation = async (hostPath: string): Promise<string> => {
    let existing = hostPath;
    const rest: string[] = [];
    for (;;) {
      try {
        return join(await realpath(existing), ...rest.reverse());
      } catch {
        rest.push(posix.basename(existing));
        existing = dirname(existing);
      }
    }
  };
  const notFound = (path: string): TabrunnerError =>
    new TabrunnerError('ENOENT', `no such file: ${path}`, { path });

  return {
    root,
    projectDir,
    host,
    outsideAttempts,
    writes,
    lost: null,
    runStage(): Promise<StageResult> {
      return Promise.reject(new Error('temp-dir workspace runs no shell'));
    },
    async writeFile(path, data) {
      const target = host(path);
      if (!inside(target, projectHost) || !inside(await realLocation(target), realProject)) {
        outsideAttempts.push(path);
        throw new TabrunnerError('OutsideProject', `refused write outside project: ${path}`, {
          path,
        });
      }
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, data);
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
    async dispose() {
      await rm(root, { recursive: true, force: true });
    },
  };
}
