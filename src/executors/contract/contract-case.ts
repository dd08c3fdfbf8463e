/**
 * The shape of an executor contract case, and the few assertions the cases use. Plain code with
 * no test framework, because the same cases run in two places: vitest (test/contract) for every
 * adapter this machine can run, and the self-check page (`/?self-check`) on a real WebContainer
 * in whatever browser opens it.
 */
import type { ExecutorInfo, Workspace } from '../port.ts';

/** What a case may need beyond GitLab's script semantics, which every executor has. */
export type Capability =
  /** `mode: 0o100755` in the tree gives an executable file. */
  | 'modes'
  /** `node` and `npm` run in the sandbox. */
  | 'node'
  /** `npm install` reaches a package registry. */
  | 'registry';

export interface StageOutcome {
  exitCode: number;
  /** The stage's output, decoded. */
  text: string;
  /** The output as it was delivered, chunk by chunk (a chunk may end inside a character). */
  chunks: string[];
  /** The entries announced by `onLine`, in order. */
  lines: number[];
  /** What happened, in order: `line <n>` for each announced entry, `out` for each chunk, then `resolved`. */
  events: string[];
}

export interface ContractContext {
  readonly info: ExecutorInfo;
  /** `<buildsDir>/group/project`: where the tree was placed. */
  readonly projectDir: string;
  readonly workspace: Workspace;
  /** Run one stage in the current workspace and collect what it did. */
  stage(
    lines: string[],
    options?: { env?: Record<string, string>; signal?: AbortSignal },
  ): Promise<StageOutcome>;
  /** End this job (dispose its workspace) and prepare the next one in the same executor. */
  nextJob(): Promise<void>;
}

/** How long a case may take unless it says otherwise. */
export const DEFAULT_CASE_TIMEOUT_MS = 30_000;

export interface ContractCase {
  /** Unique; transcripts are keyed by it. */
  name: string;
  group: string;
  needs?: Capability[];
  /** @default DEFAULT_CASE_TIMEOUT_MS */
  timeoutMs?: number;
  run(ctx: ContractContext): Promise<void>;
}

/** A broken expectation; its message says what was expected and what came. */
export class ContractFailure extends Error {
  override name = 'ContractFailure';
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text.length > 300 ? `${text.slice(0, 300)}… (${text.length} chars)` : text;
}

export function equal<T>(actual: T, expected: T, what: string): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected))
    throw new ContractFailure(`${what}: expected ${show(expected)}, got ${show(actual)}`);
}

export function matches(actual: string, pattern: RegExp, what: string): void {
  if (!pattern.test(actual))
    throw new ContractFailure(`${what}: expected to match ${String(pattern)}, got ${show(actual)}`);
}

export function holds(condition: boolean, what: string): void {
  if (!condition) throw new ContractFailure(what);
}

/** The promise rejects with a `TabrunnerError` of this code. */
export async function rejectsWith(
  promise: Promise<unknown>,
  code: string,
  what: string,
): Promise<void> {
  try {
    await promise;
  } catch (err) {
    const got = (err as { code?: unknown }).code;
    if (got === code) return;
    throw new ContractFailure(`${what}: expected code ${code}, got ${show(got)} (${String(err)})`);
  }
  throw new ContractFailure(`${what}: expected a rejection with code ${code}, but it resolved`);
}
