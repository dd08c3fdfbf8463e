/**
 * The shell executor's public surface: `createShellExecutor()`. Everything else in this folder
 * is its machinery.
 */
export { createShellExecutor } from './shell-executor.ts';
