import { describe, expect, it } from 'vitest';
import type { JobTransfer } from './events.ts';
import { sourcesTransfers } from './job-transfer.ts';

describe('sourcesTransfers', () => {
  it('keeps counting objects once git has counted some, with the bytes still moving', () => {
    let now = 0;
    const seen: JobTransfer[] = [];
    const report = sourcesTransfers('group/project', { now: () => now }, (t) => seen.push(t));
    report({ phase: 'fetch', step: 'Receiving bytes', bytes: 1000 });
    now += 200;
    report({ phase: 'fetch', step: 'Indexing objects', loaded: 10, total: 40, bytes: 1000 });
    now += 200;
    report({ phase: 'fetch', step: 'Receiving bytes', bytes: 5000 });
    expect(seen.map((t) => [t.unit, t.loaded, t.total, t.bytes, t.step])).toEqual([
      ['bytes', 1000, undefined, 1000, 'Receiving bytes'],
      ['objects', 10, 40, 1000, 'Indexing objects'],
      ['objects', 10, 40, 5000, 'Indexing objects'],
    ]);
  });
});
