/**
 * WebContainer's file API over node:fs in a real directory: the same `fs.promises` calls
 * WebContainer's typings copy from Node, with paths relative to `root` as WebContainer's are
 * relative to its workdir. The real-files side of the double's differential test and of the
 * Node-backed container model (node-container.ts).
 */
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import type { ContainerDirent, ContainerFs } from '../../src/executors/webcontainer/container.ts';

export function nodeContainerFs(root: string): ContainerFs {
  const at = (path: string): string => {
    const full = resolve(root, path.replace(/^\/+/, ''));
    if (full !== root && !full.startsWith(`${root}/`)) throw new Error(`outside the root: ${path}`);
    return full;
  };
  return {
    readFile: async (path) => new Uint8Array(await readFile(at(path))),
    writeFile: (path, data) => writeFile(at(path), data),
    readdir: async (path): Promise<ContainerDirent[]> =>
      (await readdir(at(path), { withFileTypes: true })).map((d) => ({
        name: d.name,
        isFile: () => d.isFile(),
        isDirectory: () => d.isDirectory(),
      })),
    // Node answers with the first directory it made (absolute here; relative like every path here).
    mkdir: async (path) => {
      const made = await mkdir(at(path), { recursive: true });
      return made === undefined ? '' : relative(root, made);
    },
    rm: (path, options) => rm(at(path), options),
    rename: (from, to) => rename(at(from), at(to)),
  };
}
