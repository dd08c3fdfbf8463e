/**
 * Records a transcript (transcript.ts) by wrapping the WebContainer API the executor is given:
 * the executor runs unchanged, and every call passes through to the real API while the
 * recorder writes down what went in and what came out. Used by the self-check page; the
 * synthetic transcript is made through it too, so both come from the same code. A transcript
 * holds every variable a spawn was given: never wrap the executor of a runner that takes real
 * jobs.
 */
import { decodeBytes } from '../../../platform/byte-encoding.ts';
import type {
  BootOptions,
  Container,
  ContainerFs,
  ContainerProcess,
  FileSystemTree,
  SpawnOptions,
  WebContainerApi,
} from '../container.ts';
import {
  BOOT_CASE,
  type ProcessEvent,
  type Transcript,
  type TranscriptCall,
  type TranscriptCase,
} from './transcript.ts';

/** What the transcript says about where it was made. */
export type TranscriptMeta = Pick<Transcript, 'userAgent' | 'apiVersion' | 'recorded' | 'basis'>;

/** The directory (relative to the workdir) whose files a process may change: every job's. */
const WATCHED = 'builds';

/** Directories a process's changes are not recorded for: installs and caches. */
const UNWATCHED = new Set(['node_modules', '.npm', '.cache', '.pnpm-store', '.yarn']);

/** Files larger than this are recorded by size only. */
const MAX_FILE_BYTES = 1024 * 1024;

/**
 * How much one look at the watched files may read, and for how long: a job that fills the
 * builds directory gets no file changes recorded rather than a recorder that stalls every spawn.
 */
const WALK_BUDGET = { bytes: 64 * 1024 * 1024, ms: 5_000 };

export class TranscriptRecorder {
  // Bound: file calls arrive from inside just-bash's script execution, where its defence in
  // depth (in Node) blocks reading `performance.now` afresh.
  readonly #now = performance.now.bind(performance);
  readonly #meta: TranscriptMeta | undefined;
  readonly #cases: TranscriptCase[] = [];
  #case: TranscriptCase;
  #caseStart: number;
  #workdir = '';
  #path = '';
  /** The look at the files after a process's exit, while it lasts; file calls wait for it. */
  #walking: Promise<unknown> = Promise.resolve();

  constructor(options: { meta?: TranscriptMeta } = {}) {
    this.#meta = options.meta;
    this.#case = { name: BOOT_CASE, calls: [] };
    this.#cases.push(this.#case);
    this.#caseStart = this.#now();
  }

  /** Calls from now on belong to this case. */
  useCase(name: string): void {
    this.#case = { name, calls: [] };
    this.#cases.push(this.#case);
    this.#caseStart = this.#now();
  }

  /** How the current case ended. */
  endCase(result: NonNullable<TranscriptCase['result']>): void {
    this.#case.result = result;
  }

  transcript(): Transcript {
    return {
      format: 'tabrunner-webcontainer-transcript',
      version: 1,
      recorded: this.#meta?.recorded ?? true,
      ...(this.#meta?.basis ? { basis: this.#meta.basis } : {}),
      recordedAt: new Date().toISOString(),
      ...(this.#meta?.userAgent ? { userAgent: this.#meta.userAgent } : {}),
      ...(this.#meta?.apiVersion ? { apiVersion: this.#meta.apiVersion } : {}),
      workdir: this.#workdir,
      path: this.#path,
      cases: structuredClone(this.#cases),
    };
  }

  /** The API to give the executor instead of `api`. */
  wrap(api: WebContainerApi): WebContainerApi {
    return {
      configureAPIKey: (key) => api.configureAPIKey(key),
      boot: async (options: BootOptions) => {
        const call = this.#add({ at: 0, call: 'boot', ms: 0 });
        const started = this.#now();
        try {
          const container = await api.boot(options);
          call.ms = Math.round(this.#now() - started);
          this.#workdir = call.workdir = container.workdir;
          this.#path = call.path = container.path;
          return this.#container(container);
        } catch (err) {
          call.ms = Math.round(this.#now() - started);
          call.error = message(err);
          throw err;
        }
      },
    };
  }

  #add<K extends TranscriptCall['call']>(call: Call<K>): Call<K> {
    call.at = Math.round(this.#now() - this.#caseStart);
    this.#case.calls.push(call);
    return call;
  }

  #container(inner: Container): Container {
    const fs = this.#fs(inner.fs);
    return {
      fs,
      workdir: inner.workdir,
      path: inner.path,
      spawn: (command, args, options) => this.#spawn(inner, command, args, options),
      mount: async (payload, options) => {
        const call = this.#add({
          at: 0,
          call: 'mount',
          ...(options?.mountPoint ? { mountPoint: options.mountPoint } : {}),
          kind: payload instanceof Uint8Array ? 'snapshot' : 'tree',
          bytes: payload instanceof Uint8Array ? payload.length : treeBytes(payload),
        });
        try {
          await this.#walking;
          await inner.mount(payload, options);
        } catch (err) {
          call.error = message(err);
          throw err;
        }
      },
      on: (event, listener) =>
        inner.on(event, (error) => {
          this.#add({ at: 0, call: 'error-event', message: error.message });
          listener(error);
        }),
      teardown: () => {
        const call = this.#add({ at: 0, call: 'teardown' });
        try {
          inner.teardown();
        } catch (err) {
          call.error = message(err);
          throw err;
        }
      },
    };
  }

  #fs(inner: ContainerFs): ContainerFs {
    /** Reads are kept only when they fail; changes always, after the look at a process's files. */
    const record = async <T>(
      op: string,
      path: string,
      run: () => Promise<T>,
      extra: { to?: string; bytes?: number } = {},
      changes = true,
    ): Promise<T> => {
      try {
        if (changes) await this.#walking;
        const result = await run();
        if (changes) this.#add({ at: 0, call: 'fs', op, path, ...extra });
        return result;
      } catch (err) {
        this.#add({ at: 0, call: 'fs', op, path, ...extra, error: message(err) });
        throw err;
      }
    };
    return {
      readFile: (path) => record('readFile', path, () => inner.readFile(path), {}, false),
      readdir: (path, options) =>
        record('readdir', path, () => inner.readdir(path, options), {}, false),
      writeFile: (path, data) =>
        record('writeFile', path, () => inner.writeFile(path, data), {
          bytes: typeof data === 'string' ? new TextEncoder().encode(data).length : data.length,
        }),
      mkdir: (path, options) => record('mkdir', path, () => inner.mkdir(path, options)),
      rm: (path, options) => record('rm', path, () => inner.rm(path, options)),
      rename: (from, to) => record('rename', from, () => inner.rename(from, to), { to }),
    };
  }

  async #spawn(
    inner: Container,
    command: string,
    args: string[],
    options: SpawnOptions | undefined,
  ): Promise<ContainerProcess> {
    const events: ProcessEvent[] = [];
    const call = this.#add({
      at: 0,
      call: 'spawn',
      command,
      args: [...args],
      ...(options?.cwd !== undefined ? { cwd: options.cwd } : {}),
      ...(options?.env ? { env: stringEnv(options.env) } : {}),
      ...(options?.terminal ? { terminal: { ...options.terminal } } : {}),
      events,
    });
    // What the process will change is told from what is there before it starts.
    await this.#walking;
    const before = await this.#files(inner.fs);
    let process: ContainerProcess;
    try {
      process = await inner.spawn(command, args, options);
    } catch (err) {
      call.error = message(err);
      throw err;
    }
    const start = this.#now();
    const event = (e: DistributiveOmit<ProcessEvent, 'at'>): void => {
      events.push({ ...e, at: Math.round(this.#now() - start) } as ProcessEvent);
    };
    const output = process.output.pipeThrough(
      new TransformStream<string, string>({
        transform(chunk, controller) {
          event({ type: 'output', data: chunk });
          controller.enqueue(chunk);
        },
        flush() {
          event({ type: 'closed' });
        },
      }),
    );
    let writer: WritableStreamDefaultWriter<string> | undefined;
    const input = new WritableStream<string>({
      write(chunk) {
        event({ type: 'input', data: chunk });
        writer ??= process.input.getWriter();
        return writer.write(chunk);
      },
      close() {
        event({ type: 'input-closed' });
        writer ??= process.input.getWriter();
        return writer.close();
      },
    });
    const exit = process.exit.then(
      (code) => {
        event({ type: 'exit', code });
        // The exit is passed on at once, so its time stays true; until the look at the files
        // is done, the executor's next change (or spawn) waits, so what it finds is the process's.
        const look = this.#files(inner.fs).then((after) => {
          const changes = before && after ? diff(before, after) : null;
          if (changes && (changes.written.length > 0 || changes.removed.length > 0))
            event({ type: 'files', ...changes });
        });
        this.#walking = Promise.all([this.#walking, look]).catch(() => undefined);
        return code;
      },
      (err: unknown) => {
        event({ type: 'exit-error', error: message(err) });
        throw err;
      },
    );
    return {
      output,
      input,
      exit,
      kill: () => {
        event({ type: 'kill' });
        process.kill();
      },
    };
  }

  /**
   * The watched files, path → bytes (the size past the size limit); null when looking took more
   * than the budget.
   */
  async #files(fs: ContainerFs): Promise<Map<string, Uint8Array | number> | null> {
    const files = new Map<string, Uint8Array | number>();
    const started = this.#now();
    let read = 0;
    const withinBudget = () => read <= WALK_BUDGET.bytes && this.#now() - started <= WALK_BUDGET.ms;
    const walk = async (dir: string): Promise<boolean> => {
      let entries;
      try {
        entries = await fs.readdir(dir, { withFileTypes: true });
      } catch {
        return true;
      }
      for (const entry of entries) {
        if (!withinBudget()) return false;
        const path = `${dir}/${entry.name}`;
        if (entry.isDirectory()) {
          if (!UNWATCHED.has(entry.name) && !(await walk(path))) return false;
          continue;
        }
        const bytes = await fs.readFile(path).catch(() => undefined);
        if (!bytes) continue;
        read += bytes.length;
        files.set(path, bytes.length <= MAX_FILE_BYTES ? bytes : bytes.length);
      }
      return withinBudget();
    };
    return (await walk(WATCHED)) ? files : null;
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type Call<K extends TranscriptCall['call']> = Extract<TranscriptCall, { call: K }>;

function diff(
  before: Map<string, Uint8Array | number>,
  after: Map<string, Uint8Array | number>,
): { written: { path: string; base64?: string; size: number }[]; removed: string[] } {
  const written: { path: string; base64?: string; size: number }[] = [];
  for (const [path, now] of after) {
    const was = before.get(path);
    if (was !== undefined && sameContent(was, now)) continue;
    written.push(
      typeof now === 'number'
        ? { path, size: now }
        : { path, base64: decodeBytes(now, 'base64'), size: now.length },
    );
  }
  const removed = [...before.keys()].filter((path) => !after.has(path));
  return { written, removed };
}

function sameContent(a: Uint8Array | number, b: Uint8Array | number): boolean {
  if (typeof a === 'number' || typeof b === 'number') return a === b;
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

function treeBytes(tree: FileSystemTree): number {
  let total = 0;
  for (const node of Object.values(tree)) {
    if ('directory' in node) total += treeBytes(node.directory);
    else if ('contents' in node.file)
      total +=
        typeof node.file.contents === 'string'
          ? new TextEncoder().encode(node.file.contents).length
          : node.file.contents.length;
  }
  return total;
}

function stringEnv(env: Record<string, string | number | boolean>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)]));
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
