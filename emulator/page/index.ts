/**
 * The emulator's HTML page: pipelines as graphs, job logs rendered like GitLab's log viewer
 * (docs/runner-protocol.md §9), the runners view, and the instructor's buttons.
 */
export { handlePage } from './handle-page.ts';
export { escapeHtml, maskSecrets } from './html.ts';
export { signInUrl } from './instructor-session.ts';
export { traceToHtml } from './trace-html.ts';
