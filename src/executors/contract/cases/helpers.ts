/** What the contract cases share: a cancel on a timer, the big text, a stage check. */
import { equal, type ContractContext } from '../contract-case.ts';

export const encoder = new TextEncoder();

/** Stop a stage after `ms` (a cancel, as the runner's signal would). */
export function abortAfter(ms: number): AbortSignal {
  const controller = new AbortController();
  setTimeout(() => controller.abort(new Error('cancelled by the contract case')), ms);
  return controller.signal;
}

/** The 3 MB text both output cases print: numbered, so order and completeness show. */
export const BIG_LINES = 60_000;
export const bigText = (): string =>
  Array.from({ length: BIG_LINES }, (_, i) => `line ${i} ${'x'.repeat(40)}\n`).join('');

export async function expectStage(
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
