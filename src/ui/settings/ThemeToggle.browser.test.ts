/** The theme picker in a real page: it sets `data-theme` on the document and remembers the choice. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { page, userEvent } from 'vitest/browser';
import { cleanup, render } from '../testing/render.ts';
import ThemeToggle from './ThemeToggle.svelte';

const KEY = 'tabrunner.theme';

describe('ThemeToggle', () => {
  beforeEach(() => {
    localStorage.removeItem(KEY);
    document.documentElement.removeAttribute('data-theme');
  });
  afterEach(cleanup);

  it('starts on the system theme, with no data-theme on the document', async () => {
    render(ThemeToggle, {});
    await expect.element(page.getByRole('combobox', { name: 'Theme' })).toHaveValue('system');
    expect(document.documentElement.hasAttribute('data-theme')).toBe(false);
  });

  it('applies a chosen theme to the document and keeps it for the next visit', async () => {
    render(ThemeToggle, {});
    await userEvent.selectOptions(page.getByRole('combobox', { name: 'Theme' }), 'Dark');
    await expect.poll(() => document.documentElement.dataset['theme']).toBe('dark');
    expect(localStorage.getItem(KEY)).toBe('dark');

    await cleanup();
    render(ThemeToggle, {});
    await expect.element(page.getByRole('combobox', { name: 'Theme' })).toHaveValue('dark');
    expect(document.documentElement.dataset['theme']).toBe('dark');
  });

  it('going back to the system theme removes the attribute and the stored choice', async () => {
    localStorage.setItem(KEY, 'light');
    render(ThemeToggle, {});
    await expect.poll(() => document.documentElement.dataset['theme']).toBe('light');
    await userEvent.selectOptions(page.getByRole('combobox', { name: 'Theme' }), 'System theme');
    await expect.poll(() => document.documentElement.hasAttribute('data-theme')).toBe(false);
    expect(localStorage.getItem(KEY)).toBeNull();
  });

  it('ignores a stored value it does not know', async () => {
    localStorage.setItem(KEY, 'sepia');
    render(ThemeToggle, {});
    await expect.element(page.getByRole('combobox', { name: 'Theme' })).toHaveValue('system');
    expect(document.documentElement.hasAttribute('data-theme')).toBe(false);
  });
});
