/**
 * Bad networks and a flaky GitLab: for each fault the emulator can inject on each runner
 * endpoint, a job still ends in the right state and GitLab stores every trace byte exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultSpec } from '../../emulator/index.ts';
import { startHarness, text, type Harness } from '../support/runner-harness.ts';

let h: Harness;
beforeAll(async () => {
  // Short acceptance timeout: a job whose pickup answer was lost goes back to the queue (docs/runner-protocol.md §7.5).
  h = await startHarness({ acceptanceTimeoutSeconds: 2 });
});
afterAll(async () => {
  await h.close();
});

type Fault = Omit<FaultSpec, 'endpoint' | 'jobId'>;
const kinds: [string, Fault][] = [
  ['500', { kind: 'status', status: 500, times: 2 }],
  ['429 with Retry-After', { kind: 'status', status: 429, retryAfter: 1 }],
  ['a dropped connection', { kind: 'drop', times: 2 }],
  ['a slow answer', { kind: 'slow', delayMs: 700 }],
  ['a lost response', { kind: 'lost-response' }],
];
const cases: [string, FaultSpec['endpoint'], Fault][] = [
  ...kinds.map(([name, fault]): [string, FaultSpec['endpoint'], Fault] => [
    name,
    'jobs/request',
    fault,
  ]),
  ...kinds.map(([name, fault]): [string, FaultSpec['endpoint'], Fault] => [
    name,
    'jobs/update',
    fault,
  ]),
  ...kinds.map(([name, fault]): [string, FaultSpec['endpoint'], Fault] => [
    name,
    'jobs/trace',
    fault,
  ]),
  ['a spurious 416', 'jobs/trace', { kind: 'spurious-416', times: 2 }],
];

describe('faults on every runner endpoint', () => {
  it.each(cases)('survives %s on %s', { timeout: 60_000 }, async (_name, endpoint, fault) => {
    const [job] = await h.pipeline([
      {
        name: 'faulty',
        script: ['echo "first line"', 'sleep 1', 'echo "second line"', 'exit 0'],
        after_script: ['echo after'],
      },
    ]);
    h.emulator.faults.clear();
    h.emulator.faults.add({
      endpoint,
      ...fault,
      ...(endpoint === 'jobs/request' ? {} : { jobId: job!.id }),
    });
    const { runner, output } = h.makeRunner();
    const { outcomes } = await runner.run({ once: true });
    const stored = await h.finished(job!.id);

    expect(stored.status).toBe('success');
    // A job GitLab took back before it started (lost acceptance) is picked up again: the last report counts.
    expect(outcomes.at(-1)).toMatchObject({ jobId: job!.id, result: 'success', reported: true });
    const produced = output(job!.id);
    expect(text(stored.trace)).toBe(text(produced));
    expect(text(produced).match(/second line/g)).toHaveLength(2); // the echo and the output, once each
    expect(h.emulator.faults.list().filter((f) => f.remaining > 0)).toEqual([]);
  });
});
