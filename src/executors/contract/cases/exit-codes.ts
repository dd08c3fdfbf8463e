/** Contract cases: exit codes and errexit (GitLab runs each stage under `set -eo pipefail`). */
import { equal, holds, matches, type ContractCase } from '../contract-case.ts';
import { expectStage } from './helpers.ts';

export const EXIT_CODE_CASES: ContractCase[] = [
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
  {
    group: 'exit codes',
    name: 'a failing command substitution in an assignment fails the stage, and says why',
    async run(ctx) {
      // bash: an assignment's status is its last substitution's, so errexit applies.
      await expectStage(
        ctx,
        ['V=$(false)', 'echo not reached'],
        { exitCode: 1, text: '' },
        'V=$(false)',
      );
      const missing = await ctx.stage(['V=$(cat no-such-file)', 'echo not reached']);
      equal(missing.exitCode, 1, 'V=$(cat no-such-file): exit code');
      matches(missing.text, /no-such-file: No such file or directory/, 'the error');
      holds(!missing.text.includes('not reached'), 'the stage stopped there');
    },
  },
];
