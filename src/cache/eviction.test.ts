import { describe, expect, it } from 'vitest';
import type { CacheEntry } from './cache-store.ts';
import { entriesToEvict } from './eviction.ts';

const entry = (key: string, bytes: number, lastUsed: number): CacheEntry => ({
  address: { gitlab: 'https://gitlab.example.com', projectId: 1, key },
  bytes,
  lastUsed,
});

describe('entriesToEvict', () => {
  it('evicts nothing within budget', () => {
    expect(entriesToEvict([entry('a', 10, 1), entry('b', 10, 2)], 20)).toEqual([]);
  });

  it('evicts the least recently used first, only as many as needed', () => {
    const entries = [entry('new', 10, 30), entry('old', 10, 10), entry('mid', 10, 20)];
    expect(entriesToEvict(entries, 15).map((e) => e.address.key)).toEqual(['old', 'mid']);
    expect(entriesToEvict(entries, 25).map((e) => e.address.key)).toEqual(['old']);
  });

  it('never evicts the kept entry, even alone over budget', () => {
    const entries = [entry('kept', 100, 1), entry('other', 10, 2)];
    const kept = (e: CacheEntry) => e.address.key === 'kept';
    expect(entriesToEvict(entries, 50, kept).map((e) => e.address.key)).toEqual(['other']);
  });
});
