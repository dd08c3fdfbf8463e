/**
 * Runs contract cases against one executor: one `describe()`, then per case a fresh workspace
 * holding the contract tree, the case, and the workspace's disposal. One executor serves every
 * case, as one tab serves every job, so the cases also prove that jobs do not leak into each
 * other.
 */
import type { Executor, ExecutorInfo, FileTree, Workspace } from '../port.ts';
import type { ContractCase, ContractContext, StageOutcome } from './contract-case.ts';

const encoder = new TextEncoder();

function file(path: string, text: string, mode?: number): FileTree['files'][number] {
  return { path, data: encoder.encode(text), ...(mode === undefined ? {} : { mode }) };
}

/** What every case finds in its project directory. */
export const CONTRACT_TREE: FileTree = {
  files: [
    file('README.md', 'top level\n'),
    file('src/lib/deep/value.txt', 'nested value\n'),
    file('bin/hello.sh', '#!/bin/sh\necho "hello from script"\n', 0o100755),
  ],
  directories: ['empty/dir'],
};

/** The job variables every case starts with. */
export const CONTRACT_ENV = { GREETING: 'hello world', CI: 'true' };

export class ContractSession {
  readonly #executor: Executor;
  #info: ExecutorInfo | undefined;

  constructor(executor: Executor) {
    this.#executor = executor;
  }

  /** What the executor says it is; the first call may start the sandbox. */
  async info(): Promise<ExecutorInfo> {
    this.#info ??= await this.#executor.describe();
    return this.#info;
  }

  /** Run one case; resolves when it passed, rejects with what went wrong. */
  async run(contractCase: ContractCase): Promise<void> {
    const info = await this.info();
    const projectDir = `${info.buildsDir}/group/project`;
    const prepare = () =>
      this.#executor.prepare(CONTRACT_TREE, { projectDir, env: { ...CONTRACT_ENV } });
    let workspace: Workspace = await prepare();
    const ctx: ContractContext = {
      info,
      projectDir,
      get workspace() {
        return workspace;
      },
      stage: (lines, options = {}) => runStage(workspace, lines, options),
      nextJob: async () => {
        await workspace.dispose();
        workspace = await prepare();
      },
    };
    try {
      await contractCase.run(ctx);
    } finally {
      await workspace.dispose();
    }
  }

  dispose(): Promise<void> {
    return this.#executor.dispose();
  }
}

async function runStage(
  workspace: Workspace,
  lines: string[],
  options: { env?: Record<string, string>; signal?: AbortSignal },
): Promise<StageOutcome> {
  const decoder = new TextDecoder();
  let text = '';
  const chunks: string[] = [];
  const events: string[] = [];
  const announced: number[] = [];
  const { exitCode } = await workspace.runStage(
    { lines, ...(options.env ? { env: options.env } : {}) },
    {
      onLine: (index) => {
        announced.push(index);
        events.push(`line ${index}`);
      },
      onOutput: (chunk) => {
        const decoded = decoder.decode(chunk, { stream: true });
        text += decoded;
        chunks.push(decoded);
        // Consecutive chunks are one `out`: how a sandbox splits its output is its own business.
        if (events.at(-1) !== 'out') events.push('out');
      },
    },
    options.signal ?? new AbortController().signal,
  );
  text += decoder.decode();
  events.push('resolved');
  return { exitCode, text, chunks, lines: announced, events };
}
