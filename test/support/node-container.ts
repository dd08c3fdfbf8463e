/**
 * A model of WebContainer built from real parts: real Node.js and npm from this machine, real
 * files in a temporary directory, and WebContainer's documented stream behaviour laid on top.
 * It is a test double (WebContainer cannot boot here) and says so; what it models, and from
 * which source:
 *
 * - one output stream of strings for stdout and stderr together (typings: "all terminal
 *   output"; webcontainer-core #971), with the pty's CRLF line ends;
 * - each chunk decoded on its own, without a streaming decoder (the API's `binaryListener`);
 * - an output stream that does not close when the process exits (@webcontainer/test: "webcontainer
 *   process never reaches here");
 * - `cwd` relative to the workdir, `env` merged over a small default environment;
 * - `kill()` that reaches a Node process only when its event loop turns, so a busy loop ignores
 *   it (webcontainer-core #1121); other programs end on SIGTERM;
 * - `teardown()` that ends everything and makes the instance unusable.
 *
 * Not modelled: the terminal size, jsh (npm scripts run in this machine's sh), Turbo's npm output.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
  BootOptions,
  Container,
  ContainerProcess,
  FileSystemTree,
  SpawnOptions,
  WebContainerApi,
} from '../../src/executors/webcontainer/container.ts';
import { snapshotFiles } from '../../src/executors/webcontainer/testing/snapshot-decoder.ts';
import { nodeContainerFs } from './node-container-fs.ts';

/** Loaded into every `node` the model starts: `kill()` is a message handled between event-loop turns. */
const KILL_WHEN_IDLE = `
process.on('message', (m) => { if (m === 'tabrunner-model:kill') process.exit(143); });
if (process.channel) process.channel.unref();
`;

/** Boots model containers. Like WebContainer, a boot waits for the last teardown, and every boot of one page has the same workdir. */
export class NodeApi implements WebContainerApi {
  #root: Promise<string> | undefined;
  #teardown: Promise<void> = Promise.resolve();

  async boot(options: BootOptions): Promise<Container> {
    await this.#teardown;
    this.#root ??= mkdtemp(join(tmpdir(), 'tabrunner-webcontainer-model-'));
    const root = await this.#root;
    const workdir = join(root, 'home', options.workdirName ?? 'project');
    await mkdir(workdir, { recursive: true });
    const preload = join(root, 'kill-when-idle.cjs');
    await writeFile(preload, KILL_WHEN_IDLE);
    return new NodeContainer(workdir, preload, (done) => (this.#teardown = done));
  }

  configureAPIKey(): void {}

  /** Remove what the model left on disk. */
  async dispose(): Promise<void> {
    await this.#teardown;
    if (this.#root) await rm(await this.#root, { recursive: true, force: true });
  }
}

class NodeContainer implements Container {
  readonly fs;
  readonly path = process.env['PATH'] ?? '/usr/bin:/bin';
  readonly #preload: string;
  readonly #onTeardown: (done: Promise<void>) => void;
  readonly #children = new Set<ChildProcess>();
  #tornDown = false;

  constructor(
    readonly workdir: string,
    preload: string,
    onTeardown: (done: Promise<void>) => void,
  ) {
    this.#preload = preload;
    this.#onTeardown = onTeardown;
    this.fs = nodeContainerFs(workdir);
  }

  async spawn(command: string, args: string[], options?: SpawnOptions): Promise<ContainerProcess> {
    if (this.#tornDown) throw new Error('Proxy has been released and is not useable');
    const isNode = command === 'node';
    const child = spawn(command, isNode ? ['--require', this.#preload, ...args] : args, {
      cwd: join(this.workdir, options?.cwd ?? ''),
      env: {
        PATH: this.path,
        HOME: this.workdir,
        ...Object.fromEntries(Object.entries(options?.env ?? {}).map(([k, v]) => [k, String(v)])),
      },
      stdio: isNode ? ['pipe', 'pipe', 'pipe', 'ipc'] : ['pipe', 'pipe', 'pipe'],
      detached: !isNode,
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    this.#children.add(child);
    let push!: (text: string) => void;
    const output = new ReadableStream<string>({
      start(controller) {
        push = (text) => controller.enqueue(text);
      },
    });
    const onData = (chunk: Buffer) => push(new TextDecoder().decode(chunk).replace(/\n/g, '\r\n'));
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    const exit = new Promise<number>((resolve, reject) => {
      child.once('exit', (code, signal) => {
        this.#children.delete(child);
        if (this.#tornDown) reject(new Error('Process aborted'));
        else resolve(code ?? 128 + (signal === 'SIGKILL' ? 9 : 15));
      });
    });
    exit.catch(() => undefined);
    const input = new WritableStream<string>({
      write: (data) =>
        new Promise<void>((resolve, reject) =>
          child.stdin?.write(data, (err) => (err ? reject(err) : resolve())),
        ),
      close: () => {
        child.stdin?.end();
      },
    });
    return {
      output,
      input,
      exit,
      kill: () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        if (isNode) child.send?.('tabrunner-model:kill');
        else if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
      },
    };
  }

  async mount(
    payload: FileSystemTree | Uint8Array,
    options?: { mountPoint?: string },
  ): Promise<void> {
    const root = join(this.workdir, options?.mountPoint ?? '');
    if (payload instanceof Uint8Array) {
      const { files, dirs } = snapshotFiles(payload);
      for (const dir of dirs) await mkdir(join(root, dir), { recursive: true });
      for (const [path, data] of files) await writeFile(join(root, path), data);
      return;
    }
    const walk = async (tree: FileSystemTree, dir: string): Promise<void> => {
      for (const [name, node] of Object.entries(tree)) {
        const path = join(dir, name);
        if ('directory' in node) {
          await mkdir(path, { recursive: true });
          await walk(node.directory, path);
        } else if ('contents' in node.file) {
          await writeFile(path, node.file.contents);
        }
      }
    };
    await walk(payload, root);
  }

  on(): () => void {
    return () => undefined;
  }

  teardown(): void {
    if (this.#tornDown) throw new Error('WebContainer already torn down');
    this.#tornDown = true;
    for (const child of this.#children) {
      if (child.pid === undefined) continue;
      try {
        if (child.spawnargs[1] === '--require') child.kill('SIGKILL');
        else process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    // The files go with the instance; the next boot waits for that, as WebContainer's does.
    this.#onTeardown(rm(this.workdir, { recursive: true, force: true }));
  }
}
