/**
 * The WebContainer test double (the runtime cannot boot without stackblitz.com): the slice of
 * the API in ../container.ts, with the file API in memory (memory-container-fs.ts, checked
 * against node:fs) and programs decided by a `Programs` function: a transcript replay
 * (replay.ts) or a test's own script. Mounting writes the tree or snapshot into memory;
 * teardown makes the instance unusable and aborts its processes, as the typings describe.
 */
import type {
  BootOptions,
  Container,
  FileSystemTree,
  SpawnOptions,
  WebContainerApi,
} from '../container.ts';
import type { FakeProcess } from './fake-process.ts';
import { MemoryContainerFs } from './memory-container-fs.ts';
import { snapshotFiles } from './snapshot-decoder.ts';

export interface SpawnRequest {
  command: string;
  args: string[];
  options: SpawnOptions | undefined;
  container: FakeContainer;
}

/** Decides what a spawned program does: script the process it returns, or reject the spawn. */
export type Programs = (request: SpawnRequest) => FakeProcess | Promise<FakeProcess>;

/** A program that is not there: what a test gets unless it says otherwise. */
const noPrograms: Programs = ({ command }) => {
  throw new Error(`the double has no program ${command}`);
};

export class FakeContainer implements Container {
  readonly workdir: string;
  readonly path: string;
  readonly fs = new MemoryContainerFs();
  readonly spawns: (SpawnRequest & { process: FakeProcess })[] = [];
  readonly mounts: { kind: 'tree' | 'snapshot'; mountPoint: string | undefined }[] = [];
  readonly errorListeners = new Set<(e: { message: string }) => void>();
  programs: Programs;
  tornDown = false;

  constructor(options: { workdir?: string; path?: string; programs?: Programs } = {}) {
    this.workdir = options.workdir ?? '/home/tabrunner';
    this.path = options.path ?? '/bin:/usr/bin:/usr/local/bin';
    this.programs = options.programs ?? noPrograms;
  }

  async spawn(command: string, args: string[], options?: SpawnOptions): Promise<FakeProcess> {
    if (this.tornDown) throw new Error('Proxy has been released and is not useable');
    const request = { command, args, options, container: this };
    const process = await this.programs(request);
    this.spawns.push({ ...request, process });
    return process;
  }

  async mount(
    payload: FileSystemTree | Uint8Array,
    options?: { mountPoint?: string },
  ): Promise<void> {
    const root = options?.mountPoint ?? '';
    await this.fs.readdir(root || '.', { withFileTypes: true });
    const at = (path: string) => (root ? `${root}/${path}` : path);
    if (payload instanceof Uint8Array) {
      this.mounts.push({ kind: 'snapshot', mountPoint: options?.mountPoint });
      const { files, dirs } = snapshotFiles(payload);
      for (const dir of dirs) await this.fs.mkdir(at(dir), { recursive: true });
      for (const [path, data] of files) await this.fs.writeFile(at(path), data);
      return;
    }
    this.mounts.push({ kind: 'tree', mountPoint: options?.mountPoint });
    const walk = async (tree: FileSystemTree, dir: string): Promise<void> => {
      for (const [name, node] of Object.entries(tree)) {
        const path = dir ? `${dir}/${name}` : name;
        if ('directory' in node) {
          await this.fs.mkdir(at(path), { recursive: true });
          await walk(node.directory, path);
        } else if ('contents' in node.file) {
          await this.fs.writeFile(at(path), node.file.contents);
        }
      }
    };
    await walk(payload, '');
  }

  on(_event: 'error', listener: (e: { message: string }) => void): () => void {
    this.errorListeners.add(listener);
    return () => this.errorListeners.delete(listener);
  }

  teardown(): void {
    if (this.tornDown) throw new Error('WebContainer already torn down');
    this.tornDown = true;
    for (const { process } of this.spawns) process.abort();
  }
}

/** The static side: boots `FakeContainer`s and records the calls, in order. */
export class FakeApi implements WebContainerApi {
  readonly calls: string[] = [];
  readonly booted: FakeContainer[] = [];
  readonly bootOptions: BootOptions[] = [];
  /** Replace to make a boot hang or fail. */
  nextBoot: () => Promise<FakeContainer> = async () =>
    new FakeContainer({ programs: this.programs });
  /** What every container this API boots runs. */
  programs: Programs;

  constructor(programs: Programs = noPrograms) {
    this.programs = programs;
  }

  async boot(options: BootOptions): Promise<FakeContainer> {
    this.calls.push('boot');
    this.bootOptions.push(options);
    const container = await this.nextBoot();
    this.booted.push(container);
    return container;
  }

  configureAPIKey(key: string): void {
    if (this.calls.includes('boot'))
      throw new Error('`configureAPIKey` should always be called before `WebContainer.boot`');
    this.calls.push(`configureAPIKey:${key}`);
  }
}
