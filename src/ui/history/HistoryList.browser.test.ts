/**
 * The History panel in a real page: entries go through the real app store (IndexedDB) and
 * `AppView.load()`, as after a reload, then show as a person sees them.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { page, userEvent } from 'vitest/browser';
import { openAppStore, type HistoryEntry } from '../../tab/app-store.ts';
import { AppView } from '../state/app-view.svelte.ts';
import { freshTab } from '../testing/fresh-tab.ts';
import { HISTORY_T0 as T0, historyEntry as entry } from '../testing/history-entry.ts';
import { cleanup, render, renderWithApp } from '../testing/render.ts';
import HistoryList from './HistoryList.svelte';
import ResultBadge from './ResultBadge.svelte';

const encoder = new TextEncoder();

async function showHistory(entries: HistoryEntry[]): Promise<void> {
  const store = await openAppStore();
  for (const e of entries) await store.addHistory(e);
  const app = new AppView({ origin: location.origin, search: '' });
  await app.load();
  renderWithApp(app, HistoryList, {});
}

const history = () => page.getByRole('region', { name: 'History' });
const items = () => history().getByRole('listitem');

beforeEach(freshTab);
afterEach(cleanup);

describe('HistoryList', () => {
  it('says there are no jobs yet', async () => {
    await showHistory([]);
    await expect.element(history()).toHaveTextContent('No jobs yet.');
    await expect.element(history()).toHaveTextContent('0 jobs · logs 0 B kept in this browser');
    expect(items().elements()).toHaveLength(0);
  });

  it('lists finished jobs newest first with result, link, project and duration', async () => {
    await showHistory([
      entry(1),
      entry(3, { result: 'canceled', finishedAt: T0 + 3_000_000 + 125_000 }),
      entry(2, { result: 'failed', failureReason: 'script_failure' }),
    ]);
    await expect.element(history()).toHaveTextContent(/^History\s*3 jobs · logs 39 B kept/);
    const rows = items().elements();
    expect(rows.map((row) => row.querySelector('a')?.textContent)).toEqual([
      '#3 job-3',
      '#2 job-2',
      '#1 job-1',
    ]);
    await expect.element(items().nth(0)).toHaveTextContent(/canceled.*group\/project.*2 min 5 s/);
    await expect.element(items().nth(1)).toHaveTextContent('failed: script failure');
    await expect.element(items().nth(2)).toHaveTextContent(/passed.*1\.5 s/);
    await expect
      .element(history().getByRole('link', { name: '#2 job-2' }))
      .toHaveAttribute('href', 'https://gitlab.example.com/group/project/-/jobs/2');
  });

  it('opens a job to show stage timings and what is kept of its log', async () => {
    await showHistory([
      entry(5, {
        reported: false,
        log: encoder.encode('x'.repeat(2048)),
        logBytes: 3 * 1024 * 1024,
      }),
    ]);
    const stages = history().getByRole('table', { name: 'Stage timings of job 5' });
    await expect.element(stages).not.toBeInTheDocument();
    await userEvent.click(history().getByText('group/project'));
    await expect.element(stages).toBeVisible();
    await expect.element(stages).toHaveTextContent(/get sources\s*1\.2 s/);
    await expect.element(stages).toHaveTextContent(/script\s*300 ms/);
    await expect.element(items().nth(0)).toHaveTextContent(/2\.0 KiB \(first part of 3\.0 MiB\)/);
    await expect.element(items().nth(0)).toHaveTextContent('pipeline #905 · tab s_0123456789ab');
    await expect
      .element(items().nth(0))
      .toHaveTextContent('GitLab did not confirm the final state');
  });

  it('downloads the kept log bytes as job-<id>.log', async () => {
    const log = encoder.encode('\u001b[32;1m$ echo hi\u001b[0;m\nhi\n');
    await showHistory([entry(8, { log, logBytes: log.length })]);
    const saved: { name: string; href: string }[] = [];
    const intercept = (event: MouseEvent) => {
      const link = event.target;
      if (link instanceof HTMLAnchorElement && link.download) {
        event.preventDefault();
        saved.push({ name: link.download, href: link.href });
      }
    };
    document.addEventListener('click', intercept, true);
    try {
      await userEvent.click(history().getByText('group/project'));
      await userEvent.click(history().getByRole('button', { name: 'Download log' }));
    } finally {
      document.removeEventListener('click', intercept, true);
    }
    expect(saved.map((s) => s.name)).toEqual(['job-8.log']);
    const body = new Uint8Array(await (await fetch(saved[0]!.href)).arrayBuffer());
    expect(body).toEqual(log);
  });
});

describe('ResultBadge', () => {
  it('names a failure reason in words and keeps the raw one as its title', async () => {
    render(ResultBadge, { result: 'failed', reason: 'runner_system_failure' });
    const badge = page.getByText('failed: runner system failure');
    await expect.element(badge).toBeVisible();
    await expect.element(badge).toHaveAttribute('title', 'runner_system_failure');
  });

  it('shows passed for success and no reason for a cancel', async () => {
    render(ResultBadge, { result: 'success' });
    render(ResultBadge, { result: 'canceled', reason: 'canceled_by_user' });
    await expect.element(page.getByText('passed')).toHaveTextContent(/^✓ passed$/);
    await expect.element(page.getByText('canceled')).toHaveTextContent(/^⊘ canceled$/);
  });
});
