import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from './index.ts';
import type { Job } from './model.ts';
import {
  insertSimpleJob,
  patchTrace,
  requestJob,
  sendJson,
  updateJob,
} from './test-support/index.ts';

let emulator: Emulator;

beforeEach(async () => {
  emulator = await startEmulator({ longPollSeconds: 0 });
});
afterEach(() => emulator.close());

async function runningJob(): Promise<Job> {
  const job = insertSimpleJob(emulator.state);
  const runner = emulator.createRunner();
  expect((await requestJob(emulator.url, runner.token)).status).toBe(201);
  return job;
}

describe('fault injection', () => {
  it('answers an injected status without applying the request, for `times` requests', async () => {
    const job = await runningJob();
    emulator.faults.add({ endpoint: 'jobs/trace', kind: 'status', status: 502, times: 2 });
    expect((await patchTrace(emulator.url, job.id, job.token, 0, 'a')).status).toBe(502);
    expect((await patchTrace(emulator.url, job.id, job.token, 0, 'a')).status).toBe(502);
    expect(job.trace.length).toBe(0);
    expect((await patchTrace(emulator.url, job.id, job.token, 0, 'a')).status).toBe(202);
    expect(job.trace.length).toBe(1);
  });

  it('lets `after` matching requests through before it hits', async () => {
    const job = await runningJob();
    emulator.faults.add({ endpoint: 'jobs/trace', kind: 'status', status: 404, after: 2 });
    expect((await patchTrace(emulator.url, job.id, job.token, 0, 'a')).status).toBe(202);
    expect(emulator.faults.list()[0]).toMatchObject({ after: 1, remaining: 1 });
    expect((await patchTrace(emulator.url, job.id, job.token, 1, 'b')).status).toBe(202);
    expect((await patchTrace(emulator.url, job.id, job.token, 2, 'c')).status).toBe(404);
    expect(new TextDecoder().decode(job.trace)).toBe('ab');
    expect(emulator.faults.list()).toEqual([]);
    expect((await patchTrace(emulator.url, job.id, job.token, 2, 'c')).status).toBe(202);
  });

  it('sends Retry-After with an injected 429', async () => {
    const runner = emulator.createRunner();
    emulator.faults.add({ endpoint: 'jobs/request', kind: 'status', status: 429, retryAfter: 7 });
    const res = await requestJob(emulator.url, runner.token);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
  });

  it('drops the connection before answering, applying nothing', async () => {
    const job = insertSimpleJob(emulator.state);
    const runner = emulator.createRunner();
    emulator.faults.add({ endpoint: 'jobs/request', kind: 'drop' });
    await expect(requestJob(emulator.url, runner.token)).rejects.toThrow();
    expect(job.status).toBe('pending');
    expect(emulator.requests().at(-1)).toMatchObject({
      path: '/api/v4/jobs/request',
      status: 0,
      fault: 'drop',
    });
  });

  it('loses the response after applying the request', async () => {
    const job = insertSimpleJob(emulator.state);
    const runner = emulator.createRunner();
    emulator.faults.add({ endpoint: 'jobs/request', kind: 'lost-response' });
    await expect(requestJob(emulator.url, runner.token)).rejects.toThrow();
    expect(job.status).toBe('running');
  });

  it('loses a trace response after appending; the resent chunk is acknowledged', async () => {
    const job = await runningJob();
    emulator.faults.add({ endpoint: 'jobs/trace', kind: 'lost-response' });
    await expect(patchTrace(emulator.url, job.id, job.token, 0, 'abc')).rejects.toThrow();
    expect(job.trace.length).toBe(3);
    const retry = await patchTrace(emulator.url, job.id, job.token, 0, 'abc');
    expect(retry.status).toBe(202);
    expect(retry.headers.get('range')).toBe('0-3');
  });

  it('answers a spurious 416 with the true stored Range, applying nothing', async () => {
    const job = await runningJob();
    await patchTrace(emulator.url, job.id, job.token, 0, 'abc');
    emulator.faults.add({ endpoint: 'jobs/trace', kind: 'spurious-416' });
    const res = await patchTrace(emulator.url, job.id, job.token, 3, 'def');
    expect(res.status).toBe(416);
    expect(res.headers.get('range')).toBe('0-3');
    expect(job.trace.length).toBe(3);
  });

  it('delays a slow answer and then serves it normally, after requests that came later', async () => {
    const job = await runningJob();
    emulator.faults.add({ endpoint: 'jobs/update', kind: 'slow', delayMs: 300 });
    const order: string[] = [];
    const slow = updateJob(emulator.url, job.id, job.token, { state: 'running' }).then((res) => {
      order.push('update');
      return res;
    });
    const fast = await patchTrace(emulator.url, job.id, job.token, 0, 'x');
    order.push('trace');
    expect(fast.status).toBe(202);
    expect((await slow).status).toBe(200);
    expect(order).toEqual(['trace', 'update']);
  });

  it('hits only the job a fault names', async () => {
    const first = await runningJob();
    const second = await runningJob();
    emulator.faults.add({ endpoint: 'jobs/trace', kind: 'status', status: 500, jobId: second.id });
    expect((await patchTrace(emulator.url, first.id, first.token, 0, 'a')).status).toBe(202);
    expect((await patchTrace(emulator.url, second.id, second.token, 0, 'a')).status).toBe(500);
  });

  it('applies faults to runners/verify, and clear() disarms them', async () => {
    const runner = emulator.createRunner();
    emulator.faults.add({ endpoint: 'runners/verify', kind: 'status', status: 503, times: 5 });
    const failed = await sendJson(`${emulator.url}/api/v4/runners/verify`, 'POST', {
      token: runner.token,
    });
    expect(failed.status).toBe(503);
    emulator.faults.clear();
    const ok = await sendJson(`${emulator.url}/api/v4/runners/verify`, 'POST', {
      token: runner.token,
    });
    expect(ok.status).toBe(200);
  });

  it('logs requests without their query string', async () => {
    const job = await runningJob();
    await fetch(`${emulator.url}/api/v4/jobs/${job.id}/trace?token=${job.token}`, {
      method: 'PATCH',
      headers: { 'Content-Range': '0-0' },
      body: 'x',
    });
    const entry = emulator.requests().at(-1);
    expect(entry).toMatchObject({
      method: 'PATCH',
      path: `/api/v4/jobs/${job.id}/trace`,
      status: 202,
    });
    expect(JSON.stringify(emulator.requests())).not.toContain(job.token);
  });
});
