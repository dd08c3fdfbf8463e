/**
 * The tab's cache store in real Chromium, once per backend: OPFS files and IndexedDB records,
 * each with the real IndexedDB index and Web Locks. A second writer is a real Worker, which
 * shares the page's origin storage and locks as another tab does.
 */
import { describe, expect, it } from 'vitest';
import type { ArchiveFiles } from './archive-files.ts';
import { openBrowserCacheStore, type BrowserCacheStoreOptions } from './browser-cache-store.ts';
import type { CacheAddress } from './cache-store.ts';
import { indexedDbArchiveFiles } from './indexeddb-archive-files.ts';
import { opfsArchiveFiles } from './opfs-archive-files.ts';
import type { SaveInWorkerReport, SaveInWorkerRequest } from './testing/save-in-worker.ts';

type Backend = 'opfs' | 'indexeddb';

const gitlab = 'https://gitlab.example.com';
const address = (key: string, projectId = 1): CacheAddress => ({ gitlab, projectId, key });
const bytesOf = (text: string) => new TextEncoder().encode(text);

function streamOf(...chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}

async function textOf(blob: Blob | null): Promise<string | null> {
  return blob ? new TextDecoder().decode(await blob.arrayBuffer()) : null;
}

let stores = 0;
/** A store of its own for each test: its own database, directory and locks. */
function storeName(): string {
  stores += 1;
  return `cache-test-${Date.now()}-${stores}`;
}

/** The store's file area, as a test looks at it from outside. */
async function filesOf(name: string, backend: Backend): Promise<ArchiveFiles> {
  if (backend === 'opfs') return opfsArchiveFiles(name);
  const open = indexedDB.open(`${name}:indexeddb`);
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  return indexedDbArchiveFiles(db);
}

describe.each<Backend>(['opfs', 'indexeddb'])('browser cache store on %s', (backend) => {
  async function open(options: Partial<BrowserCacheStoreOptions> = {}) {
    const name = options.name ?? storeName();
    const store = await openBrowserCacheStore({ budgetBytes: 1 << 20, ...options, name, backend });
    return { name, store, files: await filesOf(name, backend) };
  }

  it('keeps what it is given under its address, and nothing under others', async () => {
    const { store } = await open();
    expect(store.backend).toBe(backend);
    // A key with slashes, dots and more than a file name may hold.
    const key = `../npm/${'x'.repeat(300)}/🎉`;
    await store.save(address(key), streamOf(bytesOf('hello '), bytesOf('cache')));
    expect(await textOf(await store.open(address(key)))).toBe('hello cache');
    expect(await store.open(address(key, 2))).toBeNull();
    expect(await store.open({ gitlab: 'https://other.example.com', projectId: 1, key })).toBeNull();
    expect(await store.open(address('npm'))).toBeNull();
    expect(await store.list()).toEqual([
      { address: address(key), bytes: 11, lastUsed: expect.any(Number) as number },
    ]);
  });

  it('streams an archive of many chunks in and reads it back byte for byte', async () => {
    const { store } = await open({ budgetBytes: 64 << 20 });
    // 9 MiB in 1 MiB pieces: more than one IndexedDB record.
    const pieces = Array.from({ length: 9 }, (_, i) => new Uint8Array(1 << 20).fill(i + 1));
    await store.save(address('big'), streamOf(...pieces));
    const blob = await store.open(address('big'));
    expect(blob?.size).toBe(9 << 20);
    const back = new Uint8Array(await (blob as Blob).arrayBuffer());
    expect(
      pieces.every((piece, i) => back[i << 20] === i + 1 && back[((i + 1) << 20) - 1] === i + 1),
    ).toBe(true);
  });

  it('replaces an archive whole, and deletes the one it replaced', async () => {
    const { store, files } = await open({ retiredGraceMs: 0 });
    await store.save(address('npm'), streamOf(bytesOf('first')));
    await store.save(address('npm'), streamOf(bytesOf('second')));
    expect(await textOf(await store.open(address('npm')))).toBe('second');
    expect(await store.usage()).toEqual({ entries: 1, bytes: 6, budgetBytes: 1 << 20 });
    expect(await files.names()).toHaveLength(1);
  });

  it('keeps a replaced archive readable for a restore that opened it, until its grace ends', async () => {
    let now = 1_000;
    const { store, files } = await open({ retiredGraceMs: 60_000, now: () => now });
    await store.save(address('npm'), streamOf(bytesOf('first')));
    const reading = await store.open(address('npm'));
    await store.save(address('npm'), streamOf(bytesOf('second')));
    expect(await textOf(reading)).toBe('first');
    expect(await files.names()).toHaveLength(2);
    now += 60_000;
    await store.save(address('other'), streamOf(bytesOf('x')));
    expect(await files.names()).toHaveLength(2);
    expect(await textOf(await store.open(address('npm')))).toBe('second');
  });

  it('leaves the previous archive when the stream errors', async () => {
    const { store, files } = await open({ retiredGraceMs: 0 });
    await store.save(address('npm'), streamOf(bytesOf('good')));
    const broken = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new Uint8Array(1000));
        controller.error(new Error('zip writer failed'));
      },
    });
    await expect(store.save(address('npm'), broken)).rejects.toThrow('zip writer failed');
    expect(await textOf(await store.open(address('npm')))).toBe('good');
    expect(await files.names()).toHaveLength(1);
  });

  it('leaves the previous archive when the save is aborted mid-stream', async () => {
    const { store, files } = await open({ retiredGraceMs: 0 });
    await store.save(address('npm'), streamOf(bytesOf('good')));
    const abort = new AbortController();
    const stalled = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array(1000));
      },
      // The rest never comes: the job was cancelled while it was being archived.
      pull: () =>
        new Promise<void>(() => abort.abort(new DOMException('job canceled', 'AbortError'))),
    });
    await expect(store.save(address('npm'), stalled, abort.signal)).rejects.toThrow('job canceled');
    expect(await textOf(await store.open(address('npm')))).toBe('good');
    expect(await files.names()).toHaveLength(1);
    await expect(
      store.save(address('npm'), streamOf(bytesOf('late')), abort.signal),
    ).rejects.toThrow('job canceled');
  });

  it('evicts the least recently used archives past its budget, never the one just saved', async () => {
    let now = 0;
    const { store, files } = await open({ budgetBytes: 250, retiredGraceMs: 0, now: () => ++now });
    const hundred = () => streamOf(new Uint8Array(100));
    await store.save(address('a'), hundred());
    await store.save(address('b'), hundred());
    // A restore counts as a use: `b` is now the oldest.
    expect(await store.open(address('a'))).not.toBeNull();
    await store.save(address('c'), hundred());
    const keys = async () => (await store.list()).map((entry) => entry.address.key).sort();
    expect(await keys()).toEqual(['a', 'c']);
    await store.save(address('huge'), streamOf(new Uint8Array(300)));
    expect(await keys()).toEqual(['huge']);
    expect(await store.usage()).toEqual({ entries: 1, bytes: 300, budgetBytes: 250 });
    expect(await files.names()).toHaveLength(1);
  });

  it('clears every archive, replaced ones in their grace too', async () => {
    const { store, files } = await open();
    await store.save(address('a'), streamOf(bytesOf('a')));
    await store.save(address('a'), streamOf(bytesOf('a2')));
    await store.save(address('b'), streamOf(bytesOf('b')));
    await store.clear();
    expect(await store.list()).toEqual([]);
    expect(await store.open(address('a'))).toBeNull();
    expect(await files.names()).toEqual([]);
  });

  it('deletes what a closed tab left half-written, never a file still being written', async () => {
    const name = storeName();
    await open({ name });
    const files = await filesOf(name, backend);
    await files.write('left-by-a-closed-tab', streamOf(new Uint8Array(10)));
    await files.write('being-written', streamOf(new Uint8Array(10)));
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked: () => void = () => undefined;
    const holding = new Promise<void>((resolve) => (locked = resolve));
    const writer = navigator.locks.request(`${name}:write:being-written`, () => {
      locked();
      return held;
    });
    await holding;
    await open({ name });
    expect(await files.names()).toEqual(['being-written']);
    release();
    await writer;
  });

  it('fails a step with what to do, not waiting for ever, while another tab holds the index lock', async () => {
    const { name, store } = await open({ lockWaitMs: 200 });
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const holding = navigator.locks.request(`${name}:commit`, () => held);
    try {
      await expect(store.clear()).rejects.toMatchObject({
        code: 'CacheStoreError',
        message: expect.stringContaining('Reload or close the other tabrunner tabs'),
      });
    } finally {
      release();
      await holding;
    }
    await expect(store.clear()).resolves.toBeUndefined();
  });

  it('leaves one whole archive when two Workers save one key at once', async () => {
    const { name, store, files } = await open({ retiredGraceMs: 0 });
    const bytes = 3 << 20;
    const workers = [0x61, 0x62].map((fill) => {
      const worker = new Worker(new URL('./testing/save-in-worker.ts', import.meta.url), {
        type: 'module',
      });
      const reports: SaveInWorkerReport['type'][] = [];
      const next = (type: SaveInWorkerReport['type']) =>
        new Promise<void>((resolve, reject) => {
          worker.addEventListener('message', (event: MessageEvent<SaveInWorkerReport>) => {
            reports.push(event.data.type);
            if (event.data.type === 'failed') reject(new Error(event.data.message));
            if (event.data.type === type) resolve();
          });
        });
      const started = next('started');
      const saved = next('saved');
      worker.postMessage({ name, backend, key: 'npm', bytes, fill } satisfies SaveInWorkerRequest);
      return { worker, started, saved, fill };
    });
    try {
      // Both have half their archive on disk before either finishes.
      await Promise.all(workers.map((w) => w.started));
      for (const w of workers) w.worker.postMessage('finish');
      await Promise.all(workers.map((w) => w.saved));
    } finally {
      for (const w of workers) w.worker.terminate();
    }
    const blob = await store.open(address('npm'));
    expect(blob?.size).toBe(bytes);
    const back = new Uint8Array(await (blob as Blob).arrayBuffer());
    expect([0x61, 0x62]).toContain(back[0]);
    expect(back.every((byte) => byte === back[0])).toBe(true);
    expect(await store.usage()).toMatchObject({ entries: 1, bytes });
    expect(await files.names()).toHaveLength(1);
  });
});

describe('browser cache store on indexeddb, as it writes', () => {
  it('writes each chunk as it fills, before the stream ends, not the archive at its end', async () => {
    const name = storeName();
    const store = await openBrowserCacheStore({
      name,
      backend: 'indexeddb',
      budgetBytes: 64 << 20,
    });
    const files = await filesOf(name, 'indexeddb');
    let finish: () => void = () => undefined;
    const finishing = new Promise<void>((resolve) => (finish = resolve));
    let pulls = 0;
    const archive = new ReadableStream<Uint8Array>({
      async pull(controller) {
        pulls += 1;
        if (pulls === 6) await finishing;
        if (pulls === 7) return controller.close();
        controller.enqueue(new Uint8Array(1 << 20).fill(pulls));
      },
    });
    const saving = store.save(address('streamed'), archive);
    // 5 MiB in and the stream still open: a 4 MiB chunk is already in IndexedDB.
    await expect.poll(() => files.names()).toHaveLength(1);
    expect(await store.open(address('streamed'))).toBeNull();
    finish();
    await saving;
    expect((await store.open(address('streamed')))?.size).toBe(6 << 20);
  });
});
