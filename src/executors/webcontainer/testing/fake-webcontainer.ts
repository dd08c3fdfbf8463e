/**
 * A small test double of the WebContainer surface in ../container.ts. Its jsh behaviour is
 * written from the documented behaviour in reference/webcontainer.md, not recorded from a live
 * WebContainer (none can boot without stackblitz.com): see ./jsh-transcript.ts for the shapes.
 * It knows a handful of commands (echo, cd, pwd, export, true, false, node -e/--version) and
 * lets a test decide what any line does, including hanging and ignoring Ctrl-C or kill().
 */
import type {
  Container,
  ContainerDirent,
  ContainerFs,
  ContainerProcess,
  FileSystemTree,
  SpawnOptions,
} from '../container.ts';
import { crlf, osc, PROMPT_TEXT, STARTUP } from './jsh-transcript.ts';

/** What a typed line does. */
export type LineBehaviour =
  | { kind: 'finish'; output: string; code: number }
  | { kind: 'hang'; ctrlC: 'interrupts' | 'ignored'; kill: 'exits' | 'ignored' };

export interface ShellState {
  cwd: string;
  env: Record<string, string>;
}

export interface FakeJshOptions {
  /** Decide what a line does; return undefined for the built-in commands. */
  handle?: (line: string, shell: ShellState) => LineBehaviour | undefined;
  /** Deliver every write in pieces of this many characters (chunk-split tests). */
  chunkSize?: number;
  /** What jsh prints before the first line. @default STARTUP */
  startup?: string;
  /** Whether the pty echoes typed input. @default true */
  echo?: boolean;
  /** Print a `pid=` marker when a line starts. @default false */
  pidMarker?: boolean;
}

export class FakeProcess implements ContainerProcess {
  readonly exit: Promise<number>;
  readonly input: WritableStream<string>;
  readonly output: ReadableStream<string>;
  /** Everything written to stdin, one entry per write. */
  readonly typed: string[] = [];
  kills = 0;
  #out!: ReadableStreamDefaultController<string>;
  #resolveExit!: (code: number) => void;
  #closed = false;
  onInput: (data: string) => void = () => undefined;
  onKill: () => void = () => this.end(137);

  constructor(readonly chunkSize = Infinity) {
    this.exit = new Promise((resolve) => (this.#resolveExit = resolve));
    this.output = new ReadableStream<string>({ start: (c) => void (this.#out = c) });
    this.input = new WritableStream<string>({
      write: (data) => {
        this.typed.push(data);
        this.onInput(data);
      },
    });
  }

  print(text: string): void {
    if (this.#closed) return;
    for (let i = 0; i < text.length; i += this.chunkSize)
      this.#out.enqueue(text.slice(i, i + this.chunkSize));
  }

  end(code: number): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#out.close();
    this.#resolveExit(code);
  }

  /** Resolve once `text` has been written to stdin (the line was typed). */
  async waitForInput(text: string): Promise<void> {
    while (!this.typed.includes(text)) await new Promise<void>((r) => setTimeout(r, 0));
  }

  kill(): void {
    this.kills += 1;
    this.onKill();
  }
}

/** Spawn a fake `jsh --osc` in `cwd` (absolute). */
export function fakeJsh(
  options: FakeJshOptions & { cwd?: string; env?: Record<string, string> } = {},
): FakeProcess {
  const proc = new FakeProcess(options.chunkSize);
  const shell: ShellState = { cwd: options.cwd ?? '/home/tabrunner', env: { ...options.env } };
  let hanging: Extract<LineBehaviour, { kind: 'hang' }> | undefined;
  let pid = 100;
  const finish = (output: string, code: number): void => {
    proc.print(`${crlf(output)}${osc(`exit=${pid}:${code}`)}${PROMPT_TEXT}${osc('prompt')}`);
  };
  proc.onInput = (data) => {
    if (data === '\x03') {
      if (hanging?.ctrlC === 'ignored') return;
      proc.print('^C');
      if (hanging) finish('\n', 130);
      else proc.print(`${PROMPT_TEXT}${osc('prompt')}`);
      hanging = undefined;
      return;
    }
    if (hanging) return; // typed ahead while busy: jsh would buffer it; tests never do this
    pid += 1;
    if (options.echo !== false) proc.print(crlf(data));
    if (options.pidMarker) proc.print(osc(`pid=${pid}`));
    const line = data.replace(/\n$/, '');
    const behaviour = options.handle?.(line, shell) ?? builtin(line, shell);
    if (behaviour.kind === 'finish') finish(behaviour.output, behaviour.code);
    else hanging = behaviour;
  };
  proc.onKill = () => {
    if (hanging?.kill !== 'ignored') proc.end(137);
  };
  proc.print(options.startup ?? STARTUP);
  return proc;
}

function builtin(line: string, shell: ShellState): LineBehaviour {
  const done = (output: string, code = 0): LineBehaviour => ({ kind: 'finish', output, code });
  const [word = '', ...rest] = line.trim().split(/\s+/);
  const arg = rest.join(' ');
  const expand = (s: string): string =>
    s.replace(/^'(.*)'$/s, '$1').replace(/\$([A-Za-z_]\w*)/g, (_, k: string) => shell.env[k] ?? '');
  switch (word) {
    case 'echo':
      return done(`${expand(arg)}\n`);
    case 'pwd':
      return done(`${shell.cwd}\n`);
    case 'cd':
      shell.cwd = arg.startsWith('/') ? arg : `${shell.cwd}/${arg}`;
      return done('');
    case 'export': {
      const eq = arg.indexOf('=');
      shell.env[arg.slice(0, eq)] = expand(arg.slice(eq + 1)).replace(/'\\''/g, "'");
      return done('');
    }
    case 'true':
      return done('');
    case 'false':
      return done('', 1);
    case 'node': {
      if (arg === '--version') return done('v20.19.1\n');
      const code = /process\.exit\((\d+)\)/.exec(arg);
      if (code) return done('', Number(code[1]));
      break;
    }
  }
  return done(`jsh: command not found: ${word}\n`, 127);
}

/** The WebContainer double: an in-memory fs rooted at `workdir`, jsh and node spawns. */
export class FakeContainer implements Container {
  readonly workdir = '/home/tabrunner';
  readonly files = new Map<string, Uint8Array>();
  readonly dirs = new Set<string>(['']);
  readonly mounts: { payload: 'tree' | 'snapshot'; mountPoint: string | undefined }[] = [];
  readonly spawns: {
    command: string;
    args: string[];
    options: SpawnOptions | undefined;
    process: FakeProcess;
  }[] = [];
  readonly errorListeners = new Set<(e: { message: string }) => void>();
  tornDown = false;
  jsh: FakeJshOptions = {};
  readonly fs: ContainerFs;

  constructor() {
    const norm = (p: string): string =>
      (p.startsWith(this.workdir) ? p.slice(this.workdir.length) : p).replace(/^\.?\/+|\/+$/g, '');
    const enoent = (p: string): Error =>
      Object.assign(new Error(`ENOENT: no such file or directory, '${p}'`), { code: 'ENOENT' });
    const mkdirs = (p: string): void => {
      const parts = norm(p).split('/').filter(Boolean);
      for (let i = 1; i <= parts.length; i++) this.dirs.add(parts.slice(0, i).join('/'));
    };
    this.fs = {
      readFile: async (p) => {
        const data = this.files.get(norm(p));
        if (!data) throw enoent(p);
        return data.slice();
      },
      writeFile: async (p, data) => {
        const key = norm(p);
        if (!this.dirs.has(key.split('/').slice(0, -1).join('/'))) throw enoent(p);
        this.files.set(
          key,
          typeof data === 'string' ? new TextEncoder().encode(data) : data.slice(),
        );
      },
      readdir: async (p) => {
        const dir = norm(p);
        if (!this.dirs.has(dir)) throw enoent(p);
        const prefix = dir === '' ? '' : `${dir}/`;
        const entry = (name: string, file: boolean): ContainerDirent => ({
          name,
          isFile: () => file,
          isDirectory: () => !file,
        });
        const children = (keys: Iterable<string>, file: boolean): ContainerDirent[] =>
          [...keys]
            .filter(
              (k) => k !== dir && k.startsWith(prefix) && !k.slice(prefix.length).includes('/'),
            )
            .map((k) => entry(k.slice(prefix.length), file));
        return [...children(this.dirs, false), ...children(this.files.keys(), true)];
      },
      mkdir: async (p) => {
        mkdirs(p);
        return p;
      },
      rm: async (p) => {
        const key = norm(p);
        const under = (k: string): boolean => k === key || k.startsWith(`${key}/`);
        for (const d of [...this.dirs]) if (under(d)) this.dirs.delete(d);
        for (const f of [...this.files.keys()]) if (under(f)) this.files.delete(f);
      },
    };
  }

  async spawn(command: string, args: string[], options?: SpawnOptions): Promise<FakeProcess> {
    if (this.tornDown) throw new Error('Proxy has been released and is not useable');
    const env = Object.fromEntries(
      Object.entries(options?.env ?? {}).map(([k, v]) => [k, String(v)]),
    );
    const cwd = `${this.workdir}/${options?.cwd ?? ''}`.replace(/\/$/, '');
    let process: FakeProcess;
    if (command.endsWith('jsh')) process = fakeJsh({ ...this.jsh, cwd, env });
    else {
      process = new FakeProcess();
      if (command === 'node' && args[0] === '--version') process.print('v20.19.1\r\n');
      process.end(0);
    }
    this.spawns.push({ command, args, options, process });
    return process;
  }

  async mount(
    payload: FileSystemTree | Uint8Array,
    options?: { mountPoint?: string },
  ): Promise<void> {
    const root = options?.mountPoint ?? '';
    if (!this.dirs.has(root.replace(/^\.?\/+|\/+$/g, '')))
      throw new Error(`mount point ${root} does not exist`);
    if (payload instanceof Uint8Array) {
      this.mounts.push({ payload: 'snapshot', mountPoint: options?.mountPoint });
      return;
    }
    this.mounts.push({ payload: 'tree', mountPoint: options?.mountPoint });
    const walk = async (tree: FileSystemTree, dir: string): Promise<void> => {
      for (const [name, node] of Object.entries(tree)) {
        const path = `${dir}/${name}`;
        if ('directory' in node) {
          await this.fs.mkdir(path, { recursive: true });
          await walk(node.directory, path);
        } else if ('contents' in node.file) {
          await this.fs.writeFile(path, node.file.contents);
        }
      }
    };
    await walk(payload, root);
  }

  on(_event: 'error', listener: (e: { message: string }) => void): () => void {
    this.errorListeners.add(listener);
    return () => this.errorListeners.delete(listener);
  }

  teardown(): void {
    if (this.tornDown) throw new Error('WebContainer already torn down');
    this.tornDown = true;
  }
}
