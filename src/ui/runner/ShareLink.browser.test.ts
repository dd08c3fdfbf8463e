/**
 * The "Donate a runner" link in a real page: what it carries, that it never carries the token,
 * that a tab opened with it is prefilled, and that Copy puts it on the clipboard.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { page, userEvent } from 'vitest/browser';
import { AppView } from '../state/app-view.svelte.ts';
import { freshTab } from '../testing/fresh-tab.ts';
import { cleanup, renderWithApp } from '../testing/render.ts';
import ShareLink from './ShareLink.svelte';

const TOKEN = 'glrt-t1_shareLinkSecret0000';

function appWith(relayUrl: string): AppView {
  const app = new AppView({ origin: location.origin, search: '' });
  // What AppView sets from a saved connection; the token itself never reaches the page state.
  app.connection = {
    gitlabUrl: 'https://gitlab.example.com',
    relayUrl,
    executor: 'webcontainer',
    runnerId: 7,
    registeredHere: false,
  };
  return app;
}

const link = () => page.getByRole('textbox', { name: 'Share link' });
const shown = () => new URL((link().element() as HTMLInputElement).value);

beforeEach(freshTab);
afterEach(cleanup);

describe('ShareLink', () => {
  it('links to this page with GitLab, relay and executor, and no token', async () => {
    renderWithApp(appWith('https://relay.example'), ShareLink, {});
    const expected = new URL(location.pathname, location.origin);
    expected.searchParams.set('gitlab', 'https://gitlab.example.com');
    expected.searchParams.set('relay', 'https://relay.example');
    expected.searchParams.set('executor', 'webcontainer');
    await expect.element(link()).toHaveValue(expected.href);
    await expect.element(link()).toHaveAttribute('readonly');
    expect(document.body.innerHTML).not.toContain(TOKEN);
  });

  it('leaves the relay out when the runner talks to GitLab directly', async () => {
    renderWithApp(appWith(''), ShareLink, {});
    await expect.poll(() => shown().searchParams.get('executor')).toBe('webcontainer');
    expect(shown().searchParams.has('relay')).toBe(false);
  });

  it('prefills the Connect form of a tab opened with it', async () => {
    renderWithApp(appWith('https://relay.example'), ShareLink, {});
    await expect.poll(() => shown().searchParams.get('gitlab')).toBe('https://gitlab.example.com');
    const opened = shown();
    expect(new AppView({ origin: opened.origin, search: opened.search }).prefill).toEqual({
      gitlabUrl: 'https://gitlab.example.com',
      relayUrl: 'https://relay.example',
      executor: 'webcontainer',
    });
  });

  it('copies the link to the clipboard', async () => {
    renderWithApp(appWith('https://relay.example'), ShareLink, {});
    await userEvent.click(page.getByRole('button', { name: 'Copy' }));
    await expect.element(page.getByRole('button', { name: 'Copied' })).toBeVisible();
    expect(await navigator.clipboard.readText()).toBe(shown().href);
  });
});
