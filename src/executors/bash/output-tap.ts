/**
 * Streams a stage's output while it runs. `Bash.exec()` hands back stdout and stderr only when
 * the whole script ends, and as two separate strings; but redirections write through the file
 * system command by command. The stage shell redirects fd 1 and 2 to the two tap paths,
 * and this wrapper turns writes to them into chunks for the current listener instead of storing
 * them, so output arrives per command, interleaved in order, with no buffer that grows.
 */
import type { FileContent, IFileSystem } from 'just-bash';
import { encodeString } from '../../platform/byte-encoding.ts';

type WriteOptions = Parameters<IFileSystem['appendFile']>[2];

export const STDOUT_TAP = '/dev/tabrunner-stdout';
export const STDERR_TAP = '/dev/tabrunner-stderr';

export type TapStream = 'stdout' | 'stderr';
export type TapListener = (stream: TapStream, chunk: Uint8Array) => void;

/** Owns the listener of the stage that runs now; writes with no listener are dropped. */
export class OutputTap {
  listener: TapListener | undefined;

  /** The `IFileSystem` to give `Bash`: `inner` with the two tap paths diverted here. */
  wrap(inner: IFileSystem): IFileSystem {
    const divert =
      (original: IFileSystem['appendFile']) =>
      (path: string, content: FileContent, options?: WriteOptions): Promise<void> => {
        const stream = path === STDOUT_TAP ? 'stdout' : path === STDERR_TAP ? 'stderr' : undefined;
        if (!stream) return original.call(inner, path, content, options);
        const bytes = toBytes(content, options);
        if (bytes.length > 0) this.listener?.(stream, bytes);
        return Promise.resolve();
      };
    const appendFile = divert(inner.appendFile);
    const writeFile = divert(inner.writeFile);
    return new Proxy(inner, {
      get(target, prop, receiver) {
        if (prop === 'appendFile') return appendFile;
        if (prop === 'writeFile') return writeFile;
        const value: unknown = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }

  /** Create the tap files, so `exists`/`stat` on them succeed like on a device node. */
  static async install(fs: IFileSystem): Promise<void> {
    await fs.mkdir('/dev', { recursive: true });
    await fs.writeFile(STDOUT_TAP, '');
    await fs.writeFile(STDERR_TAP, '');
  }
}

/** just-bash writes text as JS strings and binary output as latin1 strings flagged by encoding. */
function toBytes(content: FileContent, options?: WriteOptions): Uint8Array {
  // A copy: the trace keeps what it is given, and just-bash may reuse its own arrays.
  if (typeof content !== 'string') return content.slice();
  return encodeString(
    content,
    (typeof options === 'string' ? options : options?.encoding) ?? 'utf8',
  );
}
