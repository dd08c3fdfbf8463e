/**
 * When GitLab misbehaves, the tab says so (issue 14): the built app through the real relay to the
 * real emulator, in Debian's headless Chromium. GitLab going away mid-job is the emulator's fault
 * injection answering 503 (what a GitLab behind a load balancer says while it restarts); a
 * refused final update is a 403 to the job's `PUT`; a runner GitLab forgot is one deleted over
 * the emulator's runner API. Each test uses its own runner and browser profile.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect, waitForState, waitForTerminal } from './page-helpers.ts';
import { startStack, type Stack } from './stack.ts';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
}, 180_000);

afterEach(async () => {
  stack?.emulator.faults.clear();
  await stack?.cleanup();
});

afterAll(async () => {
  await stack?.close();
});

async function connectedPage(): Promise<{ page: Page; token: string }> {
  const runner = stack.emulator.createRunner({ description: 'e2e trouble' });
  const { page } = await stack.open();
  await connect(page, stack.emulator.url, runner.token);
  return { page, token: runner.token };
}

/** When the panel last saw GitLab answer (ms since the epoch), from its `data-at`. */
async function lastContactAt(page: Page): Promise<number> {
  return Number(await page.getByTestId('last-contact').getAttribute('data-at'));
}

/** Wait until `check` holds, at most `timeoutMs`; the error says what did not happen. */
async function until(
  check: () => Promise<boolean>,
  timeoutMs: number,
  failure: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(failure);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('the tab when GitLab is in trouble', { timeout: 90_000 }, () => {
  it('shows GitLab unreachable mid-job, retrying, and clears it when a request gets through', async () => {
    const { page } = await connectedPage();
    const [job] = await stack.pipeline([
      { name: 'long', script: ['for i in $(seq 1 600); do echo "tick $i"; sleep 1; done'] },
    ]);
    await waitForTerminal(page, 'tick 1');
    stack.emulator.watchJob(job!.id, 600); // someone watches the job: trace PATCHes every 3 s
    const badge = page.getByTestId('runner-state');
    expect(await badge.getAttribute('data-contact')).toBe('ok');

    // Mid-job nobody polls: only trace PATCHes can say GitLab still answers.
    const atStart = await lastContactAt(page);
    await until(
      async () => (await lastContactAt(page)) > atStart,
      20_000,
      'Last contact did not move for 20 s while the job ran and GitLab answered its trace ' +
        'PATCHes: contact must come from every request, not only job requests.',
    );

    stack.emulator.faults.add({ endpoint: 'jobs/trace', kind: 'status', status: 503, times: 1000 });
    const problem = page.getByTestId('contact-problem');
    await problem.waitFor({ timeout: 20_000 });
    expect(await problem.innerText()).toMatch(
      /^GitLab unreachable since .+, retrying\. Last attempt: 503 Service Unavailable\. Check that GitLab and the relay are up; this clears by itself when a request gets through\.$/,
    );
    expect(await badge.getAttribute('data-state')).toBe('running');
    expect(await badge.getAttribute('data-contact')).toBe('unreachable');
    expect(await badge.innerText()).toMatch(/Running a job · GitLab unreachable/);
    expect(await page.getByTestId('last-contact').innerText()).toMatch(/\(nothing since\)/);

    stack.emulator.faults.clear();
    await page.locator('[data-testid="runner-state"][data-contact="ok"]').waitFor({
      timeout: 30_000,
    });
    expect(await problem.count()).toBe(0);
    expect(await badge.getAttribute('data-state')).toBe('running');
    expect(await page.getByTestId('last-contact').innerText()).not.toMatch(/nothing since/);

    // GitLab gone altogether (connections cut, as when it stops): the relay answers 502 for it.
    stack.emulator.faults.add({ endpoint: 'jobs/trace', kind: 'drop', times: 1000 });
    await page.locator('[data-testid="runner-state"][data-contact="unreachable"]').waitFor({
      timeout: 20_000,
    });
    expect(await problem.innerText()).toMatch(/Last attempt: 502 Bad Gateway\./);
    stack.emulator.faults.clear();
    await page.locator('[data-testid="runner-state"][data-contact="ok"]').waitFor({
      timeout: 30_000,
    });
  });

  it('marks a job whose final update GitLab refused as not confirmed, at a glance', async () => {
    const { page } = await connectedPage();
    const [job] = await stack.pipeline([
      { name: 'unconfirmed', script: ['echo "started"', 'sleep 3', 'echo "done"'] },
    ]);
    await waitForTerminal(page, 'started');
    // The acceptance PUT is behind us (the script runs): the next PUT is the final one.
    await stack.waitForJob(job!.id, ['running'], 10_000);
    stack.emulator.faults.add({
      endpoint: 'jobs/update',
      kind: 'status',
      status: 403,
      times: 100,
      jobId: job!.id,
    });
    const entry = page.getByTestId('history-entry').filter({ hasText: `#${job!.id} unconfirmed` });
    const badge = entry.locator('[data-result="success"]');
    await badge.waitFor({ timeout: 30_000 });
    // The row is closed: the badge alone must say it.
    expect(await badge.getAttribute('data-reported')).toBe('false');
    expect((await badge.textContent())?.replace(/\s+/g, ' ').trim()).toBe(
      '⚠ passed · not confirmed',
    );
    expect(await entry.locator('details').getAttribute('open')).toBeNull();
    // The job panel, still showing the job it just ran, says the same.
    const current = page.getByTestId('current-job').locator('[data-result="success"]');
    expect(await current.getAttribute('data-reported')).toBe('false');
    expect(stack.emulator.state.jobs.get(job!.id)?.status).toBe('running');
  });

  it('offers to forget a runner GitLab no longer knows, and says a repeat once', async () => {
    const { page, token } = await connectedPage();
    const systemId = await page.getByTestId('system-id').innerText();
    // As after `npm start` was restarted: GitLab answers 403 to every request with this token.
    const deleted = await fetch(`${stack.emulator.url}/api/v4/runners`, {
      method: 'DELETE',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ token }),
    });
    expect(deleted.status).toBe(204);

    await waitForState(page, 'error');
    const alert = page.getByRole('alert');
    const boxes = alert.getByTestId('runner-error');
    const texts = await boxes.allInnerTexts();
    // Two refusals and the verdict: the repeat is one box that counts, not two boxes.
    expect(texts).toHaveLength(2);
    expect(texts[0]).toBe(
      "GitLab refused this runner's token (403 Forbidden) when asking for a job; asking again. (×2)",
    );
    expect(texts[1]).toMatch(
      /^GitLab no longer knows this runner: it refused this runner's token 3 times in a row/,
    );
    expect(new Set(texts).size).toBe(texts.length);

    await alert.getByRole('button', { name: 'Forget this runner' }).click();
    await page.getByRole('button', { name: 'Verify and connect' }).waitFor({ timeout: 15_000 });
    await page.reload();
    await page.getByRole('button', { name: 'Verify and connect' }).waitFor({ timeout: 15_000 });
    expect(await page.content()).not.toContain(systemId);
  });

  it('offers to forget it too when the tab is reopened after GitLab forgot the runner', async () => {
    const { page, token } = await connectedPage();
    const deleted = await fetch(`${stack.emulator.url}/api/v4/runners`, {
      method: 'DELETE',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ token }),
    });
    expect(deleted.status).toBe(204);
    // The reopened tab verifies its saved token before it polls: that 403 is the verdict.
    await page.reload();
    await waitForState(page, 'error');
    const alert = page.getByRole('alert');
    expect(await alert.getByTestId('runner-error').allInnerTexts()).toEqual([
      expect.stringMatching(/^GitLab no longer knows this runner: it refused its token/),
    ]);
    await alert.getByRole('button', { name: 'Forget this runner' }).click();
    await page.getByRole('button', { name: 'Verify and connect' }).waitFor({ timeout: 15_000 });
  });
});
