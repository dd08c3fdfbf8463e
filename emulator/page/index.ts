/**
 * The emulator's read-only HTML page: pipelines, jobs, and traces rendered like GitLab's log
 * viewer (docs/runner-protocol.md §9).
 */
export { handlePage } from './handle-page.ts';
export { escapeHtml, maskSecrets } from './html.ts';
export { traceToHtml } from './trace-html.ts';
