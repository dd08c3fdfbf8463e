/** The runner state badge: the words a person reads, and the tone theme.css colours, per state. */
import { afterEach, describe, expect, it } from 'vitest';
import { page } from 'vitest/browser';
import type { RunnerViewState } from '../state/runner-view.svelte.ts';
import { cleanup, render } from '../testing/render.ts';
import StateBadge from './StateBadge.svelte';

afterEach(cleanup);

const CASES: { state: RunnerViewState; text: string; tone: string | null }[] = [
  { state: 'starting', text: 'Starting', tone: 'info' },
  { state: 'idle', text: 'Idle', tone: null },
  { state: 'polling', text: 'Waiting for jobs', tone: 'ok' },
  { state: 'running', text: 'Running a job', tone: 'info' },
  { state: 'paused', text: 'Paused', tone: 'warn' },
  { state: 'stopping', text: 'Stopping', tone: 'warn' },
  { state: 'stopped', text: 'Stopped', tone: null },
  { state: 'error', text: 'Error', tone: 'bad' },
];
const TONES = ['info', 'ok', 'warn', 'bad'];

describe('StateBadge', () => {
  it.each(CASES)('says "$text" for $state', async ({ state, text, tone }) => {
    render(StateBadge, { state });
    const badge = page.getByRole('status');
    await expect.element(badge).toHaveTextContent(text, { normalizeWhitespace: true });
    for (const other of TONES.filter((t) => t !== tone)) {
      await expect.element(badge).not.toHaveClass(other);
    }
    if (tone) await expect.element(badge).toHaveClass(tone);
  });

  it('says the runner stops after the job when a graceful stop was asked while running', async () => {
    render(StateBadge, { state: 'running', stopping: 'graceful' });
    await expect.element(page.getByRole('status')).toHaveTextContent('Stopping after this job');
  });

  it('keeps the state name when a graceful stop was asked while waiting for jobs', async () => {
    render(StateBadge, { state: 'polling', stopping: 'graceful' });
    await expect.element(page.getByRole('status')).toHaveTextContent('Waiting for jobs');
  });

  it('says GitLab is unreachable while the runner asks, in the bad tone', async () => {
    render(StateBadge, { state: 'running', unreachable: true });
    const badge = page.getByRole('status');
    await expect.element(badge).toHaveTextContent('Running a job · GitLab unreachable', {
      normalizeWhitespace: true,
    });
    await expect.element(badge).toHaveClass('bad');
    await expect.element(badge).toHaveAttribute('data-contact', 'unreachable');
  });

  it('says nothing of an old outage once the runner stopped', async () => {
    render(StateBadge, { state: 'stopped', unreachable: true });
    const badge = page.getByRole('status');
    await expect.element(badge).toHaveTextContent(/^\s*Stopped\s*$/);
    await expect.element(badge).toHaveAttribute('data-contact', 'ok');
  });
});
