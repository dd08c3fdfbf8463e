/**
 * Test support: hostile archives, each refused with the right coded error or extracted safely,
 * into a real temp directory whose neighbour (`/builds/group/outside`) shows any write that
 * escapes; run for each inflater (extract-hostile.test.ts with fflate's, src/cli's test with
 * node:zlib's), so every inflater meets the same checks.
 *
 * 77 cases: 57 hand-built zip archives and 18 gzip archives (path traversal, absolute paths,
 * backslashes, drive letters, NUL bytes, escaping symlinks, duplicate names, directory/file
 * clashes, symlinks and directories already in the checkout, huge or lying sizes, bombs by
 * entry, by overlap and by the archive as a whole, truncated or misplaced directories, bad
 * offsets, bad CRCs, encryption, unsupported methods, ZIP64, damaged deflate data), then 2
 * seeded mutation sweeps (seed 0x2a): 300 random mutations (bit flips, overwritten bytes and
 * 32-bit fields, cuts, insertions, repeats) of a zip and 300 of a gzip the archiver wrote, each
 * refused with a coded error or extracted to original bytes only. Tallies are exact (they
 * depend on how strict the inflater is about damaged streams); never wrong bytes, a raw error
 * or a write outside the project.
 */
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { crc32, deflateRawSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { concatBytes } from '../../bytes/index.ts';
import { createArtifactArchive } from '../archive.ts';
import type { ExtractLimits } from '../extract.ts';
import type { RawInflater } from '../raw-inflater.ts';
import { extractOutcome, type RefusalCode } from './extract-outcome.ts';
import { writeGzipMember } from './gzip-writer.ts';
import { seededRandom, type SeededRandom } from '../../../test/support/seeded-random.ts';
import { createTempDirWorkspace, type TempDirWorkspace } from './temp-dir-workspace.ts';
import { writeZip, type ZipSpec } from './zip-writer.ts';

const enc = new TextEncoder();
const MIB = 1024 * 1024;

interface HostileCase {
  name: string;
  archive: () => Uint8Array;
  /** Seeds the project before extracting (files and symlinks already in the checkout). */
  setup?: (ws: TempDirWorkspace) => Promise<void>;
  limits?: Partial<ExtractLimits>;
  /** Refused with this code, the message matching `reason`, and nothing written. */
  refused?: { code: RefusalCode; reason: RegExp };
  /** Or extracted: exactly these files with these contents. */
  extracted?: Record<string, string>;
}

const text = (value: string): Uint8Array => enc.encode(value);
const file = (name: string | Uint8Array, content = 'x', more: Partial<ZipSpec> = {}): ZipSpec => ({
  name,
  content: text(content),
  ...more,
});
const link = (name: string, target: string): ZipSpec => ({
  name,
  content: text(target),
  mode: 0o120777,
});
const zip =
  (...specs: ZipSpec[]) =>
  () =>
    writeZip(specs);
const unsafe = (reason: RegExp) => ({ code: 'UnsafeArchiveEntryError' as const, reason });
const limit = (reason: RegExp) => ({ code: 'ArchiveLimitError' as const, reason });
const corrupt = (reason: RegExp) => ({ code: 'CorruptArchiveError' as const, reason });
const zeros = (size: number): Uint8Array => new Uint8Array(size);
const dense = (count: number): ZipSpec[] => {
  const payload = new Uint8Array(deflateRawSync(zeros(MIB), { level: 9 }));
  return Array.from({ length: count }, (_, i) => ({
    name: `z${i}.bin`,
    payload,
    crc: crc32(zeros(MIB)),
    size: MIB,
  }));
};
const withSymlink = (path: string, target: string) => async (ws: TempDirWorkspace) => {
  await symlink(target, ws.host(`${ws.projectDir}/${path}`));
};
const withDirectory = (path: string) => async (ws: TempDirWorkspace) => {
  await mkdir(ws.host(`${ws.projectDir}/${path}`), { recursive: true });
};
const withFile = (path: string) => async (ws: TempDirWorkspace) => {
  const host = ws.host(`${ws.projectDir}/${path}`);
  await mkdir(host.slice(0, host.lastIndexOf('/')), { recursive: true });
  await writeFile(host, 'checked out');
};
/** Offset of the end record and of the first central entry of an archive. */
const eocd = (bytes: Uint8Array): number => bytes.byteLength - 22;
const central = (bytes: Uint8Array): number =>
  new DataView(bytes.buffer, bytes.byteOffset).getUint32(eocd(bytes) + 16, true);

const gz =
  (name: string | null, content = 'report', more = {}) =>
  () =>
    writeGzipMember({ name, content: text(content), ...more });

const ZIP_CASES: HostileCase[] = [
  { name: 'zip: ../ traversal', archive: zip(file('../evil.txt')), refused: unsafe(/climbs out/) },
  {
    name: 'zip: traversal hidden behind a directory',
    archive: zip(file('a/../../evil.txt')),
    refused: unsafe(/climbs out/),
  },
  {
    name: 'zip: deep traversal after a safe entry',
    archive: zip(file('ok.txt'), file('a/b/../../../../../tmp/evil.txt')),
    refused: unsafe(/climbs out/),
  },
  { name: 'zip: absolute path', archive: zip(file('/etc/passwd')), refused: unsafe(/absolute/) },
  {
    name: 'zip: UNC-like absolute path',
    archive: zip(file('//server/share/evil')),
    refused: unsafe(/absolute/),
  },
  {
    name: 'zip: backslash traversal',
    archive: zip(file('..\\evil.txt')),
    refused: unsafe(/backslash/),
  },
  {
    name: 'zip: backslash as a separator',
    archive: zip(file('dir\\file.txt')),
    refused: unsafe(/backslash/),
  },
  { name: 'zip: drive letter', archive: zip(file('C:/evil.txt')), refused: unsafe(/drive letter/) },
  {
    name: 'zip: drive-relative path',
    archive: zip(file('c:evil.txt')),
    refused: unsafe(/drive letter/),
  },
  {
    name: 'zip: NUL byte cutting the name short',
    archive: zip(file('ok.txt\0../../evil')),
    refused: unsafe(/NUL/),
  },
  {
    name: 'zip: symlink leading out',
    archive: zip(link('link', '../outside')),
    refused: unsafe(/symlink to "\.\.\/outside"/),
  },
  {
    name: 'zip: symlink to an absolute path',
    archive: zip(link('link', '/etc')),
    refused: unsafe(/symlink to "\/etc"/),
  },
  {
    name: 'zip: nested symlink climbing out',
    archive: zip(link('a/b/link', '../../../x')),
    refused: unsafe(/symlink to "\.\.\/\.\.\/\.\.\/x"/),
  },
  {
    name: 'zip: file written through a symlink leading out',
    archive: zip(link('link', '../outside'), file('link/evil.txt')),
    refused: unsafe(/symlink to/),
  },
  {
    name: 'zip: symlink inside the project is skipped, a file under its name is a plain directory',
    archive: zip(link('link', 'sub'), file('link/x.txt', 'inside')),
    extracted: { 'link/x.txt': 'inside' },
  },
  {
    name: 'zip: symlink out of a directory that lands back inside is skipped',
    archive: zip(link('d/up', '../real.txt'), file('real.txt', 'real')),
    extracted: { 'real.txt': 'real' },
  },
  {
    name: 'zip: duplicate names',
    archive: zip(file('a.txt', 'first'), file('a.txt', 'second')),
    refused: unsafe(/appears twice/),
  },
  {
    name: 'zip: duplicate names once cleaned (./a.txt)',
    archive: zip(file('a.txt'), file('./a.txt')),
    refused: unsafe(/appears twice/),
  },
  {
    name: 'zip: duplicate names once cleaned (d//a.txt)',
    archive: zip(file('d/a.txt'), file('d//a.txt')),
    refused: unsafe(/appears twice/),
  },
  {
    name: 'zip: a file, then a file below it',
    archive: zip(file('a'), file('a/b')),
    refused: unsafe(/written through "a"/),
  },
  {
    name: 'zip: a file below, then a file of the directory name',
    archive: zip(file('a/b'), file('a')),
    refused: unsafe(/replace the directory "a"/),
  },
  {
    name: 'zip: a file where the checkout has a directory',
    setup: withFile('dist/app.js'),
    archive: zip(file('dist')),
    refused: unsafe(/replace the directory "dist"/),
  },
  {
    name: 'zip: a file where the checkout has an empty directory',
    setup: withDirectory('dist'),
    archive: zip(file('dist')),
    refused: unsafe(/replace the directory "dist"/),
  },
  {
    name: 'zip: a file below a file of the checkout',
    setup: withFile('README'),
    archive: zip(file('README/evil')),
    refused: unsafe(/written through "README"/),
  },
  {
    name: 'zip: an entry below a symlinked directory of the checkout',
    setup: withSymlink('escape', '../outside'),
    archive: zip(file('escape/evil.txt')),
    refused: unsafe(/written through "escape"/),
  },
  {
    name: 'zip: a regular file of the checkout is replaced',
    setup: withFile('version.txt'),
    archive: zip(file('version.txt', '2.0')),
    extracted: { 'version.txt': '2.0' },
  },
  {
    name: 'zip: 4 GiB declared from a few bytes',
    archive: zip(file('huge.bin', 'x', { size: 0xffff_fff0 })),
    refused: limit(/expands \d+ times/),
  },
  {
    name: 'zip: declared total past maxTotalBytes',
    limits: { maxTotalBytes: 1000 },
    archive: zip(...Array.from({ length: 20 }, (_, i) => file(`f${i}`, 'y'.repeat(100)))),
    refused: limit(/unpacks to more than 1000 bytes/),
  },
  {
    name: 'zip: more entries than maxEntries',
    limits: { maxEntries: 10 },
    archive: zip(...Array.from({ length: 11 }, (_, i) => file(`f${i}`))),
    refused: limit(/11 entries, more than the 10 allowed/),
  },
  {
    name: 'zip: inflates past its declared size',
    archive: zip({ name: 'liar.bin', content: zeros(64 * 1024), size: 1000 }),
    refused: limit(/inflates past the 1000 bytes it declares/),
  },
  {
    name: 'zip: inflates short of its declared size',
    archive: zip(file('short.txt', 'abc', { size: 4 })),
    refused: corrupt(/inflates to 3 bytes, not the 4 it declares/),
  },
  {
    name: 'zip: one 1,000:1 entry',
    archive: zip({ name: 'bomb.bin', content: zeros(8 * MIB) }),
    refused: limit(/"bomb\.bin" expands \d+ times/),
  },
  {
    name: 'zip: dense as a whole, each entry at the floor',
    archive: zip(...dense(40)),
    refused: limit(/the artifact archive as a whole expands \d+ times/),
  },
  {
    name: 'zip: 2,047 entries sharing one 1 KiB stream of 1 MiB zeros (2 GiB from 112 KB)',
    archive: () => {
      const first = dense(1)[0] as ZipSpec;
      const archive = writeZip(
        Array.from({ length: 2047 }, (_, i) => ({
          ...first,
          name: `f${String(i).padStart(4, '0')}`,
          ...(i ? { sharesLocalOf: 0 } : {}),
        })),
      );
      expect(first.payload?.byteLength).toBeLessThan(1100);
      expect(archive.byteLength).toBeLessThan(115_000);
      return archive;
    },
    refused: corrupt(/entries "f0000" and "f0001" overlap/),
  },
  {
    name: "zip: an entry's data covering the next entry",
    archive: () => {
      const a = new Uint8Array(deflateRawSync(text('aaaa')));
      const b = new Uint8Array(deflateRawSync(text('bbbb')));
      return writeZip([
        file('a.txt', 'aaaa', { compressedSize: a.byteLength + 30 + 5 + b.byteLength }),
        file('b.txt', 'bbbb'),
      ]);
    },
    refused: corrupt(/entries "a\.txt" and "b\.txt" overlap/),
  },
  {
    name: "zip: an entry's data running into the central directory",
    archive: zip(file('a.txt', 'aaaa', { compressedSize: 12 })),
    refused: corrupt(/runs into the central directory/),
  },
  {
    name: 'zip: end record cut off',
    archive: () => {
      const bytes = writeZip([file('a.txt')]);
      return bytes.subarray(0, bytes.byteLength - 10);
    },
    refused: corrupt(/no zip end-of-central-directory record/),
  },
  {
    name: 'zip: central directory cut short',
    archive: () => {
      const bytes = writeZip([file('a.txt'), file('b.txt')]);
      return concatBytes([bytes.subarray(0, central(bytes) + 20), bytes.subarray(eocd(bytes))]);
    },
    refused: corrupt(/central directory lies outside the archive/),
  },
  {
    name: 'zip: more entries counted than the directory holds',
    archive: () => writeZip([file('a.txt')], { count: 2 }),
    refused: corrupt(/central directory entry 1 is damaged/),
  },
  {
    name: 'zip: directory offset past the end',
    archive: () => writeZip([file('a.txt')], { directoryOffset: 0x10_0000 }),
    refused: corrupt(/central directory lies outside the archive/),
  },
  {
    name: 'zip: local header offset past the end',
    archive: zip(file('a.txt', 'x', { localOffset: 0x10_0000 })),
    refused: corrupt(/"a\.txt" has no local header/),
  },
  {
    name: 'zip: local header offset into the middle of data',
    archive: zip(file('a.txt', 'x'.repeat(100), { localOffset: 7 })),
    refused: corrupt(/"a\.txt" has no local header/),
  },
  {
    name: 'zip: data size past the end',
    archive: zip(file('a.txt', 'x', { compressedSize: 0x10_0000 })),
    refused: corrupt(/data lies outside the archive/),
  },
  {
    name: 'zip: bad CRC-32',
    archive: zip(file('a.txt', 'hello', { crc: 0xdead_beef })),
    refused: corrupt(/fails its CRC-32 check/),
  },
  {
    name: 'zip: bad CRC-32 on a stored entry',
    archive: zip(file('a.txt', 'hello', { method: 0, crc: 1 })),
    refused: corrupt(/fails its CRC-32 check/),
  },
  {
    name: 'zip: encrypted entry',
    archive: zip(file('secret.txt', 'x', { flags: 0x0801 })),
    refused: unsafe(/encrypted/),
  },
  {
    name: 'zip: bzip2 method',
    archive: zip(file('a.bz2', 'x', { method: 12 })),
    refused: corrupt(/compression method 12/),
  },
  {
    name: 'zip: AES method',
    archive: zip(file('a.aes', 'x', { method: 99 })),
    refused: corrupt(/compression method 99/),
  },
  {
    name: 'zip: ZIP64 end record',
    archive: () => writeZip([file('a.txt')], { count: 0xffff }),
    refused: corrupt(/ZIP64/),
  },
  {
    name: 'zip: deflate data with an invalid block type',
    archive: zip(file('a.txt', 'x', { payload: Uint8Array.of(0x07, 0x00) })),
    refused: corrupt(/does not inflate \(invalid block type\)/),
  },
  {
    name: 'zip: deflate data cut short',
    archive: zip(file('a.txt', 'hello', { payload: Uint8Array.of(0x4b, 0x4c) })),
    refused: corrupt(/does not inflate \(unexpected (EOF|end of file)\)/),
  },
  {
    name: 'zip: stored entry larger than declared',
    archive: zip(file('a.txt', 'hello', { method: 0, size: 3 })),
    refused: limit(/inflates past the 3 bytes it declares/),
  },
  {
    name: 'zip: symlink target past 4 KiB',
    archive: zip(link('link', 'a/'.repeat(2100))),
    refused: limit(/inflates past the 4096 bytes it declares/),
  },
  {
    name: 'zip: bytes that only start like a zip',
    archive: () => text('PK this is an HTML error page, not an archive'),
    refused: corrupt(/no zip end-of-central-directory record/),
  },
  { name: 'zip: no entries at all', archive: zip(), extracted: {} },
  {
    name: 'zip: full-width dots are a plain name',
    archive: zip(file('．．/evil.txt', 'inside')),
    extracted: { '．．/evil.txt': 'inside' },
  },
  {
    name: 'zip: redundant separators and dots are cleaned',
    archive: zip(file('a//b/./c.txt', 'c'), file('dir/', '')),
    extracted: { 'a/b/c.txt': 'c' },
  },
];

const GZIP_CASES: HostileCase[] = [
  { name: 'gzip: ../ traversal', archive: gz('../evil.txt'), refused: unsafe(/climbs out/) },
  { name: 'gzip: absolute path', archive: gz('/etc/passwd'), refused: unsafe(/absolute/) },
  { name: 'gzip: backslash', archive: gz('..\\evil.txt'), refused: unsafe(/backslash/) },
  { name: 'gzip: drive letter', archive: gz('C:evil.txt'), refused: unsafe(/drive letter/) },
  { name: 'gzip: no file name', archive: gz(null), refused: corrupt(/does not name the file/) },
  {
    name: 'gzip: empty file name',
    archive: gz(''),
    refused: unsafe(/it names the project directory/),
  },
  {
    name: 'gzip: "." as file name',
    archive: gz('.'),
    refused: unsafe(/it names the project directory/),
  },
  {
    name: 'gzip: a file where the checkout has a directory',
    setup: withFile('reports/old.xml'),
    archive: gz('reports'),
    refused: unsafe(/replace the directory "reports"/),
  },
  {
    name: 'gzip: a file where the checkout has an empty directory',
    setup: withDirectory('reports'),
    archive: gz('reports'),
    refused: unsafe(/replace the directory "reports"/),
  },
  {
    name: 'gzip: named like a dangling symlink of the checkout, replaces the link',
    setup: withSymlink('out-link', '../outside/target.txt'),
    archive: gz('out-link'),
    extracted: { 'out-link': 'report' },
  },
  {
    name: 'gzip: below a symlinked directory of the checkout',
    setup: withSymlink('escape', '../outside'),
    archive: gz('escape/junit.xml'),
    refused: unsafe(/written through "escape"/),
  },
  {
    name: 'gzip: 1,000:1 bomb',
    archive: () => writeGzipMember({ name: 'bomb.xml', content: zeros(8 * MIB) }),
    refused: limit(/"bomb\.xml" expands \d+ times/),
  },
  {
    name: 'gzip: past maxTotalBytes',
    limits: { maxTotalBytes: 1000 },
    archive: gz('big.xml', 'y'.repeat(5000)),
    refused: limit(/unpacks to more than 1000 bytes/),
  },
  { name: 'gzip: bad CRC-32', archive: gz('a.xml', 'x', { crc: 7 }), refused: corrupt(/CRC-32/) },
  {
    name: 'gzip: trailing garbage',
    archive: () => concatBytes([gz('a.xml')(), text('garbage')]),
    refused: corrupt(/member 1 is cut off or followed by bytes that are no gzip member/),
  },
  {
    name: 'gzip: cut inside the trailer',
    archive: () => gz('a.xml')().subarray(0, -3),
    refused: corrupt(/member 1 is cut off or followed by bytes that are no gzip member/),
  },
  {
    name: 'gzip: reserved header flags',
    archive: gz('a.xml', 'x', { extraFlags: 0x80 }),
    refused: corrupt(/reserved flags/),
  },
  {
    name: 'gzip: a damaged second member',
    archive: () => concatBytes([gz('a.xml')(), gz('b.xml', 'y', { isize: 9 })()]),
    refused: corrupt(/member 2 does not have the length it states/),
  },
  {
    name: 'gzip: not deflate',
    archive: gz('a.xml', 'x', { method: 0 }),
    refused: corrupt(/not deflate-compressed/),
  },
];

type Tally = Record<'refused' | 'extracted' | 'bad', number>;

/** One random mutation: a bit flipped, a byte or a 32-bit field overwritten, bytes cut, added or repeated. */
function mutate(original: Uint8Array, random: SeededRandom): Uint8Array {
  const bytes = original.slice();
  const at = random.below(bytes.byteLength);
  switch (random.below(6)) {
    case 0:
      bytes[at] = (bytes[at] ?? 0) ^ (1 << random.below(8));
      return bytes;
    case 1:
      bytes[at] = random.below(256);
      return bytes;
    case 2: {
      const values = [0, 0xffff_ffff, 0x7fff_ffff, 1, bytes.byteLength, random.below(0x1_0000)];
      const view = new DataView(bytes.buffer);
      view.setUint32(
        Math.min(at, bytes.byteLength - 4),
        values[random.below(values.length)] ?? 0,
        true,
      );
      return bytes;
    }
    case 3:
      return bytes.subarray(0, at);
    case 4:
      return concatBytes([
        bytes.subarray(0, at),
        random.bytes(1 + random.below(16)),
        bytes.subarray(at),
      ]);
    default: {
      const end = Math.min(bytes.byteLength, at + 1 + random.below(64));
      return concatBytes([bytes.subarray(0, end), bytes.subarray(at, end), bytes.subarray(end)]);
    }
  }
}

/** Extract each mutant into a fresh project: coded refusal, or only original contents written. */
async function sweep(
  original: Uint8Array,
  contents: Uint8Array[],
  count: number,
  inflater: RawInflater | undefined,
) {
  const random = seededRandom(0x2a);
  const allowed = new Set(contents.map((c) => Buffer.from(c).toString('hex')));
  const tally: Tally = { refused: 0, extracted: 0, bad: 0 };
  const bad: string[] = [];
  for (let i = 0; i < count; i++) {
    const mutant = mutate(original, random);
    const target = await createTempDirWorkspace();
    try {
      const outcome = await extractOutcome(target, mutant, {}, inflater).catch((error: unknown) => {
        bad.push(`mutant ${i}: uncoded ${String(error)}`);
        return undefined;
      });
      if (outcome === undefined) continue;
      if (outcome) {
        tally.refused += 1;
        continue;
      }
      for (const path of target.writes) {
        const written = (await readFile(target.host(path))).toString('hex');
        if (!allowed.has(written)) bad.push(`mutant ${i}: wrong bytes in ${path}`);
      }
      if (target.outsideAttempts.length > 0) bad.push(`mutant ${i}: wrote outside`);
      tally.extracted += 1;
    } finally {
      await target.dispose();
    }
  }
  tally.bad = bad.length;
  return { tally, bad };
}

async function archived(format: string, files: Record<string, Uint8Array>): Promise<Uint8Array> {
  const stream = createArtifactArchive({
    workspace: {
      readFile: async (path) => files[path.slice('/builds/p/'.length)] ?? new Uint8Array(),
    },
    projectDir: '/builds/p',
    files: Object.keys(files).map((path) => ({ path })),
    format,
    mtime: new Date(Date.UTC(2024, 0, 1)),
  });
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Exact outcomes of the seeded mutation sweeps for one inflater. */
export interface MutationTallies {
  zip: { refused: number; extracted: number };
  gzip: { refused: number; extracted: number };
}

/**
 * The hostile cases and the seeded mutation sweeps, extracting zip entries with `inflater`
 * (gzip reports always inflate with fflate's).
 */
export function describeHostileExtraction(
  inflater: RawInflater | undefined,
  tallies: MutationTallies,
): void {
  let ws: TempDirWorkspace;
  beforeEach(async () => {
    ws = await createTempDirWorkspace();
    await mkdir(ws.host('/builds/group/outside'), { recursive: true });
  });
  afterEach(() => ws.dispose());

  describe.each([
    ['zip', ZIP_CASES],
    ['gzip', GZIP_CASES],
  ])('hostile %s archives', (_, cases) => {
    it.each(cases)('$name', async (hostile) => {
      await hostile.setup?.(ws);
      const outcome = await extractOutcome(ws, hostile.archive(), hostile.limits, inflater);
      if (hostile.refused) {
        expect(outcome?.code).toBe(hostile.refused.code);
        expect(outcome?.message).toMatch(hostile.refused.reason);
        expect(ws.writes).toEqual([]);
      } else {
        expect(outcome).toBeNull();
        const written: Record<string, string> = {};
        for (const path of ws.writes) {
          written[path.slice(ws.projectDir.length + 1)] = await readFile(ws.host(path), 'utf8');
        }
        expect(written).toEqual(hostile.extracted);
      }
      expect(ws.outsideAttempts).toEqual([]);
      expect(await ws.filesOutsideProject()).toEqual([]);
    });
  });

  describe('seeded mutations (seed 0x2a)', () => {
    const files = {
      'dist/app.js': text('export const answer = 42;\n'.repeat(12)),
      'dist/data.bin': seededRandom(7).bytes(200),
      'README.md': text('# build output\n'),
    };

    it('300 mutants of a zip: each refused with a coded error or extracted to original bytes', async () => {
      const original = await archived('zip', files);
      const { tally, bad } = await sweep(original, Object.values(files), 300, inflater);
      expect(bad).toEqual([]);
      expect(tally).toEqual({ ...tallies.zip, bad: 0 });
    });

    it('300 mutants of a gzip: each refused with a coded error or extracted to original bytes', async () => {
      const report = text(
        '<testsuite tests="12">' + '<testcase name="t"/>'.repeat(12) + '</testsuite>\n',
      );
      const original = await archived('gzip', { 'junit.xml': report });
      const { tally, bad } = await sweep(original, [report], 300, inflater);
      expect(bad).toEqual([]);
      expect(tally).toEqual({ ...tallies.gzip, bad: 0 });
    });
  });
}
