import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git } from '../../../../test/support/git-server.ts';
import type { GitObject } from './git-object.ts';
import {
  buildPack,
  entryOffsets,
  objectId,
  PACK_TYPE,
  sizeVarint,
  type PackEntry,
} from '../../testing/pack-builder.ts';
import { indexPack } from './index-pack.ts';
import { createObjectInflater } from './inflate-object.ts';
import { createNodeSha1 } from './node-sha1.ts';
import { readPackIndex } from './pack-index-file.ts';
import { loadWasmSha1 } from './wasm-sha1.ts';
import { createZlibObjectInflater } from './zlib-inflate-object.ts';

let root: string;
let oids: string[];
/** The same objects packed with ofs-deltas (what a server sends) and with ref-deltas. */
const packs: Record<'ofs' | 'ref', Uint8Array> = { ofs: new Uint8Array(), ref: new Uint8Array() };

function pack(args: string[], input: string): Uint8Array {
  return new Uint8Array(
    execFileSync('git', ['pack-objects', '--stdout', '-q', ...args], { cwd: root, input }),
  );
}

async function gitIndex(data: Uint8Array): Promise<Buffer> {
  await writeFile(join(root, 'check.pack'), data);
  git(root, ['index-pack', '-o', join(root, 'check.idx'), join(root, 'check.pack')]);
  return readFile(join(root, 'check.idx'));
}

/** Every object as git stores it, through one `git cat-file --batch`. */
function catFiles(ids: string[]): Map<string, GitObject> {
  const out = execFileSync('git', ['cat-file', '--batch'], { cwd: root, input: ids.join('\n') });
  const objects = new Map<string, GitObject>();
  let at = 0;
  while (at < out.length) {
    const eol = out.indexOf(0x0a, at);
    const [oid, type, size] = out.subarray(at, eol).toString().split(' ') as [
      string,
      GitObject['type'],
      string,
    ];
    const start = eol + 1;
    objects.set(oid, { type, data: new Uint8Array(out.subarray(start, start + Number(size))) });
    at = start + Number(size) + 1;
  }
  return objects;
}

let expected: Map<string, GitObject>;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tabrunner-index-pack-'));
  git(root, ['init', '-q', '-b', 'main']);
  const lines = Array.from({ length: 1500 }, (_, i) => `line ${i} ${'abc'.repeat(10)}`);
  for (let round = 0; round < 4; round++) {
    lines[round * 100] = `changed in round ${round}`;
    await writeFile(join(root, 'big.txt'), lines.join('\n'));
    await writeFile(join(root, `small-${round}.txt`), `round ${round}\n`);
    await writeFile(join(root, 'empty.txt'), '');
    git(root, ['add', '-A']);
    git(root, ['commit', '-q', '-m', `round ${round}`]);
  }
  const list = git(root, ['rev-list', '--objects', '--all']);
  oids = list.split('\n').map((l) => l.split(' ')[0] ?? '');
  packs.ofs = pack(['--delta-base-offset'], list);
  packs.ref = pack([], list);
  expected = catFiles(oids);
});

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe('indexPack', () => {
  for (const kind of ['ofs', 'ref'] as const) {
    it(`writes the index git writes and every object git stores (${kind}-deltas)`, async () => {
      const implementations = [
        { sha1: createNodeSha1, inflater: createZlibObjectInflater() },
        { sha1: await loadWasmSha1(), inflater: createObjectInflater() },
      ];
      for (const options of implementations) {
        const indexed = await indexPack(packs[kind], options);
        expect(Buffer.from(indexed.idx).equals(await gitIndex(packs[kind]))).toBe(true);
        expect([...indexed.objects.keys()].sort()).toEqual([...new Set(oids)].sort());
        for (const oid of oids) {
          const object = indexed.objects.get(oid);
          expect(object?.type, oid).toBe(expected.get(oid)?.type);
          expect(Buffer.from(object?.data ?? []).equals(expected.get(oid)!.data), oid).toBe(true);
        }
        const lookup = readPackIndex(indexed.idx);
        expect(oids.every((oid) => lookup.offset(oid) !== undefined)).toBe(true);
        expect(lookup.offset('f'.repeat(40))).toBeUndefined();
      }
    });
  }

  it('resolves a thin pack against the store, and fails clearly without it', async () => {
    const first = git(root, ['rev-list', '--max-parents=0', 'HEAD']);
    // What a server sends a client that has `first`: deltas against objects it does not send.
    const thin = pack(['--revs', '--thin', '--delta-base-offset'], `HEAD\n^${first}\n`);
    const store = await indexPack(packs.ofs, { sha1: createNodeSha1 });
    const indexed = await indexPack(thin, {
      sha1: createNodeSha1,
      externalBase: async (oid) => store.objects.get(oid) ?? null,
    });
    expect(indexed.objects.size).toBeGreaterThan(0);
    for (const [oid, object] of indexed.objects) {
      expect(Buffer.from(object.data).equals(expected.get(oid)!.data), oid).toBe(true);
    }
    await expect(
      indexPack(thin, { sha1: createNodeSha1, externalBase: async () => null }),
    ).rejects.toMatchObject({
      code: 'SourcesPackError',
      message: expect.stringMatching(/which is missing/),
    });
  });

  describe('a hand-built pack of ref-deltas', () => {
    // Object i is a shared 100-byte prefix and its own number; each one's delta copies the
    // prefix of the one before and inserts its number, so object i needs object i - 1.
    const prefix = 'x'.repeat(100);
    const content = (i: number) => new TextEncoder().encode(`${prefix}${i}\n`);
    const deltaOf = (i: number) => {
      const tail = new TextEncoder().encode(`${i}\n`);
      return Uint8Array.of(
        ...sizeVarint(content(i - 1).length),
        ...sizeVarint(content(i).length),
        0x90,
        100,
        tail.length,
        ...tail,
      );
    };
    const chain = 3000;
    const blobs = Array.from({ length: chain + 1 }, (_, i) => content(i));
    const ids = blobs.map((b) => objectId('blob', b));
    // Newest first and the full object last: every delta's base comes later in the pack.
    const reversed = Array.from({ length: chain }, (_, k) => chain - k).map((i): PackEntry => ({
      type: PACK_TYPE.refDelta,
      data: deltaOf(i),
      base: ids[i - 1],
    }));

    it('resolves a chain listed in reverse, every base a delta later in the pack', async () => {
      const built = buildPack([...reversed, { type: PACK_TYPE.blob, data: blobs[0]! }]);
      const indexed = await indexPack(built, { sha1: createNodeSha1 });
      expect(indexed.objects.size).toBe(chain + 1);
      ids.forEach((oid, i) => {
        expect(Buffer.from(indexed.objects.get(oid)?.data ?? []).equals(blobs[i]!), oid).toBe(true);
      });
      // git itself reads the hand-built pack the same way.
      expect(Buffer.from(indexed.idx).equals(await gitIndex(built))).toBe(true);
    });

    it('takes the base the pack lacks from the store (a thin pack)', async () => {
      const thin = buildPack(reversed);
      const asked: string[] = [];
      const indexed = await indexPack(thin, {
        sha1: createNodeSha1,
        externalBase: async (oid) => {
          asked.push(oid);
          return oid === ids[0] ? { type: 'blob', data: blobs[0]! } : null;
        },
      });
      // Which ids the pack holds is known only once they resolve: the store may be asked for
      // some of them, but for none twice.
      expect(asked).toContain(ids[0]);
      expect(new Set(asked).size).toBe(asked.length);
      expect(indexed.objects.size).toBe(chain);
      expect(Buffer.from(indexed.objects.get(ids[chain]!)?.data ?? []).equals(blobs[chain]!)).toBe(
        true,
      );
      await expect(
        indexPack(thin, { sha1: createNodeSha1, externalBase: async () => null }),
      ).rejects.toMatchObject({
        code: 'SourcesPackError',
        // The chain waits as a whole: the error names a base no object of the pack became.
        message: expect.stringMatching(
          /the delta at offset \d+ needs [0-9a-f]{40}, which is missing \(neither in the pack nor/,
        ),
      });
    });

    it('refuses a delta whose stated result exceeds the budget before allocating it', async () => {
      // 64 KiB of zeros deflate to a few hundred bytes; the delta states a 16 GiB result (no
      // typed array that size could even be allocated) and copies the base once.
      const zeros = new Uint8Array(64 * 1024);
      const bomb = Uint8Array.of(...sizeVarint(zeros.length), ...sizeVarint(2 ** 34), 0x90, 0, 0);
      const built = buildPack([
        { type: PACK_TYPE.blob, data: zeros },
        { type: PACK_TYPE.refDelta, data: bomb, base: objectId('blob', zeros) },
      ]);
      expect(built.length).toBeLessThan(1024);
      await expect(indexPack(built, { sha1: createNodeSha1 })).rejects.toMatchObject({
        code: 'SourcesLimitError',
        message: expect.stringMatching(
          /unpack to more than 1024 MiB.*GIT_DEPTH.*GIT_STRATEGY: none/,
        ),
      });
    });

    it('refuses an over-long size, so no NaN can switch the budget off', async () => {
      // A delta's result size in 200 continuation bytes: once the shift passes 2^1024 the sum is
      // NaN, and `NaN > budget` is false for every delta after it.
      const zeros = new Uint8Array(1024);
      const nan = Uint8Array.of(
        ...sizeVarint(zeros.length),
        ...Array.from({ length: 200 }, () => 0x80),
        0x01,
        0x90,
        0,
        4,
      );
      const built = buildPack([
        { type: PACK_TYPE.blob, data: zeros },
        { type: PACK_TYPE.refDelta, data: nan, base: objectId('blob', zeros) },
      ]);
      await expect(
        indexPack(built, { sha1: createNodeSha1, maxBytes: 8 * 1024 * 1024 }),
      ).rejects.toMatchObject({
        code: 'SourcesPackError',
        message: expect.stringMatching(/no object can have/),
      });
      // The object header's own size is checked the same way.
      const header = buildPack([{ type: PACK_TYPE.blob, data: zeros }]);
      const longHeader = new Uint8Array([
        ...header.subarray(0, 12),
        0xb0,
        ...Array.from({ length: 200 }, () => 0x80),
        0x00,
      ]);
      await expect(indexPack(longHeader, { sha1: createNodeSha1 })).rejects.toMatchObject({
        code: 'SourcesPackError',
        message: expect.stringMatching(/impossible size/),
      });
    });

    it('refuses an ofs-delta whose distance back is cut off, without reading the trailer', async () => {
      // Type 6, then a distance whose continuation bit promises a byte the data does not hold:
      // read on, it would take the checksum's first byte.
      const blob = new Uint8Array(16);
      const entries: PackEntry[] = [
        { type: PACK_TYPE.blob, data: blob },
        { type: 0, data: blob, header: Uint8Array.of(0x61, 0x80), zlib: new Uint8Array(0) },
      ];
      const built = buildPack(entries);
      const offset = entryOffsets(entries)[1];
      expect(offset).toBe(built.length - 20 - 2);
      await expect(indexPack(built, { sha1: createNodeSha1 })).rejects.toMatchObject({
        code: 'SourcesPackError',
        message: expect.stringMatching(new RegExp(`the delta at offset ${offset} is cut off`)),
      });
    });

    it('counts every inflated object against a configured budget', async () => {
      const options = { sha1: createNodeSha1 };
      const total = [...expected.values()].reduce((n, o) => n + o.data.length, 0);
      // Objects plus the deltas they are built from: well under twice the objects here.
      await expect(indexPack(packs.ref, { ...options, maxBytes: 2 * total })).resolves.toBeTruthy();
      await expect(indexPack(packs.ref, { ...options, maxBytes: 4096 })).rejects.toMatchObject({
        code: 'SourcesLimitError',
        message: expect.stringMatching(/more than 4096 bytes/),
      });
    });

    it("refuses a delta that states another size than its base's", async () => {
      const wrong = deltaOf(1);
      wrong[0] = (wrong[0] as number) + 1;
      const built = buildPack([
        { type: PACK_TYPE.blob, data: blobs[0]! },
        { type: PACK_TYPE.refDelta, data: wrong, base: ids[0] },
      ]);
      await expect(indexPack(built, { sha1: createNodeSha1 })).rejects.toMatchObject({
        code: 'SourcesPackError',
        message: expect.stringMatching(/expects a 103-byte base, but its base has 102 bytes/),
      });
    });
  });

  const corruptions: [string, (p: Uint8Array) => Uint8Array, RegExp][] = [
    ['a flipped checksum byte', (p) => flip(p, p.length - 1), /checksum does not match/],
    ['a flipped byte inside an object', (p) => flip(p, Math.floor(p.length / 2)), /./],
    ['a cut-off pack', (p) => p.subarray(0, Math.floor(p.length / 2)), /./],
    ['bytes after the last object', (p) => insert(p, p.length - 20, 7), /follow its last object/],
    ['one object too many announced', (p) => bump(p, 1), /ends after/],
    [
      'not a pack',
      () => new TextEncoder().encode('<html>not a pack at all, sorry</html>'),
      /pack header/,
    ],
  ];
  for (const [what, corrupt, message] of corruptions) {
    it(`rejects ${what} with a SourcesPackError`, async () => {
      await expect(indexPack(corrupt(packs.ofs), { sha1: createNodeSha1 })).rejects.toMatchObject({
        code: 'SourcesPackError',
        message,
      });
    });
  }
});

function flip(pack: Uint8Array, at: number): Uint8Array {
  const out = pack.slice();
  out[at] = (out[at] ?? 0) ^ 0x5a;
  return out;
}

function insert(pack: Uint8Array, at: number, count: number): Uint8Array {
  const out = new Uint8Array(pack.length + count);
  out.set(pack.subarray(0, at));
  out.set(pack.subarray(at), at + count);
  return out;
}

function bump(pack: Uint8Array, by: number): Uint8Array {
  const out = pack.slice();
  const view = new DataView(out.buffer);
  view.setUint32(8, view.getUint32(8) + by);
  return out;
}
