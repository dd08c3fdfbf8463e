/** The app's state, shared with components through context (typed, searchable). */
import { getContext, setContext } from 'svelte';
import type { AppView } from './app-view.svelte.ts';

const APP = Symbol('tabrunner.app');

export function setAppContext(app: AppView): AppView {
  return setContext(APP, app);
}

export function getAppContext(): AppView {
  const app = getContext<AppView | undefined>(APP);
  if (!app) throw new Error('getAppContext() outside <App>');
  return app;
}
