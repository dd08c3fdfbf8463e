import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { expireTimedOutJobs, startEmulator, type Emulator } from '../index.ts';
import {
  insertJob,
  insertPipeline,
  insertProject,
  insertSimpleJob,
  requestJob,
  sendJson,
  TestClock,
} from '../test-support/index.ts';

let emulator: Emulator;

beforeEach(async () => {
  emulator = await startEmulator({ longPollSeconds: 1 });
});
afterEach(() => emulator.close());

describe('POST /jobs/request (docs/runner-protocol.md §3)', () => {
  it('answers 403 for an unknown token', async () => {
    const res = await requestJob(emulator.url, 'glrt-unknown');
    expect(res.status).toBe(403);
  });

  it('answers 204 with X-GitLab-Last-Update when there is no job, and stores the manager', async () => {
    const runner = emulator.createRunner();
    const res = await requestJob(emulator.url, runner.token, { features: { refspecs: true } });
    expect(res.status).toBe(204);
    expect(res.headers.get('x-gitlab-last-update')).toBe(runner.queueVersion);
    expect(runner.managers.get('s_000000000001')?.features).toEqual({ refspecs: true });
  });

  it('hands a paused runner nothing: 204 with X-GitLab-Last-Update', async () => {
    const runner = emulator.createRunner({ paused: true });
    const job = insertSimpleJob(emulator.state);
    const res = await requestJob(emulator.url, runner.token);
    expect(res.status).toBe(204);
    expect(res.headers.get('x-gitlab-last-update')).toBe(runner.queueVersion);
    expect(job.status).toBe('pending');
  });

  it('hands out the oldest pending job: 201, payload overrides merged last, job running', async () => {
    const runner = emulator.createRunner();
    const project = insertProject(emulator.state);
    const pipeline = insertPipeline(emulator.state, project.id);
    const newer = insertJob(emulator.state, pipeline, { queuedAt: 2000 });
    const older = insertJob(emulator.state, pipeline, {
      queuedAt: 1000,
      payloadOverrides: { allow_git_fetch: 'not-a-bool' },
    });
    const res = await requestJob(emulator.url, runner.token, { systemId: 's_aaaaaaaaaaaa' });
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const payload = (await res.json()) as Record<string, unknown>;
    expect(payload['id']).toBe(older.id);
    expect(payload['token']).toBe(older.token);
    expect(payload['allow_git_fetch']).toBe('not-a-bool');
    expect(older).toMatchObject({
      status: 'running',
      runnerId: runner.id,
      systemId: 's_aaaaaaaaaaaa',
    });
    expect(older.startedAt).not.toBeNull();
    expect(newer.status).toBe('pending');
  });

  it('caps the job timeout at the runner maximum_timeout', async () => {
    const runner = emulator.createRunner({ maximumTimeout: 900 });
    const job = insertSimpleJob(emulator.state, { timeout: 3600 });
    const res = await requestJob(emulator.url, runner.token);
    expect(res.status).toBe(201);
    expect(job.timeout).toBe(900);
  });

  it('matches tags: a job runs only on a runner having all its tags; untagged needs run_untagged', async () => {
    const project = insertProject(emulator.state);
    const pipeline = insertPipeline(emulator.state, project.id);
    const tagged = insertJob(emulator.state, pipeline, { tags: ['docker', 'linux'] });
    const untagged = insertJob(emulator.state, pipeline);
    const partial = emulator.createRunner({ tags: ['docker'], runUntagged: false });
    const strict = emulator.createRunner({ tags: ['docker', 'linux', 'x86'], runUntagged: false });

    const none = await requestJob(emulator.url, partial.token);
    expect(none.status).toBe(204);
    const first = await requestJob(emulator.url, strict.token);
    expect(((await first.json()) as { id: number }).id).toBe(tagged.id);
    const second = await requestJob(emulator.url, strict.token);
    expect(second.status).toBe(204);
    expect(untagged.status).toBe('pending');

    const general = emulator.createRunner({ tags: [], runUntagged: true });
    const third = await requestJob(emulator.url, general.token);
    expect(((await third.json()) as { id: number }).id).toBe(untagged.id);
  });

  it('does not give a project runner jobs of other projects', async () => {
    const mine = insertProject(emulator.state);
    const other = insertSimpleJob(emulator.state);
    const runner = emulator.createRunner({ runnerType: 'project_type', projectIds: [mine.id] });
    const res = await requestJob(emulator.url, runner.token);
    expect(res.status).toBe(204);
    expect(other.status).toBe('pending');
  });

  it('fails a job needing an unadvertised feature with runner_unsupported and hands out the next', async () => {
    const project = insertProject(emulator.state);
    const pipeline = insertPipeline(emulator.state, project.id);
    const needy = insertJob(emulator.state, pipeline, { requiredFeatures: ['refspecs'] });
    const plain = insertJob(emulator.state, pipeline);
    const runner = emulator.createRunner();
    const res = await requestJob(emulator.url, runner.token, { features: { refspecs: false } });
    expect(res.status).toBe(201);
    expect(((await res.json()) as { id: number }).id).toBe(plain.id);
    expect(needy).toMatchObject({ status: 'failed', failureReason: 'runner_unsupported' });
  });

  it('gives a job needing a feature to a manager that advertised it', async () => {
    const job = insertSimpleJob(emulator.state, {
      requiredFeatures: ['refspecs', 'return_exit_code'],
    });
    const runner = emulator.createRunner();
    const res = await requestJob(emulator.url, runner.token, {
      features: { refspecs: true, return_exit_code: true },
    });
    expect(res.status).toBe(201);
    expect(job.status).toBe('running');
  });

  it('keeps a two-phase job pending and awaiting acceptance (docs/runner-protocol.md §7.5)', async () => {
    const job = insertSimpleJob(emulator.state);
    const runner = emulator.createRunner();
    const res = await requestJob(emulator.url, runner.token, {
      features: { two_phase_job_commit: true },
    });
    expect(res.status).toBe(201);
    expect(job).toMatchObject({ status: 'pending', awaitingAcceptance: true, runnerId: runner.id });
    const again = await requestJob(emulator.url, runner.token, {
      features: { two_phase_job_commit: true },
    });
    expect(again.status).toBe(204);
  });

  it('puts a two-phase job the runner never accepted back in the queue (docs/runner-protocol.md §7.5)', async () => {
    const clock = new TestClock();
    const quick = await startEmulator({ acceptanceTimeoutSeconds: 5 }, { clock });
    try {
      const job = insertSimpleJob(quick.state);
      const runner = quick.createRunner();
      const first = await requestJob(quick.url, runner.token, {
        features: { two_phase_job_commit: true },
      });
      expect(first.status).toBe(201);
      clock.advance(4_000);
      expireTimedOutJobs(quick.context);
      expect(job.awaitingAcceptance).toBe(true);
      clock.advance(1_000);
      expireTimedOutJobs(quick.context);
      expect(job).toMatchObject({ status: 'pending', awaitingAcceptance: false, runnerId: null });
      const second = await requestJob(quick.url, runner.token, {
        features: { two_phase_job_commit: true },
      });
      expect(second.status).toBe(201);
      expect(((await second.json()) as { id: number }).id).toBe(job.id);
    } finally {
      await quick.close();
    }
  });
});

describe('long polling (docs/runner-protocol.md §3.3)', () => {
  it('without Workhorse (long polling off) echoes a current last_update with 204', async () => {
    const quick = await startEmulator({ longPollSeconds: 0 });
    try {
      const runner = quick.createRunner();
      const res = await requestJob(quick.url, runner.token, { lastUpdate: runner.queueVersion });
      expect(res.status).toBe(204);
      expect(res.headers.get('x-gitlab-last-update')).toBe(runner.queueVersion);
    } finally {
      await quick.close();
    }
  });

  it('answers at once when last_update is stale', async () => {
    const runner = emulator.createRunner();
    insertSimpleJob(emulator.state);
    const res = await requestJob(emulator.url, runner.token, { lastUpdate: 'stale' });
    expect(res.status).toBe(201);
  });

  it('holds a request with the current last_update until time runs out, then 204 without the header', async () => {
    const runner = emulator.createRunner();
    const first = await requestJob(emulator.url, runner.token);
    const lastUpdate = first.headers.get('x-gitlab-last-update') ?? '';
    const held = await requestJob(emulator.url, runner.token, { lastUpdate });
    expect(held.status).toBe(204);
    expect(held.headers.get('x-gitlab-last-update')).toBeNull();
    expect(held.headers.get('gitlab-ci-builds-polling')).toBe('yes');
  });

  it('releases a held request when a job is queued; the next request gets the job', async () => {
    const slow = await startEmulator({ longPollSeconds: 60 });
    try {
      const runner = slow.createRunner();
      const first = await requestJob(slow.url, runner.token);
      const lastUpdate = first.headers.get('x-gitlab-last-update') ?? '';
      const events: string[] = [];
      const held = requestJob(slow.url, runner.token, { lastUpdate }).then((res) => {
        events.push('released');
        return res;
      });
      await vi.waitFor(() => expect(slow.state.listenerCount).toBe(1));
      events.push('job queued');
      const job = insertSimpleJob(slow.state);
      const res = await held;
      expect(events).toEqual(['job queued', 'released']);
      expect(res.status).toBe(204);
      expect(res.headers.get('x-gitlab-last-update')).toBeNull();
      expect(job.status).toBe('pending');
      const next = await requestJob(slow.url, runner.token, { lastUpdate });
      expect(next.status).toBe(201);
      expect(job.status).toBe('running');
    } finally {
      await slow.close();
    }
  });

  it('does not hold requests without a JSON content type (Workhorse passes them to Rails)', async () => {
    const runner = emulator.createRunner();
    const res = await fetch(`${emulator.url}/api/v4/jobs/request`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: runner.token, last_update: runner.queueVersion }),
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('x-gitlab-last-update')).toBe(runner.queueVersion);
  });

  it('answers 400 without a token', async () => {
    const res = await sendJson(`${emulator.url}/api/v4/jobs/request`, 'POST', {});
    expect(res.status).toBe(400);
  });
});
