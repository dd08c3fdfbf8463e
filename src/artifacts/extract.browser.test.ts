/**
 * The extractor in Chromium, as the tab runs it: a zip `Blob` (what the cache store hands out)
 * read at its directory and in batches, written into the shell executor's sandbox with
 * `writeFiles`, and the job's shell reading the files back.
 */
import { zipSync, type Zippable } from 'fflate';
import { describe, expect, it } from 'vitest';
import { createShellExecutor } from '../executors/index.ts';
import { extractArtifactArchive } from './extract.ts';

const PROJECT = '/builds/group/project';
const enc = new TextEncoder();

describe('extractArtifactArchive in Chromium', () => {
  it('restores a zip Blob of 1,200 files into the shell sandbox, where the job reads them', async () => {
    const files: Zippable = {};
    for (let i = 0; i < 1200; i++) files[`node_modules/p${i % 9}/f${i}.js`] = enc.encode(`m${i}\n`);
    const executor = createShellExecutor();
    const workspace = await executor.prepare(
      { files: [{ path: 'package.json', data: enc.encode('{}') }] },
      { projectDir: PROJECT, env: {} },
    );
    try {
      const result = await extractArtifactArchive({
        workspace,
        projectDir: PROJECT,
        archive: new Blob([zipSync(files)]),
      });
      expect(result.files).toHaveLength(1200);
      const chunks: Uint8Array[] = [];
      const { exitCode } = await workspace.runStage(
        {
          lines: [
            'cat node_modules/p0/f0.js node_modules/p2/f1199.js',
            'cat node_modules/p8/f1196.js',
          ],
        },
        { onLine: () => undefined, onOutput: (chunk) => chunks.push(chunk) },
        new AbortController().signal,
      );
      const text = chunks.map((c) => new TextDecoder().decode(c)).join('');
      expect({ exitCode, text }).toEqual({ exitCode: 0, text: 'm0\nm1199\nm1196\n' });
    } finally {
      await workspace.dispose();
      await executor.dispose();
    }
  });
});
