/**
 * The emulator's job page (`GET /-/jobs/:id`) shows a tabrunner job log the way GitLab's job
 * page does: one `<details>` per section, folded when the marker says `collapsed=true`, stage
 * headers as the visible summaries, no raw escape codes, no token. Checked in the HTML and in
 * Debian's headless Chromium; `UPDATE_GOLDEN=1` also saves docs/screenshots/emulator-job-log.png.
 */
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '../../emulator/index.ts';
import { FIXED_MS, frozenClock } from '../support/golden-trace.ts';
import { startHarness, text, type Harness } from '../support/runner-harness.ts';
import { launchChromium } from '../support/chromium.ts';

const SCREENSHOT = fileURLToPath(
  new URL('../../docs/screenshots/emulator-job-log.png', import.meta.url),
);

let h: Harness;
let job: Job;
let html: string;
let pageUrl: string;

beforeAll(async () => {
  h = await startHarness();
  [job] = (await h.pipeline([
    {
      name: 'page-demo',
      variables: [
        { key: 'API_SECRET', value: 'sup3r-s3cret-value', masked: true },
        // Fold the multi-line command in a section of its own, as GitLab's runner does with it.
        { key: 'FF_SCRIPT_SECTIONS', value: 'true' },
      ],
      before_script: ['echo "preparing with $API_SECRET"'],
      script: [
        'echo one\necho two\necho three',
        'printf "\\033[31mred\\033[0m and plain\\n"',
        'false',
      ],
      after_script: ['echo "after: $CI_JOB_STATUS"'],
    },
  ])) as [Job];
  const { runner } = h.makeRunner({ traceClock: frozenClock(FIXED_MS) });
  await runner.run({ once: true });
  await h.finished(job.id);
  pageUrl = `${h.emulator.url}/-/jobs/${job.id}`;
  const res = await fetch(pageUrl);
  expect(res.status).toBe(200);
  html = await res.text();
});
afterAll(async () => {
  await h.close();
});

/** Section names in the order their `section_start` markers appear in the stored trace. */
function sectionsOf(trace: string): { name: string; collapsed: boolean }[] {
  return [...trace.matchAll(/section_start:\d+:([\w.-]+)(\[[^\]]*\])?\r\x1b\[0K/g)].map((m) => ({
    name: m[1]!,
    collapsed: /collapsed=true/.test(m[2] ?? ''),
  }));
}

/** The page's text as a reader sees it: tags dropped, entities decoded. */
function pageText(markup: string): string {
  return markup
    .replace(/<[^>]+>/g, '')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

describe('emulator job page', () => {
  it('has one <details> per section, folded exactly when collapsed=true', () => {
    const sections = sectionsOf(text(job.trace));
    expect(sections.map((s) => s.name)).toEqual([
      'prepare_executor',
      'prepare_script',
      'get_sources',
      'step_script',
      'section_script_step_1',
      'after_script',
      'cleanup_file_variables',
    ]);
    const details = [
      ...html.matchAll(/<details class="section"( open)? data-section="([^"]+)">/g),
    ].map((m) => ({
      name: m[2],
      collapsed: m[1] === undefined,
    }));
    expect(details).toEqual(sections);
  });

  it('shows the stage headers, the commands and the closing line, without escape codes or tokens', () => {
    const visible = pageText(html);
    for (const header of [
      'Preparing the "shell" executor',
      'Preparing environment',
      'Getting source from Git repository',
      'Executing "step_script" stage of the job script',
      'Running after_script',
      'Cleaning up project directory and file based variables',
      '$ echo one',
      'red and plain',
      'after: failed',
      'ERROR: Job failed: exit code 1',
    ]) {
      expect(visible).toContain(header);
    }
    // Stage headers are the summaries (always visible), not hidden section bodies.
    expect(html).toMatch(
      /<summary>[^]*?Executing &quot;step_script&quot; stage of the job script[^]*?<\/summary>/,
    );
    expect(html).not.toContain('\x1b');
    expect(html).not.toMatch(/\[(0K|0;m|32;1m|36;1m)/);
    expect(html).not.toContain('section_start');
    expect(html).not.toContain('section_end');
    expect(html).not.toContain('\r');
    expect(html).not.toContain(job.token);
    expect(html).not.toContain(h.runnerToken);
    expect(html).not.toContain('sup3r-s3cret-value');
    expect(visible).toContain('preparing with [MASKED]');
    // The script's own colour survives as a class, GitLab-style.
    expect(html).toMatch(/<span class="fg-red">red<\/span>/);
  });

  it('folds and unfolds like GitLab in a real browser, and looks right', async () => {
    let browser: Browser | null = null;
    try {
      browser = await launchChromium();
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      await page.goto(pageUrl);
      const open = await page.$$eval('details.section', (all) =>
        all.map((d) => ({
          name: d.getAttribute('data-section'),
          open: (d as HTMLDetailsElement).open,
        })),
      );
      expect(open.filter((d) => !d.open).map((d) => d.name)).toEqual(['section_script_step_1']);
      const folded = page.locator('details[data-section="section_script_step_1"]');
      // The folded section shows its first line ($ echo one) and hides the rest of the command.
      await expect.poll(() => folded.locator('summary').isVisible()).toBe(true);
      expect(await folded.getByText('echo two').isVisible()).toBe(false);
      await folded.locator('summary').click();
      expect(await folded.getByText('echo two').isVisible()).toBe(true);
      await folded.locator('summary').click();
      // Folding a stage hides its body, but its header stays.
      const step = page.locator('details[data-section="step_script"]');
      expect(await step.getByText('red and plain').isVisible()).toBe(true);
      if (process.env.UPDATE_GOLDEN === '1') {
        await mkdir(fileURLToPath(new URL('.', `file://${SCREENSHOT}`)), { recursive: true });
        await page.screenshot({ path: SCREENSHOT, fullPage: true });
      }
      await step.locator('summary').first().click();
      expect(await step.getByText('red and plain').isVisible()).toBe(false);
      expect(await step.locator('summary').first().isVisible()).toBe(true);
    } finally {
      await browser?.close();
    }
  });
});
