import { describe, expect, it } from 'vitest';
import type { FileTree, Session } from '../port.ts';
import { FakeApi } from './testing/fake-api.ts';
import type { FakeContainer, FakeJshOptions } from './testing/fake-webcontainer.ts';
import { ManualClock } from './testing/manual-clock.ts';
import {
  createWebContainerExecutor,
  type WebContainerExecutorOptions,
} from './webcontainer-executor.ts';

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const PROJECT = '/builds/group/project';
const TREE: FileTree = {
  files: [
    { path: 'package.json', data: bytes('{"name":"p"}') },
    { path: 'src/a.js', data: bytes('1') },
  ],
};
const INTERRUPT_MS = 10;
const KILL_MS = 20;

function setup(jsh: FakeJshOptions = {}, options: WebContainerExecutorOptions = {}) {
  const api = new FakeApi();
  api.setup = (c) => void (c.jsh = jsh);
  const clock = new ManualClock();
  const executor = createWebContainerExecutor({
    api: async () => api,
    clock,
    support: () => ({ ok: true }),
    interruptGraceMs: INTERRUPT_MS,
    killGraceMs: KILL_MS,
    ...options,
  });
  const container = () => api.booted[api.booted.length - 1] as FakeContainer;
  return { api, clock, executor, container };
}

async function run(session: Session, command: string, signal = new AbortController().signal) {
  let out = '';
  const { exitCode } = await session.run({ command }, (c) => (out += text(c)), signal);
  return { exitCode, out };
}

describe('WebContainer executor', () => {
  it('mounts the checkout in a fresh job directory and starts the shell there', async () => {
    const { executor, container } = setup();
    const workspace = await executor.prepare(TREE, { projectDir: PROJECT, env: {} });
    expect(container().mounts).toEqual([{ payload: 'tree', mountPoint: `jobs/1${PROJECT}` }]);
    expect(text(await workspace.readFile(`${PROJECT}/src/a.js`))).toBe('1');
    const session = await workspace.openSession();
    expect(container().spawns[0]).toMatchObject({
      command: 'jsh',
      args: ['--osc'],
      options: { cwd: `jobs/1${PROJECT}` },
    });
    expect(session.cwd()).toBe(PROJECT);
    expect(await run(session, 'pwd')).toEqual({
      exitCode: 0,
      out: `/home/tabrunner/jobs/1${PROJECT}\n`,
    });
  });

  it('passes job variables, pointing project paths at the real directory', async () => {
    const { executor, container } = setup();
    const env = {
      GREETING: 'hi',
      CI_PROJECT_DIR: PROJECT,
      REPORT: `${PROJECT}/out.xml`,
      OTHER: '/builds',
    };
    const session = await (
      await executor.prepare(TREE, { projectDir: PROJECT, env })
    ).openSession();
    expect(container().spawns[0]?.options?.env).toEqual({
      GREETING: 'hi',
      CI_PROJECT_DIR: `/home/tabrunner/jobs/1${PROJECT}`,
      REPORT: `/home/tabrunner/jobs/1${PROJECT}/out.xml`,
      OTHER: '/builds',
    });
    expect((await run(session, 'echo $GREETING')).out).toBe('hi\n');
  });

  it('keeps cd between lines and reports the new cwd as a sandbox path', async () => {
    const { executor } = setup();
    const session = await (
      await executor.prepare(TREE, { projectDir: PROJECT, env: {} })
    ).openSession();
    await run(session, 'cd src');
    expect(session.cwd()).toBe(`${PROJECT}/src`);
    expect((await run(session, 'pwd')).out).toBe(`/home/tabrunner/jobs/1${PROJECT}/src\n`);
  });

  it('returns each line exit code', async () => {
    const { executor } = setup();
    const session = await (
      await executor.prepare(TREE, { projectDir: PROJECT, env: {} })
    ).openSession();
    expect((await run(session, 'node -e "process.exit(2)"')).exitCode).toBe(2);
    expect((await run(session, 'true')).exitCode).toBe(0);
  });

  it('exports setEnv variables, quoted, before the next line', async () => {
    const { executor, container } = setup();
    const session = await (
      await executor.prepare(TREE, { projectDir: PROJECT, env: {} })
    ).openSession();
    session.setEnv({ CI_JOB_STATUS: "it's failed" });
    expect((await run(session, 'echo $CI_JOB_STATUS')).out).toBe("it's failed\n");
    expect(container().spawns[0]?.process.typed).toContain(
      `export CI_JOB_STATUS='it'\\''s failed'\n`,
    );
  });

  it('runs a multi-line entry from a script file instead of typing it', async () => {
    const { executor, container } = setup();
    const workspace = await executor.prepare(TREE, { projectDir: PROJECT, env: {} });
    const session = await workspace.openSession();
    await run(session, 'echo a\necho b');
    expect(text(await workspace.readFile('/.tabrunner/line-1.sh'))).toBe('echo a\necho b\n');
    expect(container().spawns[0]?.process.typed).toContain(
      `jsh '/home/tabrunner/jobs/1/.tabrunner/line-1.sh'\n`,
    );
  });

  it('writes, reads and lists files by sandbox path', async () => {
    const { executor } = setup();
    const workspace = await executor.prepare(TREE, { projectDir: PROJECT, env: {} });
    await workspace.writeFile(`${PROJECT}/dist/out/app.js`, bytes('x'));
    expect(text(await workspace.readFile(`${PROJECT}/dist/out/app.js`))).toBe('x');
    expect(await workspace.listFiles(PROJECT)).toEqual([
      `${PROJECT}/dist/out/app.js`,
      `${PROJECT}/package.json`,
      `${PROJECT}/src/a.js`,
    ]);
    expect(await workspace.listFiles('/nowhere')).toEqual([]);
    await expect(workspace.readFile(`${PROJECT}/missing`)).rejects.toMatchObject({
      code: 'ENOENT',
    });
  });

  it('runs one job at a time, boots once, and removes a job directory on dispose', async () => {
    const { executor, api, container } = setup();
    const first = await executor.prepare(TREE, { projectDir: PROJECT, env: {} });
    await expect(executor.prepare(TREE, { projectDir: PROJECT, env: {} })).rejects.toMatchObject({
      code: 'WebContainerBusy',
    });
    await first.dispose();
    await first.dispose();
    expect([...container().dirs].some((d) => d.startsWith('jobs/1'))).toBe(false);
    await executor.prepare(TREE, { projectDir: PROJECT, env: {} });
    expect(container().mounts[1]?.mountPoint).toBe(`jobs/2${PROJECT}`);
    expect(api.calls.filter((c) => c === 'boot')).toHaveLength(1);
  });

  it('mounts a checkout above the threshold as a binary snapshot', async () => {
    const { executor, container } = setup({}, { snapshotThresholdBytes: 10 });
    await executor.prepare(TREE, { projectDir: PROJECT, env: {} });
    expect(container().mounts[0]?.payload).toBe('snapshot');
  });

  it('tears down and reboots when a cancelled line ignores Ctrl-C and kill', async () => {
    const jsh: FakeJshOptions = {
      handle: (line) =>
        line === 'node spin.js' ? { kind: 'hang', ctrlC: 'ignored', kill: 'ignored' } : undefined,
    };
    const { executor, api, clock } = setup(jsh);
    const workspace = await executor.prepare(TREE, { projectDir: PROJECT, env: {} });
    const session = await workspace.openSession();
    const first = api.booted[0] as FakeContainer;
    const controller = new AbortController();
    const pending = run(session, 'node spin.js', controller.signal);
    await first.spawns[0]?.process.waitForInput('node spin.js\n');
    controller.abort();
    await clock.elapse(INTERRUPT_MS);
    await clock.elapse(KILL_MS);
    await expect(pending).rejects.toMatchObject({ code: 'AbortError', data: { stage: 'stuck' } });
    expect(first.tornDown).toBe(true);
    await expect(workspace.readFile(`${PROJECT}/package.json`)).rejects.toMatchObject({
      code: 'WebContainerWorkspaceGone',
    });
    await workspace.dispose();
    const next = await (
      await executor.prepare(TREE, { projectDir: PROJECT, env: {} })
    ).openSession();
    expect(api.calls.filter((c) => c === 'boot')).toHaveLength(2);
    expect((await run(next, 'echo alive')).out).toBe('alive\n');
  });

  it('tells why it cannot boot on an unsupported page', async () => {
    const { executor, api } = setup(
      {},
      { support: () => ({ ok: false, reason: 'Not cross-origin isolated.' }) },
    );
    await expect(executor.prepare(TREE, { projectDir: PROJECT, env: {} })).rejects.toMatchObject({
      code: 'WebContainerUnsupported',
      message: 'Not cross-origin isolated.',
    });
    expect(api.calls).toEqual([]);
  });

  it('reports the container Node version for image checks', async () => {
    const { executor } = setup();
    expect(await executor.nodeVersion()).toBe('v20.19.1');
  });

  it('tears the container down on dispose', async () => {
    const { executor, container } = setup();
    await executor.prepare(TREE, { projectDir: PROJECT, env: {} });
    await executor.dispose();
    expect(container().tornDown).toBe(true);
  });
});
