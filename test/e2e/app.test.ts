/**
 * The tab, end to end: the built app served by the real relay, in front of the real emulator
 * (real `git http-backend`), in Debian's headless Chromium, with the shell executor. Each test
 * uses its own runner in the emulator and its own browser profile, so no tab steals another's
 * job. `npm run screenshots` also saves every panel to docs/screenshots/.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  connect,
  download,
  horizontalOverflow,
  screenshots,
  selfCheckVerdict,
  terminalText,
  waitForState,
  waitForTerminal,
} from './page-helpers.ts';
import { startStack, type Stack } from './stack.ts';
import { launchChromiumWithTabs } from '../support/chromium.ts';
import { parseTranscript } from '../../src/executors/webcontainer/transcript/transcript.ts';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
}, 180_000);

afterEach(async () => {
  await stack?.cleanup();
});

afterAll(async () => {
  await stack?.close();
});

/** A fresh profile, connected with a new `glrt-` runner. */
async function connectedPage(): Promise<{ page: Page; token: string; runnerId: number }> {
  const runner = stack.emulator.createRunner({ description: 'e2e' });
  const { page } = await stack.open();
  await connect(page, stack.emulator.url, runner.token);
  return { page, token: runner.token, runnerId: runner.id };
}

/**
 * Records the longest wait between a page timer's ticks, as the page's own scripts see it.
 * A string, so the bundler's helpers never reach the page.
 */
const PAGE_TIMER_PROBE = `
  window.__longestTimerGapMs = 0;
  let last = performance.now();
  function tick() {
    const now = performance.now();
    window.__longestTimerGapMs = Math.max(window.__longestTimerGapMs, now - last);
    last = now;
    setTimeout(tick, 100);
  }
  setTimeout(tick, 100);
`;

/** A job that prints a line a second until stopped. */
const LONG_JOB = {
  name: 'long',
  script: ['for i in $(seq 1 600); do echo "tick $i"; sleep 1; done'],
};

describe('the tabrunner page', { timeout: 90_000 }, () => {
  it('verifies the token before saving, explains a wrong one, and shows the runner', async () => {
    const runner = stack.emulator.createRunner({ description: 'e2e connect' });
    const { page } = await stack.open();
    expect(await page.getByLabel('Relay URL').inputValue()).toBe(stack.relay.url);
    await page.getByLabel('GitLab URL').fill(stack.emulator.url);
    await screenshots(page, page.locator('section.connect'), 'connect');

    await page.getByLabel('Runner token', { exact: true }).fill('glrt-not-a-real-token');
    await page.getByRole('button', { name: 'Verify and connect' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: 'does not accept this runner token' })
      .waitFor();

    await connect(page, stack.emulator.url, runner.token);
    // The form is gone: focus goes on to the runner's heading, not back to <body>.
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.id), { timeout: 5_000 })
      .toBe('runner-title');
    const systemId = await page.getByTestId('system-id').innerText();
    expect(systemId).toMatch(/^r_[A-Za-z0-9]{12}$/);
    expect(await page.getByTestId('runner-id').innerText()).toBe(`#${runner.id}`);
    expect([...runner.managers.keys()]).toEqual([systemId]);
    // The token is never on the page, nor in the share link.
    expect(await page.content()).not.toContain(runner.token);
    const share = await page.getByTestId('share-link').inputValue();
    expect(new URL(share).searchParams.get('gitlab')).toBe(stack.emulator.url);
    expect(share).not.toContain(runner.token);
  });

  it('connects to the local sandbox in one click, and forgets the runner on request', async () => {
    const { page } = await stack.open();
    // The sample's `node` jobs wait for a WebContainer tab: the page says so before and after.
    const waiting = /node-build and node-test need the sandbox's WebContainer runner \(tag node\)/;
    expect(await page.getByTestId('sandbox-webcontainer').innerText()).toMatch(waiting);
    await page.getByRole('button', { name: 'Connect the WebContainer runner instead' }).waitFor();
    await page.getByRole('button', { name: 'Connect to the local sandbox' }).click();
    await waitForState(page, 'polling');
    const systemId = await page.getByTestId('system-id').innerText();
    expect(stack.sandboxRunner.managers.has(systemId)).toBe(true);
    const elsewhere = await page.getByTestId('jobs-elsewhere').innerText();
    expect(elsewhere).toMatch(/2 jobs/);
    expect(elsewhere).toMatch(/node-build and node-test need a runner with the tag node/);

    await page.getByRole('button', { name: 'Forget this runner…' }).click();
    await page.getByRole('button', { name: 'Yes, forget it' }).click();
    await page.getByRole('button', { name: 'Verify and connect' }).waitFor();
    expect(stack.sandboxRunner.managers.has(systemId)).toBe(false);
    await page.reload();
    await page.getByRole('button', { name: 'Verify and connect' }).waitFor();
  });

  it('runs a job: its log is in the terminal and byte-identical to the trace GitLab stored', async () => {
    const { page } = await connectedPage();
    const [job] = await stack.pipeline([
      { name: 'hello', script: ['echo "hello from the tab"', 'echo "café ✓"', 'ls'] },
    ]);
    const done = await stack.waitForJob(job!.id, ['success', 'failed', 'canceled']);
    expect(done.status).toBe('success');

    await waitForTerminal(page, 'Job succeeded');
    const shown = await terminalText(page);
    expect(shown).toContain('hello from the tab');
    expect(shown).toContain('café ✓');
    expect(shown).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z/);

    const received = await download(
      page,
      page.getByTestId('current-job').getByRole('button', { name: 'Download log' }),
    );
    expect(received.length).toBeGreaterThan(0);
    expect(Buffer.from(received).equals(Buffer.from(done.trace))).toBe(true);

    const entry = page.getByTestId('history-entry').filter({ hasText: `#${job!.id} hello` });
    await entry.locator('[data-result="success"]').waitFor();
    await entry.locator('summary').click();
    expect(await entry.getByRole('table').innerText()).toContain('script');
    const kept = await download(page, entry.getByRole('button', { name: 'Download log' }));
    expect(Buffer.from(kept).equals(Buffer.from(done.trace))).toBe(true);
    expect(await page.getByTestId('jobs-run').innerText()).toBe('1');

    await screenshots(page, page.getByTestId('runner-panel'), 'runner');
    await screenshots(page, page.getByTestId('current-job'), 'job');
    await screenshots(page, page.getByTestId('history'), 'history');
    await screenshots(page, page.locator('section[aria-labelledby="settings-title"]'), 'settings');
    await screenshots(page, null, 'page');
    await page.setViewportSize({ width: 720, height: 900 });
    await screenshots(page, null, 'half-screen');
  });

  it('fits a phone: no sideways scroll, and no section markers where the terminal wraps', async () => {
    const runner = stack.emulator.createRunner({ description: 'e2e phone' });
    const { page } = await stack.open();
    for (const width of [390, 320]) {
      await page.setViewportSize({ width, height: 800 });
      expect(await horizontalOverflow(page), `${width} px`).toEqual([]);
      await screenshots(page, null, `connect-${width}`);
    }
    await connect(page, stack.emulator.url, runner.token);
    // Sections on the runner's stages and on the multi-line command, all written at 320 px.
    const [job] = await stack.pipeline([
      { name: 'phone', script: ['echo "first line"\necho "second line"', 'echo done-here'] },
    ]);
    expect((await stack.waitForJob(job!.id, ['success', 'failed', 'canceled'])).status).toBe(
      'success',
    );
    await waitForTerminal(page, 'Job succeeded');
    for (const width of [320, 390]) {
      await page.setViewportSize({ width, height: 800 });
      await page.getByTestId('terminal').waitFor();
      expect(await horizontalOverflow(page), `${width} px`).toEqual([]);
      const shown = await terminalText(page);
      expect(shown).toContain('done-here');
      expect(shown, `${width} px`).not.toContain('section_');
      await screenshots(page, null, `page-${width}`);
    }
  });

  it('reports a failing script as failed, in GitLab and in the history', async () => {
    const { page } = await connectedPage();
    const [job] = await stack.pipeline([
      { name: 'broken', script: ['echo "about to fail"', 'exit 3'] },
    ]);
    const done = await stack.waitForJob(job!.id, ['success', 'failed', 'canceled']);
    expect(done.status).toBe('failed');
    expect(done.failureReason).toBe('script_failure');
    const entry = page.getByTestId('history-entry').filter({ hasText: `#${job!.id} broken` });
    await entry.locator('[data-result="failed"]').waitFor();
    expect(await page.getByTestId('current-job').locator('[data-result]').innerText()).toContain(
      'script failure',
    );
  });

  it('follows a cancel made in GitLab', async () => {
    const { page } = await connectedPage();
    const [job] = await stack.pipeline([LONG_JOB]);
    await waitForTerminal(page, 'tick 2');
    stack.emulator.watchJob(job!.id, 600); // someone has the job page open: trace interval 3 s
    stack.emulator.cancelJob(job!.id);
    const done = await stack.waitForJob(job!.id, ['success', 'failed', 'canceled']);
    expect(done.status).toBe('canceled');
    await page.getByTestId('current-job').locator('[data-result="canceled"]').waitFor();
    await waitForState(page, 'polling');
  });

  it('"Stop now" fails the running job as a runner system failure and stops', async () => {
    const { page } = await connectedPage();
    const [job] = await stack.pipeline([LONG_JOB]);
    await waitForTerminal(page, 'tick 1');
    await page.getByRole('button', { name: 'Stop now' }).click();
    const done = await stack.waitForJob(job!.id, ['success', 'failed', 'canceled']);
    expect(done.status).toBe('failed');
    expect(done.failureReason).toBe('runner_system_failure');
    await waitForState(page, 'stopped');
    await page.getByRole('button', { name: 'Start runner' }).waitFor();
  });

  it('keeps the runner across a reload', async () => {
    const { page, runnerId } = await connectedPage();
    const systemId = await page.getByTestId('system-id').innerText();
    await page.reload();
    await waitForState(page, 'polling');
    expect(await page.getByTestId('system-id').innerText()).toBe(systemId);
    expect(await page.getByTestId('runner-id').innerText()).toBe(`#${runnerId}`);
  });

  it('keeps taking and running jobs in a tab the browser has put in the background', async () => {
    const tabs = await launchChromiumWithTabs();
    try {
      const runner = stack.emulator.createRunner({ description: 'e2e background tab' });
      const page = await tabs.context.newPage();
      await page.goto(stack.relay.url);
      await connect(page, stack.emulator.url, runner.token);
      const systemId = await page.getByTestId('system-id').innerText();

      // Another tab comes to the front: the browser itself hides this one.
      await (await tabs.context.newPage()).bringToFront();
      await page.waitForFunction(() => document.visibilityState === 'hidden');
      await page.evaluate(PAGE_TIMER_PROBE);

      // `sleep` and a loop long enough to yield: both wait on timers, which the browser now
      // holds back to one wake-up a minute on this page.
      const [job] = await stack.pipeline([
        {
          name: 'in-the-background',
          script: [
            'for i in 1 2 3; do sleep 1; echo "background tick $i"; done',
            'n=0; while [ $n -lt 3000 ]; do n=$((n + 1)); done; echo "counted to $n"',
          ],
        },
      ]);
      const done = await stack.waitForJob(job!.id, ['success', 'failed', 'canceled'], 60_000);
      const trace = new TextDecoder().decode(done.trace);
      expect(done.status).toBe('success');
      expect(done.systemId).toBe(systemId);
      expect(trace).toContain('background tick 3');
      expect(trace).toContain('counted to 3000');
      // The job ran while the browser was throttling this page's own timers.
      expect(await page.evaluate(() => document.visibilityState)).toBe('hidden');
      expect(await page.evaluate('window.__longestTimerGapMs')).toBeGreaterThanOrEqual(900);
    } finally {
      await tabs.close();
    }
  });

  it('warns when the tab closes during a job, then reports the job failed', async () => {
    const { page } = await connectedPage();
    const [job] = await stack.pipeline([LONG_JOB]);
    await waitForTerminal(page, 'tick 1');
    const dialog = new Promise<string>((resolve) =>
      page.once('dialog', (d) => {
        resolve(d.type());
        void d.accept();
      }),
    );
    await page.close({ runBeforeUnload: true });
    expect(await dialog).toBe('beforeunload');
    const done = await stack.waitForJob(job!.id, ['success', 'failed', 'canceled']);
    expect(done.status).toBe('failed');
    expect(done.failureReason).toBe('runner_system_failure');
  });
});

describe('the browser self-check', () => {
  // TABRUNNER_INTERNET=1: the machine reaches stackblitz.com, so the check runs for real.
  const online = process.env['TABRUNNER_INTERNET'] === '1';

  it(
    online
      ? 'runs the executor contract on a real WebContainer and offers the transcript'
      : 'says within 60 s that WebContainer cannot start here, and why, and offers the transcript',
    async () => {
      const { context } = await stack.open();
      const page = await context.newPage();
      await page.goto(`${stack.relay.url}/?self-check`);
      const result = page.getByTestId('self-check-result');
      await expect(result.getAttribute('data-verdict')).resolves.toBe('running');
      const { verdict, says } = await selfCheckVerdict(page, online ? 600_000 : 60_000);
      expect(verdict, says).toBe(online ? 'pass' : 'unavailable');
      if (!online) {
        // No network: the boot timed out and the page says what to check.
        await expect(result.innerText()).resolves.toMatch(
          /did not boot within 30 s.*stackblitz\.com/s,
        );
      }
      await screenshots(page, page.locator('section.check'), 'self-check');

      const file = await download(
        page,
        page.getByRole('button', { name: 'Download the transcript' }),
      );
      const transcript = parseTranscript(new TextDecoder().decode(file));
      expect(transcript.recorded).toBe(true);
      expect(transcript.userAgent).toMatch(/Chrom/);
      const boot = transcript.cases[0]?.calls.find((call) => call.call === 'boot');
      if (online) expect(boot).toMatchObject({ call: 'boot', workdir: expect.any(String) });
      else expect(boot).toMatchObject({ call: 'boot' });
    },
    online ? 660_000 : 90_000,
  );
});
