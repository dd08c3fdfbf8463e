import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../index.ts';
import type { Job } from '../model.ts';
import {
  insertJob,
  insertPipeline,
  insertProject,
  requestJob,
  TestClock,
  updateJob,
} from '../test-support/index.ts';

let emulator: Emulator;
let clock: TestClock;

beforeEach(async () => {
  clock = new TestClock();
  emulator = await startEmulator({ longPollSeconds: 0, artifactSizeLimit: 1024 }, { clock });
});
afterEach(() => emulator.close());

function upload(job: Job, form: FormData, query = '', token = job.token): Promise<Response> {
  return fetch(`${emulator.url}/api/v4/jobs/${job.id}/artifacts${query}`, {
    method: 'POST',
    headers: { 'JOB-TOKEN': token },
    body: form,
  });
}

function zipForm(bytes: Uint8Array = new Uint8Array([0x50, 0x4b, 3, 4, 1, 2])): FormData {
  const form = new FormData();
  form.append('file', new Blob([bytes as Uint8Array<ArrayBuffer>]), 'default.zip');
  return form;
}

/** A pipeline with `build` and `test` (depends on build); `build` is running. */
async function buildAndTest(): Promise<{ build: Job; test: Job; other: Job }> {
  const project = insertProject(emulator.state);
  const pipeline = insertPipeline(emulator.state, project.id, { stages: ['build', 'test'] });
  const build = insertJob(emulator.state, pipeline, { name: 'build', queuedAt: 1 });
  const test = insertJob(emulator.state, pipeline, {
    name: 'test',
    dependencies: ['build'],
    queuedAt: 2,
  });
  const other = insertJob(emulator.state, pipeline, { name: 'lint', queuedAt: 3 });
  const runner = emulator.createRunner();
  expect((await requestJob(emulator.url, runner.token)).status).toBe(201);
  return { build, test, other };
}

describe('POST /jobs/:id/artifacts (docs/runner-protocol.md §8.1)', () => {
  it('stores the file with type, format and expiry from the query: 201 body 201', async () => {
    const { build } = await buildAndTest();
    const res = await upload(
      build,
      zipForm(),
      '?artifact_type=archive&artifact_format=zip&expire_in=1%20day',
    );
    expect(res.status).toBe(201);
    expect(await res.json()).toBe(201);
    const [stored] = build.artifactsStored;
    expect(stored).toMatchObject({
      artifactType: 'archive',
      artifactFormat: 'zip',
      filename: 'default.zip',
    });
    expect(stored?.data).toEqual(new Uint8Array([0x50, 0x4b, 3, 4, 1, 2]));
    expect(stored?.expiresAt).toBe((stored?.uploadedAt ?? 0) + 86_400_000);
  });

  it('reads artifact_type and expire_in from form fields too', async () => {
    const { build } = await buildAndTest();
    const form = zipForm();
    form.append('artifact_type', 'junit');
    form.append('artifact_format', 'gzip');
    form.append('expire_in', 'never');
    expect((await upload(build, form)).status).toBe(201);
    expect(build.artifactsStored[0]).toMatchObject({
      artifactType: 'junit',
      artifactFormat: 'gzip',
      expiresAt: null,
    });
  });

  it('answers 400 without a file part, 413 over the size limit, 403 when the job is not running', async () => {
    const { build, test } = await buildAndTest();
    const noFile = new FormData();
    noFile.append('other', 'x');
    expect((await upload(build, noFile)).status).toBe(400);
    const tooBig = await upload(build, zipForm(new Uint8Array(2048)));
    expect(tooBig.status).toBe(413);
    const pending = await upload(test, zipForm());
    expect(pending.status).toBe(403);
    expect(pending.headers.get('job-status')).toBe('pending');
    expect(build.artifactsStored).toEqual([]);
  });
});

describe('GET /jobs/:id/artifacts (docs/runner-protocol.md §8.2)', () => {
  it('serves the archive to a running dependent job of the same pipeline', async () => {
    const { build, test } = await buildAndTest();
    await upload(build, zipForm());
    await updateJob(emulator.url, build.id, build.token, { state: 'success' });
    const runner = emulator.createRunner();
    expect((await requestJob(emulator.url, runner.token)).status).toBe(201);
    expect(test.status).toBe('running');
    const res = await fetch(`${emulator.url}/api/v4/jobs/${build.id}/artifacts`, {
      headers: { 'JOB-TOKEN': test.token },
    });
    expect(res.status).toBe(200);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(
      new Uint8Array([0x50, 0x4b, 3, 4, 1, 2]),
    );
  });

  it('serves a running job its own archive, and refuses a job that does not depend on it', async () => {
    const { build, other } = await buildAndTest();
    await upload(build, zipForm());
    const own = await fetch(`${emulator.url}/api/v4/jobs/${build.id}/artifacts`, {
      headers: { 'JOB-TOKEN': build.token },
    });
    expect(own.status).toBe(200);
    await updateJob(emulator.url, build.id, build.token, { state: 'success' });
    const runner = emulator.createRunner();
    await requestJob(emulator.url, runner.token); // test
    await requestJob(emulator.url, runner.token); // lint
    expect(other.status).toBe('running');
    const denied = await fetch(`${emulator.url}/api/v4/jobs/${build.id}/artifacts`, {
      headers: { 'JOB-TOKEN': other.token },
    });
    expect(denied.status).toBe(403);
    const finished = await fetch(`${emulator.url}/api/v4/jobs/${build.id}/artifacts`, {
      headers: { 'JOB-TOKEN': build.token },
    });
    expect(finished.status).toBe(401);
  });

  it('answers 404 without an archive and once it expired', async () => {
    const { build } = await buildAndTest();
    const none = await fetch(`${emulator.url}/api/v4/jobs/${build.id}/artifacts`, {
      headers: { 'JOB-TOKEN': build.token },
    });
    expect(none.status).toBe(404);
    await upload(build, zipForm(), '?expire_in=1h');
    clock.advance(3_600_001);
    const expired = await fetch(`${emulator.url}/api/v4/jobs/${build.id}/artifacts`, {
      headers: { 'JOB-TOKEN': build.token },
    });
    expect(expired.status).toBe(404);
  });
});
