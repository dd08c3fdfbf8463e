/**
 * The Settings panel in a real page, on the real app: a saved connection to a real GitLab
 * emulator (`startGitLab`), `AppView.load()` building the tab's real `BrowserRunner` with its
 * sources Worker and IndexedDB stores, as after a reload.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { commands, page, userEvent } from 'vitest/browser';
import type { TestGitLab } from '../../../test/support/browser-commands.ts';
import { DEFAULT_SETTINGS, openAppStore, type HistoryEntry } from '../../tab/app-store.ts';
import { tabCacheStore } from '../../tab/tab-cache-store.ts';
import { AppView } from '../state/app-view.svelte.ts';
import { freshTab } from '../testing/fresh-tab.ts';
import { cleanup, renderWithApp } from '../testing/render.ts';
import SettingsPanel from './SettingsPanel.svelte';

const MiB = 1024 * 1024;
let gitlab: TestGitLab;
let app: AppView | undefined;

beforeAll(async () => {
  gitlab = await commands.startGitLab();
});
afterAll(() => commands.stopGitLab(gitlab.id));
beforeEach(freshTab);
afterEach(async () => {
  await cleanup();
  app?.runnerView?.runner.dispose();
  app?.runnerView?.dispose();
  app = undefined;
});

const settings = () => page.getByRole('region', { name: 'Settings' });
const pollInterval = () => page.getByLabelText(/^Poll interval/);
const outputLimit = () => page.getByLabelText(/^Output limit/);
const button = (name: string) => page.getByRole('button', { name, exact: true });

function historyEntry(log: string): HistoryEntry {
  const bytes = new TextEncoder().encode(log);
  return {
    key: 'https://gitlab.example.com#1',
    jobId: 1,
    name: 'build',
    stage: 'build',
    projectPath: 'group/project',
    pipelineId: 1,
    url: 'https://gitlab.example.com/group/project/-/jobs/1',
    result: 'success',
    failureReason: null,
    startedAt: 0,
    finishedAt: 1000,
    stages: [],
    reported: true,
    systemId: 's_0123456789ab',
    log: bytes,
    logBytes: bytes.length,
  };
}

/** A tab reloaded with a runner saved for `gitlabUrl` (and `history` kept), showing Settings. */
async function showSettings(gitlabUrl = gitlab.url, history: HistoryEntry[] = []) {
  const store = await openAppStore();
  await store.saveConnection({
    gitlabUrl,
    relayUrl: '',
    executor: 'shell',
    token: gitlab.runnerToken,
    runnerId: gitlab.runnerId,
    registeredHere: false,
  });
  for (const entry of history) await store.addHistory(entry);
  app = new AppView({ origin: location.origin, search: '' });
  await app.load();
  renderWithApp(app, SettingsPanel, {});
  // The sources Worker answers the usage query once it is up; a test that disposes the runner
  // before that would leave the panel's query rejected and unhandled. A Worker starting on a
  // loaded machine can take seconds.
  await expect.element(settings(), { timeout: 10_000 }).toHaveTextContent('Git objects:');
  return { app, store };
}

describe('SettingsPanel', () => {
  it('shows the saved settings', async () => {
    const store = await openAppStore();
    await store.saveSettings({
      checkIntervalSeconds: 15,
      outputLimit: 8 * MiB,
      webContainerApiKey: 'wc_api_key',
    });
    await showSettings();
    await expect.element(pollInterval()).toHaveValue(15);
    await expect.element(outputLimit()).toHaveValue(8);
    await expect.element(page.getByLabelText(/^WebContainer API key/)).toHaveValue('wc_api_key');
  });

  it('saves settings within bounds, applies them and keeps them across reloads', async () => {
    const shown = await showSettings();
    await userEvent.fill(pollInterval(), '42');
    await userEvent.fill(outputLimit(), '0.5');
    await userEvent.fill(page.getByLabelText(/^WebContainer API key/), '  wc_key  ');
    await userEvent.click(button('Save settings'));
    await expect.element(button('Saved')).toBeVisible();
    const expected = {
      checkIntervalSeconds: 42,
      outputLimit: 0.5 * MiB,
      webContainerApiKey: 'wc_key',
    };
    expect(shown.app.settings).toEqual(expected);
    expect(await shown.store.settings()).toEqual(expected);
  });

  it("refuses values out of range with the browser's own message and saves nothing", async () => {
    const shown = await showSettings();
    await userEvent.fill(pollInterval(), '5000');
    await userEvent.click(button('Save settings'));
    await expect.element(pollInterval()).toBeInvalid();
    expect((pollInterval().element() as HTMLInputElement).validationMessage).not.toBe('');

    await userEvent.fill(pollInterval(), '30');
    await userEvent.fill(outputLimit(), '0.01');
    await userEvent.click(button('Save settings'));
    await expect.element(pollInterval()).toBeValid();
    await expect.element(outputLimit()).toBeInvalid();
    await expect.element(button('Saved')).not.toBeInTheDocument();
    expect(await shown.store.settings()).toEqual(DEFAULT_SETTINGS);
  });

  it('saves the defaults for emptied fields', async () => {
    const store = await openAppStore();
    await store.saveSettings({ ...DEFAULT_SETTINGS, checkIntervalSeconds: 9, outputLimit: MiB });
    const shown = await showSettings();
    await userEvent.clear(pollInterval());
    await userEvent.clear(outputLimit());
    await userEvent.click(button('Save settings'));
    await expect.element(button('Saved')).toBeVisible();
    expect(await shown.store.settings()).toEqual(DEFAULT_SETTINGS);
  });

  it('shows what the git store and the job logs use, and clears both', async () => {
    const shown = await showSettings(gitlab.url, [historyEntry('x'.repeat(1536))]);
    await expect
      .element(settings())
      .toHaveTextContent('Git objects: 0 B of 512.0 MiB in 0 projects; job logs: 1.5 KiB.');
    await userEvent.click(button('Clear stored repositories and logs'));
    await expect.element(settings()).toHaveTextContent('job logs: 0 B.');
    expect(await shown.store.history()).toEqual([]);
  });

  it("shows what the origin's caches hold and their budget, and clears them", async () => {
    const { store, backend } = await tabCacheStore();
    expect(backend).toBe('opfs');
    await store.clear();
    const archive = (text: string) => new Blob([text]).stream();
    const address = { gitlab: gitlab.url, projectId: 1, key: 'npm' };
    await store.save(address, archive('x'.repeat(2048)));
    await store.save({ ...address, key: 'pip' }, archive('y'.repeat(1024)));
    await showSettings();
    await expect
      .element(settings())
      .toHaveTextContent(
        'Caches: 3.0 KiB of 1.0 GiB in 2 caches (OPFS, shared by every tab of this site; the least recently used go first).',
      );
    await userEvent.click(button('Clear caches'));
    await expect.element(settings()).toHaveTextContent('Caches: 0 B of 1.0 GiB in 0 caches');
    expect(await store.list()).toEqual([]);
    expect(await store.open(address)).toBeNull();
  });

  it('asks the browser to keep stored data when the donor ticks the box', async () => {
    const persist = vi.spyOn(navigator.storage, 'persist');
    try {
      await showSettings();
      const keep = page.getByLabelText('Keep stored data when the browser runs short of space');
      await expect.element(keep).not.toBeChecked();
      await expect.element(settings()).toHaveTextContent('Otherwise the browser may delete them');
      await userEvent.click(keep);
      // Headless Chromium keeps data only for sites a person bookmarked, installed or used often.
      await expect.element(settings()).toHaveTextContent('The browser declined.');
      expect(persist).toHaveBeenCalledTimes(1);
      expect(await navigator.storage.persisted()).toBe(false);
      await expect.element(keep).not.toBeChecked();
    } finally {
      persist.mockRestore();
    }
  });

  it('asks before forgetting the runner, and keeps it when told to', async () => {
    const shown = await showSettings();
    await userEvent.click(button('Forget this runner…'));
    await expect.element(button('Yes, forget it')).toBeVisible();
    await userEvent.click(button('Keep it'));
    await expect.element(button('Yes, forget it')).not.toBeInTheDocument();
    await expect.element(button('Forget this runner…')).toBeVisible();
    expect(shown.app.connection).not.toBeNull();
    expect(await shown.store.connection()).toBeDefined();
  });

  it('forgets the runner: GitLab drops this tab and the token leaves the browser', async () => {
    const shown = await showSettings();
    // Starting verifies the token, which makes this tab a runner manager in GitLab.
    await shown.app.start();
    const managers = async () =>
      (await commands.gitLabRunners(gitlab.id)).find((r) => r.id === gitlab.runnerId)?.managers;
    expect(await managers()).toEqual([shown.app.systemId]);

    await userEvent.click(button('Forget this runner…'));
    await userEvent.click(button('Yes, forget it'));
    await expect.poll(() => shown.app.screen).toBe('connect');
    expect(await managers()).toEqual([]);
    expect(shown.app.connection).toBeNull();
    expect(await shown.store.connection()).toBeUndefined();
  });

  it('says why it could not forget the runner when GitLab cannot be reached', async () => {
    // Port 9 (discard): nothing listens, so the request fails as with GitLab down.
    const shown = await showSettings('http://127.0.0.1:9');
    await userEvent.click(button('Forget this runner…'));
    await userEvent.click(button('Yes, forget it'));
    await expect
      .element(settings().getByRole('alert'))
      .toHaveTextContent(/^Cannot reach http:\/\/127\.0\.0\.1:9: .*use a relay\.$/);
    expect(shown.app.connection).not.toBeNull();
    expect(await shown.store.connection()).toBeDefined();
  });
});
