/**
 * The slice of `@webcontainer/api` this adapter uses, as structural types: only the documented
 * calls working clients rely on (docs/architecture.md, "The WebContainer executor"). The real
 * classes satisfy them (checked at the bottom); the test double and the transcript recorder
 * implement or wrap exactly this.
 */
import type {
  BootOptions,
  FileSystemTree,
  SpawnOptions,
  WebContainer,
  WebContainerProcess,
} from '@webcontainer/api';

export type { BootOptions, FileSystemTree, SpawnOptions };

/**
 * A process on a pty: merged stdout+stderr of it and its descendants as strings (already
 * decoded by the API, chunk by chunk), a string stdin, an exit code. `output` may stay open
 * after `exit` resolves and may even receive more chunks (docs/architecture.md, "The WebContainer
 * executor").
 */
export interface ContainerProcess {
  readonly exit: Promise<number>;
  readonly input: WritableStream<string>;
  readonly output: ReadableStream<string>;
  /** Fire-and-forget; cannot stop a busy loop (webcontainer-core #1121). */
  kill(): void;
}

export interface ContainerDirent {
  name: string;
  isFile(): boolean;
  isDirectory(): boolean;
}

/** Paths are relative to `Container.workdir`. */
export interface ContainerFs {
  readFile(path: string): Promise<Uint8Array>;
  writeFile(path: string, data: string | Uint8Array): Promise<void>;
  readdir(path: string, options: { withFileTypes: true }): Promise<ContainerDirent[]>;
  mkdir(path: string, options: { recursive: true }): Promise<string>;
  rm(path: string, options?: { force?: boolean; recursive?: boolean }): Promise<void>;
  rename(oldPath: string, newPath: string): Promise<void>;
}

export interface Container {
  readonly fs: ContainerFs;
  /** Absolute path of the instance's working directory, e.g. `/home/tabrunner`. */
  readonly workdir: string;
  /** The default `PATH` of spawned processes. */
  readonly path: string;
  spawn(command: string, args: string[], options?: SpawnOptions): Promise<ContainerProcess>;
  mount(payload: FileSystemTree | Uint8Array, options?: { mountPoint?: string }): Promise<void>;
  on(event: 'error', listener: (error: { message: string }) => void): () => void;
  /** Returns nothing; the next boot waits for it. Tearing down twice throws. */
  teardown(): void;
}

/** The static side: `WebContainer.boot` and `configureAPIKey`. */
export interface WebContainerApi {
  boot(options: BootOptions): Promise<Container>;
  /** Throws once any boot was called on this page, so it runs once, before the first boot. */
  configureAPIKey(key: string): void;
}

/** The real API, loaded on first use so Node and the shell executor never fetch it. */
export async function loadWebContainerApi(): Promise<WebContainerApi> {
  const api = await import('@webcontainer/api');
  return {
    boot: (options) => api.WebContainer.boot(options),
    configureAPIKey: api.configureAPIKey,
  };
}

// Compile-time proof that the real API fits the slice above.
type Assert<T extends true> = T;
export type RealApiFits = Assert<
  [WebContainer, WebContainerProcess] extends [Container, ContainerProcess] ? true : false
>;
