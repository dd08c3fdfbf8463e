import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git } from '../../../test/support/git-server.ts';
import { openPackReader } from './pack-reader.ts';
import type { StoreFs } from './source-store.ts';

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tabrunner-pack-'));
  git(root, ['init', '-q', '-b', 'main']);
  const lines = Array.from({ length: 2000 }, (_, i) => `line ${i} ${'abc'.repeat(10)}`);
  for (let round = 0; round < 4; round++) {
    lines[round * 100] = `changed in round ${round}`;
    await writeFile(join(root, 'big.txt'), lines.join('\n'));
    await writeFile(join(root, `small-${round}.txt`), `round ${round}\n`);
    git(root, ['add', '-A']);
    git(root, ['commit', '-q', '-m', `round ${round}`]);
  }
  // One pack with delta chains (ofs-delta), as a server would send.
  git(root, ['repack', '-q', '-a', '-d', '-f', '--depth=10', '--window=10']);
});

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe('openPackReader', () => {
  it('reads every object of a deltified pack exactly as git does', async () => {
    const verify = git(root, [
      'verify-pack',
      '-v',
      ...fs
        .readdirSync(join(root, '.git/objects/pack'))
        .filter((n) => n.endsWith('.idx'))
        .map((n) => join(root, '.git/objects/pack', n)),
    ]);
    expect(verify).toMatch(/chain length = [1-9]/);
    const reader = await openPackReader(fs as unknown as StoreFs, join(root, '.git'), 'test');
    const oids = git(root, ['rev-list', '--objects', '--all'])
      .split('\n')
      .map((l) => l.split(' ')[0] ?? '');
    expect(oids.length).toBeGreaterThan(10);
    for (const oid of oids) {
      const type = git(root, ['cat-file', '-t', oid]);
      const expected = execFileSync('git', ['cat-file', type, oid], { cwd: root });
      expect(reader.has(oid)).toBe(true);
      const object = await reader.read(oid);
      expect(object?.type).toBe(type);
      expect(Buffer.from(object?.data ?? []).equals(expected), oid).toBe(true);
    }
  });

  it('returns null for an object that is not packed', async () => {
    const reader = await openPackReader(fs as unknown as StoreFs, join(root, '.git'), 'test');
    expect(reader.has('0'.repeat(40))).toBe(false);
    expect(await reader.read('0'.repeat(40))).toBeNull();
  });
});
