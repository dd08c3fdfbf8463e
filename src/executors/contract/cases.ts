/**
 * The executor contract: GitLab's script semantics (what its bash shell does with a job's
 * `script:`), the port's promises about output, files and cancellation, and, for sandboxes with
 * Node, what a Node job needs. Every adapter passes the cases its capabilities allow; the
 * self-check page runs all of them on a real WebContainer.
 *
 * Expectations are bash's: where a case encodes a rule, the comment names it.
 */
import {
  equal,
  holds,
  matches,
  rejectsWith,
  type ContractCase,
  type ContractContext,
} from './contract-case.ts';

const encoder = new TextEncoder();

/** Stop a stage after `ms` (a cancel, as the runner's signal would). */
function abortAfter(ms: number): AbortSignal {
  const controller = new AbortController();
  setTimeout(() => controller.abort(new Error('cancelled by the contract case')), ms);
  return controller.signal;
}

/** The 3 MB text both output cases print: numbered, so order and completeness show. */
const BIG_LINES = 60_000;
const bigText = (): string =>
  Array.from({ length: BIG_LINES }, (_, i) => `line ${i} ${'x'.repeat(40)}\n`).join('');

async function expectStage(
  ctx: ContractContext,
  lines: string[],
  expected: { exitCode: number; text?: string; lines?: number[] },
  what: string,
): Promise<void> {
  const outcome = await ctx.stage(lines);
  equal(outcome.exitCode, expected.exitCode, `${what}: exit code`);
  if (expected.text !== undefined) equal(outcome.text, expected.text, `${what}: output`);
  if (expected.lines !== undefined) equal(outcome.lines, expected.lines, `${what}: entries run`);
}

export const CONTRACT_CASES: ContractCase[] = [
  // ── exit codes and errexit (GitLab runs each stage under `set -eo pipefail`) ──
  {
    group: 'exit codes',
    name: 'true, false, exit 3 and an unknown command end the stage with 0, 1, 3 and 127',
    async run(ctx) {
      await expectStage(ctx, ['true'], { exitCode: 0, text: '' }, '`true`');
      await expectStage(ctx, ['false'], { exitCode: 1, text: '' }, '`false`');
      await expectStage(ctx, ['exit 3'], { exitCode: 3, text: '' }, '`exit 3`');
      const unknown = await ctx.stage(['tabrunner-no-such-command-xyz']);
      equal(unknown.exitCode, 127, 'an unknown command: exit code');
      matches(
        unknown.text,
        /tabrunner-no-such-command-xyz: command not found/,
        'an unknown command',
      );
    },
  },
  {
    group: 'exit codes',
    name: '`exit 0` ends the stage at once, passing',
    async run(ctx) {
      await expectStage(
        ctx,
        ['echo a', 'exit 0', 'echo y'],
        { exitCode: 0, text: 'a\n', lines: [0, 1] },
        'exit 0',
      );
    },
  },
  {
    group: 'exit codes',
    name: '`exit N` ends the stage at once with N',
    async run(ctx) {
      await expectStage(
        ctx,
        ['echo a', 'exit 4', 'echo b'],
        { exitCode: 4, text: 'a\n', lines: [0, 1] },
        'exit 4',
      );
    },
  },
  {
    group: 'exit codes',
    name: 'the first failing entry ends the stage with its status; later entries do not run',
    async run(ctx) {
      await expectStage(
        ctx,
        ['echo a', 'sh -c "exit 5"', 'echo b'],
        { exitCode: 5, text: 'a\n', lines: [0, 1] },
        'a failing entry',
      );
    },
  },
  {
    group: 'exit codes',
    name: 'a failing line inside a multi-line entry fails the stage',
    async run(ctx) {
      await expectStage(
        ctx,
        ['false\necho x'],
        { exitCode: 1, text: '' },
        'false then echo in one entry',
      );
    },
  },
  {
    group: 'exit codes',
    name: 'a failing command inside a pipe fails the stage (pipefail)',
    async run(ctx) {
      await expectStage(
        ctx,
        ['false | cat', 'echo after'],
        { exitCode: 1, text: '' },
        '`false | cat`',
      );
    },
  },
  {
    group: 'exit codes',
    name: 'a tested failure does not end the stage (`||`, `if`, `!`)',
    async run(ctx) {
      await expectStage(
        ctx,
        [
          'false || echo handled',
          'if false; then echo no; else echo else; fi',
          '! false',
          'echo end',
        ],
        { exitCode: 0, text: 'handled\nelse\nend\n' },
        'tested failures',
      );
    },
  },
  {
    group: 'exit codes',
    name: 'after `set +e` failing entries do not end the stage; the last status is the stage’s',
    async run(ctx) {
      await expectStage(
        ctx,
        ['set +e', 'false', 'echo after'],
        { exitCode: 0, text: 'after\n' },
        'set +e',
      );
      await expectStage(
        ctx,
        ['set +e', 'echo before', 'false'],
        { exitCode: 1, text: 'before\n' },
        'set +e, false last',
      );
    },
  },
  {
    group: 'exit codes',
    name: '`if` and `for` blocks run as one entry',
    async run(ctx) {
      await expectStage(
        ctx,
        ['if true; then\n  echo inside\nfi', 'for i in 1 2; do\n  echo "n$i"\ndone'],
        { exitCode: 0, text: 'inside\nn1\nn2\n', lines: [0, 1] },
        'if and for',
      );
    },
  },

  // ── output ──
  {
    group: 'output',
    name: 'each entry is announced before its output, and all output arrives before the stage resolves',
    async run(ctx) {
      const outcome = await ctx.stage(['echo one', '', 'echo two']);
      equal(outcome.text, 'one\ntwo\n', 'output');
      equal(
        outcome.events,
        ['line 0', 'out', 'line 1', 'line 2', 'out', 'resolved'],
        'announcements and output, in order',
      );
    },
  },
  {
    group: 'output',
    name: 'stdout and stderr interleave in the order they were written',
    async run(ctx) {
      await expectStage(
        ctx,
        ['echo a; echo b >&2; echo c; echo d >&2'],
        { exitCode: 0, text: 'a\nb\nc\nd\n' },
        'interleaving',
      );
    },
  },
  {
    group: 'output',
    name: 'UTF-8 stays intact',
    async run(ctx) {
      await expectStage(
        ctx,
        ['echo "grüße 🚀 日本語 — ok"'],
        { exitCode: 0, text: 'grüße 🚀 日本語 — ok\n' },
        'unicode',
      );
    },
  },
  {
    group: 'output',
    name: '3 MB of output arrives complete and in order',
    async run(ctx) {
      const content = bigText();
      await ctx.workspace.writeFile(`${ctx.projectDir}/big.txt`, encoder.encode(content));
      const outcome = await ctx.stage(['cat big.txt']);
      equal(outcome.exitCode, 0, 'exit code');
      equal(outcome.text.length, content.length, 'length');
      holds(outcome.text === content, 'the output is the file, byte for byte');
    },
  },
  {
    group: 'output',
    name: 'a heredoc keeps its body verbatim',
    async run(ctx) {
      await expectStage(
        ctx,
        ['cat <<EOF\n  indented $GREETING\n\tTabbed\nEOF', "cat <<'RAW'\n$NOT_EXPANDED\nRAW"],
        { exitCode: 0, text: '  indented hello world\n\tTabbed\n$NOT_EXPANDED\n' },
        'heredocs',
      );
    },
  },

  // ── environment and working directory ──
  {
    group: 'environment',
    name: 'a stage starts in the project directory with the job’s variables',
    async run(ctx) {
      await expectStage(
        ctx,
        ['pwd; echo "$GREETING"; echo "$CI"'],
        { exitCode: 0, text: `${ctx.projectDir}\nhello world\ntrue\n` },
        'start',
      );
    },
  },
  {
    group: 'environment',
    name: '`cd`, `export`, `unset`, shell variables and functions carry to the next entry',
    async run(ctx) {
      await expectStage(
        ctx,
        [
          'export STAGE=build; export TEMP_VALUE=1',
          'unset TEMP_VALUE',
          'V=$(echo computed)',
          'greet() { echo "hi $1"; }',
          'cd src/lib',
          'pwd; echo "$STAGE-[${TEMP_VALUE:-unset}] $V"; greet there',
        ],
        { exitCode: 0, text: `${ctx.projectDir}/src/lib\nbuild-[unset] computed\nhi there\n` },
        'state across entries',
      );
    },
  },
  {
    group: 'environment',
    name: 'a stage’s own variables apply to it (CI_JOB_STATUS for after_script)',
    async run(ctx) {
      const outcome = await ctx.stage(['echo "$CI_JOB_STATUS $GREETING"'], {
        env: { CI_JOB_STATUS: 'failed', GREETING: 'replaced' },
      });
      equal(outcome.text, 'failed replaced\n', 'output');
    },
  },
  {
    group: 'environment',
    name: 'each stage starts fresh: nothing carries from the previous stage',
    async run(ctx) {
      await ctx.stage(['export LEAKED=yes; cd src', 'KEPT=no']);
      await expectStage(
        ctx,
        ['pwd; echo "[${LEAKED:-}] [${KEPT:-}] $GREETING"'],
        { exitCode: 0, text: `${ctx.projectDir}\n[] [] hello world\n` },
        'a fresh stage',
      );
    },
  },

  // ── files ──
  {
    group: 'files',
    name: 'the tree is placed at the project directory, nested and empty directories included',
    async run(ctx) {
      await expectStage(
        ctx,
        ['cat README.md src/lib/deep/value.txt; cd empty/dir && pwd'],
        { exitCode: 0, text: `top level\nnested value\n${ctx.projectDir}/empty/dir\n` },
        'the tree',
      );
    },
  },
  {
    group: 'files',
    name: 'an executable file in the tree runs',
    needs: ['modes'],
    async run(ctx) {
      await expectStage(
        ctx,
        ['./bin/hello.sh'],
        { exitCode: 0, text: 'hello from script\n' },
        'bin/hello.sh',
      );
    },
  },
  {
    group: 'files',
    name: 'the job reads a file the workspace wrote',
    async run(ctx) {
      await ctx.workspace.writeFile(
        `${ctx.projectDir}/.vars/TOKEN_FILE`,
        encoder.encode('s3cret-ish'),
      );
      await expectStage(
        ctx,
        ['cat .vars/TOKEN_FILE'],
        { exitCode: 0, text: 's3cret-ish' },
        'a file variable',
      );
    },
  },
  {
    group: 'files',
    name: 'the workspace reads and lists files the script wrote',
    async run(ctx) {
      await ctx.stage(['mkdir -p out/sub && echo report > out/sub/r.txt && echo top > out/a.txt']);
      const read = await ctx.workspace.readFile(`${ctx.projectDir}/out/sub/r.txt`);
      equal(new TextDecoder().decode(read), 'report\n', 'out/sub/r.txt');
      equal(
        await ctx.workspace.listFiles(`${ctx.projectDir}/out`),
        [`${ctx.projectDir}/out/a.txt`, `${ctx.projectDir}/out/sub/r.txt`],
        'listing',
      );
    },
  },
  {
    group: 'files',
    name: 'binary bytes round-trip through writeFile and readFile',
    async run(ctx) {
      const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
      await ctx.workspace.writeFile(`${ctx.projectDir}/blob.bin`, bytes);
      equal(
        [...(await ctx.workspace.readFile(`${ctx.projectDir}/blob.bin`))],
        [...bytes],
        'blob.bin',
      );
    },
  },
  {
    group: 'files',
    name: 'a missing file is ENOENT; a missing directory lists as empty',
    async run(ctx) {
      await rejectsWith(ctx.workspace.readFile(`${ctx.projectDir}/nope.txt`), 'ENOENT', 'readFile');
      equal(await ctx.workspace.listFiles(`${ctx.projectDir}/nope`), [], 'listFiles');
    },
  },
  {
    group: 'files',
    name: 'a workspace can be disposed twice, and the next job starts clean',
    async run(ctx) {
      await ctx.stage(['echo left > leftover.txt']);
      await ctx.workspace.dispose();
      await ctx.workspace.dispose();
      await ctx.nextJob();
      await rejectsWith(
        ctx.workspace.readFile(`${ctx.projectDir}/leftover.txt`),
        'ENOENT',
        'leftover.txt',
      );
    },
  },

  // ── cancellation ──
  {
    group: 'cancellation',
    name: 'an endless shell loop stops when the signal aborts, with an AbortError',
    async run(ctx) {
      await rejectsWith(
        ctx.stage(['echo started; while true; do :; done'], { signal: abortAfter(50) }),
        'AbortError',
        'the loop',
      );
    },
  },
  {
    group: 'cancellation',
    name: 'a caller’s AbortSignal.timeout stops the stage the same way',
    async run(ctx) {
      await rejectsWith(
        ctx.stage(['while true; do :; done'], { signal: AbortSignal.timeout(100) }),
        'AbortError',
        'the loop',
      );
    },
  },
  {
    group: 'cancellation',
    name: 'an already aborted signal runs nothing',
    async run(ctx) {
      const controller = new AbortController();
      controller.abort();
      await rejectsWith(
        ctx.stage(['echo ran > ran.txt'], { signal: controller.signal }),
        'AbortError',
        'the stage',
      );
      await rejectsWith(ctx.workspace.readFile(`${ctx.projectDir}/ran.txt`), 'ENOENT', 'ran.txt');
    },
  },

  // ── Node: what `npm ci && npm test` needs ──
  {
    group: 'node',
    name: '`node --version` and `npm --version` answer, and describe() knows the Node version',
    needs: ['node'],
    async run(ctx) {
      const node = await ctx.stage(['node --version']);
      equal(node.exitCode, 0, 'node --version: exit code');
      matches(node.text, /^v\d+\.\d+\.\d+\n$/, 'node --version');
      equal(node.text.trim(), ctx.info.nodeVersion, 'describe().nodeVersion');
      const npm = await ctx.stage(['npm --version']);
      equal(npm.exitCode, 0, 'npm --version: exit code');
      matches(npm.text, /^\d+\.\d+\.\d+\n$/, 'npm --version');
    },
  },
  {
    group: 'node',
    name: 'a program’s exit code ends the stage, and `exit N` after a program still ends it with N',
    needs: ['node'],
    async run(ctx) {
      await expectStage(
        ctx,
        ['node -e "process.exit(7)"', 'echo not reached'],
        { exitCode: 7, text: '' },
        'process.exit(7)',
      );
      await expectStage(
        ctx,
        ['node -e "1"', 'exit 3', 'echo not reached'],
        { exitCode: 3, text: '' },
        'exit 3 after node',
      );
    },
  },
  {
    group: 'node',
    name: 'a program streams its output as it runs, with LF line ends and UTF-8 intact',
    needs: ['node'],
    async run(ctx) {
      const outcome = await ctx.stage([
        `node -e "console.log('one'); setTimeout(() => console.log('grüße 🚀 日本語'), 300)"`,
      ]);
      equal(outcome.exitCode, 0, 'exit code');
      equal(outcome.text, 'one\ngrüße 🚀 日本語\n', 'output');
    },
  },
  {
    group: 'node',
    name: 'a program’s output can be captured, piped and redirected like any command’s',
    needs: ['node'],
    async run(ctx) {
      await expectStage(
        ctx,
        [
          'V=$(node -p "6 * 7")',
          'echo "[$V]"',
          'node -p "\'piped\'" | tr a-z A-Z',
          'node -p "\'to a file\'" > from-node.txt',
          'cat from-node.txt',
        ],
        { exitCode: 0, text: '[42]\nPIPED\nto a file\n' },
        'capture, pipe, redirect',
      );
    },
  },
  {
    group: 'node',
    name: 'a program sees the stage’s directory and exported variables, not unexported ones',
    needs: ['node'],
    async run(ctx) {
      await expectStage(
        ctx,
        [
          'export FROM_SHELL=exported; LOCAL_ONLY=hidden',
          'cd src/lib',
          `node -p "[process.cwd(), process.env.GREETING, process.env.FROM_SHELL, process.env.LOCAL_ONLY ?? 'none', process.env.CI].join(' ')"`,
        ],
        { exitCode: 0, text: `${ctx.projectDir}/src/lib hello world exported none true\n` },
        'cwd and environment',
      );
    },
  },
  {
    group: 'node',
    name: 'a program and the shell see the same files',
    needs: ['node'],
    async run(ctx) {
      await expectStage(
        ctx,
        [
          `node -e "require('fs').writeFileSync('made-by-node.txt', 'from node\\n')"`,
          'cat made-by-node.txt',
          'echo from shell > made-by-shell.txt',
          `node -p "require('fs').readFileSync('made-by-shell.txt', 'utf8').trim()"`,
        ],
        { exitCode: 0, text: 'from node\nfrom shell\n' },
        'shared files',
      );
    },
  },
  {
    group: 'node',
    name: 'a program gets piped stdin, and an empty stdin ends at once',
    needs: ['node'],
    async run(ctx) {
      await expectStage(
        ctx,
        [
          `echo piped | node -e "process.stdin.pipe(process.stdout)"`,
          `node -e "process.stdin.resume(); process.stdin.on('end', () => console.log('eof'))"`,
        ],
        { exitCode: 0, text: 'piped\neof\n' },
        'stdin',
      );
    },
  },
  {
    group: 'node',
    name: '3 MB from a program arrive complete and in order',
    needs: ['node'],
    timeoutMs: 60_000,
    async run(ctx) {
      const outcome = await ctx.stage([
        `node -e "for (let i = 0; i < ${BIG_LINES}; i++) console.log('line ' + i + ' ' + 'x'.repeat(40))"`,
      ]);
      equal(outcome.exitCode, 0, 'exit code');
      const content = bigText();
      equal(outcome.text.length, content.length, 'length');
      holds(outcome.text === content, 'the output is every line, in order');
    },
  },
  {
    group: 'node',
    name: 'a program started with `&` runs on while the next entries run, until the job ends',
    needs: ['node'],
    async run(ctx) {
      await expectStage(
        ctx,
        [`node -e "setInterval(() => {}, 1000)" &`, 'echo next'],
        { exitCode: 0, text: 'next\n' },
        'a background program',
      );
    },
  },
  {
    group: 'node',
    name: 'an npm script’s failure fails the stage',
    needs: ['node'],
    async run(ctx) {
      await ctx.workspace.writeFile(
        `${ctx.projectDir}/package.json`,
        encoder.encode(
          JSON.stringify({
            name: 'contract',
            version: '1.0.0',
            scripts: { fail: 'node -e "process.exit(3)"', pass: 'node -e "1"' },
          }),
        ),
      );
      const failing = await ctx.stage(['npm run fail', 'echo not reached']);
      holds(
        failing.exitCode !== 0,
        `npm run fail must fail the stage, got exit code ${failing.exitCode}`,
      );
      holds(!failing.text.includes('not reached'), 'the stage stopped at the failure');
      equal((await ctx.stage(['npm run pass'])).exitCode, 0, 'npm run pass');
    },
  },
  {
    group: 'node',
    name: 'a program the sandbox lacks says how to run it',
    needs: ['node'],
    async run(ctx) {
      const outcome = await ctx.stage(['vitest run']);
      equal(outcome.exitCode, 127, 'exit code');
      matches(outcome.text, /vitest: command not found[\s\S]*npx/, 'the advice');
    },
  },
  {
    group: 'node',
    name: '`npm install` fetches a package from the registry',
    needs: ['node', 'registry'],
    timeoutMs: 120_000,
    async run(ctx) {
      await ctx.workspace.writeFile(
        `${ctx.projectDir}/package.json`,
        encoder.encode(JSON.stringify({ name: 'contract', version: '1.0.0', private: true })),
      );
      await expectStage(
        ctx,
        [
          'npm install --no-audit --no-fund is-number@7.0.0 > install.log',
          `node -p "require('is-number')(5)"`,
        ],
        { exitCode: 0, text: 'true\n' },
        'npm install is-number',
      );
    },
  },
  {
    group: 'node',
    name: 'a cancelled program with a timer stops, and the workspace stays usable',
    needs: ['node'],
    async run(ctx) {
      await rejectsWith(
        ctx.stage([`node -e "setInterval(() => {}, 1000)"`], { signal: abortAfter(300) }),
        'AbortError',
        'the timer program',
      );
      await expectStage(ctx, ['echo next'], { exitCode: 0, text: 'next\n' }, 'the next stage');
    },
  },
  {
    group: 'node',
    name: 'a busy loop that ignores kill costs the sandbox, and the next job gets a fresh one',
    needs: ['node'],
    timeoutMs: 120_000,
    async run(ctx) {
      await rejectsWith(
        ctx.stage([`node -e "for (;;) {}"`], { signal: abortAfter(300) }),
        'AbortError',
        'the busy loop',
      );
      await ctx.nextJob();
      await expectStage(ctx, ['node -p "1 + 1"'], { exitCode: 0, text: '2\n' }, 'the next job');
    },
  },
];

/** The cases an executor with these capabilities must pass. */
export function casesFor(capabilities: readonly string[]): ContractCase[] {
  return CONTRACT_CASES.filter((c) => (c.needs ?? []).every((need) => capabilities.includes(need)));
}
