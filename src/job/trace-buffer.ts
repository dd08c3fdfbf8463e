/**
 * The job's trace as GitLab will store it (gitlab-runner-protocol.md §6.6): valid UTF-8, cut at
 * the output limit with GitLab's notice appended once, and a running CRC-32 of exactly the stored
 * bytes. It receives already-masked bytes; it never sees a secret and never talks HTTP: the
 * trace sender reads ranges from it.
 */
import { crc32, formatChecksum } from './crc32.ts';
import { Utf8Repair } from './utf8-repair.ts';

const EMPTY = new Uint8Array(0);

/** GitLab's default `output_limit`: 4096 KiB. */
export const DEFAULT_TRACE_LIMIT = 4 * 1024 * 1024;

/** The notice the Go runner appends when the limit is hit (§6.6), byte for byte. */
export function limitNotice(limit: number): string {
  return (
    `\n\x1b[33;1mJob's log exceeded limit of ${limit} bytes.\n` +
    'Job execution will continue but no more output will be collected.\x1b[0;m\n'
  );
}

/**
 * Stored bytes live in fixed pages rather than one growing array: no copy on growth, and the
 * allocator can reuse freed pages, where a fresh large array costs a page fault per 4 KiB.
 */
const PAGE = 64 * 1024;

export interface TraceBufferOptions {
  /** Bytes of output kept before the notice; later output is dropped. @default 4 MiB */
  limit?: number;
}

export class TraceBuffer {
  readonly limit: number;
  #pages: Uint8Array[] = [];
  #last: Uint8Array = EMPTY;
  #length = 0;
  #crc = 0;
  #truncated = false;
  #repair = new Utf8Repair();

  constructor({ limit = DEFAULT_TRACE_LIMIT }: TraceBufferOptions = {}) {
    if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`invalid trace limit ${limit}`);
    this.limit = limit;
  }

  /** Append output. Invalid UTF-8 becomes U+FFFD; beyond the limit it is silently dropped. */
  write(bytes: Uint8Array): void {
    if (this.#truncated || bytes.length === 0) return;
    this.#store(this.#repair.write(bytes));
  }

  /** End of output: an unfinished UTF-8 sequence still held is stored as U+FFFD. */
  finish(): void {
    if (!this.#truncated) this.#store(this.#repair.end());
  }

  /** Number of bytes stored (GitLab's `bytesize`). */
  get length(): number {
    return this.#length;
  }

  /** Whether the limit was hit and the notice written. */
  get truncated(): boolean {
    return this.#truncated;
  }

  /**
   * Up to `max` stored bytes from `offset`, for a `PATCH .../trace`. Within one page this is a
   * view shared with the buffer (stored bytes never change); do not write to it.
   */
  read(offset: number, max: number): Uint8Array {
    const start = Math.max(0, Math.min(offset, this.#length));
    const end = Math.min(this.#length, start + Math.max(0, max));
    const first = Math.floor(start / PAGE);
    if (end <= (first + 1) * PAGE) {
      return this.#pages[first]?.subarray(start - first * PAGE, end - first * PAGE) ?? EMPTY;
    }
    const out = new Uint8Array(end - start);
    for (let at = start; at < end;) {
      const page = Math.floor(at / PAGE);
      const from = at - page * PAGE;
      const take = Math.min(PAGE - from, end - at);
      out.set(this.#pages[page]?.subarray(from, from + take) ?? EMPTY, at - start);
      at += take;
    }
    return out;
  }

  /** All stored bytes. */
  bytes(): Uint8Array {
    return this.read(0, this.#length);
  }

  /** `crc32:xxxxxxxx` over the stored bytes, kept up to date on every write. */
  checksum(): string {
    return formatChecksum(this.#crc);
  }

  #store(valid: Uint8Array): void {
    if (valid.length === 0) return;
    const room = this.limit - this.#length;
    if (valid.length <= room) {
      this.#append(valid);
      return;
    }
    // Cut before a character that would cross the limit, never inside it.
    let cut = room;
    while (cut > 0 && ((valid[cut] ?? 0) & 0xc0) === 0x80) cut--;
    this.#append(valid.subarray(0, cut));
    this.#append(new TextEncoder().encode(limitNotice(this.limit)));
    this.#truncated = true;
  }

  #append(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.#crc = crc32(bytes, this.#crc);
    for (let at = 0; at < bytes.length;) {
      const offset = this.#length % PAGE;
      if (offset === 0) this.#pages.push((this.#last = new Uint8Array(PAGE)));
      const take = Math.min(PAGE - offset, bytes.length - at);
      this.#last.set(take === bytes.length ? bytes : bytes.subarray(at, at + take), offset);
      at += take;
      this.#length += take;
    }
  }
}
