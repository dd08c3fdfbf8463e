/** Contract cases: Node: what `npm ci && npm test` needs. */
import { equal, holds, matches, rejectsWith, type ContractCase } from '../contract-case.ts';
import { encoder, abortAfter, BIG_LINES, bigText, expectStage } from './helpers.ts';

export const NODE_CASES: ContractCase[] = [
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
      // Printed 300 ms apart: a runner that held the output until the exit would deliver one chunk.
      equal(outcome.chunks[0], 'one\n', 'the first line, delivered on its own');
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
    name: 'a program started with `&` does not hold up the next entries',
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
    name: 'a cancelled busy loop stops, and the next job runs (in a fresh sandbox if kill could not stop it)',
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
