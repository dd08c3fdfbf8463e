import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeExecutorContract } from '../../../test/contract/executor.ts';
import type { Executor, Session, Workspace } from '../port.ts';
import { createShellExecutor } from './index.ts';

describeExecutorContract('shell', async () => createShellExecutor());

describe('shell executor specifics', () => {
  let executor: Executor;
  let workspace: Workspace;
  let session: Session;

  beforeEach(async () => {
    executor = createShellExecutor();
    workspace = await executor.prepare({ files: [] }, { projectDir: '/builds/p', env: {} });
    session = await workspace.openSession();
  });

  afterEach(async () => {
    await executor.dispose();
  });

  async function run(command: string, signal = new AbortController().signal) {
    const chunks: Uint8Array[] = [];
    const { exitCode } = await session.run({ command }, (chunk) => chunks.push(chunk), signal);
    return {
      exitCode,
      text: new TextDecoder().decode(Buffer.concat(chunks)),
      chunks: chunks.length,
    };
  }

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

  it('streams a line command by command, not only when it ends', async () => {
    const outcome = await run('for i in 1 2 3; do echo "n$i"; done');
    expect(outcome.text).toBe('n1\nn2\nn3\n');
    expect(outcome.chunks).toBe(3);
  });

  it('reports a syntax error with bash’s exit code 2', async () => {
    const outcome = await run('if then fi');
    expect(outcome.exitCode).toBe(2);
    expect(outcome.text).toMatch(/syntax error/);
  });

  it('keeps `set -o pipefail` and `set -e` from one line to the next', async () => {
    await run('set -eo pipefail');
    expect((await run('false | true')).exitCode).toBe(1);
    expect(await run('false; echo not reached')).toEqual({ exitCode: 1, text: '', chunks: 0 });
  });

  it('keeps `$?` and errexit exempt inside loops despite the inserted yields', async () => {
    const outcome = await run(
      'set -e; until false; do echo "in $?"; break; done; for i in 1; do false || echo "or $?"; done',
    );
    expect(outcome).toMatchObject({ exitCode: 0, text: 'in 1\nor 1\n' });
  });

  it('keeps heredoc bodies verbatim', async () => {
    const outcome = await run('cat <<EOF\n  indented $HOME\n\tTabbed\nEOF');
    expect(outcome.text).toBe(`  indented ${'/'}\n\tTabbed\n`);
  });

  it('stops a sleeping line on abort and keeps the session usable', async () => {
    const controller = new AbortController();
    const running = run('sleep 30', controller.signal);
    setTimeout(() => controller.abort(), 20);
    await expect(running).rejects.toMatchObject({
      code: 'AbortError',
      data: { stage: 'interrupted' },
    });
    expect(await run('echo after')).toMatchObject({ exitCode: 0, text: 'after\n' });
  }, 10_000);

  it('keeps the state from before a cancelled line', async () => {
    await run('export KEPT=1; cd /tmp');
    const controller = new AbortController();
    const running = run('export LOST=1; cd /; while true; do :; done', controller.signal);
    setTimeout(() => controller.abort(), 20);
    await expect(running).rejects.toMatchObject({ code: 'AbortError' });
    expect((await run('pwd; echo "${KEPT:-}${LOST:-}"')).text).toBe('/tmp\n1\n');
  }, 10_000);

  it('passes 10 MB of output through without accumulating it', async () => {
    const content = 'y'.repeat(1023) + '\n';
    await workspace.writeFile(
      '/builds/p/ten.txt',
      new TextEncoder().encode(content.repeat(10 * 1024)),
    );
    const outcome = await run('cat ten.txt');
    expect(outcome.exitCode).toBe(0);
    expect(outcome.text.length).toBe(10 * 1024 * 1024);
  });

  it('rejects a second line while one runs', async () => {
    const controller = new AbortController();
    const first = run('sleep 30', controller.signal);
    await expect(run('echo overlap')).rejects.toMatchObject({ code: 'ShellBusy' });
    controller.abort();
    await expect(first).rejects.toMatchObject({ code: 'AbortError' });
  }, 10_000);

  it('refuses to work after dispose', async () => {
    await workspace.dispose();
    await expect(workspace.openSession()).rejects.toMatchObject({ code: 'ShellWorkspaceGone' });
    await expect(run('echo late')).rejects.toMatchObject({ code: 'ShellWorkspaceGone' });
  });
});

describe('shell executor: command substitution and redirections', () => {
  async function run(command: string): Promise<{ out: string; exitCode: number }> {
    const executor = createShellExecutor();
    const workspace = await executor.prepare(
      { files: [{ path: 'a.txt', data: new TextEncoder().encode('hi\n') }] },
      { projectDir: '/builds/p', env: {} },
    );
    const session = await workspace.openSession();
    let out = '';
    const decoder = new TextDecoder();
    const { exitCode } = await session.run(
      { command },
      (c) => (out += decoder.decode(c, { stream: true })),
      new AbortController().signal,
    );
    await workspace.dispose();
    return { out, exitCode };
  }

  it('captures $(…) output instead of printing it', async () => {
    const { out, exitCode } = await run(
      'X="$(cat a.txt)"; echo "got [$X]"; test "$(cat a.txt)" = "hi" && echo same',
    );
    expect(out).toBe('got [hi]\nsame\n');
    expect(exitCode).toBe(0);
  });

  it("keeps the job's own redirections: > file, 2>&1 and pipes", async () => {
    const { out } = await run(
      'echo to-file > f.txt; cat f.txt | tr a-z A-Z; ls nothing-here 2>&1 | grep -c nothing-here',
    );
    expect(out).toBe('TO-FILE\n1\n');
  });

  it('streams the output of a loop command by command', async () => {
    const { out } = await run(
      'for i in 1 2 3; do echo "n$i"; done; f() { echo "in-f"; }; Y=$(f); echo "[$Y]"; f',
    );
    expect(out).toBe('n1\nn2\nn3\n[in-f]\nin-f\n');
  });
});

describe('shell executor with the runner clock', () => {
  it('sleeps on the clock it is given, so a hidden tab can pass its worker clock', async () => {
    const slept: number[] = [];
    const clock = {
      now: () => 0,
      sleep: async (ms: number) => {
        slept.push(ms);
      },
    };
    const executor = createShellExecutor({ clock });
    try {
      const workspace = await executor.prepare({ files: [] }, { projectDir: '/builds/p', env: {} });
      const session = await workspace.openSession();
      const chunks: Uint8Array[] = [];
      const { exitCode } = await session.run(
        { command: 'sleep 2; sleep 0.5; echo woke' },
        (chunk) => chunks.push(chunk),
        new AbortController().signal,
      );
      expect(exitCode).toBe(0);
      expect(new TextDecoder().decode(Buffer.concat(chunks))).toBe('woke\n');
      expect(slept).toEqual([2000, 500]);
    } finally {
      await executor.dispose();
    }
  });
});
