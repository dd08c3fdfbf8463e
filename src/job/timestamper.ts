/**
 * GitLab's timestamped trace format (docs/runner-protocol.md §9.6): every physical line gets
 * a 32-byte prefix `YYYY-MM-DDTHH:MM:SS.ffffffZ SSTF`, stream `SS` (00 runner, 01 script),
 * `T` O/E, `F` space or `+` for a continuation of the previous line of that stream.
 *
 * tabrunner turns it on by default, as GitLab's current runner does (`FF_TIMESTAMPS` on): the
 * job page then shows a time per line, and GitLab hides the prefixes. A job can opt out with
 * `FF_TIMESTAMPS=false` (see settings). It runs after masking and before the trace buffer.
 *
 * Rules: complete lines are prefixed as they come. An unterminated tail is held per stream
 * until its newline, except that a tail containing `\r` (progress bars, section markers) is
 * written at once as its own entry plus `\n`, as is a tail over 8 KiB, and `flush()` (which the
 * runner calls before each trace update, to keep the log live) writes what is held the same
 * way; the stream's next entry is then marked `+`.
 */

import { concat as join } from '../bytes/concat-bytes.ts';

/** Stream numbers (docs/runner-protocol.md §9.6). */
export const STREAM_RUNNER = 0;
export const STREAM_SCRIPT = 1;

const MAX_PENDING = 8 * 1024;
const NEWLINE = 0x0a;
const CR = 0x0d;
const encoder = new TextEncoder();

interface StreamState {
  pending: Uint8Array[];
  pendingLength: number;
  continues: boolean;
}

export interface TimestamperOptions {
  /** Current time in milliseconds since the Unix epoch (fractions give microseconds). */
  now: () => number;
}

export class Timestamper {
  readonly #now: () => number;
  readonly #streams = new Map<string, StreamState>();
  #cachedSecond = -1;
  #cachedPrefix = '';

  constructor({ now }: TimestamperOptions) {
    this.#now = now;
  }

  /** Prefix `bytes` written on `stream` (`O` stdout, `E` stderr); returns what to store now. */
  write(stream: number, kind: 'O' | 'E', bytes: Uint8Array): Uint8Array {
    const state = this.#state(stream, kind);
    const out: Uint8Array[] = [];
    let start = 0;
    for (let nl = bytes.indexOf(NEWLINE); nl !== -1; nl = bytes.indexOf(NEWLINE, start)) {
      this.#entry(out, stream, kind, state, bytes.subarray(start, nl + 1), false);
      start = nl + 1;
    }
    const tail = bytes.subarray(start);
    if (tail.length > 0) {
      state.pending.push(tail.slice());
      state.pendingLength += tail.length;
      if (tail.includes(CR) || state.pendingLength > MAX_PENDING) {
        this.#entry(out, stream, kind, state, new Uint8Array(0), true);
      }
    }
    return join(out);
  }

  /** Write every held tail as an entry of its own (ending in `\n`, continued with `+`). */
  flush(): Uint8Array {
    const out: Uint8Array[] = [];
    for (const [key, state] of this.#streams) {
      if (state.pendingLength === 0) continue;
      const stream = Number.parseInt(key.slice(0, -1), 10);
      this.#entry(out, stream, key.at(-1) as 'O' | 'E', state, new Uint8Array(0), true);
    }
    return join(out);
  }

  /** The 27-byte UTC timestamp with microseconds (docs/runner-protocol.md §9.6). */
  timestamp(ms: number): string {
    const second = Math.floor(ms / 1000);
    if (second !== this.#cachedSecond) {
      this.#cachedSecond = second;
      this.#cachedPrefix = new Date(second * 1000).toISOString().slice(0, 19);
    }
    const micros = Math.floor((ms - second * 1000) * 1000);
    return `${this.#cachedPrefix}.${String(micros).padStart(6, '0')}Z`;
  }

  #state(stream: number, kind: 'O' | 'E'): StreamState {
    const key = `${stream}${kind}`;
    let state = this.#streams.get(key);
    if (!state) {
      state = { pending: [], pendingLength: 0, continues: false };
      this.#streams.set(key, state);
    }
    return state;
  }

  /** One entry: prefix, held tail, `line`; with `cut`, a `\n` is added and the next entry continues. */
  #entry(
    out: Uint8Array[],
    stream: number,
    kind: 'O' | 'E',
    state: StreamState,
    line: Uint8Array,
    cut: boolean,
  ): void {
    const flag = state.continues ? '+' : ' ';
    const id = stream.toString(16).padStart(2, '0');
    out.push(encoder.encode(`${this.timestamp(this.#now())} ${id}${kind}${flag}`));
    out.push(...state.pending, line);
    state.pending = [];
    state.pendingLength = 0;
    if (cut) out.push(Uint8Array.of(NEWLINE));
    state.continues = cut;
  }
}
