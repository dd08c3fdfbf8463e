/**
 * The self-check page in a real Chromium page. WebContainer cannot boot on this machine, so
 * the check runs on the test double replaying the committed transcript (as the contract suite
 * does in Node): the page, the recorder and the contract cases are the real ones.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { commands, page } from 'vitest/browser';
import { TranscriptReplay } from '../../src/executors/webcontainer/testing/replay.ts';
import {
  BOOT_CASE,
  parseTranscript,
} from '../../src/executors/webcontainer/transcript/transcript.ts';
import { startSelfCheck, type SelfCheckOptions } from '../../src/platform/self-check.ts';
import { cleanup, render } from '../../src/ui/testing/render.ts';
import SelfCheckPage from '../../src/ui/selfcheck/SelfCheckPage.svelte';

afterEach(cleanup);

const result = () => document.querySelector<HTMLElement>('[data-testid="self-check-result"]');

describe('the self-check page', () => {
  it('runs every check on the replayed WebContainer, shows each result, and offers the transcript', async () => {
    const transcript = parseTranscript(
      await commands.readTranscript('synthetic.transcript.json.gz'),
    );
    const replay = new TranscriptReplay(transcript);
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
    await expect.poll(() => result()?.dataset['verdict'], { timeout: 120_000 }).toBe('pass');
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
    await expect.poll(() => result()?.dataset['verdict']).toBe('unavailable');
    await expect.element(page.getByText('This page is not cross-origin isolated.')).toBeVisible();
    await expect.element(page.getByText('not run').first()).toBeVisible();
    expect(document.querySelector('.spinner')).toBeNull();
  });
});
