import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterEach, describe, expect, it } from 'vitest';
import { createArtifactArchive } from '../artifacts/index.ts';
import { seededRandom } from '../../test/support/seeded-random.ts';
import { createFileSpool } from './file-spool.ts';
import { zlibRawDeflater } from './zlib-raw-deflater.ts';

const PROJECT = '/builds/p';
const dirs: string[] = [];

afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** A large file deflated slice by slice, text and noise, and small ones deflated whole. */
function contents(): Record<string, Uint8Array> {
  const random = seededRandom(11);
  const big = new Uint8Array(3.5 * 1024 * 1024 + 123);
  big.set(new TextEncoder().encode('const a = 1;\n'.repeat(150_000)));
  big.set(random.bytes(1024 * 1024), 2 * 1024 * 1024);
  return {
    'big.bin': big,
    'small.txt': new TextEncoder().encode('small\n'.repeat(50)),
    empty: new Uint8Array(),
  };
}

describe('zlibRawDeflater', () => {
  it('writes a zip that fflate and Python read back byte for byte, large files in slices', async () => {
    const files = contents();
    const stream = createArtifactArchive({
      workspace: {
        readFile: async (path) => files[path.slice(PROJECT.length + 1)] ?? new Uint8Array(),
      },
      projectDir: PROJECT,
      files: Object.keys(files).map((path) => ({ path })),
      format: 'zip',
      deflater: zlibRawDeflater,
    });
    const zip = new Uint8Array(await new Response(stream).arrayBuffer());
    const back = unzipSync(zip);
    expect(Object.keys(back).sort()).toEqual(Object.keys(files).sort());
    // Buffer.equals: a deep toEqual over 3.5 MB of elements takes vitest minutes.
    for (const [path, data] of Object.entries(files)) {
      expect(Buffer.from(back[path] ?? []).equals(data), path).toBe(true);
    }
    const dir = await mkdtemp(join(tmpdir(), 'tabrunner-zlib-deflater-'));
    dirs.push(dir);
    await writeFile(join(dir, 'a.zip'), zip);
    const tested = execFileSync('python3', [
      '-c',
      'import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).testzip())',
      join(dir, 'a.zip'),
    ]);
    expect(tested.toString().trim()).toBe('None');
  });
});

describe('createFileSpool', () => {
  it('keeps a stream in a file whose Blob reads back the same bytes, gone after dispose', async () => {
    const spool = await createFileSpool();
    const bytes = seededRandom(3).bytes(300_000);
    const blob = await spool.spool(new Blob([new Uint8Array(bytes)]).stream());
    expect(Buffer.from(await blob.arrayBuffer()).equals(bytes)).toBe(true);
    await spool.dispose();
    await expect(blob.arrayBuffer()).rejects.toThrow();
  });
});
