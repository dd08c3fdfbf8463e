/**
 * Encodes a checkout as a binary snapshot for `mount()`: the msgpack shape of
 * `@webcontainer/snapshot` (`{ d: { name: { d: … } | { f: { c: bytes } } } }`), which that
 * package only builds in Node, so this is a minimal msgpack writer (maps, strings, bytes).
 *
 * Why: a `FileSystemTree` is JSON with every byte as a latin1 character; on a 42.7 MB tree it
 * measured 69.3 MB / 3,376 ms against 42.7 MB / 147 ms for this shape (docs/architecture.md,
 * "WebContainer facts"). That the runtime accepts this shape is inferred from the package, not
 * seen in a browser, and it cannot hold symlinks, so callers fall back to the tree (see
 * `chooseMountPayload`).
 */
import type { FileTree } from '../port.ts';
import { pathSegments, SYMLINK_MODE } from './file-system-tree.ts';

// A type alias, not an interface, so it fits `Value`'s index signature.
type SnapshotDir = { d: Record<string, SnapshotDir | { f: { c: Uint8Array } }> };

export function encodeBinarySnapshot(tree: FileTree): Uint8Array {
  const root: SnapshotDir = { d: {} };
  const dirFor = (segments: string[]): SnapshotDir => {
    let dir = root;
    for (const name of segments) {
      const node = (dir.d[name] ??= { d: {} });
      if (!('d' in node)) throw new Error(`"${name}" is both a file and a directory`);
      dir = node;
    }
    return dir;
  };
  for (const dir of tree.directories ?? []) dirFor(pathSegments(dir));
  for (const file of tree.files) {
    if (file.mode === SYMLINK_MODE)
      throw new Error(`a binary snapshot cannot hold the symlink ${file.path}`);
    const segments = pathSegments(file.path);
    const name = segments.pop() as string;
    dirFor(segments).d[name] = { f: { c: file.data } };
  }
  const writer = new MsgpackWriter();
  writer.value(root);
  return writer.finish();
}

type Value = string | Uint8Array | { [key: string]: Value };

class MsgpackWriter {
  #parts: Uint8Array[] = [];
  #size = 0;
  readonly #encoder = new TextEncoder();

  value(v: Value): void {
    if (typeof v === 'string') this.#str(v);
    else if (v instanceof Uint8Array) this.#bin(v);
    else {
      const entries = Object.entries(v);
      this.#header(entries.length, [0x80, 15], 0xde, 0xdf);
      for (const [key, inner] of entries) {
        this.#str(key);
        this.value(inner);
      }
    }
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.#size);
    let at = 0;
    for (const part of this.#parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }

  #str(s: string): void {
    const bytes = this.#encoder.encode(s);
    if (bytes.length <= 31) this.#push(Uint8Array.of(0xa0 | bytes.length));
    else if (bytes.length <= 0xff) this.#push(Uint8Array.of(0xd9, bytes.length));
    else this.#header(bytes.length, undefined, 0xda, 0xdb);
    this.#push(bytes);
  }

  #bin(bytes: Uint8Array): void {
    if (bytes.length <= 0xff) this.#push(Uint8Array.of(0xc4, bytes.length));
    else this.#header(bytes.length, undefined, 0xc5, 0xc6);
    this.#push(bytes);
  }

  /** A length header: fix form if it fits, else the 16- or 32-bit form. */
  #header(length: number, fix: [number, number] | undefined, tag16: number, tag32: number): void {
    if (fix && length <= fix[1]) return this.#push(Uint8Array.of(fix[0] | length));
    if (length <= 0xffff) return this.#push(Uint8Array.of(tag16, length >> 8, length & 0xff));
    const b = new Uint8Array(5);
    b[0] = tag32;
    new DataView(b.buffer).setUint32(1, length);
    this.#push(b);
  }

  #push(bytes: Uint8Array): void {
    this.#parts.push(bytes);
    this.#size += bytes.length;
  }
}
