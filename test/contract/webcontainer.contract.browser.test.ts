/**
 * The executor contract against the real WebContainer adapter, in a real Chromium page (vitest's
 * browser project, served with COOP/COEP by the app's Vite config). Booting needs stackblitz.com,
 * so the contract runs only when the machine says it has internet (`TABRUNNER_INTERNET=1`,
 * passed in as `online`); elsewhere it shows as skipped with the reason.
 *
 * The page check always runs: it proves this harness gives WebContainer what it needs, so an
 * online run fails on WebContainer, not on the page.
 */
import { describe, expect, inject, it } from 'vitest';
import {
  createWebContainerExecutor,
  WEBCONTAINER_CAPABILITIES,
  webContainerSupport,
} from '../../src/executors/webcontainer/index.ts';
import { describeExecutorContract } from './executor.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `TABRUNNER_INTERNET === '1'` on the machine running vitest. */
    online: boolean;
  }
}

describe('the browser test page', () => {
  it('is Chromium, cross-origin isolated, and passes the WebContainer support check', () => {
    expect(navigator.userAgent).toMatch(/HeadlessChrome|Chromium/);
    expect(crossOriginIsolated).toBe(true);
    expect(typeof SharedArrayBuffer).toBe('function');
    expect(webContainerSupport()).toEqual({ ok: true });
  });
});

describeExecutorContract('webcontainer', async () => createWebContainerExecutor(), {
  capabilities: WEBCONTAINER_CAPABILITIES,
  ...(inject('online')
    ? {}
    : {
        skip: 'needs internet: set TABRUNNER_INTERNET=1 to run it against stackblitz.com in a real browser',
      }),
});
