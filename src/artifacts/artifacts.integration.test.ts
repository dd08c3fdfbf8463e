import { unzipSync, gunzipSync } from 'fflate';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator, type Job } from '../../emulator/index.ts';
import {
  insertJob,
  insertPipeline,
  insertProject,
  requestJob,
  TestClock,
  updateJob,
} from '../../emulator/test-support/index.ts';
import { createShellExecutor, type Workspace } from '../executors/index.ts';
import { hasErrorCode } from '../errors/index.ts';
import { createGitLabClient, parseJobPayload, type JobPayload } from '../gitlab/index.ts';
import { systemClock, type Clock } from '../platform/clock.ts';
import { downloadDependencies } from './download.ts';
import { planArtifactUploads } from './upload-plan.ts';
import type { ArtifactProgress } from './transfer-progress.ts';
import { uploadArtifacts, type UploadArtifactsOptions } from './upload.ts';
import { createTempDirWorkspace } from './testing/temp-dir-workspace.ts';

const PROJECT = '/builds/group/project';
const enc = new TextEncoder();
const dec = new TextDecoder();
const identity = (value: string): string => value;

let emulator: Emulator;
let clock: TestClock;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
  await emulator.close();
});

async function start(options: { artifactSizeLimit?: number } = {}): Promise<void> {
  clock = new TestClock();
  emulator = await startEmulator({ longPollSeconds: 0, ...options }, { clock });
}

/** A pipeline: `build` (artifacts: dist/ minus maps, untracked, a JUnit report) → `test`. */
function pipeline(): { build: Job; test: Job } {
  const project = insertProject(emulator.state);
  const p = insertPipeline(emulator.state, project.id, { stages: ['build', 'test'] });
  const build = insertJob(emulator.state, p, {
    name: 'build',
    queuedAt: 1,
    artifacts: [
      {
        name: 'dist-$CI_JOB_NAME',
        untracked: true,
        paths: ['dist/'],
        exclude: ['dist/**/*.map'],
        when: 'on_success',
        artifactType: 'archive',
        artifactFormat: 'zip',
        expireIn: '1 hour',
      },
      {
        name: 'junit.xml',
        untracked: false,
        paths: ['rspec.xml'],
        exclude: [],
        when: 'always',
        artifactType: 'junit',
        artifactFormat: 'gzip',
        expireIn: '1 hour',
      },
      {
        name: 'debug',
        untracked: false,
        paths: ['debug.log'],
        exclude: [],
        when: 'on_failure',
        artifactType: 'archive',
        artifactFormat: 'zip',
        expireIn: '',
      },
    ],
  });
  const test = insertJob(emulator.state, p, { name: 'test', queuedAt: 2, dependencies: ['build'] });
  return { build, test };
}

async function pickUp(): Promise<JobPayload> {
  const runner = emulator.createRunner();
  const res = await requestJob(emulator.url, runner.token);
  expect(res.status).toBe(201);
  const parsed = parseJobPayload(await res.json());
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  return parsed.job;
}

async function buildWorkspace(): Promise<Workspace> {
  const files: Record<string, string> = {
    'dist/app.js': 'console.log("app")',
    'dist/app.js.map': '{"version":3}',
    'dist/css/site.css': 'body{}',
    'rspec.xml': '<testsuite tests="3"/>',
    'debug.log': 'trace',
    'generated.txt': 'not in git',
  };
  const workspace = await createShellExecutor().prepare(
    { files: Object.entries(files).map(([path, text]) => ({ path, data: enc.encode(text) })) },
    { projectDir: PROJECT, env: {} },
  );
  cleanups.push(() => workspace.dispose());
  return workspace;
}

function client() {
  return createGitLabClient({ url: emulator.url });
}

/** `uploadArtifacts` for a picked-up job with this file's defaults; `options` overrides them. */
function upload(
  payload: JobPayload,
  entries: UploadArtifactsOptions['entries'],
  workspace: Workspace,
  options: Partial<UploadArtifactsOptions> = {},
) {
  return uploadArtifacts({
    client: client(),
    jobId: payload.id,
    jobToken: payload.token,
    entries,
    workspace,
    projectDir: PROJECT,
    expand: identity,
    line: () => undefined,
    ...options,
  });
}

describe('artifacts against the emulator', () => {
  it('uploads the archive and the JUnit report with their type, format and expiry, and a dependent job receives dist/', async () => {
    await start();
    const { build } = pipeline();
    const payload = await pickUp();
    const workspace = await buildWorkspace();
    const plan = planArtifactUploads(payload.artifacts, 'success', (v) =>
      v.replace('$CI_JOB_NAME', payload.job_info.name),
    );
    expect(plan?.section).toBe('upload_artifacts_on_success');
    const trace: string[] = [];
    const result = await upload(payload, plan?.uploads ?? [], workspace, {
      line: (text) => trace.push(text),
      untrackedFiles: ['generated.txt'],
    });
    expect(result.failure).toBeNull();
    expect(result.uploaded.map((u) => [u.filename, u.artifactType, u.files])).toEqual([
      ['dist-build.zip', 'archive', 3],
      ['junit.xml.gz', 'junit', 1],
    ]);

    const text = trace.join('');
    expect(text).toContain('dist: found 4 matching artifact files and directories');
    expect(text).toContain('untracked: found 1 files');
    expect(text).toContain('dist/**/*.map: excluded 1 files');
    expect(text).toContain('Uploading artifacts as "archive" to coordinator... 201 Created');
    expect(text).toContain('Uploading artifacts as "junit" to coordinator... 201 Created');
    expect(text).not.toContain(payload.token);

    const archive = build.artifactsStored.find((a) => a.artifactType === 'archive');
    const junit = build.artifactsStored.find((a) => a.artifactType === 'junit');
    expect(archive).toMatchObject({ artifactFormat: 'zip', filename: 'dist-build.zip' });
    expect(archive?.expiresAt).toBe((archive?.uploadedAt ?? 0) + 3_600_000);
    expect(Object.keys(unzipSync(archive?.data ?? new Uint8Array())).sort()).toEqual([
      'dist/app.js',
      'dist/css/site.css',
      'generated.txt',
    ]);
    expect(junit).toMatchObject({ artifactFormat: 'gzip', filename: 'junit.xml.gz' });
    expect(dec.decode(gunzipSync(junit?.data ?? new Uint8Array()))).toBe('<testsuite tests="3"/>');

    await updateJob(emulator.url, build.id, build.token, { state: 'success' });
    const testPayload = await pickUp();
    expect(testPayload.dependencies[0]?.artifacts_file?.filename).toBe('dist-build.zip');
    const target = await createTempDirWorkspace(PROJECT);
    cleanups.push(() => target.dispose());
    const lines: string[] = [];
    const downloaded = await downloadDependencies({
      client: client(),
      dependencies: testPayload.dependencies,
      workspace: target,
      projectDir: PROJECT,
      line: (t) => lines.push(t),
    });
    expect(downloaded).toEqual([{ id: build.id, name: 'build', files: 3, bytes: 34 }]);
    expect(dec.decode(await target.readFile(`${PROJECT}/dist/app.js`))).toBe('console.log("app")');
    expect(lines.join('')).toContain(`Downloading artifacts for build (${build.id})...`);
    expect(lines.join('')).toContain('Downloading artifacts from coordinator... ok');
    expect(target.outsideAttempts).toEqual([]);
  });

  it('uploads on_failure and always entries after a failure', async () => {
    await start();
    const { build } = pipeline();
    const payload = await pickUp();
    const workspace = await buildWorkspace();
    const plan = planArtifactUploads(payload.artifacts, 'failure', identity);
    expect(plan?.section).toBe('upload_artifacts_on_failure');
    const result = await upload(payload, plan?.uploads ?? [], workspace);
    expect(result.failure).toBeNull();
    expect(build.artifactsStored.map((a) => [a.artifactType, a.filename]).sort()).toEqual([
      ['archive', 'debug.zip'],
      ['junit', 'junit.xml.gz'],
    ]);
  });

  it('reports a 413 in GitLab words, without retrying, as an ArtifactUploadError', async () => {
    await start({ artifactSizeLimit: 64 });
    pipeline();
    const payload = await pickUp();
    const workspace = await buildWorkspace();
    const plan = planArtifactUploads(payload.artifacts, 'success', identity);
    const trace: string[] = [];
    const before = emulator.requests().length;
    const result = await upload(payload, plan?.uploads ?? [], workspace, {
      line: (text) => trace.push(text),
    });
    expect(result.uploaded).toEqual([]);
    expect(result.failure?.code).toBe('ArtifactUploadError');
    expect(result.failure?.data).toEqual({
      kind: 'too-large',
      artifactType: 'archive',
      status: 413,
    });
    expect(result.failure?.message).toMatch(/^too large archive/);
    expect(trace.join('')).toContain(
      'Uploading artifacts as "archive" to coordinator... too large archive',
    );
    const uploads = emulator
      .requests()
      .slice(before)
      .filter((r) => r.method === 'POST');
    expect(uploads).toHaveLength(1);
  });

  it('retries a failed upload up to 3 attempts in all, then gives up', async () => {
    await start();
    const { build } = pipeline();
    const payload = await pickUp();
    const workspace = await buildWorkspace();
    const [archiveEntry] =
      planArtifactUploads(payload.artifacts, 'success', identity)?.uploads ?? [];
    const uploadArchive = (line: (t: string) => void) =>
      upload(payload, archiveEntry ? [archiveEntry] : [], workspace, { line, retryDelayMs: 0 });
    const posts = () =>
      emulator.requests().filter((r) => r.method === 'POST' && r.path.endsWith('/artifacts'))
        .length;

    emulator.faults.add({ endpoint: 'artifacts/upload', kind: 'status', status: 400, times: 2 });
    const trace: string[] = [];
    const recovered = await uploadArchive((t) => trace.push(t));
    expect(recovered.failure).toBeNull();
    expect(posts()).toBe(3);
    expect(trace.join('').match(/Retrying\.\.\./g)).toHaveLength(2);
    expect(build.artifactsStored).toHaveLength(1);

    emulator.faults.add({ endpoint: 'artifacts/upload', kind: 'status', status: 400, times: 5 });
    const failed = await uploadArchive(() => undefined);
    expect(failed.failure?.data).toEqual({ kind: 'failed', artifactType: 'archive', status: 400 });
    expect(posts()).toBe(6);
  });

  it('does not retry a 403 (job no longer running)', async () => {
    await start();
    const { build } = pipeline();
    const payload = await pickUp();
    const workspace = await buildWorkspace();
    await updateJob(emulator.url, build.id, build.token, { state: 'success' });
    const result = await upload(
      payload,
      planArtifactUploads(payload.artifacts, 'success', identity)?.uploads ?? [],
      workspace,
      { retryDelayMs: 0 },
    );
    expect(result.failure?.data).toEqual({
      kind: 'forbidden',
      artifactType: 'archive',
      status: 403,
    });
    expect(
      emulator.requests().filter((r) => r.method === 'POST' && r.path.endsWith('/artifacts')),
    ).toHaveLength(1);
  });

  it('an artifact that expired after the job was picked up gives MissingDependencyError', async () => {
    await start();
    const { build } = pipeline();
    const payload = await pickUp();
    const workspace = await buildWorkspace();
    const plan = planArtifactUploads(payload.artifacts, 'success', identity);
    await upload(payload, plan?.uploads ?? [], workspace);
    await updateJob(emulator.url, build.id, build.token, { state: 'success' });
    const testPayload = await pickUp();
    clock.advance(3_600_001);
    const target = await createTempDirWorkspace(PROJECT);
    cleanups.push(() => target.dispose());
    const lines: string[] = [];
    let caught: unknown;
    try {
      await downloadDependencies({
        client: client(),
        dependencies: testPayload.dependencies,
        workspace: target,
        projectDir: PROJECT,
        line: (t) => lines.push(t),
      });
    } catch (error) {
      caught = error;
    }
    expect(hasErrorCode(caught, 'MissingDependencyError')).toBe(true);
    expect((caught as { data: unknown }).data).toEqual({
      dependencyId: build.id,
      dependencyName: 'build',
      status: 404,
    });
    expect(lines.join('')).toContain('Downloading artifacts from coordinator... not found');
    expect(target.writes).toEqual([]);
  });

  it('skips dependencies without artifacts_file and downloads nothing', async () => {
    await start();
    const target = await createTempDirWorkspace(PROJECT);
    cleanups.push(() => target.dispose());
    const lines: string[] = [];
    const result = await downloadDependencies({
      client: client(),
      dependencies: [{ id: 1, name: 'lint', token: 'x', artifacts_file: null }],
      workspace: target,
      projectDir: PROJECT,
      line: (t) => lines.push(t),
    });
    expect(result).toEqual([]);
    expect(lines).toEqual([]);
    expect(emulator.requests()).toEqual([]);
  });
});

describe('artifact progress against the emulator', () => {
  /** 3 MiB that deflate cannot shrink, so every phase has real work to report. */
  function noise(size: number): Uint8Array {
    const data = new Uint8Array(size);
    let seed = 11;
    for (let i = 0; i < size; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      data[i] = seed >>> 24;
    }
    return data;
  }
  const BIG = 3 * 1024 * 1024;

  /** A clock whose reading moves `stepMs` each time it is read; its sleeps are real. */
  function steppingClock(stepMs: number): Clock {
    let now = 0;
    return { now: () => (now += stepMs), sleep: systemClock.sleep };
  }

  /** Uploads `dist/` (with a 3 MiB file) from the build job, then downloads it for `test`. */
  async function transfer(clock: Clock): Promise<{
    uploads: ArtifactProgress[];
    downloads: ArtifactProgress[];
    stored: { filename: string; size: number }[];
    tokens: string[];
  }> {
    await start();
    const { build } = pipeline();
    const payload = await pickUp();
    const workspace = await buildWorkspace();
    await workspace.writeFile(`${PROJECT}/dist/big.bin`, noise(BIG));
    const uploads: ArtifactProgress[] = [];
    const result = await uploadArtifacts({
      client: createGitLabClient({ url: emulator.url, clock }),
      jobId: payload.id,
      jobToken: payload.token,
      entries:
        planArtifactUploads(payload.artifacts, 'success', (v) => v.replace('$CI_JOB_NAME', 'build'))
          ?.uploads ?? [],
      workspace,
      projectDir: PROJECT,
      expand: identity,
      line: () => undefined,
      onProgress: (p) => uploads.push(p),
    });
    expect(result.failure).toBeNull();
    await updateJob(emulator.url, build.id, build.token, { state: 'success' });
    const testPayload = await pickUp();
    const target = await createTempDirWorkspace(PROJECT);
    cleanups.push(() => target.dispose());
    const downloads: ArtifactProgress[] = [];
    await downloadDependencies({
      client: createGitLabClient({ url: emulator.url, clock }),
      dependencies: testPayload.dependencies,
      workspace: target,
      projectDir: PROJECT,
      line: () => undefined,
      onProgress: (p) => downloads.push(p),
    });
    return {
      uploads,
      downloads,
      stored: build.artifactsStored.map((a) => ({ filename: a.filename, size: a.data.length })),
      tokens: [payload.token, testPayload.token, ...testPayload.dependencies.map((d) => d.token)],
    };
  }

  /** Reports of one artifact and phase, in order. */
  const of = (events: ArtifactProgress[], name: string, phase: string) =>
    events.filter((e) => e.name === name && e.phase === phase);

  it('on a clock that does not move, reports exactly each phase’s start and end, in order', async () => {
    const { uploads, downloads, stored } = await transfer({
      now: () => 0,
      sleep: systemClock.sleep,
    });
    const zip = stored.find((s) => s.filename === 'dist-build.zip');
    // dist/ minus the excluded map: app.js, css/site.css and big.bin.
    const inputBytes = BIG + 'console.log("app")body{}'.length;
    expect(uploads.filter((e) => e.name === 'dist-build.zip')).toEqual([
      {
        direction: 'upload',
        name: 'dist-build.zip',
        phase: 'collecting',
        unit: 'files',
        loaded: 0,
        total: 3,
        done: false,
      },
      {
        direction: 'upload',
        name: 'dist-build.zip',
        phase: 'collecting',
        unit: 'files',
        loaded: 3,
        total: 3,
        done: true,
      },
      {
        direction: 'upload',
        name: 'dist-build.zip',
        phase: 'archiving',
        unit: 'bytes',
        loaded: 0,
        total: inputBytes,
        files: { done: 0, total: 3 },
        bytes: 0,
        done: false,
      },
      {
        direction: 'upload',
        name: 'dist-build.zip',
        phase: 'archiving',
        unit: 'bytes',
        loaded: inputBytes,
        total: inputBytes,
        files: { done: 3, total: 3 },
        bytes: zip?.size,
        done: true,
      },
      {
        direction: 'upload',
        name: 'dist-build.zip',
        phase: 'uploading',
        unit: 'bytes',
        loaded: 0,
        bytes: zip?.size,
        done: false,
      },
      {
        direction: 'upload',
        name: 'dist-build.zip',
        phase: 'uploading',
        unit: 'bytes',
        loaded: zip?.size,
        total: zip?.size,
        bytes: zip?.size,
        done: true,
      },
    ]);
    // The JUnit report follows with the same three phases.
    expect(uploads.filter((e) => e.name === 'junit.xml.gz').map((e) => [e.phase, e.done])).toEqual([
      ['collecting', false],
      ['collecting', true],
      ['archiving', false],
      ['archiving', true],
      ['uploading', false],
      ['uploading', true],
    ]);
    expect(downloads).toEqual([
      {
        direction: 'download',
        name: 'build',
        phase: 'downloading',
        unit: 'bytes',
        loaded: 0,
        total: zip?.size,
        done: false,
      },
      {
        direction: 'download',
        name: 'build',
        phase: 'downloading',
        unit: 'bytes',
        loaded: zip?.size,
        total: zip?.size,
        done: true,
      },
      {
        direction: 'download',
        name: 'build',
        phase: 'extracting',
        unit: 'bytes',
        loaded: 0,
        total: inputBytes,
        files: { done: 0, total: 3 },
        done: false,
      },
      {
        direction: 'download',
        name: 'build',
        phase: 'extracting',
        unit: 'bytes',
        loaded: inputBytes,
        total: inputBytes,
        files: { done: 3, total: 3 },
        done: true,
      },
    ]);
  });

  it('as time passes, reports in between: ordered, monotonic, ending at the total, never a token', async () => {
    // Every reading of this clock is 40 ms later: about one report in three passes the throttle.
    const { uploads, downloads, stored, tokens } = await transfer(steppingClock(40));
    const zip = stored.find((s) => s.filename === 'dist-build.zip');
    const phasesOf = (events: ArtifactProgress[], name: string) =>
      events
        .filter((e) => e.name === name)
        .map((e) => e.phase)
        .filter((p, i, all) => p !== all[i - 1]);
    expect(phasesOf(uploads, 'dist-build.zip')).toEqual(['collecting', 'archiving', 'uploading']);
    expect(phasesOf(downloads, 'build')).toEqual(['downloading', 'extracting']);
    for (const [events, name, phase] of [
      [uploads, 'dist-build.zip', 'collecting'],
      [uploads, 'dist-build.zip', 'archiving'],
      [uploads, 'dist-build.zip', 'uploading'],
      [downloads, 'build', 'downloading'],
      [downloads, 'build', 'extracting'],
    ] as const) {
      const reports = of(events, name, phase);
      const loaded = reports.map((r) => r.loaded);
      expect(loaded, phase).toEqual([...loaded].sort((a, b) => a - b));
      expect(
        reports.every((r) => r.total === undefined || r.loaded <= r.total),
        phase,
      ).toBe(true);
      expect(
        reports.map((r) => r.done),
        phase,
      ).toEqual([...reports.map(() => false).slice(1), true]);
      const last = reports.at(-1);
      expect(last?.loaded, phase).toBe(last?.total);
    }
    // The 3 MiB file goes in 1 MiB slices and comes back in many HTTP chunks: some of those
    // reports pass between each phase's start and end.
    expect(of(uploads, 'dist-build.zip', 'archiving').length).toBeGreaterThan(2);
    const downloading = of(downloads, 'build', 'downloading');
    expect(downloading.length).toBeGreaterThan(2);
    expect(downloading.every((r) => r.total === zip?.size)).toBe(true);
    const all = JSON.stringify([uploads, downloads]);
    for (const token of tokens) expect(all).not.toContain(token);
  });
});
