/**
 * The executors area: the port the runner codes against, and the explicit map of adapters.
 * Nothing registers itself on import; the runner picks an adapter by name from `executors`.
 */
import type { Executor } from './port.ts';
import { createShellExecutor } from './shell/index.ts';
import { createWebContainerExecutor } from './webcontainer/index.ts';

export type {
  Executor,
  ExecutorInfo,
  FileTree,
  PrepareOptions,
  Stage,
  StageHooks,
  StageResult,
  TreeFile,
  Workspace,
} from './port.ts';
export { createShellExecutor } from './shell/index.ts';

/** The executor names GitLab sees in `info.executor`, and how to make each one. */
export const executors = {
  shell: (): Executor => createShellExecutor(),
  webcontainer: (): Executor => createWebContainerExecutor(),
} as const satisfies Record<string, () => Executor>;

export type ExecutorName = keyof typeof executors;

export function isExecutorName(name: string): name is ExecutorName {
  return Object.hasOwn(executors, name);
}
