import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../index.ts';
import { insertProject, runnerInfo, sendJson } from '../test-support/index.ts';

let emulator: Emulator;
let api: string;

beforeEach(async () => {
  emulator = await startEmulator({ longPollSeconds: 0 });
  api = `${emulator.url}/api/v4`;
});
afterEach(() => emulator.close());

describe('POST /runners (legacy registration, docs/runner-protocol.md §2.1)', () => {
  it('registers with the registration token and splits a comma tag_list', async () => {
    const res = await sendJson(`${api}/runners`, 'POST', {
      token: emulator.registrationToken,
      description: 'legacy',
      tag_list: 'docker, linux,,',
      run_untagged: false,
      locked: true,
      access_level: 'not_protected',
      paused: false,
      info: runnerInfo({ refspecs: true }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as { id: number; token: string; token_expires_at: unknown };
    expect(body.id).toBeGreaterThan(0);
    expect(body.token).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect(body.token_expires_at).toBeNull();
    const runner = emulator.state.runners.get(body.id);
    expect(runner?.tags).toEqual(['docker', 'linux']);
    expect(runner?.runUntagged).toBe(false);
    expect(runner?.kind).toBe('legacy');
  });

  it('answers 403 for a wrong registration token', async () => {
    const res = await sendJson(`${api}/runners`, 'POST', { token: 'wrong' });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ message: '403 Forbidden' });
    expect(emulator.state.runners.size).toBe(0);
  });

  it('answers 400 with GitLab message shapes for invalid parameters', async () => {
    const token = emulator.registrationToken;
    const missing = await sendJson(`${api}/runners`, 'POST', {});
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({ error: 'token is missing' });

    const exclusive = await sendJson(`${api}/runners`, 'POST', {
      token,
      paused: true,
      active: true,
    });
    expect(exclusive.status).toBe(400);
    expect(await exclusive.json()).toEqual({ error: 'paused, active are mutually exclusive' });

    const access = await sendJson(`${api}/runners`, 'POST', { token, access_level: 'everything' });
    expect(await access.json()).toEqual({ error: 'access_level does not have a valid value' });

    const timeout = await sendJson(`${api}/runners`, 'POST', { token, maximum_timeout: 60 });
    expect(timeout.status).toBe(400);
    expect(await timeout.json()).toEqual({
      message: { maximum_timeout: ['needs to be at least 10 minutes'] },
    });

    const untagged = await sendJson(`${api}/runners`, 'POST', { token, run_untagged: false });
    expect(untagged.status).toBe(400);
    expect(await untagged.json()).toEqual({
      message: { tags_list: ['can not be empty when runner is not allowed to pick untagged jobs'] },
    });
    expect(emulator.state.runners.size).toBe(0);
  });
});

describe('POST /runners/verify (docs/runner-protocol.md §2.3)', () => {
  it('answers 200 JSON and stores the manager with its info and features', async () => {
    const runner = emulator.createRunner();
    const res = await sendJson(`${api}/runners/verify`, 'POST', {
      token: runner.token,
      system_id: 's_0123456789ab',
      info: runnerInfo({ cancel_gracefully: true, two_phase_job_commit: false }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      id: runner.id,
      token: runner.token,
      token_expires_at: null,
    });
    const manager = runner.managers.get('s_0123456789ab');
    expect(manager?.features).toEqual({ cancel_gracefully: true, two_phase_job_commit: false });
    expect(manager?.info['version']).toBe('19.4.0');
  });

  it('answers 403 for an unknown token', async () => {
    const res = await sendJson(`${api}/runners/verify`, 'POST', { token: 'glrt-unknown' });
    expect(res.status).toBe(403);
  });
});

describe('DELETE /runners and /runners/managers (docs/runner-protocol.md §2.4, §2.5)', () => {
  it('deletes a runner with 204, then its token is forbidden', async () => {
    const runner = emulator.createRunner({ kind: 'legacy' });
    const res = await sendJson(`${api}/runners`, 'DELETE', { token: runner.token });
    expect(res.status).toBe(204);
    expect(emulator.state.runners.has(runner.id)).toBe(false);
    const again = await sendJson(`${api}/runners`, 'DELETE', { token: runner.token });
    expect(again.status).toBe(403);
  });

  it('deletes a manager with 204, 404 when missing, 400 without system_id, 403 bad token', async () => {
    const runner = emulator.createRunner();
    await sendJson(`${api}/runners/verify`, 'POST', {
      token: runner.token,
      system_id: 'r_abcdefghijkl',
    });
    expect(runner.managers.has('r_abcdefghijkl')).toBe(true);

    const noSystemId = await sendJson(`${api}/runners/managers`, 'DELETE', { token: runner.token });
    expect(noSystemId.status).toBe(400);
    const badToken = await sendJson(`${api}/runners/managers`, 'DELETE', {
      token: 'glrt-nope',
      system_id: 'r_abcdefghijkl',
    });
    expect(badToken.status).toBe(403);
    const ok = await sendJson(`${api}/runners/managers`, 'DELETE', {
      token: runner.token,
      system_id: 'r_abcdefghijkl',
    });
    expect(ok.status).toBe(204);
    expect(runner.managers.size).toBe(0);
    const missing = await sendJson(`${api}/runners/managers`, 'DELETE', {
      token: runner.token,
      system_id: 'r_abcdefghijkl',
    });
    expect(missing.status).toBe(404);
    expect(emulator.state.runners.has(runner.id)).toBe(true);
  });
});

describe('POST /runners/reset_authentication_token (docs/runner-protocol.md §2.6)', () => {
  it('answers 201 with a new glrt- token and retires the old one', async () => {
    const runner = emulator.createRunner();
    const old = runner.token;
    const res = await sendJson(`${api}/runners/reset_authentication_token`, 'POST', { token: old });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { token: string; token_expires_at: unknown };
    expect(body.token).toMatch(/^glrt-/);
    expect(body.token).not.toBe(old);
    expect(body.token_expires_at).toBeNull();
    const stale = await sendJson(`${api}/runners/verify`, 'POST', { token: old });
    expect(stale.status).toBe(403);
    const fresh = await sendJson(`${api}/runners/verify`, 'POST', { token: body.token });
    expect(fresh.status).toBe(200);
  });

  it('answers 403 for an unknown token', async () => {
    const res = await sendJson(`${api}/runners/reset_authentication_token`, 'POST', { token: 'x' });
    expect(res.status).toBe(403);
  });
});

describe('POST /user/runners (docs/runner-protocol.md §2.2)', () => {
  it('creates a glrt- runner with the admin token', async () => {
    const res = await sendJson(
      `${api}/user/runners`,
      'POST',
      { runner_type: 'instance_type', tag_list: 'a,b', run_untagged: false, paused: true },
      { 'PRIVATE-TOKEN': emulator.adminToken },
    );
    expect(res.status).toBe(201);
    const body = (await res.json()) as { id: number; token: string };
    expect(body.token).toMatch(/^glrt-/);
    const runner = emulator.state.runners.get(body.id);
    expect(runner).toMatchObject({
      tags: ['a', 'b'],
      runUntagged: false,
      paused: true,
      kind: 'authentication',
    });
  });

  it('scopes a project_type runner to its project', async () => {
    const project = insertProject(emulator.state);
    const res = await sendJson(
      `${api}/user/runners`,
      'POST',
      { runner_type: 'project_type', project_id: project.id },
      { 'PRIVATE-TOKEN': emulator.adminToken },
    );
    expect(res.status).toBe(201);
    const body = (await res.json()) as { id: number };
    expect(emulator.state.runners.get(body.id)?.projectIds).toEqual([project.id]);
  });

  it('answers 401 without the admin token and 400 without runner_type', async () => {
    const anonymous = await sendJson(`${api}/user/runners`, 'POST', {
      runner_type: 'instance_type',
    });
    expect(anonymous.status).toBe(401);
    const untyped = await sendJson(
      `${api}/user/runners`,
      'POST',
      {},
      { 'PRIVATE-TOKEN': emulator.adminToken },
    );
    expect(untyped.status).toBe(400);
    expect(await untyped.json()).toEqual({ error: 'runner_type is missing' });
    expect(emulator.state.runners.size).toBe(0);
  });
});
