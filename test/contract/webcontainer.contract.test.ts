/**
 * The executor contract against the WebContainer adapter. It needs stackblitz.com and a
 * cross-origin isolated browser page, so it runs only when the machine says it has internet;
 * elsewhere it shows as skipped with the reason.
 */
import { createWebContainerExecutor } from '../../src/executors/webcontainer/index.ts';
import { describeExecutorContract } from './executor.ts';

const online = process.env.TABRUNNER_INTERNET === '1';

describeExecutorContract('webcontainer', async () => createWebContainerExecutor(), {
  // WebContainer's FileSystemTree has no mode field (see reference/webcontainer.md §2).
  executableMode: false,
  ...(online
    ? {}
    : {
        skip: 'needs internet: set TABRUNNER_INTERNET=1 to run it against stackblitz.com in a real browser',
      }),
});
