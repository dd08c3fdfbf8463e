/**
 * Contract tests of jobs/request, PUT job and PATCH trace (docs/runner-protocol.md §3, §6, §7), ported from
 * network/gitlab_test.go: each server checks method, path, headers and body as GitLab does.
 */
import { describe, expect, it } from 'vitest';
import { createGitLabClient } from './client.ts';
import { contentRange, patchTrace } from './patch-trace.ts';
import { requestJob } from './request-job.ts';
import { FakeClock } from './testing/fake-clock.ts';
import type { RecordedRequest, Reply } from './testing/scripted-server.ts';
import { useScriptedServers } from './testing/use-server.ts';
import { updateJob } from './update-job.ts';
import { testRunnerInfo } from './testing/test-runner-info.ts';

const serve = useScriptedServers();
const info = testRunnerInfo({ headersReadable: false });
const bytes = (text: string) => new TextEncoder().encode(text);

describe('requestJob (TestGitLabClient_RequestJob)', () => {
  const payload = {
    id: 10,
    token: 'job-token',
    steps: [{ name: 'script', script: ['echo hi'] }],
    extra: 'ignored',
  };

  async function requestWith(reply: (req: RecordedRequest) => Reply, lastUpdate?: string) {
    const server = await serve((req) => {
      if (req.method !== 'POST' || req.path !== '/api/v4/jobs/request') return { status: 404 };
      const body = req.json as Record<string, unknown>;
      if (
        req.headers['accept'] !== 'application/json' ||
        req.headers['runner-token'] !== body['token']
      ) {
        return { status: 400 };
      }
      return reply(req);
    });
    const client = createGitLabClient({ url: server.url, clock: new FakeClock(), random: () => 0 });
    const result = await requestJob(client, {
      token: 'glrt-runner',
      systemId: 'r_abcdefABCDEF',
      info,
      lastUpdate,
    });
    return { result, server };
  }

  it('sends info, token and system_id, and no last_update unless given', async () => {
    const { server } = await requestWith(() => ({ status: 204 }));
    expect(server.requests[0]?.json).toEqual({
      info,
      token: 'glrt-runner',
      system_id: 'r_abcdefABCDEF',
    });
    const second = await requestWith(() => ({ status: 204 }), 'queue-7');
    expect(second.server.requests[0]?.json).toMatchObject({ last_update: 'queue-7' });
  });

  it('parses a 201 payload at the edge, tolerating unknown fields', async () => {
    const { result } = await requestWith(() => ({
      status: 201,
      body: payload,
      headers: { 'X-GitLab-Last-Update': 'q1' },
    }));
    expect(result.kind).toBe('job');
    if (result.kind !== 'job') return;
    expect(result.lastUpdate).toBe('q1');
    expect(result.job.ok && result.job.job.id).toBe(10);
    expect(result.job.ok && result.job.job.steps[0]?.script).toEqual(['echo hi']);
  });

  it('returns a malformed payload as a job to fail, with readable problems', async () => {
    const { result } = await requestWith(() => ({
      status: 201,
      body: { ...payload, steps: 'nope' },
    }));
    expect(result.kind === 'job' && result.job.ok).toBe(false);
    if (result.kind !== 'job' || result.job.ok) return;
    expect(result.job.job).toMatchObject({ id: 10, token: 'job-token' });
    expect(result.job.problems.join()).toMatch(/^steps: /);
  });

  it('refuses a 201 that is not application/json', async () => {
    const { result } = await requestWith(() => ({
      status: 201,
      body: '{}',
      headers: { 'Content-Type': 'text/html' },
    }));
    expect(result).toEqual({
      kind: 'failed',
      status: 201,
      message: 'server should return application/json. Got: text/html',
    });
  });

  it('returns no-job with the new X-GitLab-Last-Update, or null without it', async () => {
    expect(
      (await requestWith(() => ({ status: 204, headers: { 'X-GitLab-Last-Update': 'q2' } })))
        .result,
    ).toEqual({
      kind: 'no-job',
      lastUpdate: 'q2',
    });
    expect((await requestWith(() => ({ status: 204 }))).result).toEqual({
      kind: 'no-job',
      lastUpdate: null,
    });
  });

  it.each([
    [403, { kind: 'forbidden' }],
    [409, { kind: 'conflict' }],
    [
      422,
      { kind: 'failed', status: 422, message: '422 Unprocessable Entity (Runner is orphaned)' },
    ],
  ])('maps %i', async (status, expected) => {
    const { result } = await requestWith(() => ({
      status,
      body: { message: 'Runner is orphaned' },
    }));
    expect(result).toEqual(expected);
  });

  it('retries 503 and 429 with Retry-After, then reports the failure', async () => {
    const { result, server } = await requestWith(() => ({
      status: 429,
      headers: { 'Retry-After': '1' },
    }));
    expect(server.requests).toHaveLength(5);
    expect(result).toEqual({ kind: 'failed', status: 429, message: '429 Too Many Requests' });
    const unavailable = await requestWith(() => ({ status: 503 }));
    expect(unavailable.result).toMatchObject({
      kind: 'failed',
      status: 503,
      message: '503 Service Unavailable',
    });
  });

  it('rejects with the abort reason when a long poll is aborted', async () => {
    const server = await serve(() => ({ status: 204, delayMs: 5000 }));
    const client = createGitLabClient({ url: server.url });
    const controller = new AbortController();
    const pending = requestJob(client, {
      token: 't',
      systemId: 'r_abcdefABCDEF',
      info,
      lastUpdate: 'q',
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(new Error('runner stopping')), 20);
    await expect(pending).rejects.toThrow('runner stopping');
  });
});

describe('updateJob (TestUpdateJob, TestUpdateJobAsKeepAlive)', () => {
  async function updateWith(reply: (req: RecordedRequest) => Reply) {
    const server = await serve((req) => {
      if (req.method !== 'PUT' || req.path !== '/api/v4/jobs/10') return { status: 404 };
      const body = req.json as Record<string, unknown>;
      if (req.headers['job-token'] !== body['token']) return { status: 400 };
      if (!['pending', 'running', 'success', 'failed'].includes(String(body['state'])))
        return { status: 400 };
      return reply(req);
    });
    const client = createGitLabClient({ url: server.url, clock: new FakeClock(), random: () => 0 });
    return { client, server };
  }

  it('sends the final state with failure_reason, exit_code, checksum and output, without Accept', async () => {
    const { client, server } = await updateWith(() => ({
      status: 200,
      headers: { 'Job-Status': 'failed' },
    }));
    await updateJob(client, {
      jobId: 10,
      jobToken: 'job-token',
      info,
      state: 'failed',
      failureReason: 'script_failure',
      exitCode: 3,
      output: { checksum: 'crc32:0d7cf601', bytesize: 51 },
    });
    const req = server.requests[0];
    expect(req?.json).toEqual({
      info,
      token: 'job-token',
      state: 'failed',
      failure_reason: 'script_failure',
      checksum: 'crc32:0d7cf601',
      output: { checksum: 'crc32:0d7cf601', bytesize: 51 },
      exit_code: 3,
    });
    expect(req?.headers['accept']).not.toBe('application/json');
    expect(req?.headers['content-type']).toBe('application/json');
  });

  it('sends the acceptance PUT with an empty output object', async () => {
    const { client, server } = await updateWith(() => ({
      status: 200,
      headers: { 'Job-Status': 'running' },
    }));
    const result = await updateJob(client, {
      jobId: 10,
      jobToken: 'job-token',
      info,
      state: 'running',
    });
    expect(server.requests[0]?.json).toEqual({
      info,
      token: 'job-token',
      state: 'running',
      output: {},
    });
    expect(result).toMatchObject({ kind: 'succeeded', jobStatus: 'running' });
  });

  it.each([
    [200, {}, { kind: 'succeeded', jobStatus: null }],
    [200, { 'Job-Status': 'canceling' }, { kind: 'succeeded', jobStatus: 'canceling' }],
    [200, { 'Job-Status': 'canceled' }, { kind: 'aborted', reason: 'canceled' }],
    [200, { 'Job-Status': 'failed' }, { kind: 'aborted', reason: 'failed' }],
    [202, { 'X-GitLab-Trace-Update-Interval': '4' }, { kind: 'accepted', updateIntervalMs: 4000 }],
    [412, {}, { kind: 'trace-validation-failed' }],
    [
      403,
      { 'Job-Status': 'success' },
      { kind: 'aborted', reason: 'forbidden', jobStatus: 'success' },
    ],
    [404, {}, { kind: 'aborted', reason: 'not-found' }],
    [409, { 'Job-Status': 'canceled' }, { kind: 'aborted', reason: 'canceled' }],
    [400, {}, { kind: 'failed', status: 400, message: '400 Bad Request' }],
  ])('maps %i with %j', async (status, headers, expected) => {
    const { client } = await updateWith(() => ({ status, headers }));
    const result = await updateJob(client, {
      jobId: 10,
      jobToken: 'job-token',
      info,
      state: 'success',
    });
    expect(result).toMatchObject(expected);
  });

  it('reads the update interval as GitLab means it (TestUpdateIntervalHeaderHandling)', async () => {
    let value = '';
    const { client } = await updateWith(() => ({
      status: 200,
      headers: { 'X-GitLab-Trace-Update-Interval': value },
    }));
    const interval = async (v: string) => {
      value = v;
      return (await updateJob(client, { jobId: 10, jobToken: 'job-token', info, state: 'running' }))
        .updateIntervalMs;
    };
    expect(await interval('60')).toBe(60_000);
    expect(await interval('0')).toBeNull();
    expect(await interval('-10')).toBeNull();
    expect(await interval('invalid')).toBeNull();
    expect(await interval('100000')).toBe(15 * 60_000);
  });
});

describe('patchTrace (TestPatchTrace*, TestRangeMismatchPatchTrace)', () => {
  it('writes GitLab Content-Range (end inclusive), text/plain, JOB-TOKEN and debug_trace', async () => {
    const server = await serve((req) => ({
      status: 202,
      headers: { Range: `0-${Number(String(req.headers['content-range']).split('-')[1]) + 1}` },
    }));
    const client = createGitLabClient({ url: server.url });
    const trace = '123456789';
    // TestPatchTraceUpdatedTrace: 4 bytes, then 1, then 4.
    for (const [offset, end, debugTrace] of [
      [0, 4, false],
      [4, 5, true],
      [5, 9, false],
    ] as const) {
      const result = await patchTrace(client, {
        jobId: 10,
        jobToken: 'job-token',
        offset,
        body: bytes(trace.slice(offset, end)),
        debugTrace,
      });
      expect(result).toMatchObject({ kind: 'accepted', sentOffset: end, remoteOffset: end });
    }
    expect(server.requests.map((r) => r.headers['content-range'])).toEqual(['0-3', '4-4', '5-8']);
    expect(server.requests.map((r) => r.body.toString())).toEqual(['1234', '5', '6789']);
    expect(server.requests.map((r) => r.query.get('debug_trace'))).toEqual([
      'false',
      'true',
      'false',
    ]);
    for (const req of server.requests) {
      expect(req.method).toBe('PATCH');
      expect(req.path).toBe('/api/v4/jobs/10/trace');
      expect(req.headers['job-token']).toBe('job-token');
      expect(req.headers['content-type']).toBe('text/plain');
      expect(req.headers['content-length']).toBe(String(req.body.length));
      expect(req.query.has('token')).toBe(false);
    }
    expect(contentRange(5, 4)).toBe('5-8');
  });

  it('takes the number after the dash of Range as the next offset on 416', async () => {
    const server = await serve(() => ({ status: 416, headers: { Range: '0-10' } }));
    const result = await patchTrace(createGitLabClient({ url: server.url }), {
      jobId: 10,
      jobToken: 't',
      offset: 0,
      body: bytes('abc'),
      debugTrace: false,
    });
    expect(result).toMatchObject({ kind: 'range-mismatch', remoteOffset: 10 });
  });

  it.each([
    [
      202,
      { 'Job-Status': 'canceling', 'X-GitLab-Trace-Update-Interval': '3' },
      { kind: 'accepted', remoteOffset: null, jobStatus: 'canceling', updateIntervalMs: 3000 },
    ],
    [416, {}, { kind: 'range-mismatch', remoteOffset: null }],
    [403, { 'Job-Status': 'canceled' }, { kind: 'forbidden', jobStatus: 'canceled' }],
    [404, {}, { kind: 'not-found' }],
    [400, {}, { kind: 'failed', status: 400, inDoubt: false }],
    [500, {}, { kind: 'failed', status: 500, inDoubt: true }],
  ])('maps %i with %j', async (status, headers, expected) => {
    const server = await serve(() => ({ status, headers }));
    const client = createGitLabClient({ url: server.url, clock: new FakeClock() });
    const result = await patchTrace(client, {
      jobId: 10,
      jobToken: 't',
      offset: 3,
      body: bytes('abc'),
      debugTrace: false,
    });
    expect(result).toMatchObject(expected);
  });

  it('reports a connection failure as in doubt (TestPatchTraceCantConnect)', async () => {
    const server = await serve(() => ({ status: 202 }));
    await server.close();
    const result = await patchTrace(createGitLabClient({ url: server.url }), {
      jobId: 10,
      jobToken: 't',
      offset: 0,
      body: bytes('a'),
      debugTrace: false,
    });
    expect(result).toMatchObject({ kind: 'failed', status: null, inDoubt: true });
  });

  it('refuses empty and oversized patches as bugs', async () => {
    const client = createGitLabClient({ url: 'http://127.0.0.1:9' });
    const call = (body: Uint8Array) =>
      patchTrace(client, { jobId: 1, jobToken: 't', offset: 0, body, debugTrace: false });
    await expect(call(new Uint8Array(0))).rejects.toMatchObject({ code: 'GitLabClientUsageError' });
    await expect(call(new Uint8Array(1024 * 1024 + 1))).rejects.toMatchObject({
      code: 'GitLabClientUsageError',
    });
  });
});
