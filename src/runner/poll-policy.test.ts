import { describe, expect, it } from 'vitest';
import { nextPoll } from './poll-policy.ts';

const options = { checkIntervalMs: 3000, jitter: 0.2, random: () => 0.5 };

describe('nextPoll', () => {
  it('asks again at once after a job, keeping the last_update it had', () => {
    expect(nextPoll({ kind: 'job' }, 'v1', options)).toEqual({ delayMs: 0, lastUpdate: 'v1' });
  });

  it('re-polls at once when a held long poll ends with 204 and no header (docs/runner-protocol.md §3.3)', () => {
    const decision = nextPoll(
      { kind: 'no-job', longPolling: true, sentLastUpdate: 'v1', lastUpdate: null },
      'v1',
      options,
    );
    expect(decision).toEqual({ delayMs: 0, lastUpdate: 'v1' });
  });

  it('re-polls at once with a new queue version so the next request can be held', () => {
    const decision = nextPoll(
      { kind: 'no-job', longPolling: true, sentLastUpdate: 'v1', lastUpdate: 'v2' },
      'v1',
      options,
    );
    expect(decision).toEqual({ delayMs: 0, lastUpdate: 'v2' });
  });

  it('waits the check interval when the server echoed last_update without holding', () => {
    const decision = nextPoll(
      { kind: 'no-job', longPolling: true, sentLastUpdate: 'v2', lastUpdate: 'v2' },
      'v2',
      options,
    );
    expect(decision).toEqual({ delayMs: 3000, lastUpdate: 'v2' });
  });

  it('waits the check interval when it cannot read the header (browser without relay, docs/runner-protocol.md §14)', () => {
    const decision = nextPoll(
      { kind: 'no-job', longPolling: false, sentLastUpdate: null, lastUpdate: null },
      null,
      options,
    );
    expect(decision).toEqual({ delayMs: 3000, lastUpdate: null });
  });

  it('spreads polls with jitter within ±20% of the interval', () => {
    const low = nextPoll({ kind: 'failed' }, null, { ...options, random: () => 0 });
    const high = nextPoll({ kind: 'failed' }, null, { ...options, random: () => 0.999999 });
    expect(low.delayMs).toBe(2400);
    expect(high.delayMs).toBeGreaterThan(3590);
    expect(high.delayMs).toBeLessThanOrEqual(3600);
  });

  it('never polls in a loop when long polling is off, even when a new queue version arrives', () => {
    const decision = nextPoll(
      { kind: 'no-job', longPolling: false, sentLastUpdate: null, lastUpdate: 'v9' },
      null,
      options,
    );
    expect(decision).toEqual({ delayMs: 3000, lastUpdate: 'v9' });
  });
});
