/**
 * The double's file API answers as Node's fs.promises does (WebContainer's is modelled on it):
 * the same operations on the double and on node:fs in a real directory give the same results
 * and the same error codes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeContainerFs } from '../../../../test/support/node-container-fs.ts';
import type { ContainerFs } from '../container.ts';
import { MemoryContainerFs } from './memory-container-fs.ts';

type Step = (fs: ContainerFs) => Promise<unknown>;

const text = (bytes: unknown) =>
  bytes instanceof Uint8Array ? new TextDecoder().decode(bytes) : bytes;
const list = async (fs: ContainerFs, path: string) =>
  (await fs.readdir(path, { withFileTypes: true }))
    .map((d) => `${d.name}${d.isDirectory() ? '/' : ''}`)
    .sort();

/** Each step's outcome: its value, or the error's code. */
async function outcomes(fs: ContainerFs, steps: Step[]): Promise<unknown[]> {
  const results: unknown[] = [];
  for (const step of steps) {
    try {
      results.push(text(await step(fs)) ?? null);
    } catch (err) {
      results.push({ error: (err as { code?: string }).code });
    }
  }
  return results;
}

const SCENARIOS: Record<string, Step[]> = {
  'writing, reading and listing': [
    (fs) => fs.mkdir('a/b', { recursive: true }),
    (fs) => fs.writeFile('a/b/f.txt', 'hello'),
    (fs) => fs.writeFile('a/g.bin', new Uint8Array([0, 255, 10])),
    (fs) => fs.readFile('a/b/f.txt'),
    (fs) => list(fs, 'a'),
    (fs) => list(fs, '.'),
  ],
  'errors for missing paths and wrong kinds': [
    (fs) => fs.readFile('missing.txt'),
    (fs) => fs.writeFile('no/such/dir/f.txt', 'x'),
    (fs) => fs.readdir('missing', { withFileTypes: true }),
    (fs) => fs.writeFile('file', 'x'),
    (fs) => fs.readdir('file', { withFileTypes: true }),
    (fs) => fs.mkdir('dir', { recursive: true }),
    (fs) => fs.readFile('dir'),
    (fs) => fs.rm('missing'),
    (fs) => fs.rm('dir'),
  ],
  'removing and renaming': [
    (fs) => fs.mkdir('x/y', { recursive: true }),
    (fs) => fs.writeFile('x/y/z.txt', 'z'),
    (fs) => fs.rename('x/y', 'x/w'),
    (fs) => list(fs, 'x'),
    (fs) => fs.readFile('x/w/z.txt'),
    (fs) => fs.rm('x', { recursive: true }),
    (fs) => fs.rm('x', { recursive: true, force: true }),
    (fs) => list(fs, '.'),
    (fs) => fs.rename('gone', 'here'),
  ],
  'recursive mkdir of what exists': [
    (fs) => fs.mkdir('m/n', { recursive: true }),
    (fs) => fs.mkdir('m/n', { recursive: true }),
    (fs) => fs.writeFile('m/file', 'f'),
    (fs) => fs.mkdir('m/file', { recursive: true }),
  ],
};

describe('MemoryContainerFs answers like node:fs', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'tabrunner-containerfs-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  for (const [name, steps] of Object.entries(SCENARIOS)) {
    it(name, async () => {
      const real = await outcomes(nodeContainerFs(root), steps);
      const double = await outcomes(new MemoryContainerFs(), steps);
      expect(double).toEqual(real);
    });
  }
});
