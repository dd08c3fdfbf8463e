import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '../platform/clock.ts';
import type { CacheAddress } from './cache-store.ts';
import { createNodeCacheStore } from './node-cache-store.ts';

let dir: string;
let now: number;
const clock: Clock = { now: () => now, sleep: async () => {} };

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tabrunner-cache-'));
  now = Date.now();
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const store = (budgetBytes = 1 << 30) => createNodeCacheStore({ dir, budgetBytes, clock });
const at = (key: string, projectId = 7): CacheAddress => ({
  gitlab: 'https://gitlab.example.com',
  projectId,
  key,
});

/** A stream of `bytes`, in chunks of at most `chunk` bytes, yielding to the event loop between. */
function streamOf(bytes: Uint8Array, chunk = 4096): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    async pull(controller) {
      await new Promise((done) => setImmediate(done));
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + chunk));
      offset += chunk;
    },
  });
}

const filled = (length: number, value: number) => new Uint8Array(length).fill(value);
const read = async (blob: Blob | null) => (blob ? new Uint8Array(await blob.arrayBuffer()) : null);

describe('createNodeCacheStore', () => {
  it('keeps an archive under its address and gives it back, whatever the key', async () => {
    const s = store();
    const keys = ['npm-protected', 'a/b/../../c', '..', 'ключ 🔑 with spaces', 'k'.repeat(2000)];
    for (const [i, key] of keys.entries()) await s.save(at(key), streamOf(filled(100 + i, i)));

    for (const [i, key] of keys.entries()) {
      expect(await read(await s.open(at(key)))).toEqual(filled(100 + i, i));
    }
    expect(await s.open(at('npm-protected', 8))).toBeNull();
    expect(await s.open({ ...at('npm-protected'), gitlab: 'https://other.example' })).toBeNull();
    expect((await s.list()).map((e) => e.address.key).sort()).toEqual([...keys].sort());
    // Every file is named by a hash, none by the key.
    const files = (await readdir(dir)).filter((name) => !name.startsWith('.'));
    expect(files).toHaveLength(keys.length * 2);
    for (const name of files) expect(name).toMatch(/^[0-9a-f]{64}\.(zip|json)$/);
  });

  it('lists sizes and last use, and counts an open as a use', async () => {
    const s = store();
    await s.save(at('a'), streamOf(filled(300, 1)));
    now += 1000;
    await s.save(at('b'), streamOf(filled(200, 2)));
    now += 1000;
    await s.open(at('a'));
    const entries = await s.list();
    expect(entries.sort((x, y) => x.address.key.localeCompare(y.address.key))).toEqual([
      { address: at('a'), bytes: 300, lastUsed: now },
      { address: at('b'), bytes: 200, lastUsed: now - 1000 },
    ]);
    expect(await s.usage()).toEqual({ entries: 2, bytes: 500, budgetBytes: 1 << 30 });
  });

  it('evicts the least recently used archives past its budget, never the one just saved', async () => {
    const s = store(250);
    await s.save(at('a'), streamOf(filled(100, 1)));
    now += 1;
    await s.save(at('b'), streamOf(filled(100, 2)));
    now += 1;
    await s.open(at('a'));
    now += 1;
    await s.save(at('c'), streamOf(filled(100, 3)));
    expect((await s.list()).map((e) => e.address.key).sort()).toEqual(['a', 'c']);
    expect(await s.open(at('b'))).toBeNull();

    now += 1;
    await s.save(at('big'), streamOf(filled(400, 4)));
    expect((await s.list()).map((e) => e.address.key)).toEqual(['big']);
  });

  it('keeps the previous archive when the stream fails or the save is aborted', async () => {
    const s = store();
    await s.save(at('k'), streamOf(filled(1000, 1)));

    let sent = 0;
    const failing = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ === 3) return controller.error(new Error('disk went away'));
        controller.enqueue(filled(100, 2));
      },
    });
    await expect(s.save(at('k'), failing)).rejects.toThrow('disk went away');

    const abort = new AbortController();
    const endless = new ReadableStream<Uint8Array>({
      async pull(controller) {
        await new Promise((done) => setImmediate(done));
        controller.enqueue(filled(100, 3));
        if (++sent === 10) abort.abort();
      },
    });
    await expect(s.save(at('k'), endless, abort.signal)).rejects.toMatchObject({
      code: 'AbortError',
    });
    await expect(s.save(at('k'), streamOf(filled(10, 4)), abort.signal)).rejects.toMatchObject({
      code: 'AbortError',
    });

    expect(await read(await s.open(at('k')))).toEqual(filled(1000, 1));
    expect((await readdir(dir)).filter((name) => name.startsWith('.tmp-'))).toEqual([]);
  });

  it('lets an opened archive be read whole after it was replaced, evicted or cleared', async () => {
    const s = store(150);
    await s.save(at('k'), streamOf(filled(100, 1)));
    const first = await s.open(at('k'));
    await s.save(at('k'), streamOf(filled(100, 2)));
    const second = await s.open(at('k'));
    now += 1;
    await s.save(at('other'), streamOf(filled(100, 3)));
    expect(await s.open(at('k'))).toBeNull();
    await s.clear();

    expect(await read(first)).toEqual(filled(100, 1));
    expect(await read(second?.slice(50) ?? null)).toEqual(filled(50, 2));
    expect(await s.usage()).toEqual({ entries: 0, bytes: 0, budgetBytes: 150 });
  });

  it('removes what a dead process left, and ignores metadata it cannot read', async () => {
    const s = store();
    await s.save(at('kept'), streamOf(filled(10, 1)));
    const deadPid = 2_147_483_646;
    const stale = [
      `.tmp-${deadPid}-1-aaaaaa.zip`,
      `.read-${deadPid}-1-bbbbbb`,
      `.read-${process.pid}-${now - 2 * 60 * 60 * 1000}-cccccc`,
      `${'e'.repeat(64)}.zip`,
    ];
    const live = [`.tmp-${process.pid}-${now}-dddddd.zip`, `.read-${process.pid}-${now}-ffffff`];
    for (const name of [...stale, ...live]) await writeFile(join(dir, name), 'x');
    const silent = `.tmp-${process.pid}-${now}-999999.zip`;
    await writeFile(join(dir, silent), 'x');
    const hourAgo = new Date(now - 2 * 60 * 60 * 1000);
    await utimes(join(dir, silent), hourAgo, hourAgo);
    await writeFile(join(dir, `${'f'.repeat(64)}.json`), '{"gitlab": 1');
    await writeFile(join(dir, `${'f'.repeat(64)}.zip`), 'x');

    await s.save(at('next'), streamOf(filled(10, 2)));
    const names = await readdir(dir);
    for (const name of [...stale, silent]) expect(names).not.toContain(name);
    for (const name of live) expect(names).toContain(name);
    expect((await s.list()).map((e) => e.address.key).sort()).toEqual(['kept', 'next']);
  });

  it('leaves one whole archive when saves of one key race in one process', async () => {
    const s = store();
    await Promise.all(
      [1, 2, 3].map((value) => s.save(at('k'), streamOf(filled(64 * 1024, value), 1024))),
    );
    const bytes = (await read(await s.open(at('k'))))!;
    expect(bytes).toHaveLength(64 * 1024);
    expect([1, 2, 3]).toContain(bytes[0]);
    expect(bytes.every((b) => b === bytes[0])).toBe(true);
    expect(await s.list()).toHaveLength(1);
  });

  it('leaves one whole archive when two processes save one key at once, readable throughout', async () => {
    const storeModule = fileURLToPath(new URL('./node-cache-store.ts', import.meta.url));
    const script = join(dir, 'saver.mts');
    await writeFile(
      script,
      `import { createNodeCacheStore } from ${JSON.stringify(storeModule)};
const value = Number(process.argv[2]);
const store = createNodeCacheStore({ dir: process.argv[3]!, budgetBytes: 1 << 30 });
const size = 2 * 1024 * 1024;
for (let round = 0; round < 5; round++) {
  let sent = 0;
  await store.save(
    { gitlab: 'https://gitlab.example.com', projectId: 7, key: 'shared' },
    new ReadableStream<Uint8Array>({
      async pull(controller) {
        await new Promise((done) => setImmediate(done));
        if (sent >= size) return controller.close();
        controller.enqueue(new Uint8Array(64 * 1024).fill(value));
        sent += 64 * 1024;
      },
    }),
  );
}
`,
    );
    const cacheDir = join(dir, 'cache');
    const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));
    const run = (value: number) =>
      new Promise<number | null>((done, fail) => {
        const child = spawn(tsx, [script, String(value), cacheDir], {
          stdio: ['ignore', 'inherit', 'inherit'],
        });
        child.on('error', fail);
        child.on('exit', done);
      });
    const s = createNodeCacheStore({ dir: cacheDir, budgetBytes: 1 << 30 });
    const savers = Promise.all([run(1), run(2)]);
    let finished = false;
    void savers.finally(() => (finished = true));
    while (!finished) {
      const bytes = await read(await s.open(at('shared')));
      if (bytes) {
        expect(bytes).toHaveLength(2 * 1024 * 1024);
        expect(bytes.every((b) => b === bytes[0])).toBe(true);
      }
      await new Promise((done) => setTimeout(done, 5));
    }
    expect(await savers).toEqual([0, 0]);

    const last = (await read(await s.open(at('shared'))))!;
    expect([1, 2]).toContain(last[0]);
    expect(last.every((b) => b === last[0])).toBe(true);
    expect(await s.list()).toHaveLength(1);
    expect((await readdir(cacheDir)).filter((name) => name.startsWith('.tmp-'))).toEqual([]);
  });
});
