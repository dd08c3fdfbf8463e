import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git } from '../../test/support/git-server.ts';
import type { GitObject } from './git-object.ts';
import { indexPack } from './index-pack.ts';
import { createNodeSha1 } from './node-sha1.ts';
import { readPackIndex } from './pack-index-file.ts';
import { createJsSha1 } from './sha1.ts';

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
      for (const sha1 of [createNodeSha1, createJsSha1]) {
        const indexed = await indexPack(packs[kind], { sha1 });
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
    ).rejects.toMatchObject({ code: 'SourcesPackError', message: /which is missing/ });
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
