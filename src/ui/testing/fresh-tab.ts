/**
 * A tab as a first visit finds it: no saved connection, settings or history in the app's
 * IndexedDB, nothing in sessionStorage. Clears the database's contents rather than deleting
 * it, because the AppViews of earlier tests in the same page keep their connections open
 * (`deleteDatabase` would wait for them forever).
 */
import { DEFAULT_SETTINGS, openAppStore } from '../../tab/app-store.ts';

export async function freshTab(): Promise<void> {
  sessionStorage.clear();
  const store = await openAppStore();
  await store.forgetConnection();
  await store.clearHistory();
  await store.saveSettings(DEFAULT_SETTINGS);
}
