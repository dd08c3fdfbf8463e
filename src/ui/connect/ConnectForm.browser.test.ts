/**
 * The Connect form in a real Chromium page with a real `AppView` (IndexedDB store) and, for
 * verification, a real GitLab emulator in the Node process (`startGitLab`, its CORS on), which
 * the page talks to directly: the relay field is cleared, as a user without a relay would.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { commands, page, userEvent } from 'vitest/browser';
import type { TestGitLab } from '../../../test/support/browser-commands.ts';
import { AppView } from '../state/app-view.svelte.ts';
import { freshTab } from '../testing/fresh-tab.ts';
import { cleanup, renderWithApp } from '../testing/render.ts';
import ConnectForm from './ConnectForm.svelte';

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

/** The form as a fresh tab shows it, opened at `search` (a share link's query, say). */
async function showForm(search = ''): Promise<AppView> {
  app = new AppView({ origin: location.origin, search });
  await app.load();
  renderWithApp(app, ConnectForm, {});
  return app;
}

const gitlabUrl = () => page.getByLabelText('GitLab URL');
const relayUrl = () => page.getByLabelText('Relay URL');
const submit = () => page.getByRole('button', { name: 'Verify and connect' });

async function fillConnection(token: string): Promise<void> {
  await userEvent.fill(gitlabUrl(), gitlab.url);
  await userEvent.clear(relayUrl());
  await userEvent.fill(page.getByLabelText(/^(Runner|Registration) token$/), token);
}

describe('ConnectForm', () => {
  it('asks only for the token when it is a runner authentication token', async () => {
    await showForm();
    await expect
      .element(page.getByRole('radio', { name: /Runner authentication token/ }))
      .toBeChecked();
    await expect.element(page.getByLabelText('Runner token')).toBeVisible();
    await expect.element(page.getByLabelText('Description')).not.toBeInTheDocument();
    await expect.element(page.getByLabelText(/^Tags/)).not.toBeInTheDocument();
    await expect
      .element(page.getByRole('checkbox', { name: 'Run untagged jobs' }))
      .not.toBeInTheDocument();
  });

  it('asks for description, tags and untagged jobs with a legacy registration token', async () => {
    await showForm();
    await userEvent.click(page.getByRole('radio', { name: 'Registration token (legacy)' }));
    await expect.element(page.getByLabelText('Registration token', { exact: true })).toBeVisible();
    await expect.element(page.getByLabelText('Description')).toHaveValue('tabrunner');
    await expect.element(page.getByLabelText(/^Tags/)).toHaveValue('');
    await expect.element(page.getByRole('checkbox', { name: 'Run untagged jobs' })).toBeChecked();
  });

  it('hints when a token in the runner token field does not start with glrt-', async () => {
    await showForm();
    const hint = page.getByText('This does not start with glrt-', { exact: false });
    await userEvent.fill(page.getByLabelText('Runner token'), 'GR1348941abc');
    await expect.element(hint).toBeVisible();
    await userEvent.fill(page.getByLabelText('Runner token'), 'glrt-abc');
    await expect.element(hint).not.toBeInTheDocument();
  });

  it('explains an unusable GitLab URL next to the field and sends nothing', async () => {
    const shown = await showForm();
    await userEvent.fill(gitlabUrl(), 'gitlab.example.com');
    await userEvent.fill(page.getByLabelText('Runner token'), gitlab.runnerToken);
    await userEvent.click(submit());
    const problem =
      'The GitLab URL "gitlab.example.com" cannot be used: it is not an absolute URL. Give the instance URL, e.g. https://gitlab.example.com.';
    await expect.element(gitlabUrl()).toHaveAttribute('aria-invalid', 'true');
    await expect.element(gitlabUrl()).toHaveAccessibleDescription(problem);
    await userEvent.fill(gitlabUrl(), 'ftp://gitlab.example.com');
    await userEvent.click(submit());
    await expect
      .element(page.getByText(/only http and https are supported, not ftp/))
      .toBeVisible();
    expect(shown.connecting).toBe(false);
    expect(shown.connection).toBeNull();
    expect(await commands.gitLabRunners(gitlab.id)).toEqual([
      expect.objectContaining({ id: gitlab.runnerId, managers: [] }),
    ]);
  });

  it('fills GitLab, relay and executor from a share link', async () => {
    await showForm(
      '?gitlab=https%3A%2F%2Fgitlab.example.com&relay=https%3A%2F%2Frelay.example&executor=webcontainer',
    );
    await expect.element(gitlabUrl()).toHaveValue('https://gitlab.example.com');
    await expect.element(relayUrl()).toHaveValue('https://relay.example');
    // This page is cross-origin isolated, so WebContainer is on offer and the link's choice holds.
    await expect.element(page.getByRole('radio', { name: /WebContainer/ })).toBeChecked();
    await expect.element(page.getByLabelText('Runner token')).toHaveValue('');
  });

  it('defaults the relay to the server that sent the page and the executor to the shell', async () => {
    await showForm();
    await expect.element(gitlabUrl()).toHaveValue('');
    await expect.element(relayUrl()).toHaveValue(location.origin);
    await expect.element(page.getByRole('radio', { name: /Shell sandbox/ })).toBeChecked();
  });

  it('submits with Enter and shows why GitLab refused the runner token', async () => {
    const shown = await showForm();
    await fillConnection('glrt-not-a-real-token-0000');
    await userEvent.keyboard('{Enter}');
    await expect
      .element(page.getByRole('alert'))
      .toHaveTextContent(/GitLab does not accept this runner token \(403\)/);
    await expect.element(submit()).toBeEnabled();
    expect(shown.connection).toBeNull();
    expect(shown.screen).toBe('connect');
  });

  it('shows why GitLab refused a registration token', async () => {
    await showForm();
    await userEvent.click(page.getByRole('radio', { name: 'Registration token (legacy)' }));
    await fillConnection('not-the-registration-token');
    await userEvent.click(submit());
    await expect
      .element(page.getByRole('alert'))
      .toHaveTextContent(/GitLab does not accept this registration token \(403\)/);
  });

  it('registers with a registration token, sending description, tags and the untagged choice', async () => {
    const shown = await showForm();
    await userEvent.click(page.getByRole('radio', { name: 'Registration token (legacy)' }));
    await fillConnection(gitlab.registrationToken);
    await userEvent.fill(page.getByLabelText('Description'), 'lab laptop');
    await userEvent.fill(page.getByLabelText(/^Tags/), 'browser, node ,');
    await userEvent.click(page.getByRole('checkbox', { name: 'Run untagged jobs' }));
    await userEvent.click(submit());

    await expect.poll(() => shown.screen).toBe('runner');
    const registered = (await commands.gitLabRunners(gitlab.id)).find(
      (r) => r.description === 'lab laptop',
    );
    expect(registered).toMatchObject({ tags: ['browser', 'node'], runUntagged: false });
    expect(registered?.managers).toContain(shown.systemId);
    expect(shown.connection).toMatchObject({
      gitlabUrl: gitlab.url,
      relayUrl: '',
      executor: 'shell',
      runnerId: registered?.id,
      registeredHere: true,
    });
  });
});
