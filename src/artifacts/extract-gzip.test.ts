/**
 * gzip artifacts are proven before a byte is written: every member's CRC-32 and ISIZE, the
 * header's reserved flags, `FEXTRA`/`FNAME` bounds and `FHCRC`, nothing after the last member,
 * and every fflate error (codes 0, 1, 2, 3 and 6) surfaces as `CorruptArchiveError`.
 *
 * 25 cases: 2 accepted shapes (two members, a correct FHCRC), 2 trailer lies, 4 cut trailers,
 * 5 kinds of trailing bytes, 5 fflate error codes, 7 damaged headers or members.
 */
import { mkdir, readdir } from 'node:fs/promises';
import { gzipSync as zlibGzip } from 'node:zlib';
import { Gunzip, inflateSync } from 'fflate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { concatBytes } from '../bytes/index.ts';
import { extractArtifactArchive } from './extract.ts';
import { extractOutcome } from './testing/extract-outcome.ts';
import { writeGzipMember } from './testing/gzip-writer.ts';
import { createTempDirWorkspace, type TempDirWorkspace } from './testing/temp-dir-workspace.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();
const REPORT = enc.encode('<testsuite tests="3" failures="0"><testcase name="a"/></testsuite>\n');
let ws: TempDirWorkspace;

beforeEach(async () => {
  ws = await createTempDirWorkspace();
  await mkdir(ws.host('/builds/group/outside'), { recursive: true });
});
afterEach(() => ws.dispose());

const member = (overrides: Partial<Parameters<typeof writeGzipMember>[0]> = {}): Uint8Array =>
  writeGzipMember({ name: 'junit.xml', content: REPORT, ...overrides });

async function expectCorrupt(archive: Uint8Array, reason?: string | RegExp): Promise<void> {
  const refused = await extractOutcome(ws, archive);
  expect(refused?.code).toBe('CorruptArchiveError');
  if (reason !== undefined) expect(refused?.message).toMatch(reason);
  expect(ws.writes).toEqual([]);
  expect(await readdir(ws.host(ws.projectDir))).toEqual([]);
}

describe('gzip artifacts that are whole', () => {
  it('extracts two concatenated members as one file, each member checked', async () => {
    const second = enc.encode('<testsuite tests="1"/>\n');
    const archive = concatBytes([member(), member({ name: 'other.xml', content: second })]);
    const result = await extractArtifactArchive({
      workspace: ws,
      projectDir: ws.projectDir,
      archive,
    });
    expect(result.files).toEqual(['junit.xml']);
    const written = await ws.readFile(`${ws.projectDir}/junit.xml`);
    expect(dec.decode(written)).toBe(dec.decode(concatBytes([REPORT, second])));
  });

  it('accepts a header with a correct FHCRC, FEXTRA and FCOMMENT', async () => {
    const archive = member({ headerCrc: true, extra: enc.encode('xy'), comment: 'ci' });
    const result = await extractArtifactArchive({
      workspace: ws,
      projectDir: ws.projectDir,
      archive,
    });
    expect(result.bytes).toBe(REPORT.byteLength);
  });
});

describe('gzip trailers', () => {
  it('refuses a member whose CRC-32 does not match its bytes', async () => {
    await expectCorrupt(member({ crc: 0x1234_5678 }), /member 1 fails its CRC-32 check/);
  });

  it('refuses a member whose ISIZE does not match its length', async () => {
    await expectCorrupt(
      member({ isize: REPORT.byteLength + 1 }),
      /member 1 does not have the length it states/,
    );
  });

  it.each([1, 4, 7, 8])('refuses a trailer cut short by %i bytes', async (cut) => {
    const whole = member();
    await expectCorrupt(whole.subarray(0, whole.byteLength - cut));
  });

  it.each([
    ['one stray byte', Uint8Array.of(0x0a)],
    ['three stray bytes', enc.encode('abc')],
    ['four stray bytes', enc.encode('abcd')],
    ['eight zero bytes of padding', new Uint8Array(8)],
    ['an HTML error page', enc.encode('<html><body>502 Bad Gateway</body></html>')],
  ])('refuses %s after the last member', async (_, tail) => {
    await expectCorrupt(concatBytes([member(), tail]));
  });
});

describe('fflate errors become CorruptArchiveError', () => {
  // Deflate data that makes fflate throw each of its inflate error codes.
  const DEFLATE_ERRORS: [number, string, Uint8Array][] = [
    [0, 'unexpected EOF', Uint8Array.of(0x4b, 0x4c)],
    [1, 'invalid block type', Uint8Array.of(0x07, 0x00)],
    [
      2,
      'invalid length/literal',
      Buffer.from('e5617a8328e09f4b85fa28873875498f4820bf1e3d33ef36', 'hex'),
    ],
    [3, 'invalid distance', Buffer.from('4b04120000', 'hex')],
  ];

  it.each(DEFLATE_ERRORS)('fflate code %i (%s)', async (code, _, payload) => {
    expect(() => inflateSync(payload)).toThrow(expect.objectContaining({ code }));
    await expectCorrupt(member({ payload }), /the gzip data does not inflate/);
  });

  it('fflate code 6 (invalid gzip data): a second member without gzip magic', async () => {
    const archive = concatBytes([member(), enc.encode('PK\x03\x04 not gzip')]);
    const gunzip = new Gunzip(() => undefined);
    expect(() => gunzip.push(archive, true)).toThrow(expect.objectContaining({ code: 6 }));
    await expectCorrupt(
      archive,
      /member 1 is cut off or followed by bytes that are no gzip member \(invalid gzip data\)/,
    );
  });
});

describe('damaged gzip headers and members', () => {
  it('refuses reserved flag bits', async () => {
    await expectCorrupt(member({ extraFlags: 0x20 }), /reserved flags/);
  });

  it('refuses a wrong FHCRC', async () => {
    const good = member({ headerCrc: true });
    const view = new DataView(good.buffer);
    const at = 10 + 'junit.xml'.length + 1;
    await expectCorrupt(
      member({ headerCrc: view.getUint16(at, true) ^ 1 }),
      /header fails its CRC/,
    );
  });

  it('refuses an FEXTRA field longer than the file', async () => {
    const archive = member({ extra: new Uint8Array(4) });
    archive[10] = 0xff;
    archive[11] = 0xff;
    await expectCorrupt(archive, /cut off/);
  });

  it('refuses an FNAME that never ends', async () => {
    const header = Uint8Array.of(0x1f, 0x8b, 8, 8, 0, 0, 0, 0, 0, 3);
    await expectCorrupt(concatBytes([header, enc.encode('junit.xml'.repeat(3))]), /not terminated/);
  });

  it('refuses a compression method other than deflate', async () => {
    await expectCorrupt(member({ method: 7 }));
  });

  it('refuses a second member whose CRC-32 does not match, writing nothing', async () => {
    await expectCorrupt(
      concatBytes([member(), member({ crc: 0 })]),
      /member 2 fails its CRC-32 check/,
    );
  });

  it("refuses a member cut inside its deflate data, even where zlib's own gzip wrote it", async () => {
    const archive = new Uint8Array(zlibGzip(REPORT));
    archive[3] = 8; // name it: zlib writes no FNAME
    const named = concatBytes([
      archive.subarray(0, 10),
      enc.encode('junit.xml\0'),
      archive.subarray(10),
    ]);
    await expectCorrupt(named.subarray(0, named.byteLength - 14));
  });
});
