import { playwright } from '@vitest/browser-playwright';
import { configDefaults, defineConfig } from 'vitest/config';
import { browserCommands } from './test/support/browser-commands.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './test/support/chromium.ts';

// CI asks for a machine-readable report too (.ci/run prints its counts as the closing line).
const jsonReport = process.env['VITEST_JSON_REPORT'];

/** Tests that run inside a real Chromium page (vitest browser mode) rather than in Node. */
const BROWSER_TESTS = ['src/**/*.browser.test.ts', 'test/**/*.browser.test.ts'];

const shared = {
  allowOnly: false,
  testTimeout: 30_000,
  hookTimeout: 60_000,
  expect: { requireAssertions: true },
};

export default defineConfig({
  test: {
    // The default reporter only counts skipped tests; this one closes the run with their reasons.
    reporters: [
      'default',
      './test/support/skipped-tests-reporter.ts',
      ...(jsonReport ? [['json', { outputFile: jsonReport }] satisfies [string, object]] : []),
    ],
    projects: [
      {
        test: {
          ...shared,
          name: 'node',
          include: [
            'src/**/*.test.ts',
            'emulator/**/*.test.ts',
            'proxy/**/*.test.ts',
            'test/**/*.test.ts',
          ],
          exclude: [...configDefaults.exclude, ...BROWSER_TESTS],
          environment: 'node',
          pool: 'forks',
        },
      },
      {
        // The app's own Vite config: the svelte plugin, ES module
        // Workers, and the COOP/COEP headers WebContainer needs.
        extends: './vite.config.ts',
        cacheDir: 'node_modules/.vite/browser-tests',
        optimizeDeps: {
          // The app and its Workers, which the scan of the test files does not reach: their
          // packages are bundled before the first test instead of reloading the page mid-run.
          entries: ['index.html', 'src/sources/worker/worker.ts', 'src/platform/timer-worker.ts'],
        },
        test: {
          ...shared,
          name: 'browser',
          include: BROWSER_TESTS,
          provide: { online: process.env['TABRUNNER_INTERNET'] === '1' },
          browser: {
            enabled: true,
            headless: true,
            // Failure screenshots would land in the work tree; the error and its locator say enough.
            screenshotFailures: false,
            // Debian's Chromium: Playwright cannot download its own browsers here.
            provider: playwright({
              launchOptions: { executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] },
              // The share link's Copy button; reading it back needs the read permission too.
              contextOptions: { permissions: ['clipboard-read', 'clipboard-write'] },
            }),
            instances: [{ browser: 'chromium' }],
            // A real GitLab emulator in Node for pages that connect to one.
            commands: browserCommands,
          },
        },
      },
    ],
  },
});
