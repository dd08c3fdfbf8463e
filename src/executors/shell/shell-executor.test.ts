import { InMemoryFs } from 'just-bash';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { describeExecutorContract } from '../../../test/contract/executor.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Executor, Workspace } from '../port.ts';
import { createShellExecutor } from './index.ts';

describeExecutorContract('shell', async () => createShellExecutor(), { capabilities: ['modes'] });

interface Outcome {
  exitCode: number;
  text: string;
  chunks: number;
}

/** Run one stage of `lines` and collect its output. */
async function stage(
  workspace: Workspace,
  lines: string[],
  signal = new AbortController().signal,
): Promise<Outcome> {
  const chunks: Uint8Array[] = [];
  const { exitCode } = await workspace.runStage(
    { lines },
    { onLine: () => undefined, onOutput: (chunk) => chunks.push(chunk) },
    signal,
  );
  return { exitCode, text: new TextDecoder().decode(Buffer.concat(chunks)), chunks: chunks.length };
}

describe('shell executor specifics', () => {
  let executor: Executor;
  let workspace: Workspace;

  beforeEach(async () => {
    executor = createShellExecutor();
    workspace = await executor.prepare(
      { files: [{ path: 'a.txt', data: new TextEncoder().encode('hi\n') }] },
      { projectDir: '/builds/p', env: {} },
    );
  });

  afterEach(async () => {
    await executor.dispose();
  });

  const run = (command: string, signal?: AbortSignal) => stage(workspace, [command], signal);

  it('describes itself with GitLab’s default builds directory and bash', async () => {
    expect(await executor.describe()).toEqual({ buildsDir: '/builds', shell: 'bash' });
  });

  it('explains a command the sandbox lacks and exits 127', async () => {
    const outcome = await run('npm ci');
    expect(outcome.exitCode).toBe(127);
    expect(outcome.text).toContain('bash: npm: command not found');
    expect(outcome.text).toContain('webcontainer executor');
  });

  it('keeps `command -v` honest about missing commands', async () => {
    expect((await run('command -v node')).exitCode).not.toBe(0);
    expect((await run('command -v grep')).exitCode).toBe(0);
  });

  it('streams a stage command by command, not only when it ends', async () => {
    const outcome = await run('for i in 1 2 3; do echo "n$i"; done');
    expect(outcome.text).toBe('n1\nn2\nn3\n');
    expect(outcome.chunks).toBe(3);
  });

  it('reports a syntax error with bash’s exit code 2', async () => {
    const outcome = await run('if then fi');
    expect(outcome.exitCode).toBe(2);
    expect(outcome.text).toMatch(/syntax error/);
  });

  it('keeps `$?` and errexit exempt inside loops despite the inserted yields', async () => {
    const outcome = await run(
      'until false; do echo "in $?"; break; done; for i in 1; do false || echo "or $?"; done',
    );
    expect(outcome).toMatchObject({ exitCode: 0, text: 'in 1\nor 1\n' });
  });

  it('ignores a job’s own call of the entry marker', async () => {
    const announced: number[] = [];
    await workspace.runStage(
      { lines: ['__tabrunner_line 0 5', 'echo ok'] },
      { onLine: (i) => announced.push(i), onOutput: () => undefined },
      new AbortController().signal,
    );
    expect(announced).toEqual([0, 1]);
  });

  it('stops a sleeping stage on abort and stays usable', async () => {
    const controller = new AbortController();
    const running = run('sleep 30', controller.signal);
    setTimeout(() => controller.abort(), 20);
    await expect(running).rejects.toMatchObject({
      code: 'AbortError',
      data: { stage: 'interrupted' },
    });
    expect(await run('echo after')).toMatchObject({ exitCode: 0, text: 'after\n' });
  }, 10_000);

  it('passes 10 MB of output through', async () => {
    const content = 'y'.repeat(1023) + '\n';
    await workspace.writeFile(
      '/builds/p/ten.txt',
      new TextEncoder().encode(content.repeat(10 * 1024)),
    );
    const outcome = await run('cat ten.txt');
    expect(outcome.exitCode).toBe(0);
    expect(outcome.text.length).toBe(10 * 1024 * 1024);
  });

  it('rejects a second stage while one runs', async () => {
    const controller = new AbortController();
    const first = run('sleep 30', controller.signal);
    await expect(run('echo overlap')).rejects.toMatchObject({ code: 'ShellBusy' });
    controller.abort();
    await expect(first).rejects.toMatchObject({ code: 'AbortError' });
  }, 10_000);

  it('replaces a symlink it is asked to write, leaving the link’s target alone', async () => {
    const made = await run('echo keep > /tmp/outside.txt && ln -s /tmp/outside.txt link');
    expect(made.exitCode).toBe(0);
    await workspace.writeFile('/builds/p/link', new TextEncoder().encode('artifact'));
    expect((await run('cat /tmp/outside.txt; test -L link || echo replaced')).text).toBe(
      'keep\nreplaced\n',
    );
  });

  it('refuses to work after dispose', async () => {
    await workspace.dispose();
    await expect(run('echo late')).rejects.toMatchObject({ code: 'ShellWorkspaceGone' });
    await expect(workspace.readFile('/builds/p/a.txt')).rejects.toMatchObject({
      code: 'ShellWorkspaceGone',
    });
  });

  it('captures $(…) output instead of printing it', async () => {
    const outcome = await run(
      'X="$(cat a.txt)"; echo "got [$X]"; test "$(cat a.txt)" = "hi" && echo same',
    );
    expect(outcome).toMatchObject({ exitCode: 0, text: 'got [hi]\nsame\n' });
  });

  it("keeps the job's own redirections: > file, 2>&1 and pipes", async () => {
    const outcome = await run(
      'echo to-file > f.txt; cat f.txt | tr a-z A-Z; ls nothing-here 2>&1 | grep -c nothing-here',
    );
    expect(outcome.text).toBe('TO-FILE\n1\n');
  });

  it('streams the output of a loop command by command, and of functions at their call', async () => {
    const outcome = await run(
      'for i in 1 2 3; do echo "n$i"; done; f() { echo "in-f"; }; Y=$(f); echo "[$Y]"; f',
    );
    expect(outcome.text).toBe('n1\nn2\nn3\n[in-f]\nin-f\n');
  });
});

describe('shell workspace listing', () => {
  it('lists files and symlinks, not directories, under a tree 2,000 directories deep', async () => {
    // A hostile checkout or archive can nest this deep. A readdir walk took 30 s here: each
    // readdir in just-bash scans every path below the directory, so one per directory is
    // cubic. The listing must not walk (`npm run bench` shows the growth).
    const deep = Array.from({ length: 2000 }, () => 'd').join('/');
    const executor = createShellExecutor();
    try {
      const workspace = await executor.prepare(
        {
          files: [
            { path: `${deep}/bottom.txt`, data: new TextEncoder().encode('x') },
            { path: 'top.txt', data: new TextEncoder().encode('y') },
          ],
          directories: ['empty/inner'],
        },
        { projectDir: '/builds/p', env: {} },
      );
      expect((await stage(workspace, ['ln -s top.txt link', 'ln -s d dirlink'])).exitCode).toBe(0);
      const readdir = vi.spyOn(InMemoryFs.prototype, 'readdir');
      const readdirWithFileTypes = vi.spyOn(InMemoryFs.prototype, 'readdirWithFileTypes');
      const listed = await workspace.listFiles('/builds/p');
      expect(readdir.mock.calls.length + readdirWithFileTypes.mock.calls.length).toBe(0);
      vi.restoreAllMocks();
      expect(listed).toEqual([
        `/builds/p/${deep}/bottom.txt`,
        '/builds/p/dirlink',
        '/builds/p/link',
        '/builds/p/top.txt',
      ]);
      expect(await workspace.listFiles('/builds/p/empty')).toEqual([]);
      expect(await workspace.listFiles('/builds/p/top.txt')).toEqual([]);
    } finally {
      await executor.dispose();
    }
  });
});

describe('shell executor with the runner clock', () => {
  it('sleeps on the clock it is given, so a hidden tab can pass its worker clock', async () => {
    const slept: number[] = [];
    const clock: Clock = {
      now: () => 0,
      sleep: async (ms: number) => {
        slept.push(ms);
      },
    };
    const executor = createShellExecutor({ clock });
    try {
      const workspace = await executor.prepare({ files: [] }, { projectDir: '/builds/p', env: {} });
      const outcome = await stage(workspace, ['sleep 2; sleep 0.5; echo woke']);
      expect(outcome).toMatchObject({ exitCode: 0, text: 'woke\n' });
      expect(slept).toEqual([2000, 500]);
    } finally {
      await executor.dispose();
    }
  });
});
