/**
 * The WebContainer executor: run a job's stages in the stage shell with StackBlitz's in-browser
 * Node for its programs, one job per tab. Needs a cross-origin isolated page and stackblitz.com
 * reachable; check `webContainerSupport()` before offering it.
 */
import type { Capability } from '../contract/index.ts';

export { createWebContainerExecutor } from './webcontainer-executor.ts';
export type { WebContainerExecutor, WebContainerExecutorOptions } from './webcontainer-executor.ts';
export { webContainerSupport } from './support.ts';
export type { WebContainerSupport } from './support.ts';

/** What the contract may ask of it: modes (kept by ContainerFileSystem), Node, the npm registry. */
export const WEBCONTAINER_CAPABILITIES: readonly Capability[] = ['modes', 'node', 'registry'];
