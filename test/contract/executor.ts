/**
 * The executor contract as a vitest suite: every case of src/executors/contract that the
 * adapter's capabilities allow, against one executor, as gitlab-runner's `buildtest` scenarios
 * are run by every executor. The self-check page runs the same cases in a browser.
 */
import { afterAll, beforeEach, describe, it } from 'vitest';
import {
  casesFor,
  ContractSession,
  DEFAULT_CASE_TIMEOUT_MS,
  type Capability,
  type ContractCase,
} from '../../src/executors/contract/index.ts';
import type { Executor } from '../../src/executors/port.ts';

export interface ContractOptions {
  /** What the adapter offers beyond script semantics. */
  capabilities: readonly Capability[];
  /** Skip the whole suite; the reason shows in the test names. */
  skip?: string;
  /** Told which case runs next (a transcript replay follows along). */
  beforeCase?: (contractCase: ContractCase) => void;
}

export function describeExecutorContract(
  name: string,
  create: () => Promise<Executor>,
  options: ContractOptions,
): void {
  const title = `executor contract: ${name}`;
  if (options.skip !== undefined) {
    describe.skip(`${title} (skipped: ${options.skip})`, () => {
      it('runs the executor contract', () => {});
    });
    return;
  }

  describe(title, () => {
    let session: ContractSession | undefined;
    const current = async (): Promise<ContractSession> =>
      (session ??= new ContractSession(await create()));

    afterAll(async () => {
      await session?.dispose();
    });

    for (const contractCase of casesFor(options.capabilities)) {
      describe(contractCase.group, () => {
        beforeEach(() => options.beforeCase?.(contractCase));
        it(
          contractCase.name,
          async ({ expect }) => {
            // The case checks itself and throws what it found wrong.
            await expect((await current()).run(contractCase)).resolves.toBeUndefined();
          },
          contractCase.timeoutMs ?? DEFAULT_CASE_TIMEOUT_MS,
        );
      });
    }
  });
}
