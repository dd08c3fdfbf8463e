/**
 * The executor contract: GitLab's script semantics (what its bash shell does with a job's
 * `script:`), the port's promises about output, files and cancellation, and, for sandboxes with
 * Node, what a Node job needs. Every adapter passes the cases its capabilities allow; the
 * self-check page runs all of them on a real WebContainer.
 *
 * Expectations are bash's: where a case encodes a rule, the comment names it.
 */
import type { ContractCase } from './contract-case.ts';
import { CANCELLATION_CASES } from './cases/cancellation.ts';
import { ENVIRONMENT_CASES } from './cases/environment.ts';
import { EXIT_CODE_CASES } from './cases/exit-codes.ts';
import { FILE_CASES } from './cases/files.ts';
import { NODE_CASES } from './cases/node.ts';
import { OUTPUT_CASES } from './cases/output.ts';

export const CONTRACT_CASES: ContractCase[] = [
  ...EXIT_CODE_CASES,
  ...OUTPUT_CASES,
  ...ENVIRONMENT_CASES,
  ...FILE_CASES,
  ...CANCELLATION_CASES,
  ...NODE_CASES,
];

/** The cases an executor with these capabilities must pass. */
export function casesFor(capabilities: readonly string[]): ContractCase[] {
  return CONTRACT_CASES.filter((c) => (c.needs ?? []).every((need) => capabilities.includes(need)));
}
