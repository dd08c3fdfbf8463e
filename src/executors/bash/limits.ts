/**
 * just-bash execution limits for CI jobs. Its `normal` profile targets agent tool calls:
 * 100,000 commands per `exec()` and a one-hour wall clock. A CI stage (one `exec()`) can
 * legitimately run longer and do more, and the runner owns the job timeout (it aborts the
 * stage's signal), so the wall clock is off and the counters are raised. They stay finite: a
 * loop hidden in `eval` or `source` cannot be interrupted (see loop-yield.ts) and these bound
 * how long it can hold the tab.
 */
import type { BashOptions } from 'just-bash';

type ExecutionLimits = NonNullable<BashOptions['executionLimits']>;

export const SHELL_LIMITS: ExecutionLimits = {
  /** The runner aborts the stage at the job timeout; just-bash need not keep its own clock. */
  maxExecutionTimeMs: Infinity,
  /** Per stage; just-bash runs roughly 10^3–10^4 simple commands a second. */
  maxCommandCount: 10_000_000,
  /** Per loop; the guard for loops that cannot yield (inside `eval`/`source`). */
  maxLoopIterations: 1_000_000,
  maxWorkUnits: 100_000_000,
};
