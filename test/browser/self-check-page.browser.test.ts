/**
 * The self-check page in a real Chromium page. WebContainer cannot boot on this machine, so
 * the check runs on the test double replaying a committed transcript (as the contract suite
 * does in Node): the page, the recorder and the contract cases are the real ones.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { commands, page } from 'vitest/browser';
import { TranscriptReplay } from '../../src/executors/webcontainer/testing/replay.ts';
import {
  BOOT_CASE,
  parseTranscript,
  type Transcript,
} from '../../src/executors/webcontainer/transcript/transcript.ts';
import { startSelfCheck, type SelfCheckOptions } from '../../src/tab/self-check.ts';
import { cleanup, render } from '../../src/ui/testing/render.ts';
import SelfCheckPage from '../../src/ui/selfcheck/SelfCheckPage.svelte';

afterEach(cleanup);

const result = () => document.querySelector<HTMLElement>('[data-testid="self-check-result"]');

/** What the page says: its detail line and each failed row with its error. */
function pageSays(): string {
  const detail = result()?.querySelector('.detail')?.textContent?.trim() ?? '(no result shown)';
  const failed = [...document.querySelectorAll('tbody tr[data-status="failed"]')].map(
    (row) => `failed: ${row.textContent?.replace(/\s+/g, ' ').trim()}`,
  );
  return [detail, ...failed].join('\n');
}

/** The verdict once the check stopped running; a check still running after `timeoutMs` fails. */
async function settledVerdict(timeoutMs: number): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const verdict = result()?.dataset['verdict'];
    if (verdict !== undefined && verdict !== 'running') return verdict;
    if (Date.now() > deadline)
      throw new Error(`The self-check still runs after ${timeoutMs / 1000} s:\n${pageSays()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * A committed transcript whose cases all passed where it was made, a recorded one before the
 * synthetic one: the page must show a pass, whichever transcripts docs/webcontainer-transcripts.md
 * has had committed.
 */
async function passingTranscript(): Promise<Transcript> {
  const names = await commands.listTranscripts();
  const passing: Transcript[] = [];
  for (const name of names) {
    const transcript = parseTranscript(await commands.readTranscript(name));
    if (transcript.cases.every((c) => c.result?.status !== 'failed')) passing.push(transcript);
  }
  const chosen = passing.find((t) => t.recorded) ?? passing[0];
  if (!chosen)
    throw new Error(`No committed transcript passed every case: ${names.join(', ') || 'none'}`);
  return chosen;
}

describe('the self-check page', () => {
  it('runs every check on the replayed WebContainer, shows each result, and offers the transcript', async () => {
    const replay = new TranscriptReplay(await passingTranscript());
    replay.useCase(BOOT_CASE);
    let recorded: ReturnType<typeof startSelfCheck> | undefined;
    render(SelfCheckPage, {
      start: (options: SelfCheckOptions) => {
        recorded = startSelfCheck({
          ...options,
          api: async () => replay.api(),
          support: () => ({ ok: true }),
          onCase: (name) => replay.useCase(name),
        });
        return recorded;
      },
    });
    expect(await settledVerdict(120_000), pageSays()).toBe('pass');
    await expect.element(page.getByText(/^All \d+ checks passed/)).toBeVisible();
    const rows = document.querySelectorAll('tbody tr');
    expect(rows.length).toBeGreaterThan(30);
    expect([...rows].every((row) => row.getAttribute('data-status') === 'passed')).toBe(true);
    const transcriptOut = recorded?.transcript();
    expect(transcriptOut?.recorded).toBe(true);
    expect(transcriptOut?.cases.map((c) => c.name)).toContain(
      '`npm install` fetches a package from the registry',
    );
    await expect
      .element(page.getByRole('button', { name: 'Download the transcript' }))
      .toBeEnabled();
  }, 150_000);

  it('says why WebContainer cannot start, lists the checks it could not run, and never spins', async () => {
    render(SelfCheckPage, {
      start: (options: SelfCheckOptions) =>
        startSelfCheck({
          ...options,
          support: () => ({ ok: false, reason: 'This page is not cross-origin isolated.' }),
        }),
    });
    expect(await settledVerdict(10_000), pageSays()).toBe('unavailable');
    await expect.element(page.getByText('This page is not cross-origin isolated.')).toBeVisible();
    await expect.element(page.getByText('not run').first()).toBeVisible();
    expect(document.querySelector('.spinner')).toBeNull();
  });

  it('runs without the saved API key, and says so, when the settings do not open', async () => {
    const keys: (string | undefined)[] = [];
    render(SelfCheckPage, {
      // IndexedDB holds an open back while another tab blocks the database: it never answers.
      loadApiKey: () => new Promise<string>(() => undefined),
      start: (options: SelfCheckOptions) => {
        keys.push(options.apiKey);
        return startSelfCheck({
          ...options,
          support: () => ({ ok: false, reason: 'This page is not cross-origin isolated.' }),
        });
      },
    });
    expect(await settledVerdict(10_000), pageSays()).toBe('unavailable');
    expect(keys).toEqual(['']);
    await expect
      .element(page.getByTestId('self-check-key-note'))
      .toHaveTextContent(/did not open within 3 s.*runs without the WebContainer API key/);
  });
});
