/**
 * Debian's Chromium for browser tests and benchmarks: Playwright cannot download its own
 * browsers here, and without the background-networking flags Chromium keeps trying to reach
 * Google's hosts on a machine with no internet.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Also used by vitest's browser project (vitest.config.ts). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-gpu',
] as const;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] });
}

export interface TabbedChromium {
  browser: Browser;
  /** The browser's own default profile: its pages are tabs of one window. */
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Chromium whose pages behave like tabs a person switches between: bringing one tab to the
 * front really hides the others (`document.hidden`, `visibilitychange`) and the browser
 * throttles their timers, intensively after one second instead of five minutes.
 *
 * `launchChromium()` cannot show this: Playwright's launch flags turn background throttling
 * off, and the focus emulation it enables in every context it creates keeps each page
 * visible. So this starts Chromium itself and attaches with `noDefaults`, whose default
 * context carries no emulation.
 */
export async function launchChromiumWithTabs(): Promise<TabbedChromium> {
  const profile = await mkdtemp(join(tmpdir(), 'tabrunner-chromium-'));
  const child = spawn(
    CHROMIUM_PATH,
    [
      '--headless',
      '--remote-debugging-port=0',
      `--user-data-dir=${profile}`,
      '--enable-features=IntensiveWakeUpThrottling:grace_period_seconds/1',
      ...CHROMIUM_ARGS,
      'about:blank',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill();
    await exited;
    // Chromium's helper processes can still be writing to the profile just after it exits.
    await rm(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  };
  try {
    const endpoint = await new Promise<string>((resolve, reject) => {
      let output = '';
      const timer = setTimeout(
        () => reject(new Error(`Chromium did not start DevTools within 30 s:\n${output}`)),
        30_000,
      );
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (text: string) => {
        output += text;
        const match = /DevTools listening on (ws:\/\/\S+)/.exec(output);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`Chromium exited (${code}) before DevTools listened:\n${output}`));
      });
    });
    const browser = await chromium.connectOverCDP(endpoint, { noDefaults: true, isLocal: true });
    const context = browser.contexts()[0];
    if (!context) throw new Error('Chromium started without its default profile');
    return {
      browser,
      context,
      async close() {
        await browser.close().catch(() => undefined);
        await stop();
      },
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
