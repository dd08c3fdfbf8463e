import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator, type Project } from '../emulator/index.ts';
import { createProject } from '../emulator/git/index.ts';
import { createPipeline } from '../emulator/pipelines/index.ts';
import type { AccessLogEntry } from './access-log.ts';
import { startRelay, type RunningRelay } from './node.ts';

const exec = promisify(execFile);
const APP_ORIGIN = 'http://app.test';
/**
 * An incompressible file, so the packfile is at least this big. Memory is bounded in
 * streaming.test.ts against an upstream that honours backpressure; the emulator's git
 * handler writes without waiting for `drain`, so it would be measured here, not the relay.
 */
const BIG_FILE_BYTES = 32 * 1024 * 1024;
const GIT_ENV = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_TERMINAL_PROMPT: '0',
};

let emulator: Emulator;
let relay: RunningRelay;
let project: Project;
let work: string;
const log: AccessLogEntry[] = [];

/** The relay URL of `path` on the emulator. */
function via(path: string): string {
  return `${relay.url}/gitlab/${new URL(emulator.url).host}${path}`;
}

/** Queues a pipeline and picks its first job through the relay, as the tab does. */
async function pickJob(
  runnerToken: string,
): Promise<{ id: number; token: string; response: Response }> {
  await createPipeline(emulator.context, project.id, { ref: 'main' });
  const response = await fetch(via('/api/v4/jobs/request'), {
    method: 'POST',
    headers: { Origin: APP_ORIGIN, 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({
      token: runnerToken,
      system_id: 's_000000000042',
      info: { name: 'tabrunner', version: '0.1.0', features: {} },
    }),
  });
  const job = (await response.json()) as { id: number; token: string };
  return { id: job.id, token: job.token, response };
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'tabrunner-relay-emulator-'));
  const source = join(work, 'source');
  await exec('mkdir', ['-p', source]);
  await writeFile(join(source, 'README.md'), 'hello through the relay\n');
  await writeFile(join(source, '.gitlab-ci.yml'), 'test:\n  script: [echo test]\n');
  await writeFile(join(source, 'big.bin'), randomBytes(BIG_FILE_BYTES));
  emulator = await startEmulator({ corsMode: 'gitlab' });
  project = await createProject(emulator.context, {
    path: 'demo',
    namespace: 'group',
    sourceDir: source,
  });
  const host = new URL(emulator.url).host;
  relay = await startRelay({
    port: 0,
    upstreams: [emulator.url],
    allowPrivate: [host],
    origins: [APP_ORIGIN],
    log: (entry) => log.push(entry),
  });
}, 120_000);

afterAll(async () => {
  await relay?.close();
  await emulator?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the relay in front of the emulator', () => {
  it('carries runner calls and exposes Job-Status and Range, which GitLab-like CORS hides', async () => {
    const runner = emulator.createRunner();
    const { id, token, response } = await pickJob(runner.token);
    expect(response.status).toBe(201);
    expect(response.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);

    const trace = await fetch(via(`/api/v4/jobs/${id}/trace`), {
      method: 'PATCH',
      headers: {
        Origin: APP_ORIGIN,
        'JOB-TOKEN': token,
        'Content-Type': 'text/plain',
        'Content-Range': '0-4',
      },
      body: 'hello',
    });
    expect(trace.status).toBe(202);
    expect(trace.headers.get('range')).toBe('0-5');
    expect(trace.headers.get('job-status')).toBe('running');
    const exposed = trace.headers.get('access-control-expose-headers') ?? '';
    expect(exposed).toContain('Job-Status');
    expect(exposed).toContain('Range');

    // Straight to the emulator in its GitLab CORS mode, a page could not read these.
    const direct = await fetch(`${emulator.url}/api/v4/jobs/${id}/trace`, {
      method: 'PATCH',
      headers: {
        Origin: APP_ORIGIN,
        'JOB-TOKEN': token,
        'Content-Type': 'text/plain',
        'Content-Range': '5-9',
      },
      body: 'world',
    });
    expect(direct.status).toBe(202);
    expect(direct.headers.get('access-control-expose-headers') ?? '').not.toContain('Job-Status');

    // A mismatched range: the 416 carries the server's Range, readable through the relay.
    const mismatch = await fetch(via(`/api/v4/jobs/${id}/trace`), {
      method: 'PATCH',
      headers: {
        Origin: APP_ORIGIN,
        'JOB-TOKEN': token,
        'Content-Type': 'text/plain',
        'Content-Range': '3-5',
      },
      body: 'abc',
    });
    expect(mismatch.status).toBe(416);
    expect(mismatch.headers.get('range')).toBe('0-10');
    expect(mismatch.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    await mismatch.body?.cancel();

    const preflight = await fetch(via(`/api/v4/jobs/${id}/trace`), {
      method: 'OPTIONS',
      headers: {
        Origin: APP_ORIGIN,
        'Access-Control-Request-Method': 'PATCH',
        'Access-Control-Request-Headers': 'job-token,content-range',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('content-range');
  });

  it('clones a repository with a large packfile through the relay with the git CLI', async () => {
    const runner = emulator.createRunner();
    const { token } = await pickJob(runner.token);
    const before = emulator.requests().length;
    const cloneUrl = via('/group/demo.git').replace('http://', `http://gitlab-ci-token:${token}@`);
    const target = join(work, 'clone');

    await exec('git', ['clone', '--quiet', cloneUrl, target], { env: GIT_ENV });

    expect(await readFile(join(target, 'README.md'), 'utf8')).toBe('hello through the relay\n');
    expect((await stat(join(target, 'big.bin'))).size).toBe(BIG_FILE_BYTES);
    const paths = emulator
      .requests()
      .slice(before)
      .map((r) => r.path);
    expect(paths.some((p) => p.includes('/info/refs'))).toBe(true);
    expect(paths.some((p) => p.endsWith('/git-upload-pack'))).toBe(true);
    // The job token travelled in Authorization; the access log never shows it.
    expect(JSON.stringify(log)).not.toContain(token);
  }, 120_000);

  it('refuses a git push through the relay before it reaches the emulator', async () => {
    const runner = emulator.createRunner();
    const { token } = await pickJob(runner.token);
    const target = join(work, 'clone');
    const before = emulator.requests().length;
    const pushUrl = via('/group/demo.git').replace('http://', `http://gitlab-ci-token:${token}@`);
    await expect(
      exec('git', ['push', pushUrl, 'HEAD:refs/heads/other'], { cwd: target, env: GIT_ENV }),
    ).rejects.toThrow();
    const paths = emulator
      .requests()
      .slice(before)
      .map((r) => r.path);
    expect(paths.filter((p) => p.includes('receive-pack'))).toEqual([]);
  }, 60_000);
});
