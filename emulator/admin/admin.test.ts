import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileAt, resolveCommit } from '../git/index.ts';
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

  it('reads a relative source_dir from the working directory, and names a missing one (400)', async () => {
    const source = await mkdtemp(join(tmpdir(), 'emulator-admin-relative-'));
    try {
      await writeFile(join(source, 'README.md'), 'relative\n');
      const res = await call('POST', '/projects', {
        path: 'relative',
        source_dir: relative(process.cwd(), source),
      });
      expect(res.status).toBe(201);
      const { id } = (await res.json()) as { id: number };
      const project = emulator.state.projects.get(id)!;
      const head = await resolveCommit(project, 'main');
      expect(await readFileAt(project, head!, 'README.md')).toBe('relative\n');

      const missing = await call('POST', '/projects', {
        path: 'missing',
        source_dir: 'no/such/folder',
      });
      expect(missing.status).toBe(400);
      expect(((await missing.json()) as { message: string }).message).toBe(
        `no/such/folder is not a folder (looked for ${join(process.cwd(), 'no/such/folder')}; a relative path is resolved against the emulator's working directory): name the folder whose files make the project's first commit.`,
      );
      expect([...emulator.state.projects.values()].map((p) => p.path)).toEqual(['relative']);
    } finally {
      await rm(source, { recursive: true, force: true });
    }
  });

  it('retries a finished job and cancels a pipeline, as GitLab’s API does', async () => {
    const source = await mkdtemp(join(tmpdir(), 'emulator-admin-retry-'));
    try {
      await writeFile(join(source, 'README.md'), 'hello\n');
      const project = (await (
        await call('POST', '/projects', { path: 'retry', source_dir: source })
      ).json()) as { id: number };
      const created = (await (
        await call('POST', `/projects/${project.id}/pipelines`, {
          ref: 'main',
          jobs: [
            { name: 'build', stage: 'build', script: ['x'] },
            { name: 'test', stage: 'test', script: ['x'] },
          ],
        })
      ).json()) as { id: number; job_ids: number[] };
      const [buildId, testId] = created.job_ids as [number, number];
      expect((await call('POST', `/jobs/${buildId}/retry`)).status).toBe(403);
      await call('POST', `/jobs/${buildId}/fail`, { reason: 'script_failure' });
      const retried = await call('POST', `/jobs/${buildId}/retry`);
      expect(retried.status).toBe(201);
      const clone = (await retried.json()) as { id: number; status: string; retried: boolean };
      expect(clone).toMatchObject({ status: 'pending', retried: false });
      expect(
        ((await (await call('GET', `/jobs/${buildId}`)).json()) as { retried: boolean }).retried,
      ).toBe(true);
      expect(emulator.state.jobs.get(testId)?.status).toBe('created');

      const canceled = await call('POST', `/pipelines/${created.id}/cancel`);
      expect(canceled.status).toBe(200);
      expect(await canceled.json()).toMatchObject({
        status: 'canceled',
        job_ids: [clone.id, testId],
      });
      expect(emulator.state.jobs.get(testId)?.status).toBe('canceled');
      expect((await call('POST', '/pipelines/999/cancel')).status).toBe(404);
    } finally {
      await rm(source, { recursive: true, force: true });
    }
  });

  it('creates, lists, updates and deletes project variables in GitLab’s shape, which jobs then get', async () => {
    const source = await mkdtemp(join(tmpdir(), 'emulator-admin-vars-'));
    try {
      await writeFile(join(source, 'README.md'), 'hello\n');
      const project = (await (
        await call('POST', '/projects', { path: 'vars', source_dir: source })
      ).json()) as { id: number };
      const at = `/projects/${project.id}/variables`;
      const made = await call('POST', at, { key: 'SECRET', value: 'hunter2-long', masked: true });
      expect(made.status).toBe(201);
      expect(await made.json()).toEqual({
        variable_type: 'env_var',
        key: 'SECRET',
        value: 'hunter2-long',
        protected: false,
        masked: true,
        raw: false,
        environment_scope: '*',
      });
      expect(await (await call('POST', at, { key: 'SECRET', value: 'x' })).json()).toEqual({
        message: { key: ['(SECRET) has already been taken'] },
      });
      expect(
        await (await call('POST', at, { key: 'SHORT', value: 'abc', masked: true })).json(),
      ).toEqual({
        message: { value: ['is invalid'] },
      });
      expect((await call('POST', at, { key: 'bad key', value: 'x' })).status).toBe(400);
      expect((await call('POST', at, { key: 'P', value: 'x', protected: true })).status).toBe(400);
      expect((await call('PUT', `${at}/SECRET`, { value: 'new-value-123' })).status).toBe(200);
      expect(
        (await call('POST', at, { key: 'CONFIG', value: 'a=1', variable_type: 'file' })).status,
      ).toBe(201);
      const list = (await (await call('GET', at)).json()) as { key: string; value: string }[];
      expect(list.map((v) => [v.key, v.value])).toEqual([
        ['SECRET', 'new-value-123'],
        ['CONFIG', 'a=1'],
      ]);
      expect((await call('DELETE', `${at}/CONFIG`)).status).toBe(204);
      expect((await call('DELETE', `${at}/CONFIG`)).status).toBe(404);

      await call('POST', `/projects/${project.id}/pipelines`, {
        ref: 'main',
        jobs: [{ name: 'show', script: ['echo $SECRET'] }],
      });
      const runner = emulator.createRunner();
      const picked = await requestJob(emulator.url, runner.token, { features: { refspecs: true } });
      const payload = (await picked.json()) as {
        variables: { key: string; value: string; masked: boolean }[];
      };
      expect(payload.variables).toContainEqual(
        expect.objectContaining({ key: 'SECRET', value: 'new-value-123', masked: true }),
      );
    } finally {
      await rm(source, { recursive: true, force: true });
    }
  });
});
