/**
 * This tab's runner manager identity. `system_id` lives in `sessionStorage`: it survives a
 * reload of the same tab (the runner stays the same manager in GitLab) while every new tab gets
 * its own, so several tabs of one browser run side by side as separate managers.
 */
import { generateSystemId, isValidSystemId } from '../gitlab/index.ts';

const SYSTEM_ID_KEY = 'tabrunner.systemId';
const RUNNING_KEY = 'tabrunner.running';

function session(): Storage | null {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null;
  }
}

/** This tab's `system_id`, created on first use. */
export function tabSystemId(): string {
  const storage = session();
  const stored = storage?.getItem(SYSTEM_ID_KEY);
  if (stored && isValidSystemId(stored)) return stored;
  const id = generateSystemId();
  storage?.setItem(SYSTEM_ID_KEY, id);
  return id;
}

/** Whether this tab was running the runner before a reload (so it resumes on its own). */
export function wasRunningInThisTab(): boolean {
  return session()?.getItem(RUNNING_KEY) === '1';
}

export function markRunningInThisTab(running: boolean): void {
  const storage = session();
  if (running) storage?.setItem(RUNNING_KEY, '1');
  else storage?.removeItem(RUNNING_KEY);
}
