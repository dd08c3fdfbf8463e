/**
 * A job whose final state GitLab never accepted, as the History list shows it: through the real
 * app store (IndexedDB) and `AppView.load()`, then the badge on its own.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { page } from 'vitest/browser';
import { openAppStore } from '../../tab/app-store.ts';
import { AppView } from '../state/app-view.svelte.ts';
// The badges' tones live there: the colours compared below are the page's own.
import '../theme.css';
import { freshTab } from '../testing/fresh-tab.ts';
import { historyEntry } from '../testing/history-entry.ts';
import { cleanup, render, renderWithApp } from '../testing/render.ts';
import HistoryList from './HistoryList.svelte';
import ResultBadge from './ResultBadge.svelte';

beforeEach(freshTab);
afterEach(cleanup);

describe('an unconfirmed job', () => {
  it('says "not confirmed" on its closed History row, not as a plain pass', async () => {
    const store = await openAppStore();
    await store.addHistory(historyEntry(1));
    await store.addHistory(historyEntry(2, { reported: false }));
    const app = new AppView({ origin: location.origin, search: '' });
    await app.load();
    renderWithApp(app, HistoryList, {});
    const rows = page.getByRole('region', { name: 'History' }).getByRole('listitem');
    // Rows are closed: only the summary line is visible.
    const unconfirmed = rows.nth(0).getByTitle(/did not accept this job's final state/);
    await expect.element(unconfirmed).toBeVisible();
    await expect.element(unconfirmed).toHaveTextContent(/^⚠\s*passed · not confirmed$/);
    await expect.element(unconfirmed).toHaveAttribute('data-reported', 'false');
    await expect.element(rows.nth(1)).toHaveTextContent(/✓\s*passed/);
    await expect.element(rows.nth(1)).not.toHaveTextContent('not confirmed');
  });

  it('gets a badge of its own colour, with a title that says what to do', async () => {
    render(ResultBadge, { result: 'success' });
    render(ResultBadge, { result: 'success', reported: false });
    render(ResultBadge, { result: 'canceled' });
    render(ResultBadge, { result: 'failed', reason: 'script_failure', reported: false });
    await expect.poll(() => document.querySelectorAll('[data-result]').length).toBe(4);
    const [passed, unconfirmed, canceled, failed] = [
      ...document.querySelectorAll<HTMLElement>('[data-result]'),
    ];
    const text = (element: Element | undefined) =>
      element?.textContent?.replace(/\s+/g, ' ').trim();
    expect([passed, unconfirmed, canceled, failed].map(text)).toEqual([
      '✓ passed',
      '⚠ passed · not confirmed',
      '⊘ canceled',
      '⚠ failed: script failure · not confirmed',
    ]);
    expect(unconfirmed?.title).toMatch(/did not accept.*Check the job in GitLab/);
    const look = (element: Element | undefined) => {
      const style = getComputedStyle(element ?? document.body);
      return `${style.color} ${style.backgroundColor} ${style.borderStyle}`;
    };
    expect(look(unconfirmed)).not.toBe(look(passed));
    expect(look(unconfirmed)).not.toBe(look(canceled));
  });
});
