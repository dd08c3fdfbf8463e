/**
 * Safe extraction into a real temp directory: what lands where, progress, and the refusals
 * (zip-slip, symlinks old and new, bombs by entry, by overlap and by the archive as a whole,
 * damaged archives). The broad hostile-archive suite is extract-hostile.test.ts; gzip trailers
 * and headers are extract-gzip.test.ts.
 *
 * 21 cases.
 */
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { crc32, deflateRawSync } from 'node:zlib';
import { gzipSync, zipSync, type Zippable } from 'fflate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Workspace } from '../executors/index.ts';
import { extractArtifactArchive, type ExtractProgress } from './extract.ts';
import { extractOutcome } from './testing/extract-outcome.ts';
import { createTempDirWorkspace, type TempDirWorkspace } from './testing/temp-dir-workspace.ts';
import { writeZip, type ZipSpec } from './testing/zip-writer.ts';

const enc = new TextEncoder();
let ws: TempDirWorkspace;

beforeEach(async () => {
  ws = await createTempDirWorkspace();
  // A sentinel next to the project: anything written outside would show up here.
  await mkdir(ws.host('/builds/group/outside'), { recursive: true });
});
afterEach(() => ws.dispose());

/** The refusal an extraction into `ws` ends with, or null when it extracted. */
const refusal = (archive: Uint8Array, limits = {}) => extractOutcome(ws, archive, limits);

describe('extractArtifactArchive', () => {
  it('extracts a zip into the project directory', async () => {
    const archive = zipSync({
      'dist/app.js': enc.encode('console.log(1)'),
      'dist/css/site.css': enc.encode('body{}'),
      'dist/empty/': new Uint8Array(),
    } satisfies Zippable);
    const result = await extractArtifactArchive({
      workspace: ws,
      projectDir: ws.projectDir,
      archive,
    });
    expect(result.files.sort()).toEqual(['dist/app.js', 'dist/css/site.css']);
    expect(result.bytes).toBe(20);
    expect(await readFile(ws.host(`${ws.projectDir}/dist/app.js`), 'utf8')).toBe('console.log(1)');
    expect(ws.outsideAttempts).toEqual([]);
  });

  it('extracts a gzip artifact under the name in its header', async () => {
    const archive = gzipSync(enc.encode('<testsuite/>'), { filename: 'junit.xml' });
    const result = await extractArtifactArchive({
      workspace: ws,
      projectDir: ws.projectDir,
      archive,
    });
    expect(result.files).toEqual(['junit.xml']);
    expect(await readFile(ws.host(`${ws.projectDir}/junit.xml`), 'utf8')).toBe('<testsuite/>');
  });

  it('reads a Blob archive and writes it in bounded batches, the same files as from bytes', async () => {
    const files: Zippable = {};
    for (let i = 0; i < 1001; i++) files[`node_modules/p${i % 7}/f${i}.js`] = enc.encode(`${i}`);
    // Noise, so it does not look like a bomb.
    let seed = 42;
    files['big.bin'] = Uint8Array.from({ length: 9 * 1024 * 1024 }, () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed >>> 24;
    });
    const batches: number[] = [];
    const counted: Pick<Workspace, 'writeFiles' | 'listFiles'> = {
      listFiles: (dir) => ws.listFiles(dir),
      writeFiles: (dir, tree) => {
        batches.push(tree.length);
        return ws.writeFiles(dir, tree);
      },
    };
    const result = await extractArtifactArchive({
      workspace: counted,
      projectDir: ws.projectDir,
      archive: new Blob([zipSync(files, { level: 1 })]),
    });
    expect(result.files).toHaveLength(1002);
    // 1,000 files fill a batch; the 9 MiB file is over the batch's bytes, so it goes alone.
    expect(batches).toEqual([1000, 1, 1]);
    expect(await readFile(ws.host(`${ws.projectDir}/node_modules/p6/f1000.js`), 'utf8')).toBe(
      '1000',
    );
    expect((await readFile(ws.host(`${ws.projectDir}/big.bin`))).byteLength).toBe(9 * 1024 * 1024);
  });

  describe('allOrNothing', () => {
    /** 1,001 small files, the last with a CRC-32 that does not match its bytes. */
    const lastEntryBad = (): Uint8Array =>
      writeZip(
        Array.from({ length: 1001 }, (_, i) => ({
          name: `node_modules/p${i % 7}/f${i}.js`,
          content: enc.encode(`module.exports = ${i};`),
          ...(i === 1000 ? { crc: 0xdead_beef } : {}),
        })),
      );
    const counting = (calls: number[]): Pick<Workspace, 'writeFiles' | 'listFiles'> => ({
      listFiles: (dir) => ws.listFiles(dir),
      writeFiles: (dir, tree) => {
        calls.push(tree.length);
        return ws.writeFiles(dir, tree);
      },
    });

    it('writes nothing when the last entry fails its CRC-32, where batches would have written 1,000 files', async () => {
      const held = extractArtifactArchive({
        workspace: ws,
        projectDir: ws.projectDir,
        archive: new Blob([new Uint8Array(lastEntryBad())]),
        allOrNothing: { heldBytes: 1024 * 1024 },
      });
      await expect(held).rejects.toMatchObject({
        code: 'CorruptArchiveError',
        message: expect.stringMatching(/f1000\.js" fails its CRC-32 check/),
      });
      expect(ws.writes).toEqual([]);

      // The default mode, for contrast: the first batch is on disk before the bad entry is met.
      await expect(
        extractArtifactArchive({
          workspace: ws,
          projectDir: ws.projectDir,
          archive: lastEntryBad(),
        }),
      ).rejects.toMatchObject({ code: 'CorruptArchiveError' });
      expect(ws.writes).toHaveLength(1000);
    });

    it('writes a good archive with one writeFiles when it fits heldBytes', async () => {
      const files: Zippable = {};
      for (let i = 0; i < 2500; i++) files[`node_modules/p${i % 7}/f${i}.js`] = enc.encode(`${i}`);
      const calls: number[] = [];
      const seen: ExtractProgress[] = [];
      const result = await extractArtifactArchive({
        workspace: counting(calls),
        projectDir: ws.projectDir,
        archive: new Blob([zipSync(files)]),
        allOrNothing: { heldBytes: 1024 * 1024 },
        onProgress: (p) => seen.push({ ...p }),
      });
      expect(result.files).toHaveLength(2500);
      expect(calls).toEqual([2500]);
      // Progress moves as batches are inflated and checked, before the one write.
      expect(seen.map((p) => p.files)).toEqual([0, 1000, 2000, 2500]);
      expect(await readFile(ws.host(`${ws.projectDir}/node_modules/p0/f2499.js`), 'utf8')).toBe(
        '2499',
      );
    });

    it('checks an archive larger than heldBytes whole first, then writes it in batches', async () => {
      const calls: number[] = [];
      await expect(
        extractArtifactArchive({
          workspace: counting(calls),
          projectDir: ws.projectDir,
          archive: lastEntryBad(),
          allOrNothing: { heldBytes: 100 },
        }),
      ).rejects.toMatchObject({ code: 'CorruptArchiveError' });
      expect(calls).toEqual([]);
      expect(ws.writes).toEqual([]);

      const files: Zippable = {};
      for (let i = 0; i < 1001; i++) files[`f${i}.txt`] = enc.encode(`${i}`);
      const result = await extractArtifactArchive({
        workspace: counting(calls),
        projectDir: ws.projectDir,
        archive: zipSync(files),
        allOrNothing: { heldBytes: 100 },
      });
      expect(result.files).toHaveLength(1001);
      expect(calls).toEqual([1000, 1]);
      expect(await readFile(ws.host(`${ws.projectDir}/f1000.txt`), 'utf8')).toBe('1000');
    });
  });

  it('reports the declared totals once the archive is judged safe, then each batch written', async () => {
    const archive = zipSync({
      'dist/app.js': enc.encode('console.log(1)'),
      'dist/css/site.css': enc.encode('body{}'),
      'dist/empty/': new Uint8Array(),
      'notes.txt': enc.encode('n'.repeat(1000)),
    } satisfies Zippable);
    const seen: ExtractProgress[] = [];
    await extractArtifactArchive({
      workspace: ws,
      projectDir: ws.projectDir,
      archive,
      onProgress: (p) => seen.push({ ...p }),
    });
    expect(seen).toEqual([
      { files: 0, filesTotal: 3, bytes: 0, bytesTotal: 1020 },
      { files: 3, filesTotal: 3, bytes: 1020, bytesTotal: 1020 },
    ]);

    const refused: ExtractProgress[] = [];
    await extractArtifactArchive({
      workspace: ws,
      projectDir: ws.projectDir,
      archive: zipSync({ 'ok.txt': enc.encode('fine'), '../evil.txt': enc.encode('x') }),
      onProgress: (p) => refused.push(p),
    }).catch(() => undefined);
    expect(refused).toEqual([]);
  });

  it('reports a gzip artifact as one file of unknown size until it is written', async () => {
    const seen: ExtractProgress[] = [];
    await extractArtifactArchive({
      workspace: ws,
      projectDir: ws.projectDir,
      archive: gzipSync(enc.encode('<testsuite/>'), { filename: 'junit.xml' }),
      onProgress: (p) => seen.push(p),
    });
    expect(seen).toEqual([
      { files: 0, filesTotal: 1, bytes: 0 },
      { files: 1, filesTotal: 1, bytes: 12, bytesTotal: 12 },
    ]);
  });

  it('refuses zip-slip `../` entries and writes nothing, not even the safe entries', async () => {
    const archive = zipSync({
      'ok.txt': enc.encode('fine'),
      '../outside/evil.txt': enc.encode('x'),
    });
    const refused = await refusal(archive);
    expect(refused?.code).toBe('UnsafeArchiveEntryError');
    expect(refused?.message).toContain('"../outside/evil.txt"');
    expect(refused?.message).toContain('".."');
    expect(ws.writes).toEqual([]);
    expect(await ws.filesOutsideProject()).toEqual([]);
  });

  it('refuses absolute paths, drive letters and backslash tricks', async () => {
    for (const name of ['/tmp/evil.txt', 'C:/evil.txt', '..\\..\\evil.txt', 'a/./../../evil']) {
      const refused = await refusal(zipSync({ [name]: enc.encode('x') }));
      expect(refused?.code, name).toBe('UnsafeArchiveEntryError');
    }
    expect(ws.writes).toEqual([]);
    expect(await ws.filesOutsideProject()).toEqual([]);
  });

  it('refuses a symlink whose target leaves the project, and the file written through it', async () => {
    const archive = writeZip([
      { name: 'link', content: enc.encode('../outside'), mode: 0o120777 },
      { name: 'link/evil.txt', content: enc.encode('pwned') },
    ]);
    const refused = await refusal(archive);
    expect(refused?.code).toBe('UnsafeArchiveEntryError');
    expect(refused?.message).toContain('symlink to "../outside"');
    expect(await ws.filesOutsideProject()).toEqual([]);
  });

  it('skips a symlink that stays inside the project with a warning', async () => {
    const archive = writeZip([
      { name: 'real.txt', content: enc.encode('data') },
      { name: 'alias.txt', content: enc.encode('real.txt'), mode: 0o120777 },
    ]);
    const result = await extractArtifactArchive({
      workspace: ws,
      projectDir: ws.projectDir,
      archive,
    });
    expect(result.files).toEqual(['real.txt']);
    expect(result.lines.join('')).toContain('alias.txt: symlink to real.txt skipped');
  });

  it('refuses to write through a symlink already in the project', async () => {
    await symlink(ws.host('/builds/group/outside'), ws.host(`${ws.projectDir}/escape`));
    const refused = await refusal(zipSync({ 'escape/evil.txt': enc.encode('x') }));
    expect(refused?.code).toBe('UnsafeArchiveEntryError');
    expect(refused?.message).toContain('which is a file or a symlink');
    expect(await ws.filesOutsideProject()).toEqual([]);
  });

  it('stops a 1,000:1 zip bomb with a clear message before writing anything', async () => {
    const archive = zipSync({ 'bomb.bin': new Uint8Array(20 * 1024 * 1024) }, { level: 9 });
    expect(archive.byteLength).toBeLessThan(25_000);
    const refused = await refusal(archive);
    expect(refused?.code).toBe('ArchiveLimitError');
    expect(refused?.message).toMatch(/"bomb\.bin" expands \d+ times .* possible zip bomb/);
    expect(ws.writes).toEqual([]);
  });

  it('stops an entry that inflates past the size its header declares', async () => {
    const archive = zipSync({ 'liar.bin': new Uint8Array(4 * 1024 * 1024) }, { level: 9 });
    // Rewrite the central directory's uncompressed size to 1000 bytes.
    const view = new DataView(archive.buffer);
    const cd = view.getUint32(archive.byteLength - 22 + 16, true);
    view.setUint32(cd + 24, 1000, true);
    const refused = await refusal(archive);
    expect(refused?.code).toBe('ArchiveLimitError');
    expect(refused?.message).toContain('inflates past the 1000 bytes it declares');
    expect(ws.writes).toEqual([]);
  });

  it('stops on the total size and entry count bounds', async () => {
    const files: Zippable = {};
    for (let i = 0; i < 20; i++) files[`f${i}.txt`] = enc.encode('x'.repeat(100));
    const archive = zipSync(files);
    const byCount = await refusal(archive, { maxEntries: 10 });
    expect(byCount?.message).toContain('20 entries, more than the 10 allowed');
    const bySize = await refusal(archive, { maxTotalBytes: 1000 });
    expect(bySize?.message).toContain('unpacks to more than 1000 bytes');
    expect(ws.writes).toEqual([]);
  });

  it('replaces a symlink in the checkout named like an entry, never writing through it', async () => {
    // Dangling (out-link -> ../outside/target.txt), to a directory, and to a file outside:
    // GitLab's helper removes what is there and creates the file, and so does the port.
    await writeFile(ws.host('/builds/group/outside/existing.txt'), 'keep');
    await symlink('../outside/target.txt', ws.host(`${ws.projectDir}/out-link`));
    await symlink('../outside', ws.host(`${ws.projectDir}/dir-link`));
    await symlink('../outside/existing.txt', ws.host(`${ws.projectDir}/file-link`));
    for (const archive of [
      zipSync({
        'out-link': enc.encode('z1'),
        'dir-link': enc.encode('z2'),
        'file-link': enc.encode('z3'),
      }),
      gzipSync(enc.encode('g1'), { filename: 'out-link' }),
    ]) {
      await extractArtifactArchive({ workspace: ws, projectDir: ws.projectDir, archive });
    }
    expect(ws.writes.map((path) => path.slice(ws.projectDir.length + 1))).toEqual([
      'out-link',
      'dir-link',
      'file-link',
      'out-link',
    ]);
    expect(await readFile(ws.host(`${ws.projectDir}/out-link`), 'utf8')).toBe('g1');
    expect(await readFile(ws.host(`${ws.projectDir}/dir-link`), 'utf8')).toBe('z2');
    expect(await readFile(ws.host(`${ws.projectDir}/file-link`), 'utf8')).toBe('z3');
    expect(ws.outsideAttempts).toEqual([]);
    expect(await ws.filesOutsideProject()).toEqual(['/builds/group/outside/existing.txt']);
    expect(await readFile(ws.host('/builds/group/outside/existing.txt'), 'utf8')).toBe('keep');
  });

  it('refuses an entry named like an empty directory at its write, after the entries before it', async () => {
    // `listFiles` lists no directory without a file, so only the write finds this one.
    await mkdir(ws.host(`${ws.projectDir}/dist`));
    const refused = await refusal(
      zipSync({
        'ok.txt': enc.encode('fine'),
        dist: enc.encode('x'),
        'later.txt': enc.encode('l'),
      }),
    );
    expect(refused).toEqual({
      code: 'UnsafeArchiveEntryError',
      message: expect.stringContaining('it would replace the directory "dist"'),
    });
    expect(ws.writes).toEqual([`${ws.projectDir}/ok.txt`]);
    expect(ws.outsideAttempts).toEqual([]);
  });

  it('takes dense entries among noise: the archive as a whole is not dense', async () => {
    // Ten entries of 1 MiB zeros, each its own 1 KiB stream, at the per-entry floor; forty of
    // them alone are refused (extract-hostile.test.ts). Among 30 MiB of noise they are fine.
    const zeros = new Uint8Array(1024 * 1024);
    const payload = new Uint8Array(deflateRawSync(zeros, { level: 9 }));
    const dense: ZipSpec[] = Array.from({ length: 10 }, (_, i) => ({
      name: `z${i}.bin`,
      payload,
      crc: crc32(zeros),
      size: zeros.byteLength,
    }));
    const noise = new Uint8Array(3 * 1024 * 1024).map(
      (_, i) => (Math.imul(i, 2654435761) >>> 13) & 0xff,
    );
    const mixed = writeZip([
      ...dense,
      ...Array.from({ length: 10 }, (_, i) => ({
        name: `noise${i}.bin`,
        content: noise,
        method: 0,
      })),
    ]);
    const result = await extractArtifactArchive({
      workspace: ws,
      projectDir: ws.projectDir,
      archive: mixed,
    });
    expect(result.files).toHaveLength(20);
    expect(result.bytes).toBe(10 * 1024 * 1024 + 10 * 3 * 1024 * 1024);
    expect(ws.outsideAttempts).toEqual([]);
  });

  it('refuses bytes that are no archive, and a damaged zip', async () => {
    expect((await refusal(enc.encode('<html>not found</html>')))?.code).toBe('CorruptArchiveError');
    const archive = zipSync({ 'a.txt': enc.encode('hello hello hello') });
    expect((await refusal(archive.subarray(0, archive.byteLength - 30)))?.code).toBe(
      'CorruptArchiveError',
    );
  });

  it('the temp-dir workspace itself records and refuses a write outside the project', async () => {
    await expect(ws.writeFile('/builds/group/outside/x', enc.encode('x'))).rejects.toThrow(
      /outside project/,
    );
    expect(ws.outsideAttempts).toEqual(['/builds/group/outside/x']);
    // Through a dangling directory symlink too, which realpath alone cannot resolve.
    await symlink('../outside/new-dir', ws.host(`${ws.projectDir}/dangling`));
    await symlink('dangling', ws.host(`${ws.projectDir}/chained`));
    for (const name of ['dangling', 'chained']) {
      await expect(ws.writeFile(`${ws.projectDir}/${name}/x`, enc.encode('x'))).rejects.toThrow(
        /outside project/,
      );
    }
    expect(ws.outsideAttempts).toHaveLength(3);
    await ws.writeFile(`${ws.projectDir}/inside.txt`, enc.encode('i'));
    expect(ws.writes).toEqual(['/builds/group/project/inside.txt']);
    await writeFile(ws.host('/builds/group/outside/keep'), 'k');
    expect(await ws.filesOutsideProject()).toEqual(['/builds/group/outside/keep']);
  });
});
