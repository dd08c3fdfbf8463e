import { describe, expect, it } from 'vitest';
import { RequestRateLimit } from './request-rate-limit.ts';

describe('RequestRateLimit', () => {
  it('lets requests through until the minute holds the budget, then waits for the oldest to age out', () => {
    const limit = new RequestRateLimit(3);
    limit.record(1_000);
    limit.record(2_000);
    expect(limit.nextSlot(2_500)).toBe(2_500);
    limit.record(3_000);
    expect(limit.nextSlot(3_500)).toBe(61_000);
    expect(limit.nextSlot(61_001)).toBe(61_001);
  });

  it('counts the retries a request needed', () => {
    const limit = new RequestRateLimit(4);
    limit.record(0, 3);
    expect(limit.nextSlot(10)).toBe(10);
    limit.record(10);
    expect(limit.nextSlot(20)).toBe(60_000);
  });

  it('sleeps on the clock until a slot is free, then takes it', async () => {
    let now = 0;
    const sleeps: number[] = [];
    const clock = {
      now: () => now,
      sleep: async (ms: number) => {
        sleeps.push(ms);
        now += ms;
      },
    };
    const limit = new RequestRateLimit(2);
    await limit.take(clock);
    now = 5_000;
    await limit.take(clock);
    now = 6_000;
    await limit.take(clock);
    expect(sleeps).toEqual([54_000]);
    expect(now).toBe(60_000);
    expect(limit.nextSlot(now)).toBe(65_000);
  });
});
