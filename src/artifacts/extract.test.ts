/**
 * Safe extraction into a real temp directory: what lands where, progress, and the refusals
 * (zip-slip, symlinks old and new, bombs by entry, by overlap and by the archive as a whole,
 * damaged archives). The broad hostile-archive suite is extract-hostile.test.ts; gzip trailers
 * and headers are extract-gzip.test.ts.
 *
 * 19 cases.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { crc32, deflateRawSync } from 'node:zlib';
import { gzipSync, zipSync, type Zippable } from 'fflate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hasErrorCode } from '../errors/index.ts';
import { extractArtifactArchive, type ExtractProgress } from './extract.ts';
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

async function refusal(
  archive: Uint8Array,
  limits = {},
): Promise<{ code: string; message: string }> {
  try {
    await extractArtifactArchive({ workspace: ws, projectDir: ws.projectDir, archive, limits });
  } catch (error) {
    if (
      hasErrorCode(error, 'UnsafeArchiveEntryError') ||
      hasErrorCode(error, 'ArchiveLimitError') ||
      hasErrorCode(error, 'CorruptArchiveError')
    ) {
      return { code: error.code, message: error.message };
    }
    throw error;
  }
  throw new Error('the archive was extracted');
}

/** Build a zip with Python's zipfile module, for entries fflate's API would not describe. */
function pythonZip(script: string): Uint8Array {
  const out = execFileSync('python3', [
    '-c',
    `import io, sys, zipfile\nb = io.BytesIO()\nz = zipfile.ZipFile(b, 'w', zipfile.ZIP_DEFLATED)\n${script}\nz.close()\nsys.stdout.buffer.write(b.getvalue())`,
  ]);
  return new Uint8Array(out);
}

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

  it('reports the declared totals once the archive is judged safe, then each file written', async () => {
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
      { files: 1, filesTotal: 3, bytes: 14, bytesTotal: 1020 },
      { files: 2, filesTotal: 3, bytes: 20, bytesTotal: 1020 },
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
    expect(refused.code).toBe('UnsafeArchiveEntryError');
    expect(refused.message).toContain('"../outside/evil.txt"');
    expect(refused.message).toContain('".."');
    expect(ws.writes).toEqual([]);
    expect(await ws.filesOutsideProject()).toEqual([]);
  });

  it('refuses absolute paths, drive letters and backslash tricks', async () => {
    for (const name of ['/tmp/evil.txt', 'C:/evil.txt', '..\\..\\evil.txt', 'a/./../../evil']) {
      const refused = await refusal(zipSync({ [name]: enc.encode('x') }));
      expect(refused.code, name).toBe('UnsafeArchiveEntryError');
    }
    expect(ws.writes).toEqual([]);
    expect(await ws.filesOutsideProject()).toEqual([]);
  });

  it('refuses a symlink whose target leaves the project, and the file written through it', async () => {
    const archive = pythonZip(
      [
        "i = zipfile.ZipInfo('link')",
        'i.create_system = 3',
        'i.external_attr = (0o120777 << 16)',
        "z.writestr(i, '../outside')",
        "z.writestr('link/evil.txt', 'pwned')",
      ].join('\n'),
    );
    const refused = await refusal(archive);
    expect(refused.code).toBe('UnsafeArchiveEntryError');
    expect(refused.message).toContain('symlink to "../outside"');
    expect(await ws.filesOutsideProject()).toEqual([]);
  });

  it('skips a symlink that stays inside the project with a warning', async () => {
    const archive = pythonZip(
      [
        "z.writestr('real.txt', 'data')",
        "i = zipfile.ZipInfo('alias.txt')",
        'i.create_system = 3',
        'i.external_attr = (0o120777 << 16)',
        "z.writestr(i, 'real.txt')",
      ].join('\n'),
    );
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
    expect(refused.code).toBe('UnsafeArchiveEntryError');
    expect(refused.message).toContain('which is a file or a symlink');
    expect(await ws.filesOutsideProject()).toEqual([]);
  });

  it('stops a 1,000:1 zip bomb with a clear message before writing anything', async () => {
    const archive = zipSync({ 'bomb.bin': new Uint8Array(20 * 1024 * 1024) }, { level: 9 });
    expect(archive.byteLength).toBeLessThan(25_000);
    const refused = await refusal(archive);
    expect(refused.code).toBe('ArchiveLimitError');
    expect(refused.message).toMatch(/"bomb\.bin" expands \d+ times .* possible zip bomb/);
    expect(ws.writes).toEqual([]);
  });

  it('stops an entry that inflates past the size its header declares', async () => {
    const archive = zipSync({ 'liar.bin': new Uint8Array(4 * 1024 * 1024) }, { level: 9 });
    // Rewrite the central directory's uncompressed size to 1000 bytes.
    const view = new DataView(archive.buffer);
    const cd = view.getUint32(archive.byteLength - 22 + 16, true);
    view.setUint32(cd + 24, 1000, true);
    const refused = await refusal(archive);
    expect(refused.code).toBe('ArchiveLimitError');
    expect(refused.message).toContain('inflates past the 1000 bytes it declares');
    expect(ws.writes).toEqual([]);
  });

  it('stops on the total size and entry count bounds', async () => {
    const files: Zippable = {};
    for (let i = 0; i < 20; i++) files[`f${i}.txt`] = enc.encode('x'.repeat(100));
    const archive = zipSync(files);
    const byCount = await refusal(archive, { maxEntries: 10 });
    expect(byCount.message).toContain('20 entries, more than the 10 allowed');
    const bySize = await refusal(archive, { maxTotalBytes: 1000 });
    expect(bySize.message).toContain('unpacks to more than 1000 bytes');
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
    expect(await readFile(ws.host(`${ws.projectDir}/out-link`), 'utf8')).toBe('g1');
    expect(await readFile(ws.host(`${ws.projectDir}/dir-link`), 'utf8')).toBe('z2');
    expect(await readFile(ws.host(`${ws.projectDir}/file-link`), 'utf8')).toBe('z3');
    expect(ws.outsideAttempts).toEqual([]);
    expect(await ws.filesOutsideProject()).toEqual(['/builds/group/outside/existing.txt']);
    expect(await readFile(ws.host('/builds/group/outside/existing.txt'), 'utf8')).toBe('keep');
  });

  it('still overwrites a regular file already in the project, as GitLab does', async () => {
    await writeFile(ws.host(`${ws.projectDir}/version.txt`), '1.0');
    await extractArtifactArchive({
      workspace: ws,
      projectDir: ws.projectDir,
      archive: zipSync({ 'version.txt': enc.encode('2.0') }),
    });
    expect(await readFile(ws.host(`${ws.projectDir}/version.txt`), 'utf8')).toBe('2.0');
  });

  it('refuses 2,047 central-directory entries sharing one 1 KiB stream of 1 MiB zeros (2 GiB from 112 KB)', async () => {
    const zeros = new Uint8Array(1024 * 1024);
    const shared = {
      payload: new Uint8Array(deflateRawSync(zeros, { level: 9 })),
      crc: crc32(zeros),
      size: zeros.byteLength,
    };
    const specs: ZipSpec[] = [];
    for (let i = 0; i < 2047; i++) {
      specs.push({
        name: `f${String(i).padStart(4, '0')}`,
        ...shared,
        ...(i ? { sharesLocalOf: 0 } : {}),
      });
    }
    const archive = writeZip(specs);
    expect(shared.payload.byteLength).toBeLessThan(1100);
    expect(archive.byteLength).toBeLessThan(115_000);
    const refused = await refusal(archive);
    expect(refused.code).toBe('CorruptArchiveError');
    expect(refused.message).toContain('entries "f0000" and "f0001" overlap');
    expect(ws.writes).toEqual([]);
  });

  it('refuses an archive denser as a whole than one entry may be, though each entry passes', async () => {
    // 40 entries of 1 MiB zeros, each its own 1 KiB stream: at the per-entry floor, 1,000:1 overall.
    const zeros = new Uint8Array(1024 * 1024);
    const payload = new Uint8Array(deflateRawSync(zeros, { level: 9 }));
    const specs: ZipSpec[] = [];
    for (let i = 0; i < 40; i++) {
      specs.push({ name: `z${i}.bin`, payload, crc: crc32(zeros), size: zeros.byteLength });
    }
    const refused = await refusal(writeZip(specs));
    expect(refused.code).toBe('ArchiveLimitError');
    expect(refused.message).toMatch(/the artifact archive as a whole expands \d+ times/);
    expect(ws.writes).toEqual([]);
    // Ten such entries among 30 MiB of noise are fine: the archive as a whole is not dense.
    const noise = new Uint8Array(3 * 1024 * 1024).map(
      (_, i) => (Math.imul(i, 2654435761) >>> 13) & 0xff,
    );
    const mixed = writeZip([
      ...specs.slice(0, 10),
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
  });

  it('refuses bytes that are no archive, and a damaged zip', async () => {
    expect((await refusal(enc.encode('<html>not found</html>'))).code).toBe('CorruptArchiveError');
    const archive = zipSync({ 'a.txt': enc.encode('hello hello hello') });
    expect((await refusal(archive.subarray(0, archive.byteLength - 30))).code).toBe(
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
