/** Contract cases: cancellation. */
import { rejectsWith, type ContractCase } from '../contract-case.ts';
import { abortAfter } from './helpers.ts';

export const CANCELLATION_CASES: ContractCase[] = [
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
];
