/**
 * The emulator's in-memory database and its change signal. Handlers in `api/` and creators in
 * `pipelines/` and `git/` read and write these maps; `changed()` wakes long-polling requests and
 * bumps every runner's queue version, as GitLab's Redis build queue key does (docs/runner-protocol.md §3.3).
 */
import { randomBytes } from 'node:crypto';
import type { Job, Pipeline, Project, Runner } from './model.ts';

/** A fresh opaque queue value, like GitLab's `runner:build_queue:<token>` (docs/runner-protocol.md §3.2). */
export function newQueueVersion(): string {
  return randomBytes(16).toString('hex');
}

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

  /** The id counters, to save with the state (emulator/persist.ts). */
  idCounters(): Record<string, number> {
    return Object.fromEntries(this.#ids);
  }

  /**
   * Continue the counters of a saved state, so ids handed out after a restart never repeat one
   * that a runner or a tab may still hold.
   */
  restoreIdCounters(counters: Record<string, number>): void {
    for (const [kind, next] of Object.entries(counters)) this.#ids.set(kind, next);
  }

  /** Subscribe to "something a runner may care about changed"; returns an unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** How many listeners wait for a change (tests use it to know a long poll is held). */
  get listenerCount(): number {
    return this.#listeners.size;
  }

  /**
   * Tell waiters that jobs or runners changed. Every runner's queue version moves on, so a
   * runner holding an old `last_update` gets the scheduler's answer on its next request (docs/runner-protocol.md §3.3).
   */
  changed(): void {
    for (const runner of this.runners.values()) runner.queueVersion = newQueueVersion();
    for (const listener of [...this.#listeners]) listener();
  }

  /** The runner that owns this authentication token, if any. */
  runnerByToken(token: string | undefined): Runner | undefined {
    if (!token) return undefined;
    for (const runner of this.runners.values()) if (runner.token === token) return runner;
    return undefined;
  }

  /** The project at this path (`namespace/name`), if any; paths match in any case, as GitLab's do. */
  projectByPath(fullPath: string): Project | undefined {
    const wanted = fullPath.toLowerCase();
    for (const project of this.projects.values()) {
      if (project.fullPath.toLowerCase() === wanted) return project;
    }
    return undefined;
  }

  /** The job that owns this job token, if any. */
  jobByToken(token: string | undefined): Job | undefined {
    if (!token) return undefined;
    for (const job of this.jobs.values()) if (job.token === token) return job;
    return undefined;
  }
}
