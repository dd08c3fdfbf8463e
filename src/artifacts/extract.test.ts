import { execFileSync } from 'node:child_process';
import { mkdir, readFile, readdir, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync, zipSync, type Zippable } from 'fflate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hasErrorCode } from '../errors/index.ts';
import { extractArtifactArchive, type ExtractProgress } from './extract.ts';
import { createTempDirWorkspace, type TempDirWorkspace } from './testing/temp-dir-workspace.ts';

const enc = new TextEncoder();
let ws: TempDirWorkspace;

beforeEach(async () => {
  ws = await createTempDirWorkspace();
  // A sentinel next to the project: anything written outside would show up here.
  await mkdir(ws.host('/builds/group/outside'), { recursive: true });
});
afterEach(() => ws.dispose());

/** Every file under the sandbox root that is not inside the project directory. */
async function filesOutsideProject(): Promise<string[]> {
  const all = (await readdir(ws.root, { recursive: true })) as string[];
  const outside: string[] = [];
  for (const rel of all) {
    const full = join(ws.root, rel);
    if (
      (await stat(full).catch(() => null))?.isFile() &&
      !rel.startsWith('builds/group/project/')
    ) {
      outside.push(rel);
    }
  }
  return outside;
}

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
    expect(await filesOutsideProject()).toEqual([]);
  });

  it('refuses absolute paths, drive letters and backslash tricks', async () => {
    for (const name of ['/tmp/evil.txt', 'C:/evil.txt', '..\\..\\evil.txt', 'a/./../../evil']) {
      const refused = await refusal(zipSync({ [name]: enc.encode('x') }));
      expect(refused.code, name).toBe('UnsafeArchiveEntryError');
    }
    expect(ws.writes).toEqual([]);
    expect(await filesOutsideProject()).toEqual([]);
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
    expect(await filesOutsideProject()).toEqual([]);
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
    expect(await filesOutsideProject()).toEqual([]);
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
    await writeFile(ws.host('/builds/group/outside/keep'), 'k');
    expect(await filesOutsideProject()).toEqual(['builds/group/outside/keep']);
  });
});
