/**
 * The executor contract: cases every adapter of the port must pass, runnable by vitest
 * (test/contract) and by the self-check page on a real WebContainer.
 */
export { casesFor } from './cases.ts';
export { ContractSession } from './contract-session.ts';
export { DEFAULT_CASE_TIMEOUT_MS } from './contract-case.ts';
export type { Capability, ContractCase, ContractContext, StageOutcome } from './contract-case.ts';
