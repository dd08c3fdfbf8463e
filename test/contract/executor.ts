/**
 * The executor contract: one vitest suite that every adapter of `src/executors/port.ts` must
 * pass, as gitlab-runner's `buildtest` scenarios are run by every executor. It uses only what a
 * CI script can count on in every sandbox (`echo`, `cat`, `cd`, `export`, redirections, loops),
 * so a failure here is the adapter's, not the shell dialect's.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Executor, FileTree, Session, Workspace } from '../../src/executors/port.ts';

export interface ContractOptions {
  /** Skip the whole suite; the reason shows in the test names. */
  skip?: string;
  /** Whether `mode: 0o100755` in the tree yields an executable file. @default true */
  executableMode?: boolean;
}

const PROJECT_DIR = '/builds/group/project';
const encoder = new TextEncoder();

interface LineOutcome {
  exitCode: number;
  text: string;
  /** What happened, in order: each chunk as `out`, then `resolved`. */
  events: string[];
}

async function runLine(
  session: Session,
  command: string,
  signal = new AbortController().signal,
): Promise<LineOutcome> {
  const decoder = new TextDecoder();
  let text = '';
  const events: string[] = [];
  const { exitCode } = await session.run(
    { command },
    (chunk) => {
      text += decoder.decode(chunk, { stream: true });
      events.push('out');
    },
    signal,
  );
  text += decoder.decode();
  events.push('resolved');
  return { exitCode, text, events };
}

function file(path: string, text: string, mode?: number): FileTree['files'][number] {
  return { path, data: encoder.encode(text), ...(mode === undefined ? {} : { mode }) };
}

export function describeExecutorContract(
  name: string,
  create: () => Promise<Executor>,
  options: ContractOptions = {},
): void {
  const title = `executor contract: ${name}`;
  if (options.skip !== undefined) {
    describe.skip(`${title} (skipped: ${options.skip})`, () => {
      it('runs the executor contract', () => {});
    });
    return;
  }

  describe(title, () => {
    let executor: Executor;
    let workspace: Workspace;
    let session: Session;

    const tree: FileTree = {
      files: [
        file('README.md', 'top level\n'),
        file('src/lib/deep/value.txt', 'nested value\n'),
        file('bin/hello.sh', '#!/bin/sh\necho "hello from script"\n', 0o100755),
      ],
      directories: ['empty/dir'],
    };

    let prepared = false;

    beforeEach(async () => {
      prepared = false;
      executor = await create();
      try {
        workspace = await executor.prepare(tree, {
          projectDir: PROJECT_DIR,
          env: { GREETING: 'hello world', CI: 'true' },
        });
        session = await workspace.openSession();
      } catch (err) {
        // A sandbox that could not start (a WebContainer that did not boot) is the failure to
        // report, not a missing workspace in afterEach.
        await executor.dispose();
        throw err;
      }
      prepared = true;
    });

    afterEach(async () => {
      if (!prepared) return;
      await workspace.dispose();
      await executor.dispose();
    });

    describe('exit codes', () => {
      it.each([
        ['true', 0],
        ['false', 1],
        ['exit 3', 3],
        ['tabrunner-no-such-command-xyz', 127],
      ])('`%s` exits with %i', async (command, expected) => {
        expect((await runLine(session, command)).exitCode).toBe(expected);
      });

      it('runs a multi-line entry as one unit with one exit code', async () => {
        const outcome = await runLine(
          session,
          'if true; then\n  echo inside\nfi\nfor i in 1 2; do\n  echo "n$i"\ndone\nfalse',
        );
        expect(outcome.text).toBe('inside\nn1\nn2\n');
        expect(outcome.exitCode).toBe(1);
      });

      it('keeps running lines after a failing one (stopping is the runner’s business)', async () => {
        expect((await runLine(session, 'exit 4')).exitCode).toBe(4);
        expect(await runLine(session, 'echo still here')).toMatchObject({
          exitCode: 0,
          text: 'still here\n',
        });
      });
    });

    describe('output', () => {
      it('delivers a line’s output before its promise resolves, line by line in order', async () => {
        const first = await runLine(session, 'echo one');
        const second = await runLine(session, 'echo two');
        expect(first).toMatchObject({ text: 'one\n', events: ['out', 'resolved'] });
        expect(second).toMatchObject({ text: 'two\n', events: ['out', 'resolved'] });
      });

      it('interleaves stdout and stderr in the order they were written', async () => {
        const outcome = await runLine(session, 'echo a; echo b >&2; echo c; echo d >&2');
        expect(outcome.text).toBe('a\nb\nc\nd\n');
      });

      it('keeps unicode intact', async () => {
        const outcome = await runLine(session, 'echo "grüße 🚀 日本語 — ok"');
        expect(outcome.text).toBe('grüße 🚀 日本語 — ok\n');
      });

      it('delivers several MB of output complete and in order', async () => {
        const lines = Array.from({ length: 60_000 }, (_, i) => `line ${i} ${'x'.repeat(40)}\n`);
        const content = lines.join('');
        await workspace.writeFile(`${PROJECT_DIR}/big.txt`, encoder.encode(content));
        const outcome = await runLine(session, 'cat big.txt');
        expect(outcome.exitCode).toBe(0);
        expect(outcome.text.length).toBe(content.length);
        expect(outcome.text === content).toBe(true);
      });
    });

    describe('environment and working directory', () => {
      it('starts in the project directory with the prepared environment', async () => {
        const outcome = await runLine(session, 'pwd; echo "$GREETING"; echo "$CI"');
        expect(outcome.text).toBe(`${PROJECT_DIR}\nhello world\ntrue\n`);
        expect(session.cwd()).toBe(PROJECT_DIR);
      });

      it('keeps `export`, `unset` and `cd` from one line to the next', async () => {
        await runLine(session, 'export STAGE=build; export TEMP_VALUE=1');
        await runLine(session, 'unset TEMP_VALUE');
        await runLine(session, 'cd src/lib');
        const outcome = await runLine(session, 'pwd; echo "$STAGE-[${TEMP_VALUE:-unset}]"');
        expect(outcome.text).toBe(`${PROJECT_DIR}/src/lib\nbuild-[unset]\n`);
        expect(session.cwd()).toBe(`${PROJECT_DIR}/src/lib`);
      });

      it('applies `setEnv` to the following lines', async () => {
        session.setEnv({ CI_JOB_STATUS: 'failed', GREETING: 'replaced' });
        const outcome = await runLine(session, 'echo "$CI_JOB_STATUS $GREETING"');
        expect(outcome.text).toBe('failed replaced\n');
      });

      it('opens each session fresh, without an earlier session’s state', async () => {
        await runLine(session, 'export LEAKED=yes; cd src');
        const next = await workspace.openSession();
        const outcome = await runLine(next, 'pwd; echo "[${LEAKED:-}] $GREETING"');
        expect(outcome.text).toBe(`${PROJECT_DIR}\n[] hello world\n`);
      });
    });

    describe('files', () => {
      it('places the tree at the project directory, nested directories included', async () => {
        const outcome = await runLine(
          session,
          'cat README.md src/lib/deep/value.txt; cd empty/dir && pwd',
        );
        expect(outcome.text).toBe(`top level\nnested value\n${PROJECT_DIR}/empty/dir\n`);
      });

      it.skipIf(options.executableMode === false)(
        'keeps the executable mode of scripts',
        async () => {
          const outcome = await runLine(session, './bin/hello.sh');
          expect(outcome).toMatchObject({ exitCode: 0, text: 'hello from script\n' });
        },
      );

      it('lets the job read files the workspace wrote', async () => {
        await workspace.writeFile(`${PROJECT_DIR}/.vars/TOKEN_FILE`, encoder.encode('s3cret-ish'));
        expect((await runLine(session, 'cat .vars/TOKEN_FILE')).text).toBe('s3cret-ish');
      });

      it('reads and lists files the script wrote', async () => {
        await runLine(
          session,
          'mkdir -p out/sub && echo report > out/sub/r.txt && echo top > out/a.txt',
        );
        const read = await workspace.readFile(`${PROJECT_DIR}/out/sub/r.txt`);
        expect(new TextDecoder().decode(read)).toBe('report\n');
        expect(await workspace.listFiles(`${PROJECT_DIR}/out`)).toEqual([
          `${PROJECT_DIR}/out/a.txt`,
          `${PROJECT_DIR}/out/sub/r.txt`,
        ]);
      });

      it('round-trips binary bytes through writeFile and readFile', async () => {
        const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
        await workspace.writeFile(`${PROJECT_DIR}/blob.bin`, bytes);
        expect(await workspace.readFile(`${PROJECT_DIR}/blob.bin`)).toEqual(bytes);
      });

      it('rejects a missing file with code ENOENT and lists a missing directory as empty', async () => {
        await expect(workspace.readFile(`${PROJECT_DIR}/nope.txt`)).rejects.toMatchObject({
          code: 'ENOENT',
        });
        expect(await workspace.listFiles(`${PROJECT_DIR}/nope`)).toEqual([]);
      });

      it('can be disposed twice', async () => {
        await workspace.dispose();
        await expect(workspace.dispose()).resolves.toBeUndefined();
      });
    });

    describe('cancellation', () => {
      it('stops an endless loop when the signal aborts and rejects with an AbortError code', async () => {
        const controller = new AbortController();
        const running = runLine(session, 'echo started; while true; do :; done', controller.signal);
        setTimeout(() => controller.abort(), 50);
        await expect(running).rejects.toMatchObject({ code: 'AbortError' });
      }, 10_000);

      it('stops the line the same way for a caller’s AbortSignal.timeout', async () => {
        const running = runLine(session, 'while true; do :; done', AbortSignal.timeout(100));
        await expect(running).rejects.toMatchObject({ code: 'AbortError' });
      }, 10_000);

      it('runs nothing when the signal is already aborted', async () => {
        const controller = new AbortController();
        controller.abort();
        await expect(
          runLine(session, 'echo ran > ran.txt', controller.signal),
        ).rejects.toMatchObject({
          code: 'AbortError',
        });
        await expect(workspace.readFile(`${PROJECT_DIR}/ran.txt`)).rejects.toMatchObject({
          code: 'ENOENT',
        });
      });
    });
  });
}
