/**
 * Keeps a running tab eligible for work: while held, a Web Lock tells Chromium not to freeze
 * or discard the tab (its freezing heuristics skip pages holding locks). The lock's name
 * carries the tab's `system_id`, so tabs never wait on each other.
 */

/** Hold the lock until the returned function is called. No-op where Web Locks are missing. */
export function holdWakeLock(name: string): () => void {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  if (!locks) return () => undefined;
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  void locks.request(`tabrunner:${name}`, () => held).catch(() => undefined);
  return release;
}
