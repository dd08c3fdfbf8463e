/** Recent jobs with their local logs, kept in IndexedDB and shown newest first. */
import type { AppStore, HistoryEntry } from '../../platform/app-store.ts';

export class HistoryView {
  entries = $state.raw<HistoryEntry[]>([]);
  logBytes = $derived(this.entries.reduce((sum, e) => sum + e.log.length, 0));
  #store: AppStore;

  constructor(store: AppStore) {
    this.#store = store;
  }

  async load(): Promise<void> {
    this.entries = await this.#store.history();
  }

  async add(entry: HistoryEntry): Promise<void> {
    await this.#store.addHistory(entry);
    await this.load();
  }

  async clear(): Promise<void> {
    await this.#store.clearHistory();
    this.entries = [];
  }
}
