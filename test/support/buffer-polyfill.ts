/**
 * A small `Buffer` for test pages that read a browser store with isomorphic-git
 * (test/browser/sources-bundle.ts), installed as a global only when none exists. isomorphic-git's
 * code calls the global `Buffer` (its UMD build bundles a Buffer only for its dependencies), and
 * the project ships no `buffer` package; the app runs none of isomorphic-git's code but its HTTP
 * clients, so only tests need this. It covers exactly what isomorphic-git uses:
 * from/alloc/concat/isBuffer, utf8/hex/base64/latin1 strings, view-sharing `slice`, big-endian
 * integer reads and writes, `write`, `copy`, `equals` and byte `indexOf`.
 */
import { decodeBytes as decode, encodeString as encode } from '../../src/platform/byte-encoding.ts';

/** Instances are `Uint8Array`s, so views (`subarray`) keep the class natively. */
class BufferBase extends Uint8Array {
  override toString(encoding?: string, start = 0, end = this.length): string {
    return decode(this.subarray(start, end), encoding);
  }

  /** Like Node: a view, not a copy. */
  override slice(start?: number, end?: number): BufferBase {
    return this.subarray(start, end) as BufferBase;
  }

  readUInt8(offset = 0): number {
    return this[offset] ?? 0;
  }

  readUInt16BE(offset = 0): number {
    return ((this[offset] ?? 0) << 8) | (this[offset + 1] ?? 0);
  }

  readUInt32BE(offset = 0): number {
    return (
      (this[offset] ?? 0) * 0x1000000 +
      (((this[offset + 1] ?? 0) << 16) | ((this[offset + 2] ?? 0) << 8) | (this[offset + 3] ?? 0))
    );
  }

  readInt32BE(offset = 0): number {
    return this.readUInt32BE(offset) | 0;
  }

  writeUInt8(value: number, offset = 0): number {
    this[offset] = value & 0xff;
    return offset + 1;
  }

  writeUInt16BE(value: number, offset = 0): number {
    this[offset] = (value >>> 8) & 0xff;
    this[offset + 1] = value & 0xff;
    return offset + 2;
  }

  writeUInt32BE(value: number, offset = 0): number {
    this[offset] = (value >>> 24) & 0xff;
    this[offset + 1] = (value >>> 16) & 0xff;
    this[offset + 2] = (value >>> 8) & 0xff;
    this[offset + 3] = value & 0xff;
    return offset + 4;
  }

  writeInt32BE(value: number, offset = 0): number {
    return this.writeUInt32BE(value >>> 0, offset);
  }

  /** `write(string[, offset[, length]][, encoding])`; returns the bytes written. */
  write(text: string, ...args: (number | string | undefined)[]): number {
    let offset = 0;
    let length: number | undefined;
    let encoding = 'utf8';
    const [a, b, c] = args;
    if (typeof a === 'string') encoding = a;
    else {
      offset = a ?? 0;
      if (typeof b === 'string') encoding = b;
      else {
        length = b;
        if (typeof c === 'string') encoding = c;
      }
    }
    const bytes = encode(text, encoding);
    const n = Math.min(bytes.length, length ?? Infinity, this.length - offset);
    this.set(bytes.subarray(0, n), offset);
    return n;
  }

  copy(target: Uint8Array, targetStart = 0, sourceStart = 0, sourceEnd = this.length): number {
    const part = this.subarray(
      sourceStart,
      Math.min(sourceEnd, sourceStart + target.length - targetStart),
    );
    target.set(part, targetStart);
    return part.length;
  }

  equals(other: Uint8Array): boolean {
    if (other.length !== this.length) return false;
    for (let i = 0; i < this.length; i++) if (this[i] !== other[i]) return false;
    return true;
  }

  compare(other: Uint8Array): number {
    const n = Math.min(this.length, other.length);
    for (let i = 0; i < n; i++) {
      const d = (this[i] ?? 0) - (other[i] ?? 0);
      if (d) return d < 0 ? -1 : 1;
    }
    return this.length === other.length ? 0 : this.length < other.length ? -1 : 1;
  }

  override indexOf(value: number | string | Uint8Array, byteOffset = 0, encoding?: string): number {
    if (typeof value === 'number') return super.indexOf(value & 0xff, byteOffset);
    const needle = typeof value === 'string' ? encode(value, encoding) : value;
    if (needle.length === 0) return Math.min(byteOffset, this.length);
    const first = needle[0] ?? 0;
    for (let i = super.indexOf(first, byteOffset); i !== -1; i = super.indexOf(first, i + 1)) {
      if (i + needle.length > this.length) return -1;
      let match = true;
      for (let j = 1; j < needle.length; j++) {
        if (this[i + j] !== needle[j]) {
          match = false;
          break;
        }
      }
      if (match) return i;
    }
    return -1;
  }

  override includes(value: number | string | Uint8Array, byteOffset = 0): boolean {
    return this.indexOf(value, byteOffset) !== -1;
  }
}

function from(
  value: string | ArrayBuffer | ArrayLike<number> | Iterable<number>,
  encodingOrOffset?: string | number,
  length?: number,
): BufferBase {
  if (typeof value === 'string') {
    const bytes = encode(value, typeof encodingOrOffset === 'string' ? encodingOrOffset : 'utf8');
    return new BufferBase(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength);
  }
  if (value instanceof ArrayBuffer) {
    const offset = typeof encodingOrOffset === 'number' ? encodingOrOffset : 0;
    return new BufferBase(value, offset, length ?? value.byteLength - offset);
  }
  const source = ArrayBuffer.isView(value)
    ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
    : Array.from(value as ArrayLike<number>);
  const out = new BufferBase(source.length);
  out.set(source);
  return out;
}

function alloc(size: number, fill?: number): BufferBase {
  const out = new BufferBase(size);
  if (fill) out.fill(fill);
  return out;
}

function concat(list: readonly Uint8Array[], totalLength?: number): BufferBase {
  const total = totalLength ?? list.reduce((sum, b) => sum + b.length, 0);
  const out = new BufferBase(total);
  let offset = 0;
  for (const b of list) {
    if (offset >= total) break;
    const part = b.subarray(0, Math.min(b.length, total - offset));
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** The polyfill's static side (Node's constructors), typed apart from `Uint8Array.from`. */
export interface BufferPolyfillConstructor {
  new (size: number): BufferBase;
  from: typeof from;
  alloc: typeof alloc;
  allocUnsafe(size: number): BufferBase;
  concat: typeof concat;
  isBuffer(value: unknown): value is BufferBase;
  byteLength(value: string | ArrayBufferView | ArrayBuffer, encoding?: string): number;
}

/** The polyfill: `BufferBase` with Node's static constructors. */
export const BufferPolyfill: BufferPolyfillConstructor = Object.assign(BufferBase, {
  from,
  alloc,
  allocUnsafe: (size: number) => new BufferBase(size),
  concat,
  isBuffer: (value: unknown): value is BufferBase => value instanceof BufferBase,
  byteLength: (value: string | ArrayBufferView | ArrayBuffer, encoding?: string): number =>
    typeof value === 'string' ? encode(value, encoding).length : value.byteLength,
});

/** Install `BufferPolyfill` as `globalThis.Buffer` unless a Buffer already exists. */
export function installBufferPolyfill(): void {
  const scope = globalThis as { Buffer?: unknown };
  if (typeof scope.Buffer === 'undefined') scope.Buffer = BufferPolyfill;
}
