/**
 * `npm start` for a workshop (docs/workshop.md): the flags, the URLs printed for a room, and the
 * real sandbox (scripts/sandbox.ts) serving two local repositories given with `--project`,
 * pushed to with the git CLI and the workshop password, across a restart.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { resolveCommit } from '../../emulator/git/index.ts';
import type { Pipeline } from '../../emulator/model.ts';
import { signInUrl } from '../../emulator/page/index.ts';
import { roomAddress, roomEmulatorUrl, roomUrls } from '../../scripts/room-urls.ts';
import { makeSelfSignedCert } from '../../proxy/testing/self-signed-cert.ts';
import { startSandbox, stateFileOf, type Sandbox } from '../../scripts/sandbox.ts';
import { parseStartArgs, readTlsFiles } from '../../scripts/start-args.ts';
import { jobPayloadSchema } from '../../src/gitlab/job-payload.ts';
import { getSources } from '../../src/sources/index.ts';
import { createNodeSourceStore, nodeHttp } from '../../src/sources/node.ts';
import { git } from '../support/git-cli.ts';

const PASSWORD = 'room-pass-1234';

/** The part of `/sandbox.json` (scripts/sandbox.ts `SandboxOffer`) a tab connects with. */
const sandboxOfferSchema = z.object({
  gitlabUrl: z.string(),
  projectUrl: z.string(),
  token: z.string(),
});

let work = '';
let stateDir = '';
let appDir = '';
const running: Sandbox[] = [];

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'tabrunner-workshop-'));
  stateDir = join(work, 'state');
  appDir = join(work, 'app');
  await mkdir(appDir, { recursive: true });
  await writeFile(join(appDir, 'index.html'), '<!doctype html><title>tabrunner</title>');
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((sandbox) => sandbox.close()));
  await rm(work, { recursive: true, force: true });
});

async function start(projects: string[], password?: string, host = '127.0.0.1'): Promise<Sandbox> {
  const sandbox = await startSandbox({
    stateDir,
    appDir,
    fresh: false,
    port: 0,
    host,
    publicUrls: [],
    verbose: false,
    projects,
    ...(password ? { password } : {}),
  });
  running.push(sandbox);
  return sandbox;
}

async function stop(sandbox: Sandbox): Promise<void> {
  running.splice(running.indexOf(sandbox), 1);
  await sandbox.close();
}

/** A working repository with one commit of `files` on `main`. */
async function repository(name: string, files: Record<string, string>): Promise<string> {
  const dir = join(work, name);
  await mkdir(dir, { recursive: true });
  await git(['init', '--quiet', '--initial-branch=main', dir]);
  for (const [path, text] of Object.entries(files)) await writeFile(join(dir, path), text);
  await git(['add', '--all'], dir);
  await git(['commit', '--quiet', '-m', `start ${name}`], dir);
  return dir;
}

const pipelinesOf = (sandbox: Sandbox, fullPath: string): Pipeline[] => {
  const project = sandbox.emulator.state.projectByPath(fullPath);
  return [...sandbox.emulator.state.pipelines.values()].filter((p) => p.projectId === project?.id);
};

describe('npm start with --project', () => {
  it('serves two local repositories with their history, takes pushes and survives a restart', async () => {
    const app = await repository('app', {
      '.gitlab-ci.yml': 'test:\n  script: [echo hi]\n',
      'README.md': 'app\n',
    });
    await git(['checkout', '--quiet', '-b', 'feature'], app);
    await writeFile(join(app, 'feature.txt'), 'f\n');
    await git(['add', '--all'], app);
    await git(['commit', '--quiet', '-m', 'feature work'], app);
    await git(['tag', 'v1'], app);
    await git(['checkout', '--quiet', 'main'], app);
    const notes = await repository('notes', { 'notes.md': 'no CI here\n' });

    const first = await start([app, notes], PASSWORD);
    expect(first.emulator.workshopPassword).toBe(PASSWORD);
    expect(first.imported.map((p) => p.fullPath)).toEqual(['demo/app', 'demo/notes']);
    expect(first.projects.map((p) => p.fullPath)).toEqual(['demo/app', 'demo/notes']);
    const appProject = first.emulator.state.projectByPath('demo/app');
    if (!appProject) throw new Error('demo/app is not served');
    expect(await resolveCommit(appProject, 'feature')).toBe(
      await git(['rev-parse', 'feature'], app),
    );
    expect(await resolveCommit(appProject, 'v1')).toBe(await git(['rev-parse', 'v1'], app));
    // The default branch got its first pipeline; a project without .gitlab-ci.yml none.
    const [started] = pipelinesOf(first, 'demo/app');
    expect(started).toMatchObject({ ref: 'main', source: 'push', status: 'pending' });
    expect(first.pipeline?.id).toBe(started?.id);
    expect(pipelinesOf(first, 'demo/notes')).toEqual([]);

    // A participant clones and pushes with the workshop password.
    const remote = first.emulator.url.replace('http://', `http://workshop:${PASSWORD}@`);
    const clone = join(work, 'clone');
    await git(['clone', '--quiet', `${remote}/demo/app.git`, clone]);
    await writeFile(join(clone, 'more.txt'), 'more\n');
    await git(['add', '--all'], clone);
    await git(['commit', '--quiet', '-m', 'from the room'], clone);
    await git(['push', '--quiet', 'origin', 'HEAD:main'], clone);
    const pushed = await git(['rev-parse', 'HEAD'], clone);
    expect(pipelinesOf(first, 'demo/app').map((p) => p.sha)).toEqual([started?.sha, pushed]);
    await stop(first);

    // The same command again: same projects and password, the pushed commit, no new pipeline.
    const second = await start([app, notes]);
    expect(second.resumed).toBe(true);
    expect(second.imported).toEqual([]);
    expect(second.emulator.workshopPassword).toBe(PASSWORD);
    expect(pipelinesOf(second, 'demo/app')).toHaveLength(2);
    const served = second.emulator.state.projectByPath('demo/app');
    if (!served) throw new Error('demo/app is gone');
    expect(await resolveCommit(served, 'main')).toBe(pushed);
    await git([
      'clone',
      '--quiet',
      `${remote.replace(first.emulator.url, second.emulator.url)}/demo/notes.git`,
      join(work, 'notes-clone'),
    ]);
    expect(await readFile(join(work, 'notes-clone', 'notes.md'), 'utf8')).toBe('no CI here\n');
    await stop(second);

    // A new folder is added next to the saved ones.
    const extra = await repository('extra', { '.gitlab-ci.yml': 'job:\n  script: [true]\n' });
    const third = await start([app, notes, extra]);
    expect(third.imported.map((p) => p.fullPath)).toEqual(['demo/extra']);
    expect(third.projects).toHaveLength(3);
    expect(pipelinesOf(third, 'demo/extra')).toHaveLength(1);
  });

  it('hands a room its own URLs when bound to 0.0.0.0: the page, the emulator, job links and clones', async () => {
    const app = await repository('app', { '.gitlab-ci.yml': 'test:\n  script: [echo hi]\n' });
    const lan = roomAddress('0.0.0.0');
    if (!lan) throw new Error('this test needs a machine with a LAN (non-internal IPv4) address');
    const sandbox = await start([app], PASSWORD, '0.0.0.0');
    const { emulator, relay } = sandbox;
    // This machine still reaches the emulator over loopback (the instructor's sign-in link) ...
    expect(new URL(emulator.url).hostname).toBe('127.0.0.1');
    // ... and the room by the LAN address, which is the emulator's external URL.
    const roomEmulator = `http://${lan}:${new URL(emulator.url).port}`;
    expect(emulator.externalUrl).toBe(roomEmulator);
    expect(signInUrl(emulator.context)).toMatch(new RegExp(`^${emulator.url}/`));
    const room = roomUrls({
      host: '0.0.0.0',
      publicUrls: [],
      relayUrl: relay.url,
      emulatorUrl: emulator.externalUrl,
      projectPaths: ['demo/app'],
      password: PASSWORD,
    });
    expect(room.page).toBe(`http://${lan}:${new URL(relay.url).port}/`);
    expect(room.pipelines).toBe(`${roomEmulator}/`);

    // The printed remote clones; the pipelines page and the tab's page answer by the room's names.
    const remote = (room.remotes[0]?.command ?? '').replace('git remote add workshop ', '');
    await git(['clone', '--quiet', remote, join(work, 'room-clone')]);
    expect(await readFile(join(work, 'room-clone', '.gitlab-ci.yml'), 'utf8')).toContain('echo hi');
    expect((await fetch(room.pipelines)).status).toBe(200);
    expect((await fetch(room.page)).status).toBe(200);
    // The instructor's own URL is localhost, a name the relay answers to (0.0.0.0 is none).
    expect(room.ownPage).toBe(`http://localhost:${new URL(relay.url).port}/`);
    expect((await fetch(room.ownPage)).status).toBe(200);
    expect((await fetch(relay.url)).status).toBe(421);

    // A participant's tab reads the offer through the room's page: every URL in it is the room's.
    const offer = sandboxOfferSchema.parse(await (await fetch(`${room.page}sandbox.json`)).json());
    expect(offer.gitlabUrl).toBe(roomEmulator);
    expect(offer.projectUrl).toBe(`${roomEmulator}/demo/app`);

    // Its runner asks for a job through the relay, as the tab does with that gitlabUrl.
    const relayed = `${room.page}gitlab/${new URL(offer.gitlabUrl).host}`;
    const response = await fetch(`${relayed}/api/v4/jobs/request`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ token: offer.token, info: { name: 'tabrunner', features: {} } }),
    });
    expect(response.status).toBe(201);
    const payload = jobPayloadSchema.parse(await response.json());
    const job = (name: string) => payload.variables.findLast((v) => v.key === name)?.value;
    expect(job('CI_JOB_URL')).toBe(`${roomEmulator}/demo/app/-/jobs/${payload.id}`);
    expect(job('CI_PROJECT_URL')).toBe(`${roomEmulator}/demo/app`);
    expect(job('CI_SERVER_URL')).toBe(roomEmulator);
    expect(new URL(payload.git_info.repo_url).host).toBe(new URL(roomEmulator).host);

    // And clones the job's commit through the relay, by the clone URL the payload names.
    const { tree } = await getSources({
      gitInfo: payload.git_info,
      settings: {
        strategy: 'fetch',
        depth: payload.git_info.depth,
        checkout: true,
        cleanFlags: '-ffdx',
        submoduleStrategy: 'none',
        lfsSkipSmudge: false,
      },
      store: createNodeSourceStore({ dir: join(work, 'tab-store') }),
      http: nodeHttp,
      corsProxy: `${room.page}gitlab`,
      projectKey: `${new URL(roomEmulator).host}/demo/app`,
    });
    const ci = tree?.files.find((file) => file.path === '.gitlab-ci.yml');
    expect(new TextDecoder().decode(ci?.data)).toContain('echo hi');
  });

  it('refuses a folder that is not a git repository, and two folders of one name', async () => {
    const plain = join(work, 'plain');
    await mkdir(plain);
    await expect(start([plain])).rejects.toMatchObject({
      code: 'ProjectImportError',
      message: expect.stringContaining(`${plain} (from --project) is not a git repository`),
    });
    const one = await repository('a/same', { 'x.txt': 'x\n' });
    const two = await repository('b/same', { 'y.txt': 'y\n' });
    await expect(start([one, two])).rejects.toMatchObject({
      message: expect.stringContaining('would both be the project demo/same'),
    });
    // Nothing was saved by the refused starts.
    await expect(readFile(stateFileOf(stateDir), 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('records a failed first pipeline when the config is bad', async () => {
    const bad = await repository('bad', {
      '.gitlab-ci.yml': 'job:\n  stage: nope\n  script: [true]\n',
    });
    const sandbox = await start([bad]);
    const [pipeline] = pipelinesOf(sandbox, 'demo/bad');
    expect(pipeline).toMatchObject({ status: 'failed', jobIds: [] });
    expect(pipeline?.configError).toContain('chosen stage nope does not exist');
  });

  it('still loads a sandbox saved before workshops (one project, no password)', async () => {
    const first = await start([]);
    const sample = first.pipeline?.projectId;
    await stop(first);
    const file = stateFileOf(stateDir);
    const saved = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    delete saved['sources'];
    delete saved['workshopPassword'];
    await writeFile(file, JSON.stringify(saved));
    const second = await start([]);
    expect(second.resumed).toBe(true);
    expect(second.pipeline?.projectId).toBe(sample);
    expect(second.emulator.workshopPassword).toMatch(/^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);
  });
});

describe('npm start flags for a workshop', () => {
  it('reads --project (repeatable), --password and --tls-cert with --tls-key', () => {
    const args = parseStartArgs(
      [
        '--project',
        'a',
        '--project',
        '/x/b',
        '--password',
        PASSWORD,
        '--tls-cert',
        'c.pem',
        '--tls-key',
        'k.pem',
      ],
      {},
    );
    expect(args.projects).toEqual([join(process.cwd(), 'a'), '/x/b']);
    expect(args.password).toBe(PASSWORD);
    expect(args.tlsFiles).toEqual({
      cert: join(process.cwd(), 'c.pem'),
      key: join(process.cwd(), 'k.pem'),
    });
    expect(parseStartArgs([], {})).toMatchObject({ projects: [] });
    expect(parseStartArgs([], {}).tlsFiles).toBeUndefined();
    expect(() => parseStartArgs(['--tls-cert', 'c.pem'], {})).toThrow(
      /--tls-cert and --tls-key go together/,
    );
    expect(() => parseStartArgs(['--password', 'short'], {})).toThrow(/--password must be/);
    expect(() => parseStartArgs(['--password', 'has:colon-in-it'], {})).toThrow(
      /--password must be/,
    );
  });

  it('reads the PEM files, naming the flag and file of a bad one', async () => {
    const cert = join(work, 'cert.pem');
    const key = join(work, 'key.pem');
    await writeFile(cert, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    await writeFile(key, '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n');
    expect((await readTlsFiles({ cert, key })).cert).toContain('BEGIN CERTIFICATE');
    await expect(readTlsFiles({ cert: key, key })).rejects.toThrow(
      `--tls-cert ${key} is not a PEM certificate`,
    );
    await expect(readTlsFiles({ cert, key: cert })).rejects.toThrow(
      `--tls-key ${cert} is not a PEM private key`,
    );
    const missing = join(work, 'missing.pem');
    await expect(readTlsFiles({ cert, key: missing })).rejects.toThrow(
      `--tls-key ${missing} cannot be read (ENOENT)`,
    );
  });

  it('names the room by the first --public-url, or the LAN address when bound to 0.0.0.0', () => {
    const lan = { eth0: [{ address: '192.168.1.20', family: 'IPv4', internal: false }] } as never;
    const none = { lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true }] } as never;
    const bound = (host: string, publicUrls: string[] = []) => ({ host, publicUrls });
    // The emulator's external URL: what a room reaches it by, with its port.
    expect(roomEmulatorUrl(bound('0.0.0.0'), 9100, lan)).toBe('http://192.168.1.20:9100');
    expect(roomEmulatorUrl(bound('::'), 9100, lan)).toBe('http://192.168.1.20:9100');
    expect(roomEmulatorUrl(bound('0.0.0.0', ['https://class.example:8443']), 9100, lan)).toBe(
      'http://class.example:9100',
    );
    expect(roomEmulatorUrl(bound('192.168.1.20'), 9100, none)).toBe('http://192.168.1.20:9100');
    expect(roomEmulatorUrl(bound('fd00::20'), 9100, none)).toBe('http://[fd00::20]:9100');
    // Bound to loopback, or to every interface with no name for this machine: its own URL stays.
    expect(roomEmulatorUrl(bound('127.0.0.1', ['https://class.example']), 9100, lan)).toBe(
      undefined,
    );
    expect(roomEmulatorUrl(bound('0.0.0.0'), 9100, none)).toBe(undefined);

    const base = {
      relayUrl: 'http://0.0.0.0:8787',
      emulatorUrl: 'http://192.168.1.20:9100',
      projectPaths: ['demo/app'],
      password: 'p@ss word',
    };
    expect(roomUrls({ ...base, ...bound('0.0.0.0') }, lan)).toEqual({
      page: 'http://192.168.1.20:8787/',
      ownPage: 'http://localhost:8787/',
      pipelines: 'http://192.168.1.20:9100/',
      remotes: [
        {
          project: 'demo/app',
          url: 'http://workshop:p%40ss%20word@192.168.1.20:9100/demo/app.git',
          command:
            'git remote add workshop http://workshop:p%40ss%20word@192.168.1.20:9100/demo/app.git',
        },
      ],
    });
    const named = roomUrls({ ...base, ...bound('0.0.0.0', ['https://class.example:8443']) }, lan);
    expect(named.page).toBe('https://class.example:8443/');
    expect(named.ownPage).toBe('http://localhost:8787/');
    expect(roomUrls({ ...base, ...bound('0.0.0.0') }, none).page).toBe('http://localhost:8787/');
    const loopback = { ...base, relayUrl: 'http://127.0.0.1:8787', ...bound('127.0.0.1') };
    expect(roomUrls(loopback, lan)).toMatchObject({
      page: 'http://127.0.0.1:8787/',
      ownPage: 'http://127.0.0.1:8787/',
    });
  });

  it('gives the instructor localhost over TLS only when the certificate names it', async () => {
    const lan = { eth0: [{ address: '192.168.1.20', family: 'IPv4', internal: false }] } as never;
    const input = {
      host: '0.0.0.0',
      publicUrls: [],
      relayUrl: 'https://0.0.0.0:8787',
      emulatorUrl: 'http://192.168.1.20:9100',
      projectPaths: [],
      password: PASSWORD,
    };
    const withLocalhost = await makeSelfSignedCert(['192.168.1.20', 'localhost']);
    const withoutLocalhost = await makeSelfSignedCert(['instructor.local', '192.168.1.20']);
    try {
      expect(roomUrls({ ...input, certificate: withLocalhost.cert }, lan).ownPage).toBe(
        'https://localhost:8787/',
      );
      expect(roomUrls({ ...input, certificate: withoutLocalhost.cert }, lan).ownPage).toBe(
        'https://192.168.1.20:8787/',
      );
    } finally {
      await Promise.all([withLocalhost.remove(), withoutLocalhost.remove()]);
    }
  });
});
