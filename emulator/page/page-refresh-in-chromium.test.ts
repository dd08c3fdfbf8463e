/**
 * The page's refresh (every 2 s while something runs, no script) in Debian's headless Chromium:
 * the pipelines page keeps refreshing when opened at a pipeline's anchor, and a reader of a
 * running job's log who follows it stays at its end as it grows, one reading the middle stays
 * where they were, and the timestamps asked for stay shown.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchChromium } from '../../test/support/chromium.ts';
import { createTestContext, type TestContext } from '../git/test-context.ts';
import type { Job } from '../model.ts';
import { insertSimpleJob } from '../test-support/index.ts';
import { handlePage } from './index.ts';

/** Lines of `text`, each with the timestamp prefix of docs/runner-protocol.md §9.6. */
function logLines(from: number, to: number): Uint8Array {
  let text = '';
  for (let i = from; i <= to; i++) text += `2026-01-02T03:04:05.000000Z 00O line ${i}\n`;
  return new TextEncoder().encode(text);
}

/** Give the running job more output, as a runner's trace PATCH would. */
function grow(job: Job, to: number): void {
  const more = logLines(job.trace.byteLength === 0 ? 1 : 201, to);
  const trace = new Uint8Array(job.trace.byteLength + more.byteLength);
  trace.set(job.trace);
  trace.set(more, job.trace.byteLength);
  job.trace = trace;
}

/** Wait (at most three refreshes) until the page shows `text` after a load. */
async function refreshedUntil(page: Page, text: string): Promise<void> {
  for (let refreshes = 0; refreshes < 3; refreshes++) {
    await page.waitForEvent('load', { timeout: 10_000 });
    if ((await page.textContent('.log'))?.includes(text)) return;
  }
  throw new Error(`the page did not show "${text}" after three refreshes`);
}

const scroll = (page: Page) =>
  page.evaluate(() => ({
    y: window.scrollY,
    bottomGap: document.documentElement.scrollHeight - window.scrollY - window.innerHeight,
  }));

describe('the job page in Chromium while the log grows', () => {
  let browser: Browser;
  let t: TestContext;
  let base: string;
  let job: Job;
  let page: Page;

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser.close();
  });
  beforeEach(async () => {
    t = await createTestContext();
    base = await t.listen(handlePage);
    job = insertSimpleJob(t.ctx.state, { status: 'running', startedAt: t.ctx.clock.now() });
    grow(job, 200);
    page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
  });
  afterEach(async () => {
    await page.close();
    await t.dispose();
  });

  it('keeps refreshing the pipelines page opened at a pipeline, where Run pipeline lands', async () => {
    const pipeline = t.ctx.state.pipelines.get(job.pipelineId);
    if (!pipeline) throw new Error('no pipeline');
    pipeline.status = 'running';
    await page.goto(`${base}/#pipeline-${pipeline.id}`);
    job.name = 'renamed-while-watching';
    await page.waitForEvent('load', { timeout: 10_000 });
    expect(await page.textContent('main')).toContain('renamed-while-watching');
  });

  it('keeps a reader who follows the log at its end', async () => {
    await page.goto(`${base}/-/jobs/${job.id}`);
    await page.click('text=Follow the log');
    expect((await scroll(page)).bottomGap).toBeLessThan(50);
    grow(job, 400);
    await refreshedUntil(page, 'line 400');
    const after = await scroll(page);
    expect(after.bottomGap).toBeLessThan(50);
    expect(page.url()).toMatch(/\?follow&at=\d+#log-end$/);
  });

  it('leaves a reader of the middle of the log where they were', async () => {
    await page.goto(`${base}/-/jobs/${job.id}`);
    await page.evaluate(() => window.scrollTo(0, 1200));
    grow(job, 400);
    await refreshedUntil(page, 'line 400');
    expect((await scroll(page)).y).toBe(1200);
  });

  it('keeps the timestamps shown across refreshes, and hides them again on request', async () => {
    await page.goto(`${base}/-/jobs/${job.id}`);
    expect(await page.isVisible('.ts >> nth=0')).toBe(false);
    await page.click('text=Show timestamps');
    grow(job, 400);
    await refreshedUntil(page, 'line 400');
    expect(await page.isVisible('.ts >> nth=0')).toBe(true);
    await page.click('text=Hide timestamps');
    expect(await page.isVisible('.ts >> nth=0')).toBe(false);
  });
});
