/**
 * `npm start` restarted on the same state folder keeps what an open tab holds: the relay's and
 * the emulator's ports, the runner tokens, and a job it was running. Starts the real sandbox
 * (scripts/sandbox.ts, what scripts/start.ts runs after building the app) on a temp state
 * folder and a temp app folder, and spawns the real script for what it says on the console.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { patchTrace, requestJob, sendJson, updateJob } from '../../emulator/test-support/index.ts';
import {
  SandboxStateError,
  startSandbox,
  stateFileOf,
  type Sandbox,
  type SandboxOptions,
} from '../../scripts/sandbox.ts';
import { parseStartArgs } from '../../scripts/start-args.ts';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const TSX = join(ROOT, 'node_modules/tsx/dist/cli.mjs');
/** Bound on one run of the script; a run that would build the app instead ends here. */
const SCRIPT_TIMEOUT_MS = 45_000;
const SCRIPT_TEST_TIMEOUT_MS = SCRIPT_TIMEOUT_MS + 15_000;

let stateDir = '';
let appDir = '';
const running: Sandbox[] = [];

beforeEach(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'tabrunner-sandbox-state-'));
  appDir = await mkdtemp(join(tmpdir(), 'tabrunner-sandbox-app-'));
  await writeFile(join(appDir, 'index.html'), '<!doctype html><title>tabrunner</title>');
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((sandbox) => sandbox.close()));
  await rm(stateDir, { recursive: true, force: true });
  await rm(appDir, { recursive: true, force: true });
});

async function start(options: Partial<SandboxOptions> = {}): Promise<Sandbox> {
  const sandbox = await startSandbox({
    stateDir,
    appDir,
    fresh: false,
    host: '127.0.0.1',
    publicUrls: [],
    verbose: false,
    ...options,
  });
  running.push(sandbox);
  return sandbox;
}

async function stop(sandbox: Sandbox): Promise<void> {
  running.splice(running.indexOf(sandbox), 1);
  await sandbox.close();
}

function verify(base: string, token: string): Promise<Response> {
  return sendJson(`${base}/api/v4/runners/verify`, 'POST', { token, system_id: 's_tab00000001' });
}

const port = (url: string): number => Number(new URL(url).port);

async function readOffer(): Promise<{ token: string; gitlabUrl: string }> {
  return JSON.parse(await readFile(join(appDir, 'sandbox.json'), 'utf8')) as {
    token: string;
    gitlabUrl: string;
  };
}

/** Run the real `npm start` script; bounded, so a hang fails with its output. */
function runScript(
  command: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      command,
      args,
      {
        cwd: ROOT,
        timeout: SCRIPT_TIMEOUT_MS,
        // An empty app folder: the script would build into it, and say so, if it got that far.
        env: { ...process.env, TABRUNNER_APP_DIR: join(appDir, 'built'), ...env },
      },
      (error, stdout, stderr) => {
        // A run killed at the bound has no exit code; its output says where it was.
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

async function occupy(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  return { server, port: (server.address() as AddressInfo).port };
}

describe('npm start across restarts', () => {
  it('keeps both ports, the runner tokens and a running job on the same state folder', async () => {
    const first = await start({ port: 0 });
    const token = first.offer.token;
    expect(port(first.relay.url)).toBeGreaterThan(0);
    expect((await verify(first.emulator.url, token)).status).toBe(200);

    // The tab takes a job and writes some log before the sandbox stops.
    const picked = await requestJob(first.emulator.url, token);
    expect(picked.status).toBe(201);
    const job = (await picked.json()) as { id: number; token: string };
    expect((await patchTrace(first.emulator.url, job.id, job.token, 0, 'before\n')).status).toBe(
      202,
    );
    const firstUrls = { relay: first.relay.url, emulator: first.emulator.url };
    const firstPipeline = first.pipeline?.id;
    await stop(first);

    // No --port this time: the saved ports come back, not 8787 or a random one.
    const second = await start();
    expect(second.resumed).toBe(true);
    expect(second.relay.url).toBe(firstUrls.relay);
    expect(second.emulator.url).toBe(firstUrls.emulator);
    expect(second.offer.token).toBe(token);
    expect((await readOffer()).token).toBe(token);
    expect((await verify(second.emulator.url, token)).status).toBe(200);
    // The job goes on where it was: same pipeline, its token works, its log continues at 7.
    expect(second.pipeline?.id).toBe(firstPipeline);
    expect((await patchTrace(second.emulator.url, job.id, job.token, 7, 'after\n')).status).toBe(
      202,
    );
    expect(
      (await updateJob(second.emulator.url, job.id, job.token, { state: 'running' })).status,
    ).toBe(200);
    const trace = second.emulator.state.jobs.get(job.id)?.trace ?? new Uint8Array();
    expect(new TextDecoder().decode(trace)).toBe('before\nafter\n');
  });

  it('starts over with new tokens with --fresh', async () => {
    const first = await start({ port: 0 });
    const oldToken = first.offer.token;
    await stop(first);

    const second = await start({ port: 0, fresh: true });
    expect(second.resumed).toBe(false);
    expect(second.offer.token).not.toBe(oldToken);
    expect((await verify(second.emulator.url, oldToken)).status).toBe(403);
    expect((await verify(second.emulator.url, second.offer.token)).status).toBe(200);
  });

  it('uses --emulator-port, and keeps it on the next start', async () => {
    const { server, port: free } = await occupy();
    await new Promise<void>((closed) => server.close(() => closed()));
    const first = await start({ port: 0, emulatorPort: free });
    expect(port(first.emulator.url)).toBe(free);
    await stop(first);
    const second = await start();
    expect(port(second.emulator.url)).toBe(free);
  });

  it('says which saved port is taken and what to do', async () => {
    const first = await start({ port: 0 });
    const relayPort = port(first.relay.url);
    await stop(first);
    const squatter = createServer();
    await new Promise<void>((ready) => squatter.listen(relayPort, '127.0.0.1', ready));
    try {
      const error = await start().then(
        () => null,
        (err: unknown) => err,
      );
      expect(error).toBeInstanceOf(SandboxStateError);
      const message = (error as Error).message;
      expect(message).toContain(`Port ${relayPort}`);
      expect(message).toContain('is taken');
      expect(message).toContain('--fresh');
      expect(message).toContain(stateFileOf(stateDir));
    } finally {
      await new Promise<void>((closed) => squatter.close(() => closed()));
    }
    // The failed start closed the emulator it had started: the next one gets both ports.
    const third = await start();
    expect(port(third.relay.url)).toBe(relayPort);
  });

  it('refuses a state file of the wrong shape, naming it and --fresh', async () => {
    const first = await start({ port: 0 });
    await stop(first);
    const file = stateFileOf(stateDir);
    const saved = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    await writeFile(file, JSON.stringify({ ...saved, relayPort: 'eighty' }));
    const error = await start().then(
      () => null,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(SandboxStateError);
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).toContain('relayPort');
    expect((error as Error).message).toContain('npm start -- --fresh');
  });
});

describe('the npm start script', () => {
  it(
    'exits 1 on a corrupt state file, naming it and --fresh, before building anything',
    async () => {
      const dir = join(stateDir, 'corrupt');
      await mkdir(dir);
      await writeFile(join(dir, 'state.json'), '{"version": 1, "relayPo');
      const result = await runScript(process.execPath, [TSX, 'scripts/start.ts'], {
        TABRUNNER_SANDBOX_DIR: dir,
      });
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toContain(join(dir, 'state.json'));
      expect(result.stderr).toContain('npm start -- --fresh');
      expect(result.stdout).not.toContain('Building the app');
    },
    SCRIPT_TEST_TIMEOUT_MS,
  );

  it(
    'exits 1 when a saved port is taken, saying so before building anything',
    async () => {
      const first = await start({ port: 0 });
      const emulatorPort = port(first.emulator.url);
      await stop(first);
      const squatter = createServer();
      await new Promise<void>((ready) => squatter.listen(emulatorPort, '127.0.0.1', ready));
      try {
        const result = await runScript(process.execPath, [TSX, 'scripts/start.ts'], {
          TABRUNNER_SANDBOX_DIR: stateDir,
        });
        expect(result.code, result.stderr).toBe(1);
        expect(result.stderr).toContain(`Port ${emulatorPort} for the GitLab emulator is taken`);
        expect(result.stderr).toContain('npm start -- --fresh');
        expect(result.stdout).not.toContain('Building the app');
      } finally {
        await new Promise<void>((closed) => squatter.close(() => closed()));
      }
    },
    SCRIPT_TEST_TIMEOUT_MS,
  );

  it(
    'lists its flags with npm start -- --help and exits 0',
    async () => {
      // A temp state folder, so a --help that did not stop would not touch the repository's.
      const result = await runScript('npm', ['start', '--', '--help'], {
        TABRUNNER_SANDBOX_DIR: join(stateDir, 'help'),
      });
      expect(result.code, result.stderr).toBe(0);
      for (const flag of ['--port', '--emulator-port', '--fresh', '--state-dir', '--host']) {
        expect(result.stdout).toContain(flag);
      }
    },
    SCRIPT_TEST_TIMEOUT_MS,
  );

  it('reads --emulator-port, --port and --fresh', () => {
    const args = parseStartArgs(['--emulator-port', '9123', '--port', '0', '--fresh'], {});
    expect(args).toMatchObject({ emulatorPort: 9123, port: 0, fresh: true });
    expect(() => parseStartArgs(['--emulator-port', 'x'], {})).toThrow(/--emulator-port/);
    expect(parseStartArgs([], { TABRUNNER_SANDBOX_DIR: '/tmp/elsewhere' }).stateDir).toBe(
      '/tmp/elsewhere',
    );
  });
});
