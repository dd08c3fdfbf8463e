import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { roomAddress } from '../scripts/room-urls.ts';
import { runCommand } from '../src/cli/run-command.ts';
import { git } from '../test/support/git-cli.ts';
import { parseCliArgs, startDemo, type Demo } from './cli.ts';
import { createPipeline } from './pipelines/index.ts';

describe('emulator CLI', () => {
  let demo: Demo | undefined;
  afterEach(async () => {
    await demo?.emulator.close();
    demo = undefined;
  });

  it('parses --port and --host and rejects bad values', () => {
    expect(parseCliArgs([])).toEqual({ port: 8080, host: '127.0.0.1' });
    expect(parseCliArgs(['--port', '0', '--host', '0.0.0.0'])).toEqual({
      port: 0,
      host: '0.0.0.0',
    });
    expect(() => parseCliArgs(['--port', 'x'])).toThrow(/--port/);
    expect(() => parseCliArgs(['--bogus'])).toThrow();
  });

  it('starts with the sample project, a pending pipeline and two runners (tab and CLI)', async () => {
    demo = await startDemo({ port: 0, host: '127.0.0.1' });
    expect(demo.banner).toContain(demo.emulator.url);
    expect(demo.banner).toContain(`runner token:        ${demo.runnerToken}`);
    expect(demo.banner).toContain(`--token ${demo.shellRunnerToken}`);
    const shell = [...demo!.emulator.state.runners.values()].find(
      (r) => r.token === demo!.shellRunnerToken,
    );
    expect(shell?.tags).toEqual([]);
    const jobs = [...demo.emulator.state.jobs.values()];
    expect(jobs.map((j) => `${j.name}:${j.status}`).sort()).toEqual([
      'node-build:pending',
      'node-test:created',
      'shell-build:pending',
      'shell-test:created',
    ]);
    const page = await fetch(`${demo.emulator.url}/`);
    expect(await page.text()).toContain('shell-build');
  });

  it('names this machine by its LAN address in every URL when bound to 0.0.0.0', async () => {
    const lan = roomAddress('0.0.0.0');
    if (!lan) throw new Error('this test needs a machine with a LAN (non-internal IPv4) address');
    demo = await startDemo({ port: 0, host: '0.0.0.0' });
    const { emulator } = demo;
    const room = `http://${lan}:${new URL(emulator.url).port}`;
    expect(emulator.externalUrl).toBe(room);
    expect(demo.banner).toContain(`project:             ${room}/demo/sample`);
    expect(demo.banner).toContain(`--url ${room} `);
    expect(demo.banner).not.toContain('0.0.0.0');
    expect((await fetch(`${room}/`)).status).toBe(200);
  });

  it('prints the workshop password and a git remote line that pushes a new pipeline', async () => {
    demo = await startDemo({ port: 0, host: '127.0.0.1' });
    const { emulator } = demo;
    expect(demo.banner).toContain(`workshop password:   ${emulator.workshopPassword}`);
    const line = demo.banner.split('\n').find((l) => l.trim().startsWith('git remote add'));
    const credentials = `workshop:${encodeURIComponent(emulator.workshopPassword)}@`;
    expect(line?.trim()).toBe(
      `git remote add workshop ${emulator.url.replace('http://', `http://${credentials}`)}/demo/sample.git`,
    );

    const work = await mkdtemp(join(tmpdir(), 'tabrunner-demo-push-'));
    try {
      await git(['init', '--quiet'], work);
      await git(line!.trim().split(' ').slice(1), work);
      await git(['fetch', '--quiet', 'workshop', 'main'], work);
      await git(['checkout', '--quiet', '-b', 'main', 'FETCH_HEAD'], work);
      await writeFile(join(work, 'NOTES.md'), 'pushed from the room\n');
      await git(['add', 'NOTES.md'], work);
      await git(['commit', '--quiet', '-m', 'a participant’s change'], work);
      await git(['push', '--quiet', 'workshop', 'main'], work);
      const head = await git(['rev-parse', 'HEAD'], work);
      const pipelines = [...emulator.state.pipelines.values()];
      expect(pipelines.map((p) => [p.ref, p.source])).toEqual([
        ['main', 'push'],
        ['main', 'push'],
      ]);
      expect(pipelines[1]?.sha).toBe(head);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });

  it("restores the sample's shell-test cache in the pipeline's second run", async () => {
    demo = await startDemo({ port: 0, host: '127.0.0.1' });
    const { emulator, shellRunnerToken } = demo;
    const stateDir = await mkdtemp(join(tmpdir(), 'tabrunner-demo-cache-'));
    const errors: string[] = [];
    // The CLI as `npx tabrunner run --once` runs it: one job a call, caches under stateDir.
    const runOneJob = () =>
      runCommand({
        url: emulator.url,
        token: shellRunnerToken,
        stateDir,
        io: { out: () => undefined, err: (line) => errors.push(line) },
        executor: 'shell',
        once: true,
        checkIntervalSeconds: 0.2,
        outputLimit: 4 * 1024 * 1024,
        name: 'demo-cli',
        logFormat: 'plain',
        cacheDir: null,
        cacheBudgetBytes: 1 << 30,
      });
    const shellTest = (pipelineId: number) =>
      [...emulator.state.jobs.values()].find(
        (job) => job.pipelineId === pipelineId && job.name === 'shell-test',
      )!;
    const trace = (pipelineId: number) => new TextDecoder().decode(shellTest(pipelineId).trace);
    try {
      const [first] = [...emulator.state.pipelines.values()];
      expect([await runOneJob(), await runOneJob()], errors.join('\n')).toEqual([0, 0]);
      expect(shellTest(first!.id).status).toBe('success');
      expect(trace(first!.id)).toContain('made .cache/ for the next run');

      const project = [...emulator.state.projects.values()][0]!;
      const again = await createPipeline(emulator.context, project.id, { ref: 'main' });
      expect([await runOneJob(), await runOneJob()], errors.join('\n')).toEqual([0, 0]);
      expect(shellTest(again.id).status).toBe('success');
      expect(trace(again.id)).toContain(`restored .cache/ made by job ${shellTest(first!.id).id}`);
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});
