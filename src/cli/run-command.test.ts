/**
 * `tabrunner run` in this process against the emulator: its jobs archive with node:zlib's
 * deflater and send artifacts from a temporary-file spool that is gone once the job is done.
 * Proved on what the job leaves, not on the options passed: the entries of the uploaded artifact
 * and of the saved cache are node:zlib's bytes (fflate's differ for this content), and a spool
 * folder appeared in TMPDIR during the job and is not there after it.
 */
import { watch } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { deflateSync, unzipSync } from 'fflate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../test/support/runner-harness.ts';
import { runCommand } from './run-command.ts';

const content = Array.from(
  { length: 2000 },
  (_, i) => `export const value${i} = ${(i * 7919) % 1009};`,
).join('\n');

/** Each entry's stored bytes by name, read from the local headers (entries written whole). */
function storedEntries(zip: Uint8Array): Map<string, Uint8Array> {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const entries = new Map<string, Uint8Array>();
  for (let at = 0; view.getUint32(at, true) === 0x04034b50;) {
    const compressedSize = view.getUint32(at + 18, true);
    const nameLength = view.getUint16(at + 26, true);
    const start = at + 30 + nameLength + view.getUint16(at + 28, true);
    const name = new TextDecoder().decode(zip.subarray(at + 30, at + 30 + nameLength));
    entries.set(name, zip.subarray(start, start + compressedSize));
    at = start + compressedSize;
  }
  return entries;
}

let h: Harness;
let dir: string;
let savedTmp: string | undefined;
beforeEach(async () => {
  h = await startHarness();
  dir = await mkdtemp(join(tmpdir(), 'tabrunner-run-command-'));
  savedTmp = process.env['TMPDIR'];
});
afterEach(async () => {
  if (savedTmp === undefined) delete process.env['TMPDIR'];
  else process.env['TMPDIR'] = savedTmp;
  await h.close();
  await rm(dir, { recursive: true, force: true });
});

describe('tabrunner run', () => {
  it('archives with node:zlib and spools the artifact to a temporary file it removes', async () => {
    const zlibBytes = deflateRawSync(new TextEncoder().encode(content), { level: 5 });
    // The proof below holds only if fflate's deflate differs from zlib's on this content.
    expect(Buffer.from(deflateSync(new TextEncoder().encode(content), { level: 5 }))).not.toEqual(
      zlibBytes,
    );
    const [job] = await h.pipeline([
      {
        name: 'build',
        script: [`mkdir -p dist .npm && printf '%s' '${content}' | tee dist/app.js > .npm/app.js`],
        artifacts: { paths: ['dist/'] },
        cache: { key: 'npm', paths: ['.npm/'] },
      },
    ]);
    const spoolParent = join(dir, 'tmp');
    await mkdir(spoolParent);
    const created: string[] = [];
    const watcher = watch(spoolParent, (_, name) => {
      if (name) created.push(name);
    });
    process.env['TMPDIR'] = spoolParent;
    const errors: string[] = [];
    let code: number;
    try {
      code = await runCommand({
        url: h.emulator.url,
        token: h.runnerToken,
        stateDir: join(dir, 'state'),
        io: { out: () => undefined, err: (line) => errors.push(line) },
        executor: 'shell',
        once: true,
        checkIntervalSeconds: 0.2,
        outputLimit: 4 * 1024 * 1024,
        name: 'cli-test',
        logFormat: 'plain',
        cacheDir: null,
        cacheBudgetBytes: 64 * 1024 * 1024,
      });
    } finally {
      watcher.close();
    }
    expect(errors).toEqual([]);
    expect(code).toBe(0);
    expect((await h.finished(job!.id)).status).toBe('success');

    const artifact = h.emulator.state.jobs
      .get(job!.id)!
      .artifactsStored.find((a) => a.artifactType === 'archive');
    expect(new TextDecoder().decode(unzipSync(artifact!.data)['dist/app.js'])).toBe(content);
    expect(Buffer.from(storedEntries(artifact!.data).get('dist/app.js')!)).toEqual(zlibBytes);

    const cacheDir = join(dir, 'state', 'cache');
    const [cacheZip] = (await readdir(cacheDir)).filter((name) => name.endsWith('.zip'));
    const cache = new Uint8Array(await readFile(join(cacheDir, cacheZip!)));
    expect(new TextDecoder().decode(unzipSync(cache)['.npm/app.js'])).toBe(content);
    expect(Buffer.from(storedEntries(cache).get('.npm/app.js')!)).toEqual(zlibBytes);

    // A folder's creation and its removal are both events naming it: one folder, made and gone.
    const spools = new Set(created.filter((name) => name.startsWith('tabrunner-spool-')));
    expect(spools.size).toBe(1);
    expect(await readdir(spoolParent)).not.toContain([...spools][0]);
  });
});
