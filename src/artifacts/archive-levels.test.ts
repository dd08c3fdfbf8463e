/**
 * Every `ARTIFACT_COMPRESSION_LEVEL` setting writes archives other tools decode to the exact
 * bytes, around the 64 KiB boundaries of deflate's stored blocks and the 1 MiB slices the
 * archiver feeds fflate. fflate's level 0 gzip once wrote a bad member for 65,535 bytes.
 *
 * 36 cases: 6 settings (fastest, fast, default, slow, slowest, and the option left out) ×
 * 3 contents (zeros, text, random from seed 0x5eed) × 2 formats (gzip: one archive per size,
 * decoded by Node's zlib.gunzipSync and by the extractor's gunzip; zip: one archive holding
 * every size, read by Python's zipfile, which checks each entry's CRC-32), each over 13 sizes.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { createArtifactArchive } from './archive.ts';
import { compressionLevel, type DeflateLevel } from './compression-level.ts';
import { gunzipMembers } from './gunzip-members.ts';
import { seededRandom } from '../../test/support/seeded-random.ts';

const PROJECT = '/builds/p';
const KIB = 1024;
const MIB = 1024 * KIB;
const SIZES = [
  0,
  1,
  64 * KIB - 2,
  64 * KIB - 1,
  64 * KIB,
  64 * KIB + 1,
  128 * KIB - 1,
  128 * KIB,
  128 * KIB + 1,
  MIB - 1,
  MIB,
  MIB + 1,
  MIB + 64 * KIB - 1,
];
const LARGEST = Math.max(...SIZES);

/** Each content kind as one buffer of the largest size; a file of size n is its first n bytes. */
const CONTENTS: Record<string, Uint8Array> = {
  zeros: new Uint8Array(LARGEST),
  text: (() => {
    const random = seededRandom(0x5eed);
    const words = ['build', 'ok', 'warning:', 'src/app.ts', '12ms', 'PASS', 'retry', 'GET /api'];
    let text = '';
    while (text.length < LARGEST) {
      text += `${words[random.below(words.length)]} ${random.below(10_000)}\n`;
    }
    return new TextEncoder().encode(text.slice(0, LARGEST));
  })(),
  random: seededRandom(0x5eed).bytes(LARGEST),
};

/** The option left out means the archiver's own default. */
const SETTINGS = ['fastest', 'fast', 'default', 'slow', 'slowest', undefined] as const;

function levelOf(setting: string | undefined): DeflateLevel | undefined {
  return setting === undefined ? undefined : compressionLevel(setting).level;
}

function workspaceOf(content: Uint8Array) {
  return {
    readFile: async (path: string): Promise<Uint8Array> =>
      content.subarray(0, Number(path.slice(PROJECT.length + 1).split('.')[0])),
  };
}

async function archive(
  content: Uint8Array,
  sizes: readonly number[],
  format: string,
  level: DeflateLevel | undefined,
): Promise<Uint8Array> {
  const stream = createArtifactArchive({
    workspace: workspaceOf(content),
    projectDir: PROJECT,
    files: sizes.map((size) => ({ path: `${size}.bin` })),
    format,
    ...(level === undefined ? {} : { level }),
  });
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/**
 * Python's zipfile reads each zip: entry name, method and SHA-256 of the bytes it decodes (it
 * checks every entry's CRC-32 on the way). One process for every archive, since Python is slow
 * to start.
 */
function pythonListings(zips: Map<string, Uint8Array>): Map<string, string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'tabrunner-levels-'));
  try {
    const keys = [...zips.keys()];
    keys.forEach((key, i) => writeFileSync(join(dir, `${i}.zip`), zips.get(key)!));
    const out = execFileSync(
      'python3',
      [
        '-c',
        [
          'import hashlib, sys, zipfile',
          'for path in sys.argv[1:]:',
          '    print("=")',
          '    z = zipfile.ZipFile(path)',
          '    for i in z.infolist():',
          '        print(i.filename, i.compress_type, hashlib.sha256(z.read(i)).hexdigest())',
        ].join('\n'),
        ...keys.map((_, i) => join(dir, `${i}.zip`)),
      ],
      { maxBuffer: 1 << 22 },
    ).toString();
    const listings = out.split('=\n').slice(1);
    return new Map(keys.map((key, i) => [key, (listings[i] ?? '').trim().split('\n')]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const zipListings = new Map<string, string[]>();
beforeAll(async () => {
  const zips = new Map<string, Uint8Array>();
  for (const setting of SETTINGS) {
    for (const [kind, content] of Object.entries(CONTENTS)) {
      zips.set(`${setting}/${kind}`, await archive(content, SIZES, 'zip', levelOf(setting)));
    }
  }
  for (const [key, listing] of pythonListings(zips)) zipListings.set(key, listing);
});

describe.each(SETTINGS)('ARTIFACT_COMPRESSION_LEVEL=%s', (setting) => {
  const level = levelOf(setting);

  it.each(Object.keys(CONTENTS))(
    'gzip of %s decodes to the same bytes at every size',
    async (kind) => {
      const content = CONTENTS[kind]!;
      const failures: string[] = [];
      for (const size of SIZES) {
        const gz = await archive(content, [size], 'gzip', level);
        const original = content.subarray(0, size);
        try {
          if (!Buffer.from(original).equals(gunzipSync(gz))) failures.push(`${size}: zlib differs`);
        } catch (error) {
          failures.push(`${size}: zlib ${(error as Error).message}`);
        }
        try {
          const chunks: Uint8Array[] = [];
          gunzipMembers(gz, (chunk) => chunks.push(chunk));
          if (!Buffer.from(original).equals(Buffer.concat(chunks))) {
            failures.push(`${size}: gunzipMembers differs`);
          }
        } catch (error) {
          failures.push(`${size}: gunzipMembers ${(error as Error).message}`);
        }
      }
      expect(failures).toEqual([]);
    },
  );

  it.each(Object.keys(CONTENTS))('zip of %s holds the same bytes for every size', (kind) => {
    const content = CONTENTS[kind]!;
    const stored = level === 0;
    expect(zipListings.get(`${setting}/${kind}`)).toEqual(
      SIZES.map((size) => `${size}.bin ${stored ? 0 : 8} ${sha256(content.subarray(0, size))}`),
    );
  });
});
