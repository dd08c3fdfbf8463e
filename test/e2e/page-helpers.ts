/** What the e2e tests do on the page, by role and label as a person would. */
import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Locator, Page } from 'playwright-core';

const SCREENSHOTS = resolve(fileURLToPath(new URL('../../docs/screenshots', import.meta.url)));

/** Fill the Connect form with a runner token and wait until the runner asks for jobs. */
export async function connect(page: Page, gitlabUrl: string, token: string): Promise<void> {
  await page.getByLabel('GitLab URL').fill(gitlabUrl);
  await page.getByLabel('Runner token', { exact: true }).fill(token);
  await page.getByRole('button', { name: 'Verify and connect' }).click();
  await waitForState(page, 'polling');
}

export async function waitForState(page: Page, state: string): Promise<void> {
  await page
    .locator(`[data-testid="runner-state"][data-state="${state}"]`)
    .waitFor({ timeout: 30_000 });
}

/** The terminal's visible text (xterm's DOM renderer rows). */
export async function terminalText(page: Page): Promise<string> {
  return page.locator('[data-testid="terminal"] .xterm-rows').innerText();
}

/**
 * Why the page scrolls sideways, if it does: the document's width against the viewport's, and
 * the outermost elements reaching past the viewport's right edge. Empty when it fits.
 */
export async function horizontalOverflow(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const { scrollWidth } = document.documentElement;
    if (scrollWidth <= window.innerWidth) return [];
    const past = [...document.body.querySelectorAll('*')].filter(
      (element) =>
        element.getBoundingClientRect().right > window.innerWidth + 0.5 &&
        (element.parentElement?.getBoundingClientRect().right ?? 0) <= window.innerWidth + 0.5,
    );
    return [
      `document ${scrollWidth} px wide in a ${window.innerWidth} px viewport`,
      ...past.map(
        (element) =>
          `<${element.tagName.toLowerCase()} class="${element.className.toString()}"> ends at ${Math.round(element.getBoundingClientRect().right)} px`,
      ),
    ];
  });
}

/** Wait until the terminal shows `text`. */
export async function waitForTerminal(page: Page, text: string): Promise<void> {
  await page
    .locator('[data-testid="terminal"] .xterm-rows')
    .filter({ hasText: text })
    .waitFor({ timeout: 30_000 });
}

/** Click a "Download log" button and return the file's bytes. */
export async function download(page: Page, button: Locator): Promise<Uint8Array> {
  const [file] = await Promise.all([page.waitForEvent('download'), button.click()]);
  return new Uint8Array(await readFile(await file.path()));
}

/**
 * Screenshot `target` in the light and the dark theme (or those given) into docs/screenshots/<name>-<theme>.png,
 * only for `npm run screenshots` (TABRUNNER_SCREENSHOTS=1): a test run never writes tracked files.
 */
export async function screenshots(
  page: Page,
  target: Locator | null,
  name: string,
  // The emulator's page has one theme; the tab's follows the system's.
  colorSchemes: readonly ('light' | 'dark')[] = ['light', 'dark'],
): Promise<void> {
  if (process.env['TABRUNNER_SCREENSHOTS'] !== '1') return;
  await mkdir(SCREENSHOTS, { recursive: true });
  for (const colorScheme of colorSchemes) {
    await page.emulateMedia({ colorScheme, reducedMotion: 'reduce' });
    const path = join(SCREENSHOTS, `${name}-${colorScheme}.png`);
    if (target) await target.screenshot({ path, animations: 'disabled' });
    else await page.screenshot({ path, fullPage: true, animations: 'disabled' });
  }
  await page.emulateMedia({ colorScheme: 'light', reducedMotion: 'reduce' });
}

/** What the self-check page says: its detail line and each failed row with its error. */
async function selfCheckSays(page: Page): Promise<string> {
  const detail = await page
    .getByTestId('self-check-result')
    .locator('.detail')
    .innerText()
    .catch(() => '(no result shown)');
  const failed = await page.locator('tbody tr[data-status="failed"]').allInnerTexts();
  return [detail, ...failed.map((row) => `failed: ${row.replace(/\s+/g, ' ').trim()}`)].join('\n');
}

/**
 * Wait until the self-check's verdict is no longer `running` (at most `timeoutMs`), and return
 * it with what the page says, for the assertion's message.
 */
export async function selfCheckVerdict(
  page: Page,
  timeoutMs: number,
): Promise<{ verdict: string | null; says: string }> {
  try {
    await page
      .locator('[data-testid="self-check-result"]:not([data-verdict="running"])')
      .waitFor({ timeout: timeoutMs });
  } catch (err) {
    throw new Error(
      `The self-check still runs after ${timeoutMs / 1000} s:\n${await selfCheckSays(page)}`,
      { cause: err },
    );
  }
  const verdict = await page.getByTestId('self-check-result').getAttribute('data-verdict');
  return { verdict, says: await selfCheckSays(page) };
}
