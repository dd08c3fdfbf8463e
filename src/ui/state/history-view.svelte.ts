/** Recent jobs with their local logs, kept in IndexedDB and shown newest first. */
import { HISTORY_LIMIT, type AppStore, type HistoryEntry } from '../../tab/app-store.ts';

export class HistoryView {
  entries = $state.raw<HistoryEntry[]>([]);
  logBytes = $derived(this.entries.reduce((sum, e) => sum + e.log.length, 0));
  #store: AppStore;
  /** Saves in the order jobs finished, so the list's order never depends on IndexedDB's. */
  #saving: Promise<void> = Promise.resolve();

  constructor(store: AppStore) {
    this.#store = store;
  }

  async load(): Promise<void> {
    this.entries = await this.#store.history();
  }

  /**
   * Save a finished job and put it at the top of the list. It runs beside the next job, so it
   * neither re-reads the history nor replaces the entries already shown (the list keeps their
   * rows): one put, one prepend, the oldest dropped.
   */
  add(entry: HistoryEntry): Promise<void> {
    const saved = this.#saving.then(async () => {
      const kept = await this.#store.addHistory(entry);
      this.entries = [kept, ...this.entries.filter((e) => e.key !== kept.key)].slice(
        0,
        HISTORY_LIMIT,
      );
    });
    this.#saving = saved.catch(() => undefined);
    return saved;
  }

  async clear(): Promise<void> {
    await this.#saving;
    await this.#store.clearHistory();
    this.entries = [];
  }
}
