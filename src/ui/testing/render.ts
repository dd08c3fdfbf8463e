/**
 * Mounting for browser component tests: each render gets its own element in the page, and
 * `cleanup()` (run it in `afterEach`) unmounts everything rendered since.
 */
import { mount, unmount, type Component } from 'svelte';
import type { AppView } from '../state/app-view.svelte.ts';
import WithApp from './WithApp.svelte';

const mounted: Record<string, unknown>[] = [];

function target(): HTMLElement {
  const element = document.createElement('div');
  document.body.append(element);
  return element;
}

/** Render a component that needs no app context. */
export function render<P extends object>(component: Component<P>, props: NoInfer<P>): void {
  mounted.push(mount(component, { target: target(), props }));
}

/** Render a component under `app`, as App.svelte provides it. */
export function renderWithApp<P extends object>(
  app: AppView,
  component: Component<P>,
  props: NoInfer<P>,
): void {
  const host: Component<{ app: AppView; component: Component<P>; props: P }> = WithApp;
  mounted.push(mount(host, { target: target(), props: { app, component, props } }));
}

export async function cleanup(): Promise<void> {
  for (const instance of mounted.splice(0)) await unmount(instance);
  document.body.replaceChildren();
}
