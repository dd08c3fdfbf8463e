import * as fs from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../platform/clock.ts';
import { createFsSourceStore } from './fs-source-store.ts';
import type { StoreFs } from './source-store.ts';

let root: string;
let now = 1_000;
const clock: Clock = { now: () => now, sleep: async () => {} };

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'tabrunner-store-'));
  now = 1_000;
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function store(maxBytes?: number) {
  return createFsSourceStore({
    fs: fs as unknown as StoreFs,
    root: join(root, 'sources'),
    clock,
    ...(maxBytes !== undefined ? { maxBytes } : {}),
  });
}

async function fill(s: ReturnType<typeof store>, key: string, bytes: number) {
  const project = await s.open(key, { fresh: false });
  await writeFile(join(project.gitdir, 'blob'), new Uint8Array(bytes));
  await project.release();
}

describe('createFsSourceStore', () => {
  it('reports each project with its size and last use, most recent first', async () => {
    const s = store();
    await fill(s, 'gitlab.example.com/group/a', 1000);
    now = 2_000;
    await fill(s, 'gitlab.example.com/group/b', 3000);
    const usage = await s.usage();
    expect(usage.projects.map((p) => [p.key, p.lastUsed])).toEqual([
      ['gitlab.example.com/group/b', 2_000],
      ['gitlab.example.com/group/a', 1_000],
    ]);
    expect(usage.projects[0]?.bytes).toBeGreaterThanOrEqual(3000);
    expect(usage.bytes).toBe(usage.projects.reduce((sum, p) => sum + p.bytes, 0));
    expect(usage.maxBytes).toBe(Infinity);
  });

  it('keeps keys with slashes and dots inside one safe directory each', async () => {
    const s = store();
    await fill(s, '../evil/../../x', 10);
    expect(await readdir(join(root, 'sources'))).toEqual(['%2E%2E%2Fevil%2F%2E%2E%2F%2E%2E%2Fx']);
    expect((await s.usage()).projects[0]?.key).toBe('../evil/../../x');
  });

  it('evicts the least recently used projects past the size bound, never the one in use', async () => {
    const s = store(5_000);
    await fill(s, 'old', 2_000);
    now = 2_000;
    await fill(s, 'middle', 2_000);
    now = 3_000;
    await fill(s, 'new', 2_000);
    const keys = (await s.usage()).projects.map((p) => p.key);
    expect(keys).toEqual(['new', 'middle']);
    now = 4_000;
    await fill(s, 'huge', 10_000);
    expect((await s.usage()).projects.map((p) => p.key)).toEqual(['huge']);
  });

  it('empties a project for a fresh open and removes it on request', async () => {
    const s = store();
    await fill(s, 'p', 100);
    const project = await s.open('p', { fresh: true });
    expect(await readdir(project.gitdir)).toEqual([]);
    await project.release();
    await s.remove('p');
    expect((await s.usage()).projects).toEqual([]);
  });

  it('leases a project to one job at a time', async () => {
    const s = store();
    const order: string[] = [];
    const first = await s.open('p', { fresh: false });
    const second = s.open('p', { fresh: false }).then((p) => {
      order.push('second opened');
      return p;
    });
    await new Promise((r) => setTimeout(r, 20));
    order.push('first released');
    await first.release();
    await (await second).release();
    expect(order).toEqual(['first released', 'second opened']);
  });
});
