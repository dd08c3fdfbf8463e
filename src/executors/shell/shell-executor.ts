/**
 * The `shell` executor: runs a job's stages in the stage shell (../bash, just-bash) on an
 * in-memory file system with no network. It needs no external service, so it works in any
 * browser and on machines without internet; in exchange a job gets only just-bash's built-in
 * commands (see shell-hints.ts). Each job gets its own workspace.
 */
import type { Clock } from '../../platform/clock.ts';
import type { Executor, ExecutorInfo, FileTree, PrepareOptions, Workspace } from '../port.ts';
import { ShellWorkspace } from './shell-workspace.ts';

export interface ShellExecutorOptions {
  /**
   * Where `sleep` waits. The tab passes its worker clock: a hidden page's own timers wake once
   * a minute, which would turn `sleep 1` into a minute. @default just-bash's own timer
   */
  clock?: Clock;
}

/** The sandbox's own paths: GitLab's default builds directory, in memory. */
const SHELL_INFO: ExecutorInfo = { buildsDir: '/builds', shell: 'bash' };

export function createShellExecutor(options: ShellExecutorOptions = {}): Executor {
  const { clock } = options;
  const workspaces = new Set<ShellWorkspace>();
  return {
    name: 'shell',
    async describe(): Promise<ExecutorInfo> {
      return SHELL_INFO;
    },
    async prepare(tree: FileTree, options: PrepareOptions): Promise<Workspace> {
      const workspace: ShellWorkspace = await ShellWorkspace.create(tree, options, clock, () =>
        workspaces.delete(workspace),
      );
      workspaces.add(workspace);
      return workspace;
    },
    async dispose(): Promise<void> {
      await Promise.all([...workspaces].map((workspace) => workspace.dispose()));
    },
  };
}
