/**
 * The WebContainer executor against the test double, one behaviour of the runtime at a time.
 * The double's programs are scripted here from what the documentation and StackBlitz's own
 * clients show (output as strings on a pty, `exit` as the only end, a stream that may stay open
 * or write after the exit, `kill()` that a busy loop ignores); the contract cases replaying
 * whole transcripts live in test/contract.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { systemClock, type Clock } from '../../platform/clock.ts';
import type { Stage, Workspace } from '../port.ts';
import type { SpawnOptions } from './container.ts';
import {
  FakeApi,
  FakeContainer,
  type Programs,
  type SpawnRequest,
} from './testing/fake-container.ts';
import { FakeProcess } from './testing/fake-process.ts';
import {
  createWebContainerExecutor,
  type WebContainerExecutor,
  type WebContainerExecutorOptions,
} from './webcontainer-executor.ts';

const supported = () => ({ ok: true }) as const;
const osc = (payload: string) => `\x1b]654;${payload}\x07`;

/** How a scripted program behaves; `request` is its spawn. */
type Script = (process: FakeProcess, request: SpawnRequest) => void;

/** Programs by name; `node -p <probe>` answers like WebContainer's Node unless scripted. */
function programs(scripts: Record<string, Script>): Programs {
  return (request) => {
    const process = new FakeProcess();
    const isProbe =
      request.command === 'node' &&
      request.args[0] === '-p' &&
      request.args[1]?.includes('homedir');
    const script = isProbe
      ? (p: FakeProcess) => {
          p.print('["v20.19.1","/home/tabrunner"]\r\n');
          p.end(0);
        }
      : scripts[request.command];
    if (!script) throw new Error(`spawn ${request.command} ENOENT`);
    queueMicrotask(() => script(process, request));
    return process;
  };
}

/** An `npm` whose spawn takes 100 ms, and never ends on its own. */
function slowNpm(): { api: FakeApi; started: () => FakeProcess | undefined } {
  let process: FakeProcess | undefined;
  const api = new FakeApi(async (request) => {
    if (request.command !== 'npm') return programs({})(request);
    await new Promise((r) => setTimeout(r, 100));
    process = new FakeProcess();
    return process;
  });
  return { api, started: () => process };
}

const FAST: WebContainerExecutorOptions = {
  support: supported,
  drainGraceMs: 30,
  killGraceMs: 100,
  spawnTimeoutMs: 200,
  bootTimeoutMs: 300,
};

let executor: WebContainerExecutor | undefined;
afterEach(async () => {
  await executor?.dispose();
  executor = undefined;
});

function start(api: FakeApi, options: WebContainerExecutorOptions = {}): WebContainerExecutor {
  executor = createWebContainerExecutor({ ...FAST, api: async () => api, ...options });
  return executor;
}

async function job(exec: WebContainerExecutor): Promise<Workspace> {
  const info = await exec.describe();
  return exec.prepare(
    { files: [{ path: 'package.json', data: new TextEncoder().encode('{}') }] },
    { projectDir: `${info.buildsDir}/group/project`, env: { GREETING: 'hi' } },
  );
}

async function stage(
  workspace: Workspace,
  lines: string[],
  signal = new AbortController().signal,
): Promise<{ exitCode: number; text: string; chunks: string[] }> {
  const chunks: string[] = [];
  const decoder = new TextDecoder();
  const run: Stage = { lines };
  const { exitCode } = await workspace.runStage(
    run,
    { onLine: () => undefined, onOutput: (c) => chunks.push(decoder.decode(c, { stream: true })) },
    signal,
  );
  return { exitCode, text: chunks.join(''), chunks };
}

describe('WebContainer executor: the container', () => {
  it('boots once, asks Node its version and home, and keeps builds below the workdir', async () => {
    const api = new FakeApi(programs({}));
    const exec = start(api);
    expect(await exec.describe()).toEqual({
      buildsDir: '/home/tabrunner/builds',
      shell: 'bash',
      nodeVersion: 'v20.19.1',
    });
    await exec.describe();
    expect(api.calls).toEqual(['boot']);
    expect(api.bootOptions[0]).toMatchObject({ coep: 'require-corp', workdirName: 'tabrunner' });
    expect(exec.booted).toBe(true);
  });

  it('mounts the checkout at the project directory and gives programs CI, npm_config_yes, HOME and PATH', async () => {
    let seen: SpawnOptions | undefined;
    const api = new FakeApi(
      programs({
        npm: (p, request) => {
          seen = request.options;
          p.end(0);
        },
      }),
    );
    const workspace = await job(start(api));
    const container = api.booted[0] as FakeContainer;
    expect(container.mounts).toEqual([{ kind: 'tree', mountPoint: 'builds/group/project' }]);
    expect(
      new TextDecoder().decode(await container.fs.readFile('builds/group/project/package.json')),
    ).toBe('{}');
    await stage(workspace, ['npm ci']);
    expect(seen).toMatchObject({
      cwd: 'builds/group/project',
      terminal: { cols: 200, rows: 50 },
      env: {
        CI: 'true',
        npm_config_yes: 'true',
        HOME: '/home/tabrunner',
        PATH: '/bin:/usr/bin:/usr/local/bin',
        GREETING: 'hi',
      },
    });
  });

  it('starts a fresh container when the next job is for another project', async () => {
    const api = new FakeApi(programs({}));
    const exec = start(api);
    const prepare = async (project: string) =>
      (
        await exec.prepare(
          { files: [] },
          { projectDir: `/home/tabrunner/builds/${project}`, env: {} },
        )
      ).dispose();
    await exec.describe();
    await prepare('group/a');
    await prepare('group/a');
    expect(api.booted).toHaveLength(1);
    await prepare('group/b');
    expect(api.booted).toHaveLength(2);
    expect((api.booted[0] as FakeContainer).tornDown).toBe(true);
  });

  it('keeps the executable bit of the checkout’s files, and chmod +x works', async () => {
    const api = new FakeApi(programs({}));
    const exec = start(api);
    const info = await exec.describe();
    const bytes = (text: string) => new TextEncoder().encode(text);
    const workspace = await exec.prepare(
      {
        files: [
          { path: 'run.sh', data: bytes('#!/bin/sh\necho "ran $1"\n'), mode: 0o100755 },
          { path: 'plain.sh', data: bytes('echo plain\n') },
        ],
      },
      { projectDir: `${info.buildsDir}/group/project`, env: {} },
    );
    expect(
      await stage(workspace, ['./run.sh one', 'chmod +x plain.sh', './plain.sh']),
    ).toMatchObject({
      exitCode: 0,
      text: 'ran one\nplain\n',
    });
  });

  it('removes what is at a path before writing it, so a symlink there is replaced, not followed', async () => {
    // The double holds no symlinks; what it shows is the order of the calls the port relies on.
    const api = new FakeApi(programs({}));
    const exec = start(api);
    const info = await exec.describe();
    const workspace = await exec.prepare(
      { files: [] },
      { projectDir: `${info.buildsDir}/group/project`, env: {} },
    );
    const fs = (api.booted[0] as FakeContainer).fs;
    const calls: string[] = [];
    const rm = fs.rm.bind(fs);
    const writeFile = fs.writeFile.bind(fs);
    fs.rm = async (path, options) => (calls.push(`rm ${path}`), rm(path, options));
    fs.writeFile = async (path, data) => (calls.push(`write ${path}`), writeFile(path, data));
    await workspace.writeFile(`${info.buildsDir}/group/project/out-link`, new Uint8Array([1]));
    expect(calls.map((call) => call.replace(/ .*\//, ' '))).toEqual([
      'rm out-link',
      'write out-link',
    ]);
    expect(await workspace.readFile(`${info.buildsDir}/group/project/out-link`)).toEqual(
      new Uint8Array([1]),
    );
  });

  it('writes a batch as one binary-snapshot mount, removing a link in the way first', async () => {
    const api = new FakeApi(programs({}));
    const exec = start(api);
    const info = await exec.describe();
    const project = `${info.buildsDir}/group/project`;
    const workspace = await exec.prepare({ files: [] }, { projectDir: project, env: {} });
    const container = api.booted[0] as FakeContainer;
    const { fs } = container;
    await fs.mkdir('builds/group/project/cache', { recursive: true });
    // The double holds no links; the API lists one as neither file nor directory.
    const readdir = fs.readdir.bind(fs);
    fs.readdir = async (path, options) => {
      const entries = await readdir(path, options);
      if (!path.endsWith('project/cache')) return entries;
      return [...entries, { name: 'link', isFile: () => false, isDirectory: () => false }];
    };
    const calls: string[] = [];
    const rm = fs.rm.bind(fs);
    const writeFile = fs.writeFile.bind(fs);
    fs.rm = async (path, options) => (calls.push(`rm ${path}`), rm(path, options));
    fs.writeFile = async (path, data) => (calls.push(`write ${path}`), writeFile(path, data));
    const mount = container.mount.bind(container);
    container.mount = async (payload, options) => (calls.push('mount'), mount(payload, options));
    const bytes = (text: string) => new TextEncoder().encode(text);
    await workspace.writeFiles(`${project}/cache`, [
      { path: 'link', data: bytes('now a file\n') },
      { path: 'bin/tool.sh', data: bytes('echo tool\n'), mode: 0o100755 },
    ]);
    // The double's mount writes file by file; before it, only the link went.
    expect(calls.slice(0, calls.indexOf('mount') + 1)).toEqual([
      'rm builds/group/project/cache/link',
      'mount',
    ]);
    expect(container.mounts.at(-1)).toEqual({
      kind: 'snapshot',
      mountPoint: 'builds/group/project/cache',
    });
    expect(await stage(workspace, ['cat cache/link', './cache/bin/tool.sh'])).toMatchObject({
      exitCode: 0,
      text: 'now a file\ntool\n',
    });
  });

  it('refuses a second job while one is prepared', async () => {
    const exec = start(new FakeApi(programs({})));
    await job(exec);
    await expect(job(exec)).rejects.toMatchObject({ code: 'WebContainerBusy' });
  });

  it('says when the page cannot boot a WebContainer, and why', async () => {
    const exec = start(new FakeApi(), {
      support: () => ({ ok: false, reason: 'This page is not cross-origin isolated.' }),
    });
    await expect(exec.describe()).rejects.toMatchObject({
      code: 'WebContainerUnsupported',
      message: 'This page is not cross-origin isolated.',
    });
  });

  it('gives up on a boot that never answers, with advice, and tries again for the next job', async () => {
    const api = new FakeApi(programs({}));
    api.nextBoot = () => new Promise(() => undefined);
    const exec = start(api);
    await expect(exec.describe()).rejects.toMatchObject({
      code: 'WebContainerBootTimeout',
      message: expect.stringMatching(/stackblitz\.com/),
    });
    api.nextBoot = async () => new FakeContainer({ programs: programs({}) });
    expect((await exec.describe()).buildsDir).toBe('/home/tabrunner/builds');
  });
});

describe('WebContainer executor: a program’s output and exit', () => {
  it('streams a program’s output while it runs, with LF line ends', async () => {
    let finish!: () => void;
    const api = new FakeApi(
      programs({
        npm: (p) => {
          p.print('added 1 package\r\n');
          finish = () => {
            p.print('done\r\n');
            p.end(0);
            p.close();
          };
        },
      }),
    );
    const workspace = await job(start(api));
    const chunks: string[] = [];
    const running = workspace.runStage(
      { lines: ['npm ci'] },
      { onLine: () => undefined, onOutput: (c) => chunks.push(new TextDecoder().decode(c)) },
      new AbortController().signal,
    );
    await vi.waitFor(() => expect(chunks).toEqual(['added 1 package\n']));
    finish();
    expect(await running).toEqual({ exitCode: 0 });
    expect(chunks.join('')).toBe('added 1 package\ndone\n');
  });

  it('keeps output that arrives after the exit, within the grace', async () => {
    const api = new FakeApi(
      programs({
        node: (p) => {
          p.print('before\r\n');
          p.end(0);
          setTimeout(() => p.print('after the exit\r\n'), 5);
        },
      }),
    );
    const outcome = await stage(await job(start(api)), ['node build.js']);
    expect(outcome).toMatchObject({ exitCode: 0, text: 'before\nafter the exit\n' });
  });

  it('ends the stage when the exit came and the output never closes', async () => {
    const api = new FakeApi(programs({ node: (p) => (p.print('x\r\n'), p.end(0)) }));
    const outcome = await stage(await job(start(api)), ['node a.js', 'echo next']);
    expect(outcome).toMatchObject({ exitCode: 0, text: 'x\nnext\n' });
  });

  it('waits for nothing a program may never print: no output, no prompt', async () => {
    const api = new FakeApi(programs({ node: (p) => p.end(0) }));
    expect(await stage(await job(start(api)), ['node quiet.js'])).toMatchObject({
      exitCode: 0,
      text: '',
    });
  });

  it('passes a shell’s prompt and exit markers through as output: nothing waits for a prompt', async () => {
    const api = new FakeApi(
      programs({
        npm: (p) => {
          p.print(`${osc('exit=1:0')}${osc('prompt')}failing\r\n`);
          setTimeout(() => p.end(2), 5);
        },
      }),
    );
    const outcome = await stage(await job(start(api)), ['npm test', 'echo not reached']);
    expect(outcome.exitCode).toBe(2);
    expect(outcome.text).toBe(`${osc('exit=1:0')}${osc('prompt')}failing\n`);
  });

  it('keeps a character whose UTF-16 halves arrive in two chunks', async () => {
    const rocket = '🚀';
    const api = new FakeApi(
      programs({
        node: (p) => {
          p.print(`go ${rocket[0]}`);
          p.print(`${rocket[1]}\r\n`);
          p.end(0);
        },
      }),
    );
    expect((await stage(await job(start(api)), ['node rocket.js'])).text).toBe('go 🚀\n');
  });

  it('ends the stage at `exit N` after a program, as bash ends at exit', async () => {
    const api = new FakeApi(programs({ node: (p) => p.end(0) }));
    expect(await stage(await job(start(api)), ['node a.js', 'exit 3', 'echo no'])).toMatchObject({
      exitCode: 3,
      text: '',
    });
  });

  it('fails the entry with advice when a program cannot be started', async () => {
    const api = new FakeApi(programs({}));
    const outcome = await stage(await job(start(api)), ['pnpm install']);
    expect(outcome.exitCode).toBe(126);
    expect(outcome.text).toMatch(/pnpm could not start in the WebContainer: spawn pnpm ENOENT/);
  });

  it('gives up on a spawn that never answers', async () => {
    const api = new FakeApi((request) =>
      request.command === 'npm' ? new Promise<never>(() => undefined) : programs({})(request),
    );
    const outcome = await stage(await job(start(api)), ['npm ci']);
    expect(outcome.exitCode).toBe(126);
    expect(outcome.text).toMatch(/did not start it within/);
  });

  it('fails an entry whose program lost its container (a rejected exit)', async () => {
    const api = new FakeApi(programs({ node: (p) => p.abort('Process aborted') }));
    const outcome = await stage(await job(start(api)), ['node a.js']);
    expect(outcome.exitCode).toBe(1);
    expect(outcome.text).toMatch(/ended with the WebContainer: Process aborted/);
  });

  it('returns a captured program’s output to the shell, not to the log', async () => {
    const api = new FakeApi(programs({ node: (p) => (p.print('42\r\n'), p.end(0)) }));
    const outcome = await stage(await job(start(api)), ['V=$(node -p 42)', 'echo "[$V]"']);
    expect(outcome.text).toBe('[42]\n');
  });

  it('runs programs only below the workdir', async () => {
    const api = new FakeApi(programs({ node: (p) => p.end(0) }));
    const outcome = await stage(await job(start(api)), ['cd /tmp', 'node a.js']);
    expect(outcome.exitCode).toBe(126);
    expect(outcome.text).toMatch(/cannot see \/tmp/);
  });
});

describe('WebContainer executor: stopping', () => {
  it('counts a cancel that comes while a program is still starting', async () => {
    const { api, started } = slowNpm();
    const workspace = await job(start(api));
    const controller = new AbortController();
    const running = stage(workspace, ['npm run dev'], controller.signal);
    setTimeout(() => controller.abort(), 20);
    await expect(running).rejects.toMatchObject({ code: 'AbortError' });
    await vi.waitFor(() => expect(started()?.kills).toBe(1));
  });

  it('keeps what a cancelled program prints on its way out', async () => {
    const api = new FakeApi(
      programs({
        npm: (p) => {
          p.onKill = () => {
            p.print('3 tests passed before the cancel\r\n');
            setTimeout(() => p.end(143), 5);
          };
        },
      }),
    );
    const workspace = await job(start(api));
    const chunks: string[] = [];
    const controller = new AbortController();
    const running = workspace.runStage(
      { lines: ['npm test'] },
      { onLine: () => undefined, onOutput: (c) => chunks.push(new TextDecoder().decode(c)) },
      controller.signal,
    );
    setTimeout(() => controller.abort(), 30);
    await expect(running).rejects.toMatchObject({ code: 'AbortError' });
    expect(chunks.join('')).toBe('3 tests passed before the cancel\n');
  });

  it('refuses a second stage while one runs, without disturbing the first', async () => {
    let release!: () => void;
    const api = new FakeApi(
      programs({
        node: (p, request) => {
          if (request.args[0] === 'wait.js') release = () => p.end(0);
          else p.end(0);
        },
      }),
    );
    const workspace = await job(start(api));
    const first = stage(workspace, ['node wait.js', 'node next.js', 'echo first done']);
    await vi.waitFor(() => expect(release).toBeDefined());
    // The stage shell both adapters share refuses it, with the shell executor's code.
    await expect(stage(workspace, ['echo second'])).rejects.toMatchObject({ code: 'ShellBusy' });
    release();
    expect(await first).toMatchObject({ exitCode: 0, text: 'first done\n' });
  });

  it('sleeps on the executor’s clock, so a hidden tab can pass its worker clock', async () => {
    const slept: number[] = [];
    const clock = {
      now: () => 0,
      sleep: (ms: number, signal?: AbortSignal) => {
        slept.push(ms);
        // Real but short waits, on the timers the system clock uses too (see platform/clock.ts).
        return systemClock.sleep(Math.min(ms, 5), signal);
      },
    };
    const workspace = await job(start(new FakeApi(programs({})), { clock }));
    expect(await stage(workspace, ['sleep 2', 'echo woke'])).toMatchObject({ text: 'woke\n' });
    expect(slept).toContain(2000);
  });

  it('kills a cancelled program and stays usable', async () => {
    const api = new FakeApi(programs({ node: () => undefined }));
    const workspace = await job(start(api));
    const controller = new AbortController();
    const running = stage(workspace, ['node server.js'], controller.signal);
    await vi.waitFor(() => expect((api.booted[0] as FakeContainer).spawns.length).toBe(2));
    controller.abort();
    await expect(running).rejects.toMatchObject({ code: 'AbortError' });
    const server = (api.booted[0] as FakeContainer).spawns[1]?.process;
    expect(server?.kills).toBe(1);
    expect(await stage(workspace, ['echo after'])).toMatchObject({ text: 'after\n' });
  });

  it('replaces the container when a program ignores kill, and the next job runs in the new one', async () => {
    const api = new FakeApi(
      programs({
        node: (p, request) => {
          if (request.args[0] === '-e')
            p.onKill = () => undefined; // a busy loop (#1121)
          else p.end(0);
        },
      }),
    );
    const exec = start(api);
    const workspace = await job(exec);
    const controller = new AbortController();
    const running = stage(workspace, ['node -e "for(;;){}"'], controller.signal);
    await vi.waitFor(() => expect((api.booted[0] as FakeContainer).spawns.length).toBe(2));
    controller.abort();
    await expect(running).rejects.toMatchObject({ code: 'AbortError', data: { stage: 'stuck' } });
    expect((api.booted[0] as FakeContainer).tornDown).toBe(true);
    expect(workspace.lost).toMatch(/`node` ignored kill\(\), so the WebContainer was replaced/);
    await expect(
      workspace.readFile('/home/tabrunner/builds/group/project/package.json'),
    ).rejects.toMatchObject({
      code: 'WebContainerWorkspaceGone',
    });
    await workspace.dispose();
    const next = await job(exec);
    expect(api.booted).toHaveLength(2);
    expect(await stage(next, ['node ok.js'])).toMatchObject({ exitCode: 0 });
  });

  it('removes a job’s files when it ends, and kills what it left running', async () => {
    let server: FakeProcess | undefined;
    const api = new FakeApi(programs({ npm: (p) => (server = p) }));
    const exec = start(api);
    const workspace = await job(exec);
    await stage(workspace, ['echo made > made.txt', 'npm run serve &']);
    const container = api.booted[0] as FakeContainer;
    expect(
      (await container.fs.readdir('builds/group/project', { withFileTypes: true })).map(
        (e) => e.name,
      ),
    ).toContain('made.txt');
    await workspace.dispose();
    expect(server?.kills).toBe(1);
    expect(await container.fs.readdir('.', { withFileTypes: true })).toEqual([]);
    expect(container.tornDown).toBe(false);
  });

  it('replaces the container when what a job left running ignores kill', async () => {
    const api = new FakeApi(programs({ npm: (p) => (p.onKill = () => undefined) }));
    const exec = start(api);
    const workspace = await job(exec);
    await stage(workspace, ['npm run serve &']);
    await workspace.dispose();
    expect((api.booted[0] as FakeContainer).tornDown).toBe(true);
    expect(api.booted).toHaveLength(2);
  });

  it('kills a background program whose start lands after the job ended', async () => {
    const { api, started } = slowNpm();
    const workspace = await job(start(api));
    await stage(workspace, ['npm run serve &']);
    await workspace.dispose();
    expect(started()?.kills).toBeGreaterThanOrEqual(1);
  });

  it('sends the output of `cmd > file 2>&1 &` to the file, and of `> /dev/null &` nowhere', async () => {
    const api = new FakeApi(
      programs({
        npm: (p) => p.print('listening\r\n'),
      }),
    );
    const workspace = await job(start(api));
    const outcome = await stage(workspace, [
      'npm run serve > server.log 2>&1 &',
      'npm run other > /dev/null 2>&1 &',
      'sleep 0.7',
      'cat server.log',
    ]);
    expect(outcome).toMatchObject({ exitCode: 0, text: 'listening\n' });
  });

  it('refuses `cmd … &` with redirections it cannot honour, instead of waiting for it', async () => {
    const api = new FakeApi(programs({ npm: () => undefined }));
    const outcome = await stage(await job(start(api)), ['npm run serve 2> err.log &', 'echo no']);
    expect(outcome.exitCode).toBe(2);
    expect(outcome.text).toMatch(/can send its output to the log, to a file/);
  });

  it('starts `cmd &` and goes on, and kills it when the job ends', async () => {
    let server: FakeProcess | undefined;
    const api = new FakeApi(
      programs({
        npm: (p) => {
          server = p;
          p.print('listening\r\n');
        },
      }),
    );
    const workspace = await job(start(api));
    const outcome = await stage(workspace, ['npm run serve &', 'echo next']);
    expect(outcome.exitCode).toBe(0);
    expect(outcome.text).toContain('next\n');
    expect(server?.kills).toBe(0);
    await workspace.dispose();
    expect(server?.kills).toBe(1);
  });

  it('asks for a reload when a fresh container does not come after a teardown', async () => {
    const broken: string[] = [];
    const api = new FakeApi(
      programs({ node: (p, r) => (r.args[0] === '-e' ? (p.onKill = () => undefined) : p.end(0)) }),
    );
    const exec = start(api, { onBroken: (m) => broken.push(m) });
    const workspace = await job(exec);
    api.nextBoot = () => new Promise(() => undefined); // the teardown never finishes
    const controller = new AbortController();
    const running = stage(workspace, ['node -e "for(;;){}"'], controller.signal);
    await vi.waitFor(() => expect((api.booted[0] as FakeContainer).spawns.length).toBe(2));
    controller.abort();
    await expect(running).rejects.toMatchObject({ code: 'AbortError' });
    expect(broken).toHaveLength(1);
    expect(broken[0]).toMatch(/Reload the tab/);
    await expect(job(exec)).rejects.toMatchObject({ code: 'WebContainerNeedsReload' });
  });
});

describe('WebContainer executor: the workspace’s bounds', () => {
  /** Far longer than a test may take: only the executor's clock, which cuts it short, ends it. */
  const SLOW_SPAWN_MS = 60_000;
  const shortSpawnClock: Clock = {
    now: () => 0,
    sleep: (ms, signal) => systemClock.sleep(ms === SLOW_SPAWN_MS ? 5 : ms, signal),
  };
  const project = '/home/tabrunner/builds/group/project';

  it.each<[string, (workspace: Workspace) => Promise<unknown>]>([
    ['readFile', (w) => w.readFile(`${project}/package.json`)],
    ['writeFile', (w) => w.writeFile(`${project}/out.txt`, new Uint8Array([1]))],
    ['listFiles', (w) => w.listFiles(project)],
    // A timeout is no missing file, even where the path spells a file error's code.
    ['readFile of ENOENT.txt', (w) => w.readFile(`${project}/ENOENT.txt`)],
    ['listFiles of ENOTDIR/', (w) => w.listFiles(`${project}/ENOTDIR`)],
  ])(
    'gives up on %s when the file API never answers, on the executor’s clock, and replaces the container',
    async (_name, call) => {
      const api = new FakeApi(programs({ node: (p) => p.end(0) }));
      const exec = start(api, { clock: shortSpawnClock, spawnTimeoutMs: SLOW_SPAWN_MS });
      const workspace = await job(exec);
      const container = api.booted[0] as FakeContainer;
      // Every call of the workspace looks at a listing first; this one is taken and never answered.
      container.fs.readdir = () => new Promise(() => undefined);
      await expect(call(workspace)).rejects.toMatchObject({
        code: 'WebContainerFileTimeout',
        message: expect.stringMatching(/did not answer within 60 s/),
      });
      expect(container.tornDown).toBe(true);
      expect(api.booted).toHaveLength(2);
      expect(workspace.lost).toMatch(
        /file API stopped answering, so the WebContainer was replaced/,
      );
      await expect(workspace.readFile(`${project}/package.json`)).rejects.toMatchObject({
        code: 'WebContainerWorkspaceGone',
      });
      await expect(stage(workspace, ['echo hi'])).rejects.toMatchObject({
        code: 'WebContainerWorkspaceGone',
      });
      await workspace.dispose();
      const next = await job(exec);
      expect(await stage(next, ['node ok.js'])).toMatchObject({ exitCode: 0 });
      expect((api.booted[1] as FakeContainer).spawns.map((s) => s.command)).toEqual([
        'node',
        'node',
      ]);
    },
  );

  it('refuses a project directory outside <workdir>/builds/ before touching the container', async () => {
    const api = new FakeApi(programs({}));
    const exec = start(api);
    // The container last ran another project's job: a replacement would come before the mount.
    await (await job(exec)).dispose();
    const container = api.booted[0] as FakeContainer;
    await container.fs.mkdir('builds', { recursive: true });
    await container.fs.writeFile('builds/left', 'x');
    for (const projectDir of [
      '/home/tabrunner/elsewhere',
      '/home/tabrunner/builds',
      '/home/tabrunner/builds/../group/project',
      '/home/tabrunnerx/builds/group/project',
      '/tmp/builds/group/project',
    ])
      await expect(exec.prepare({ files: [] }, { projectDir, env: {} })).rejects.toMatchObject({
        code: 'WebContainerOutsideBuildsDir',
        message: expect.stringContaining('/home/tabrunner/builds'),
      });
    expect(api.booted).toHaveLength(1);
    expect(container.tornDown).toBe(false);
    expect(container.mounts).toHaveLength(1);
    expect(new TextDecoder().decode(await container.fs.readFile('builds/left'))).toBe('x');
    // Not left busy either.
    await job(exec);
    expect(api.booted).toHaveLength(1);
  });

  it('cancels the running stage and kills its program when the workspace is disposed', async () => {
    const api = new FakeApi(programs({ node: () => undefined }));
    const workspace = await job(start(api));
    const container = api.booted[0] as FakeContainer;
    const running = stage(workspace, ['node server.js', 'echo not reached']);
    await vi.waitFor(() => expect(container.spawns).toHaveLength(2));
    const disposed = workspace.dispose();
    await expect(running).rejects.toMatchObject({ code: 'AbortError' });
    await disposed;
    expect(container.spawns[1]?.process.kills).toBe(1);
    expect(container.tornDown).toBe(false);
    expect(await container.fs.readdir('.', { withFileTypes: true })).toEqual([]);
  });
});

describe('WebContainer executor: a background program’s output file', () => {
  /** The container's file calls, in order, as `write <path>` and `rm <path>`. */
  function logFileCalls(
    container: FakeContainer,
    hold: (path: string) => Promise<void> = async () => undefined,
  ): string[] {
    const log: string[] = [];
    const { fs } = container;
    const write = fs.writeFile.bind(fs);
    const rm = fs.rm.bind(fs);
    fs.writeFile = async (path, data) => {
      await hold(path);
      log.push(`write ${path}`);
      return write(path, data);
    };
    fs.rm = async (path, options) => (log.push(`rm ${path}`), rm(path, options));
    return log;
  }

  it('`cmd > file &` empties the file first, `cmd >> file &` appends to it', async () => {
    const api = new FakeApi(programs({ npm: (p) => p.print('listening\r\n') }));
    const outcome = await stage(await job(start(api)), [
      'echo old > out.log',
      'echo kept > app.log',
      'npm run serve > out.log &',
      'npm run other >> app.log &',
      'sleep 0.7',
      'cat out.log',
      'echo ---',
      'cat app.log',
    ]);
    expect(outcome).toMatchObject({ exitCode: 0, text: 'listening\n---\nkept\nlistening\n' });
  });

  it('lets a write in flight land before the job’s files are removed, and writes nothing after', async () => {
    let server!: FakeProcess;
    const api = new FakeApi(programs({ npm: (p) => ((server = p), p.print('listening\r\n')) }));
    const workspace = await job(start(api));
    const container = api.booted[0] as FakeContainer;
    let writes = 0;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    // The first write empties the file; the second, the first flush, waits for the test.
    const log = logFileCalls(container, async (path) => {
      if (path.endsWith('out.log') && ++writes === 2) await released;
    });
    await stage(workspace, ['npm run serve > out.log &']);
    await vi.waitFor(() => expect(writes).toBe(2), { timeout: 2_000 });
    server.print('late\r\n');
    log.push('dispose');
    const disposed = workspace.dispose();
    await vi.waitFor(() => expect(server.kills).toBe(1), { interval: 1 });
    release();
    await disposed;
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(log.slice(log.indexOf('dispose'))).toEqual([
      'dispose',
      'write builds/group/project/out.log',
      'rm builds',
    ]);
    expect(container.tornDown).toBe(false);
  });

  it('writes nothing more to the file once the job ends', async () => {
    let server!: FakeProcess;
    const api = new FakeApi(programs({ npm: (p) => ((server = p), p.print('listening\r\n')) }));
    const workspace = await job(start(api));
    const container = api.booted[0] as FakeContainer;
    const log = logFileCalls(container);
    await stage(workspace, ['npm run serve > out.log &']);
    await vi.waitFor(() => expect(log).toEqual(['write builds/group/project/out.log']));
    server.print('late\r\n');
    log.push('dispose');
    await workspace.dispose();
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(log.slice(log.indexOf('dispose'))).toEqual(['dispose', 'rm builds']);
  });
});

describe('WebContainer executor: the boot probe', () => {
  /** `node -p <probe>` does what `probe` says; the container's workdir is not the probe's home. */
  function probing(probe: Script): FakeApi {
    const rest = programs({ npm: (p) => p.end(0) });
    const api = new FakeApi((request) => {
      if (request.command !== 'node' || request.args[0] !== '-p') return rest(request);
      const process = new FakeProcess();
      queueMicrotask(() => probe(process, request));
      return process;
    });
    api.nextBoot = async () =>
      new FakeContainer({ workdir: '/home/runner', programs: api.programs });
    return api;
  }

  it.each<[string, Script, RegExp]>([
    [
      'exits non-zero, whatever it printed',
      (p) => (p.print('["v20.19.1","/home/tabrunner"]\r\n'), p.end(1)),
      /\(exit code 1, output "\[\\"v20\.19\.1\\",\\"\/home\/tabrunner\\"\]"\)/,
    ],
    [
      'prints no answer',
      (p) => (p.print('Welcome to Node.js\r\n'), p.end(0)),
      /\(exit code 0, output "Welcome to Node\.js"\)/,
    ],
  ])('tells the page when the probe %s, and jobs get HOME=<workdir>', async (_name, probe, why) => {
    const errors: string[] = [];
    const api = probing(probe);
    const exec = start(api, { onError: (message) => errors.push(message) });
    expect(await exec.describe()).toEqual({ buildsDir: '/home/runner/builds', shell: 'bash' });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/Node did not say its version and home directory at boot/);
    expect(errors[0]).toMatch(why);
    expect(errors[0]).toMatch(/jobs get HOME=\/home\/runner, and a job’s `image:` is not compared/);
    await stage(await job(exec), ['npm ci']);
    const npm = (api.booted[0] as FakeContainer).spawns.find((s) => s.command === 'npm');
    expect(npm?.options?.env).toMatchObject({ HOME: '/home/runner' });
  });

  it('keeps the version when only the home directory is no absolute path', async () => {
    const errors: string[] = [];
    const api = probing((p) => (p.print('["v20.19.1","~"]\r\n'), p.end(0)));
    const exec = start(api, { onError: (message) => errors.push(message) });
    expect(await exec.describe()).toMatchObject({ nodeVersion: 'v20.19.1' });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/: jobs get HOME=\/home\/runner\.$/);
  });
});
