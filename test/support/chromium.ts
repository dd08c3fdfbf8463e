/**
 * Debian's Chromium for browser tests and benchmarks: Playwright cannot download its own
 * browsers here, and without the background-networking flags Chromium keeps trying to reach
 * Google's hosts on a machine with no internet.
 */
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-gpu',
    ],
  });
}
