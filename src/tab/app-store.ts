/**
 * The tab's own IndexedDB database (`tabrunner-app`, per origin): the saved connection (GitLab
 * URL, relay, executor, token), settings, and the job history with bounded local logs. The git
 * object store is separate (`tabrunner-sources`, owned by src/sources). Tokens are stored here
 * because the runner needs them after a reload; they are never shown, logged or put in a URL.
 */
import { idbDone, idbRequest } from '../platform/idb-request.ts';

export type ExecutorChoice = 'shell' | 'webcontainer';

/** What the runner needs to reconnect after a reload. */
export interface SavedConnection {
  /** The GitLab instance, e.g. `https://gitlab.example.com` (shown, linked). */
  gitlabUrl: string;
  /** The relay in front of it, e.g. `https://runner.example` (empty: talk to GitLab directly). */
  relayUrl: string;
  executor: ExecutorChoice;
  /** The runner authentication token. Secret: never displayed, only its masked form. */
  token: string;
  /** GitLab's runner id (0 when an old GitLab did not say). */
  runnerId: number;
  /** The page registered this runner with a registration token (so forgetting deletes it). */
  registeredHere: boolean;
}

export interface SavedSettings {
  /** Seconds between polls when GitLab cannot hold the request. */
  checkIntervalSeconds: number;
  /** Job log limit in bytes. */
  outputLimit: number;
  /** StackBlitz WebContainer API key (a public client id, not a secret). */
  webContainerApiKey: string;
}

export const DEFAULT_SETTINGS: SavedSettings = {
  checkIntervalSeconds: 3,
  outputLimit: 4 * 1024 * 1024,
  webContainerApiKey: '',
};

/** One finished job, as the History panel shows it. */
export interface HistoryEntry {
  /** `<gitlab url>#<job id>`: unique across instances. */
  key: string;
  jobId: number;
  name: string;
  stage: string;
  projectPath: string;
  pipelineId: number;
  url: string;
  result: 'success' | 'failed' | 'canceled';
  failureReason: string | null;
  startedAt: number;
  finishedAt: number;
  stages: { name: string; startedAt: number; finishedAt: number }[];
  /** Whether GitLab accepted the final state. */
  reported: boolean;
  /** The tab (`system_id`) that ran it. */
  systemId: string;
  /** The masked job log as sent to GitLab, cut at `LOG_BYTES_PER_JOB`. */
  log: Uint8Array;
  /** Bytes the job produced in all (more than `log.length` when cut). */
  logBytes: number;
}

/** Most jobs kept in the history; older ones (and their logs) are dropped. */
export const HISTORY_LIMIT = 50;
/** Most log bytes kept per job. */
export const LOG_BYTES_PER_JOB = 1024 * 1024;

const DB_NAME = 'tabrunner-app';
const KV = 'kv';
const HISTORY = 'history';
/** History index by `finishedAt`: finds the oldest entries by key, without their logs. */
const BY_FINISHED_AT = 'finishedAt';
/** 2: the `finishedAt` index. */
const DB_VERSION = 2;

/** The app database. Open once per page with `openAppStore()`. */
export class AppStore {
  readonly #db: IDBDatabase;

  constructor(db: IDBDatabase) {
    this.#db = db;
  }

  async #get<T>(key: string): Promise<T | undefined> {
    const tx = this.#db.transaction(KV, 'readonly');
    return (await idbRequest(tx.objectStore(KV).get(key))) as T | undefined;
  }

  async #put(key: string, value: unknown): Promise<void> {
    const tx = this.#db.transaction(KV, 'readwrite');
    tx.objectStore(KV).put(value, key);
    await idbDone(tx);
  }

  connection(): Promise<SavedConnection | undefined> {
    return this.#get<SavedConnection>('connection');
  }

  saveConnection(connection: SavedConnection): Promise<void> {
    return this.#put('connection', connection);
  }

  async forgetConnection(): Promise<void> {
    const tx = this.#db.transaction(KV, 'readwrite');
    tx.objectStore(KV).delete('connection');
    await idbDone(tx);
  }

  async settings(): Promise<SavedSettings> {
    return { ...DEFAULT_SETTINGS, ...(await this.#get<Partial<SavedSettings>>('settings')) };
  }

  saveSettings(settings: SavedSettings): Promise<void> {
    return this.#put('settings', { ...settings });
  }

  /** Newest first. */
  async history(): Promise<HistoryEntry[]> {
    const tx = this.#db.transaction(HISTORY, 'readonly');
    const all = (await idbRequest(tx.objectStore(HISTORY).getAll())) as HistoryEntry[];
    return all.sort((a, b) => b.finishedAt - a.finishedAt);
  }

  /**
   * Add a finished job, cutting its log, and drop the oldest entries past the limit. Returns the
   * entry as kept. One put and a key-only walk of the `finishedAt` index: a save runs beside the
   * next job's fetch, so it must not read (and clone) the other entries and their logs.
   */
  async addHistory(entry: HistoryEntry): Promise<HistoryEntry> {
    const kept =
      entry.log.length > LOG_BYTES_PER_JOB
        ? { ...entry, log: entry.log.slice(0, LOG_BYTES_PER_JOB) }
        : { ...entry };
    const tx = this.#db.transaction(HISTORY, 'readwrite');
    const store = tx.objectStore(HISTORY);
    store.put(kept);
    const count = store.count();
    count.onsuccess = () => {
      let extra = count.result - HISTORY_LIMIT;
      if (extra <= 0) return;
      const oldest = store.index(BY_FINISHED_AT).openKeyCursor();
      oldest.onsuccess = () => {
        const cursor = oldest.result;
        if (!cursor || extra <= 0) return;
        // The job just saved stays even when a skewed clock makes it look older.
        if (cursor.primaryKey !== kept.key) {
          store.delete(cursor.primaryKey);
          extra -= 1;
        }
        cursor.continue();
      };
    };
    await idbDone(tx);
    return kept;
  }

  async clearHistory(): Promise<void> {
    const tx = this.#db.transaction(HISTORY, 'readwrite');
    tx.objectStore(HISTORY).clear();
    await idbDone(tx);
  }

  /** Bytes of logs kept in the history. */
  async historyBytes(): Promise<number> {
    return (await this.history()).reduce((sum, e) => sum + e.log.length, 0);
  }
}

/** `name`: another database than the page's, for tests. */
export async function openAppStore(name = DB_NAME): Promise<AppStore> {
  const open = indexedDB.open(name, DB_VERSION);
  open.onupgradeneeded = () => {
    const db = open.result;
    if (!db.objectStoreNames.contains(KV)) db.createObjectStore(KV);
    const history = db.objectStoreNames.contains(HISTORY)
      ? (open.transaction as IDBTransaction).objectStore(HISTORY)
      : db.createObjectStore(HISTORY, { keyPath: 'key' });
    if (!history.indexNames.contains(BY_FINISHED_AT))
      history.createIndex(BY_FINISHED_AT, 'finishedAt');
  };
  const db = await idbRequest(open);
  // A newer build opening the database in another tab would wait for this connection forever.
  db.onversionchange = () => db.close();
  return new AppStore(db);
}
