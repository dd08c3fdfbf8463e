/**
 * The emulator's in-memory database and its change signal. Handlers in `api/` and creators in
 * `pipelines/` and `git/` read and write these maps; `changed()` wakes long-polling requests and
 * queue-version watchers, as GitLab's Redis build queue key does (§3.3).
 */
import type { Job, Pipeline, Project, Runner } from './model.ts';

export class EmulatorState {
  readonly runners = new Map<number, Runner>();
  readonly projects = new Map<number, Project>();
  readonly pipelines = new Map<number, Pipeline>();
  readonly jobs = new Map<number, Job>();

  #ids = new Map<string, number>();
  #listeners = new Set<() => void>();

  /** Next id of a kind (`runner`, `project`, `pipeline`, `job`, …), starting at `start`. */
  nextId(kind: string, start = 1): number {
    const id = this.#ids.get(kind) ?? start;
    this.#ids.set(kind, id + 1);
    return id;
  }

  /** Subscribe to "something a runner may care about changed"; returns an unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Tell waiters that jobs or runners changed. */
  changed(): void {
    for (const listener of [...this.#listeners]) listener();
  }
}
