/**
 * The built app as a deployment serves it: the real relay over a fresh `vite build` with no
 * sandbox written next to it (not `npm start`), in Debian's headless Chromium. Loading it must
 * be clean (no failed request, no console error), and the connect screen must fit a phone.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRelay, type RunningRelay } from '../../proxy/node.ts';
import { launchChromium } from '../support/chromium.ts';
import { buildApp } from './stack.ts';
import { horizontalOverflow } from './page-helpers.ts';

let appDir: string;
let relay: RunningRelay;
let browser: Browser;

beforeAll(async () => {
  appDir = await mkdtemp(join(tmpdir(), 'tabrunner-e2e-layout-'));
  await buildApp(appDir);
  relay = await startRelay({
    port: 0,
    // Never reached: the page loads without a saved runner and asks GitLab nothing.
    upstreams: ['http://127.0.0.1:9'],
    appDir,
    log: () => undefined,
  });
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await relay?.close();
  if (appDir) await rm(appDir, { recursive: true, force: true });
});

/** A fresh profile at `width`, with every failed response and console complaint recorded. */
async function openAt(width: number): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width, height: 800 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
  });
  page.on('requestfailed', (request) => problems.push(`failed ${request.url()}`));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning')
      problems.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await page.goto(relay.url);
  await page.getByRole('button', { name: 'Verify and connect' }).waitFor({ timeout: 30_000 });
  return { page, problems };
}

describe('the built app without a sandbox', { timeout: 60_000 }, () => {
  it('loads with no failed request and no console error (sandbox probe, favicon)', async () => {
    const { page, problems } = await openAt(1280);
    // The sandbox probe has been answered once the page settles its network.
    await page.waitForLoadState('networkidle', { timeout: 30_000 });
    expect(problems).toEqual([]);
    // Shipped empty: a deployment offers no sandbox, and the Connect form says nothing of one.
    expect(JSON.parse(await readFile(join(appDir, 'sandbox.json'), 'utf8'))).toEqual({});
    expect(await page.getByRole('button', { name: 'Connect to the local sandbox' }).count()).toBe(
      0,
    );
    await page.context().close();
  });

  for (const width of [320, 390]) {
    it(`fits the connect screen in ${width} px without scrolling sideways`, async () => {
      const { page } = await openAt(width);
      expect(await horizontalOverflow(page)).toEqual([]);
      await expect(page.getByLabel('Theme').isVisible()).resolves.toBe(true);
      await page.context().close();
    });
  }
});
