/**
 * The executor contract: cases every adapter of the port must pass, runnable by vitest
 * (test/contract) and by the self-check page on a real WebContainer.
 */
export { CONTRACT_CASES, casesFor } from './cases.ts';
export { ContractSession, CONTRACT_ENV, CONTRACT_TREE } from './contract-session.ts';
export { ContractFailure } from './contract-case.ts';
export type { Capability, ContractCase, ContractContext, StageOutcome } from './contract-case.ts';
