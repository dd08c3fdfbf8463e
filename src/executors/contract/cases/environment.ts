/** Contract cases: environment and working directory. */
import { equal, type ContractCase } from '../contract-case.ts';
import { expectStage } from './helpers.ts';

export const ENVIRONMENT_CASES: ContractCase[] = [
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
];
