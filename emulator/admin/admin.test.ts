import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../index.ts';
import { insertSimpleJob, patchTrace, requestJob, sendJson } from '../test-support/index.ts';

let emulator: Emulator;
let admin: string;

beforeEach(async () => {
  emulator = await startEmulator({ longPollSeconds: 0 });
  admin = `${emulator.url}/admin/api`;
});
afterEach(() => emulator.close());

const call = (method: string, path: string, body: unknown = {}) =>
  method === 'GET'
    ? fetch(`${admin}${path}`, { headers: { 'PRIVATE-TOKEN': emulator.adminToken } })
    : sendJson(`${admin}${path}`, method, body, { 'PRIVATE-TOKEN': emulator.adminToken });

describe('admin API', () => {
  it('refuses requests without the admin token (401)', async () => {
    const none = await fetch(`${admin}/jobs`);
    expect(none.status).toBe(401);
    const wrong = await fetch(`${admin}/jobs`, { headers: { 'PRIVATE-TOKEN': 'nope' } });
    expect(wrong.status).toBe(401);
  });

  it('creates a runner that can then request jobs', async () => {
    const res = await call('POST', '/runners', { tag_list: 'docker', run_untagged: false });
    expect(res.status).toBe(201);
    const { id, token } = (await res.json()) as { id: number; token: string };
    expect(token).toMatch(/^glrt-/);
    expect(emulator.state.runners.get(id)?.tags).toEqual(['docker']);
    expect((await requestJob(emulator.url, token)).status).toBe(204);
  });

  it('lists jobs and shows one with its trace, never its token', async () => {
    const job = insertSimpleJob(emulator.state);
    const runner = emulator.createRunner();
    await requestJob(emulator.url, runner.token);
    await patchTrace(emulator.url, job.id, job.token, 0, 'hello');
    const list = (await (await call('GET', '/jobs')).json()) as { id: number; status: string }[];
    expect(list).toEqual([expect.objectContaining({ id: job.id, status: 'running' })]);
    const one = await call('GET', `/jobs/${job.id}`);
    const text = await one.text();
    expect(JSON.parse(text)).toMatchObject({ id: job.id, trace: 'hello', failure_reason: null });
    expect(text).not.toContain(job.token);
    expect((await call('GET', '/jobs/999')).status).toBe(404);
  });

  it('cancels, fails and watches jobs', async () => {
    const pending = insertSimpleJob(emulator.state);
    const cancel = await call('POST', `/jobs/${pending.id}/cancel`);
    expect(((await cancel.json()) as { status: string }).status).toBe('canceled');

    const running = insertSimpleJob(emulator.state);
    const runner = emulator.createRunner();
    await requestJob(emulator.url, runner.token);
    await call('POST', `/jobs/${running.id}/watch`, { seconds: 30 });
    const patched = await patchTrace(emulator.url, running.id, running.token, 0, 'x');
    expect(patched.headers.get('x-gitlab-trace-update-interval')).toBe('3');
    const fail = await call('POST', `/jobs/${running.id}/fail`, {
      reason: 'runner_system_failure',
    });
    expect(await fail.json()).toMatchObject({
      status: 'failed',
      failure_reason: 'runner_system_failure',
    });
  });

  it('plays a manual job, which a runner then picks up, and refuses to play any other', async () => {
    const source = await mkdtemp(join(tmpdir(), 'emulator-admin-play-'));
    try {
      await writeFile(join(source, 'README.md'), 'hello\n');
      const project = (await (
        await call('POST', '/projects', { path: 'play', source_dir: source })
      ).json()) as { id: number };
      const created = (await (
        await call('POST', `/projects/${project.id}/pipelines`, {
          ref: 'main',
          jobs: [{ name: 'deploy', script: ['echo go'], when: 'manual' }],
        })
      ).json()) as { job_ids: number[] };
      const id = created.job_ids[0]!;
      expect(emulator.state.jobs.get(id)?.status).toBe('manual');
      const runner = emulator.createRunner();
      expect((await requestJob(emulator.url, runner.token)).status).toBe(204);

      const played = await call('POST', `/jobs/${id}/play`);
      expect(played.status).toBe(200);
      expect(((await played.json()) as { status: string }).status).toBe('pending');
      const picked = await requestJob(emulator.url, runner.token, { features: { refspecs: true } });
      expect(picked.status).toBe(201);
      expect(((await picked.json()) as { id: number }).id).toBe(id);

      const again = await call('POST', `/jobs/${id}/play`);
      expect(again.status).toBe(409);
      expect(((await again.json()) as { message: string }).message).toContain('is running');
    } finally {
      await rm(source, { recursive: true, force: true });
    }
  });

  it('arms, lists and clears faults', async () => {
    const bad = await call('POST', '/faults', { endpoint: 'nowhere', kind: 'drop' });
    expect(bad.status).toBe(400);
    const armed = await call('POST', '/faults', {
      endpoint: 'jobs/request',
      kind: 'status',
      status: 503,
    });
    expect(armed.status).toBe(201);
    expect(await (await call('GET', '/faults')).json()).toEqual([
      expect.objectContaining({ endpoint: 'jobs/request', kind: 'status', status: 503 }),
    ]);
    const runner = emulator.createRunner();
    expect((await requestJob(emulator.url, runner.token)).status).toBe(503);
    await call('POST', '/faults', { endpoint: 'jobs/request', kind: 'status', status: 500 });
    expect((await call('DELETE', '/faults')).status).toBe(204);
    expect((await requestJob(emulator.url, runner.token)).status).toBe(204);
  });

  it('reads the request log and switches CORS mode', async () => {
    await fetch(`${emulator.url}/api/v4/jobs/request`, { method: 'POST' });
    const log = (await (await call('GET', '/requests')).json()) as {
      path: string;
      status: number;
    }[];
    expect(log).toContainEqual(
      expect.objectContaining({ path: '/api/v4/jobs/request', status: 400 }),
    );
    expect((await call('PUT', '/cors', { mode: 'sideways' })).status).toBe(400);
    expect((await call('PUT', '/cors', { mode: 'off' })).status).toBe(200);
    expect(emulator.context.options.corsMode).toBe('off');
  });

  it('creates a project from a folder and a pipeline whose job a runner picks up', async () => {
    const source = await mkdtemp(join(tmpdir(), 'emulator-admin-src-'));
    try {
      await writeFile(join(source, 'README.md'), 'hello\n');
      const res = await call('POST', '/projects', {
        path: 'demo',
        namespace: 'group',
        source_dir: source,
      });
      expect(res.status).toBe(201);
      const body = (await res.json()) as {
        id: number;
        full_path: string;
        http_url_to_repo: string;
      };
      expect(body.full_path).toBe('group/demo');
      expect(body.http_url_to_repo).toBe(`${emulator.url}/group/demo.git`);
      expect(emulator.state.projects.get(body.id)?.fullPath).toBe('group/demo');
      const pipeline = await call('POST', `/projects/${body.id}/pipelines`, {
        ref: 'main',
        jobs: [{ name: 'hello', script: ['echo hi'] }],
      });
      expect(pipeline.status).toBe(201);
      const created = (await pipeline.json()) as { id: number; job_ids: number[] };
      expect(created.job_ids).toHaveLength(1);
      const runner = emulator.createRunner();
      const picked = await requestJob(emulator.url, runner.token, { features: { refspecs: true } });
      expect(picked.status).toBe(201);
      const payload = (await picked.json()) as {
        id: number;
        token: string;
        git_info: { repo_url: string };
      };
      expect(payload.id).toBe(created.job_ids[0]);
      expect(payload.git_info.repo_url).toContain(`gitlab-ci-token:${payload.token}@`);
      const noRef = await call('POST', `/projects/${body.id}/pipelines`, { jobs: [] });
      expect(noRef.status).toBe(400);
      const badRef = await call('POST', `/projects/${body.id}/pipelines`, {
        ref: 'nope',
        jobs: [],
      });
      expect(badRef.status).toBe(400);
      const invalid = await call('POST', '/projects', { path: '../evil' });
      expect(invalid.status).toBe(400);
    } finally {
      await rm(source, { recursive: true, force: true });
    }
  });
});
