import { crc32 } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startEmulator, type Emulator } from '../index.ts';
import type { Job } from '../model.ts';
import {
  insertSimpleJob,
  patchTrace,
  requestJob,
  TestClock,
  updateJob,
} from '../test-support/index.ts';

let emulator: Emulator;
let clock: TestClock;

beforeEach(async () => {
  clock = new TestClock();
  emulator = await startEmulator({ longPollSeconds: 0, traceSizeLimit: 64 }, { clock });
});
afterEach(() => emulator.close());

/** Queue a job and pick it up as a runner with `features`. */
async function runningJob(
  features: Record<string, boolean> = {},
  overrides: Partial<Job> = {},
): Promise<Job> {
  const job = insertSimpleJob(emulator.state, overrides);
  const runner = emulator.createRunner();
  const res = await requestJob(emulator.url, runner.token, { features });
  expect(res.status).toBe(201);
  return job;
}

const checksumOf = (text: string) =>
  `crc32:${crc32(Buffer.from(text)).toString(16).padStart(8, '0')}`;

describe('PATCH /jobs/:id/trace (docs/runner-protocol.md §6.2, §6.3)', () => {
  it('appends at the stored length: 202 with Range, Job-Status and interval 60', async () => {
    const job = await runningJob();
    const first = await patchTrace(emulator.url, job.id, job.token, 0, 'hello ');
    expect(first.status).toBe(202);
    expect(first.headers.get('range')).toBe('0-6');
    expect(first.headers.get('job-status')).toBe('running');
    expect(first.headers.get('x-gitlab-trace-update-interval')).toBe('60');
    const second = await patchTrace(emulator.url, job.id, job.token, 6, 'world');
    expect(second.headers.get('range')).toBe('0-11');
    expect(new TextDecoder().decode(job.trace)).toBe('hello world');
  });

  it('answers 416 with the stored Range when the start is not the stored length, writing nothing', async () => {
    const job = await runningJob();
    await patchTrace(emulator.url, job.id, job.token, 0, 'abcd');
    const gap = await patchTrace(emulator.url, job.id, job.token, 10, 'xyz');
    expect(gap.status).toBe(416);
    expect(gap.headers.get('range')).toBe('0-4');
    const overlap = await patchTrace(emulator.url, job.id, job.token, 2, 'cdef');
    expect(overlap.status).toBe(416);
    expect(overlap.headers.get('range')).toBe('0-4');
    expect(new TextDecoder().decode(job.trace)).toBe('abcd');
  });

  it('acknowledges a resent last chunk without writing it twice (GitLab appends only at the end)', async () => {
    const job = await runningJob();
    await patchTrace(emulator.url, job.id, job.token, 0, 'abcd');
    const resent = await patchTrace(emulator.url, job.id, job.token, 0, 'abcd');
    expect(resent.status).toBe(202);
    expect(resent.headers.get('range')).toBe('0-4');
    expect(job.trace.length).toBe(4);
  });

  it('answers 400 without Content-Range', async () => {
    const job = await runningJob();
    const res = await fetch(`${emulator.url}/api/v4/jobs/${job.id}/trace`, {
      method: 'PATCH',
      headers: { 'JOB-TOKEN': job.token },
      body: 'x',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ message: '400 Missing header Content-Range' });
  });

  it('answers 3 as the interval while the job is watched', async () => {
    const job = await runningJob();
    emulator.watchJob(job.id, 10);
    const res = await patchTrace(emulator.url, job.id, job.token, 0, 'x');
    expect(res.headers.get('x-gitlab-trace-update-interval')).toBe('3');
  });

  it('answers 403 with Job-Status when the job is not running, 403 for a wrong token, 404 unknown job', async () => {
    const job = insertSimpleJob(emulator.state);
    const pending = await patchTrace(emulator.url, job.id, job.token, 0, 'x');
    expect(pending.status).toBe(403);
    expect(pending.headers.get('job-status')).toBe('pending');
    const wrong = await patchTrace(emulator.url, job.id, 'glcbt-wrong', 0, 'x');
    expect(wrong.status).toBe(403);
    const missing = await patchTrace(emulator.url, 9999, job.token, 0, 'x');
    expect(missing.status).toBe(404);
    expect(job.trace.length).toBe(0);
  });

  it('drops the job with trace_size_exceeded past the trace size limit (403)', async () => {
    const job = await runningJob();
    const res = await patchTrace(emulator.url, job.id, job.token, 0, 'x'.repeat(65));
    expect(res.status).toBe(403);
    expect(job).toMatchObject({ status: 'failed', failureReason: 'trace_size_exceeded' });
  });
});

describe('PUT /jobs/:id (docs/runner-protocol.md §7)', () => {
  it('finishes a running job with success: 200 and Job-Status success', async () => {
    const job = await runningJob();
    const res = await updateJob(emulator.url, job.id, job.token, {
      state: 'success',
      exit_code: 0,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('job-status')).toBe('success');
    expect(job).toMatchObject({ status: 'success', exitCode: 0, failureReason: null });
    expect(job.finishedAt).not.toBeNull();
  });

  it('records failure_reason and exit_code; unknown reasons become unknown_failure', async () => {
    const first = await runningJob();
    await updateJob(emulator.url, first.id, first.token, {
      state: 'failed',
      failure_reason: 'script_failure',
      exit_code: 42,
    });
    expect(first).toMatchObject({
      status: 'failed',
      failureReason: 'script_failure',
      exitCode: 42,
    });
    const second = await runningJob();
    await updateJob(emulator.url, second.id, second.token, {
      state: 'failed',
      failure_reason: 'job_canceled',
    });
    expect(second).toMatchObject({ status: 'failed', failureReason: 'unknown_failure' });
  });

  it('accepts the token from the JOB-TOKEN header alone', async () => {
    const job = await runningJob();
    const res = await fetch(`${emulator.url}/api/v4/jobs/${job.id}`, {
      method: 'PUT',
      headers: { 'JOB-TOKEN': job.token, 'Content-Type': 'application/json' },
      body: JSON.stringify({ state: 'running' }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('job-status')).toBe('running');
  });

  it('answers 400 for an unknown state', async () => {
    const job = await runningJob();
    const res = await updateJob(emulator.url, job.id, job.token, { state: 'exploded' });
    expect(res.status).toBe(400);
    expect(res.headers.get('job-status')).toBe('running');
    expect(job.status).toBe('running');
  });

  it('answers 403 with Job-Status once the job is finished', async () => {
    const job = await runningJob();
    await updateJob(emulator.url, job.id, job.token, { state: 'success' });
    const again = await updateJob(emulator.url, job.id, job.token, { state: 'failed' });
    expect(again.status).toBe(403);
    expect(again.headers.get('job-status')).toBe('success');
    expect(job.status).toBe('success');
  });

  it('answers 202 until the stored trace matches checksum and bytesize, then applies the state', async () => {
    const job = await runningJob();
    await patchTrace(emulator.url, job.id, job.token, 0, 'This is a basic ');
    const output = { checksum: 'crc32:367dfeeb', bytesize: 24 };
    const early = await updateJob(emulator.url, job.id, job.token, { state: 'success', output });
    expect(early.status).toBe(202);
    expect(early.headers.get('x-gitlab-trace-update-interval')).toBe('1');
    expect(early.headers.get('job-status')).toBe('running');
    expect(job.status).toBe('running');

    await patchTrace(emulator.url, job.id, job.token, 16, 'log line');
    const done = await updateJob(emulator.url, job.id, job.token, { state: 'success', output });
    expect(done.status).toBe(200);
    expect(job).toMatchObject({ status: 'success', reportedChecksum: 'crc32:367dfeeb' });
  });

  it('keeps answering 202 for a wrong bytesize even when the crc matches', async () => {
    const job = await runningJob();
    await patchTrace(emulator.url, job.id, job.token, 0, 'abc');
    const res = await updateJob(emulator.url, job.id, job.token, {
      state: 'success',
      output: { checksum: checksumOf('abc'), bytesize: 4 },
    });
    expect(res.status).toBe(202);
    expect(job.status).toBe('running');
  });

  it('stops waiting for the trace after 5 minutes and applies the state', async () => {
    const job = await runningJob({}, { timeout: 3600 });
    const output = { checksum: 'crc32:00000000', bytesize: 10 };
    expect(
      (await updateJob(emulator.url, job.id, job.token, { state: 'success', output })).status,
    ).toBe(202);
    clock.advance(10_000);
    const later = await updateJob(emulator.url, job.id, job.token, { state: 'success', output });
    expect(later.headers.get('x-gitlab-trace-update-interval')).toBe('8');
    clock.advance(5 * 60 * 1000);
    const res = await updateJob(emulator.url, job.id, job.token, { state: 'success', output });
    expect(res.status).toBe(200);
    expect(job.status).toBe('success');
  });
});

describe('two-phase commit (docs/runner-protocol.md §7.5)', () => {
  it('accepts with state=running, keeps alive with pending, rejects a final state before acceptance', async () => {
    const job = await runningJob({ two_phase_job_commit: true });
    expect(job.status).toBe('pending');
    const trace = await patchTrace(emulator.url, job.id, job.token, 0, 'x');
    expect(trace.status).toBe(403);
    const keepAlive = await updateJob(emulator.url, job.id, job.token, { state: 'pending' });
    expect(keepAlive.status).toBe(200);
    expect(keepAlive.headers.get('job-status')).toBe('pending');
    const early = await updateJob(emulator.url, job.id, job.token, { state: 'failed' });
    expect(early.status).toBe(400);
    expect(job.status).toBe('pending');
    const accept = await updateJob(emulator.url, job.id, job.token, { state: 'running' });
    expect(accept.status).toBe(200);
    expect(accept.headers.get('job-status')).toBe('running');
    expect(job).toMatchObject({ status: 'running', awaitingAcceptance: false });
    const late = await updateJob(emulator.url, job.id, job.token, { state: 'pending' });
    expect(late.status).toBe(409);
  });
});

describe('cancel (docs/runner-protocol.md §12.1)', () => {
  it('moves a running job to canceling when its manager advertised cancel_gracefully', async () => {
    const job = await runningJob({ cancel_gracefully: true });
    expect(emulator.cancelJob(job.id)).toBe('canceling');
    const patch = await patchTrace(emulator.url, job.id, job.token, 0, 'bye');
    expect(patch.status).toBe(202);
    expect(patch.headers.get('job-status')).toBe('canceling');
    const final = await updateJob(emulator.url, job.id, job.token, {
      state: 'failed',
      failure_reason: 'unknown_failure',
    });
    expect(final.status).toBe(200);
    expect(final.headers.get('job-status')).toBe('canceled');
    expect(job.status).toBe('canceled');
  });

  it('cancels a running job at once when its manager lacks cancel_gracefully', async () => {
    const job = await runningJob({ cancel_gracefully: false });
    expect(emulator.cancelJob(job.id)).toBe('canceled');
    const patch = await patchTrace(emulator.url, job.id, job.token, 0, 'x');
    expect(patch.status).toBe(403);
    expect(patch.headers.get('job-status')).toBe('canceled');
  });

  it('cancels a pending job, which is then never handed out', async () => {
    const job = insertSimpleJob(emulator.state);
    expect(emulator.cancelJob(job.id)).toBe('canceled');
    const runner = emulator.createRunner();
    expect((await requestJob(emulator.url, runner.token)).status).toBe(204);
  });

  it('fails a running job on request; the runner sees 403 and Job-Status failed', async () => {
    const job = await runningJob();
    expect(emulator.failJob(job.id, 'api_failure')).toBe('failed');
    const res = await updateJob(emulator.url, job.id, job.token, { state: 'running' });
    expect(res.status).toBe(403);
    expect(res.headers.get('job-status')).toBe('failed');
    expect(job.failureReason).toBe('api_failure');
  });
});

describe('job timeouts (docs/runner-protocol.md §12.2)', () => {
  it('fails a running job past its timeout with job_execution_timeout', async () => {
    const job = await runningJob({}, { timeout: 600 });
    clock.advance(601_000);
    await vi.waitFor(() => expect(job.status).toBe('failed'));
    expect(job.failureReason).toBe('job_execution_timeout');
    const res = await patchTrace(emulator.url, job.id, job.token, 0, 'late');
    expect(res.status).toBe(403);
    expect(res.headers.get('job-status')).toBe('failed');
  });

  it('ends a canceling job past its timeout as canceled (job_execution_server_timeout)', async () => {
    const job = await runningJob({ cancel_gracefully: true }, { timeout: 600 });
    emulator.cancelJob(job.id);
    clock.advance(601_000);
    await vi.waitFor(() => expect(job.status).toBe('canceled'));
    expect(job.failureReason).toBe('job_execution_server_timeout');
  });

  it('leaves a job within its timeout running', async () => {
    const job = await runningJob({}, { timeout: 600 });
    clock.advance(599_000);
    const res = await patchTrace(emulator.url, job.id, job.token, 0, 'x');
    expect(res.status).toBe(202);
    expect(job.status).toBe('running');
  });
});
