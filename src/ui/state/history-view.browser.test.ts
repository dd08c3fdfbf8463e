/**
 * The history as a long-running tab keeps it: real IndexedDB, saving one job after another.
 * A save runs beside the next job's fetch, so it must not read back the other entries (each
 * with a log of up to 1 MiB) or replace the rows already shown.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HISTORY_LIMIT, openAppStore, type HistoryEntry } from '../../tab/app-store.ts';
import { freshTab } from '../testing/fresh-tab.ts';
import { historyEntry } from '../testing/history-entry.ts';

import { HistoryView } from './history-view.svelte.ts';

const encoder = new TextEncoder();

/** A job with a log of 100 lines, so reading one back would show in the counts below. */
const entry = (jobId: number): HistoryEntry =>
  historyEntry(jobId, { log: encoder.encode(`log of job ${jobId}\n`.repeat(100)) });

/** Every IndexedDB call that hands back stored values (and so their logs). */
function spyOnValueReads() {
  return [
    vi.spyOn(IDBObjectStore.prototype, 'get'),
    vi.spyOn(IDBObjectStore.prototype, 'getAll'),
    vi.spyOn(IDBObjectStore.prototype, 'openCursor'),
    vi.spyOn(IDBIndex.prototype, 'get'),
    vi.spyOn(IDBIndex.prototype, 'getAll'),
    vi.spyOn(IDBIndex.prototype, 'openCursor'),
  ];
}

const reads = (spies: ReturnType<typeof spyOnValueReads>) =>
  spies.reduce((sum, spy) => sum + spy.mock.calls.length, 0);

beforeEach(freshTab);
afterEach(() => {
  vi.restoreAllMocks();
});

describe('HistoryView', () => {
  it('saves the 51st job without reading the other entries, keeping the newest 50', async () => {
    const store = await openAppStore();
    for (let id = 1; id <= HISTORY_LIMIT; id++) await store.addHistory(entry(id));
    const view = new HistoryView(store);
    await view.load();
    const shown = view.entries;
    expect(shown).toHaveLength(HISTORY_LIMIT);

    const spies = spyOnValueReads();
    await view.add(entry(HISTORY_LIMIT + 1));
    expect(reads(spies)).toBe(0);
    vi.restoreAllMocks();

    const newestFirst = Array.from({ length: HISTORY_LIMIT }, (_, i) => HISTORY_LIMIT + 1 - i);
    expect(view.entries.map((e) => e.jobId)).toEqual(newestFirst);
    // The rows already shown keep their entries: nothing was re-read or redrawn.
    expect(view.entries.slice(1)).toEqual(shown.slice(0, -1));
    expect(view.entries.slice(1).every((e, i) => e === shown[i])).toBe(true);
    const stored = await store.history();
    expect(stored.map((e) => e.jobId)).toEqual(newestFirst);
    expect(stored[0]?.log).toEqual(entry(HISTORY_LIMIT + 1).log);
  });

  it('upgrades a history saved by the previous version and trims it by age', async () => {
    const name = 'tabrunner-app-upgrade-test';
    // The database as version 1 left it: the history without the `finishedAt` index.
    const v1 = indexedDB.open(name, 1);
    v1.onupgradeneeded = () => {
      v1.result.createObjectStore('kv');
      v1.result.createObjectStore('history', { keyPath: 'key' });
    };
    const old = await new Promise<IDBDatabase>((resolve, reject) => {
      v1.onsuccess = () => resolve(v1.result);
      v1.onerror = () => reject(v1.error);
    });
    const tx = old.transaction('history', 'readwrite');
    // Saved newest first, so key order and age disagree.
    for (let id = HISTORY_LIMIT; id >= 1; id--) tx.objectStore('history').put(entry(id));
    await new Promise((resolve) => (tx.oncomplete = resolve));
    old.close();

    const store = await openAppStore(name);
    await store.addHistory(entry(HISTORY_LIMIT + 1));
    const ids = (await store.history()).map((e) => e.jobId);
    expect(ids).toHaveLength(HISTORY_LIMIT);
    expect(ids[0]).toBe(HISTORY_LIMIT + 1);
    expect(ids).not.toContain(1);
    // The store closes for a deletion (or a newer version) instead of blocking it.
    await new Promise((resolve, reject) => {
      const deletion = indexedDB.deleteDatabase(name);
      deletion.onsuccess = resolve;
      deletion.onerror = () => reject(deletion.error);
    });
  });

  it('keeps 50 and the finishing order when saves overlap', async () => {
    const store = await openAppStore();
    const view = new HistoryView(store);
    await view.load();
    const saves = [];
    for (let id = 1; id <= HISTORY_LIMIT + 10; id++) saves.push(view.add(entry(id)));
    await Promise.all(saves);
    const newestFirst = Array.from({ length: HISTORY_LIMIT }, (_, i) => HISTORY_LIMIT + 10 - i);
    expect(view.entries.map((e) => e.jobId)).toEqual(newestFirst);
    expect((await store.history()).map((e) => e.jobId)).toEqual(newestFirst);
  });
});
