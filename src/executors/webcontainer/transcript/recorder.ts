/**
 * Records a transcript (transcript.ts) by wrapping the WebContainer API the executor is given:
 * the executor runs unchanged, and every call passes through to the real API while the
 * recorder writes down what went in and what came out. Used by the self-check page; the
 * synthetic transcript is made through it too, so both come from the same code. A transcript
 * holds every variable a spawn was given: never wrap the executor of a runner that takes real
 * jobs.
 */
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

export interface RecorderOptions {
  /** @default performance.now */
  now?: () => number;
  /** Directories (relative to the workdir) whose files a process may change. @default ['builds'] */
  watch?: string[];
  /** Files larger than this are recorded by size only. @default 1 MiB */
  maxFileBytes?: number;
  /** Written into the transcript. */
  meta?: Pick<Transcript, 'userAgent' | 'apiVersion' | 'recorded' | 'basis'>;
}

/** Directories a process's changes are not recorded for: installs and caches. */
const UNWATCHED = new Set(['node_modules', '.npm', '.cache', '.pnpm-store', '.yarn']);

export class TranscriptRecorder {
  readonly #now: () => number;
  readonly #watch: string[];
  readonly #maxFileBytes: number;
  readonly #meta: RecorderOptions['meta'];
  readonly #cases: TranscriptCase[] = [];
  #case: TranscriptCase;
  #caseStart: number;
  #workdir = '';
  #path = '';

  constructor(options: RecorderOptions = {}) {
    // Bound now: file calls arrive from inside just-bash's script execution, where its
    // defence in depth (in Node) blocks reading `performance.now` afresh.
    this.#now = options.now ?? performance.now.bind(performance);
    this.#watch = options.watch ?? ['builds'];
    this.#maxFileBytes = options.maxFileBytes ?? 1024 * 1024;
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
    const record = async <T>(
      op: string,
      path: string,
      run: () => Promise<T>,
      extra: { to?: string; bytes?: number } = {},
      keepSuccess = true,
    ): Promise<T> => {
      try {
        const result = await run();
        if (keepSuccess) this.#add({ at: 0, call: 'fs', op, path, ...extra });
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
    const before = await this.#files(inner.fs);
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
      async (code) => {
        event({ type: 'exit', code });
        const after = await this.#files(inner.fs);
        const changes = diff(before, after);
        if (changes.written.length > 0 || changes.removed.length > 0)
          event({ type: 'files', ...changes });
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

  /** The watched files, path → bytes (undefined past the size limit). */
  async #files(fs: ContainerFs): Promise<Map<string, Uint8Array | number>> {
    const files = new Map<string, Uint8Array | number>();
    const walk = async (dir: string): Promise<void> => {
      let entries;
      try {
        entries = await fs.readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const entry of entries) {
        const path = `${dir}/${entry.name}`;
        if (entry.isDirectory()) {
          if (!UNWATCHED.has(entry.name)) await walk(path);
        } else {
          const bytes = await fs.readFile(path).catch(() => undefined);
          if (bytes) files.set(path, bytes.length <= this.#maxFileBytes ? bytes : bytes.length);
        }
      }
    };
    for (const dir of this.#watch) await walk(dir);
    return files;
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
        : { path, base64: base64(now), size: now.length },
    );
  }
  const removed = [...before.keys()].filter((path) => !after.has(path));
  return { written, removed };
}

function sameContent(a: Uint8Array | number, b: Uint8Array | number): boolean {
  if (typeof a === 'number' || typeof b === 'number') return a === b;
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

function base64(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
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
