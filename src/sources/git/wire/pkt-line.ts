/**
 * git's pkt-line framing (gitprotocol-common "pkt-line Format"): four hex digits of length
 * (itself included), then the payload; `0000` is a flush. The reader pulls from an HTTP body
 * and hands out payloads as views of the received chunks whenever a packet does not straddle
 * two of them, so a 50 MB pack is copied once, when it is assembled.
 */
import { concatBytes } from '../../../bytes/index.ts';
import { SourcesFetchError } from '../../errors/sources-errors.ts';

const encoder = new TextEncoder();

/** One packet holding `text`. */
export function pktLine(text: string): Uint8Array {
  const payload = encoder.encode(text);
  const out = new Uint8Array(payload.length + 4);
  out.set(encoder.encode((payload.length + 4).toString(16).padStart(4, '0')));
  out.set(payload, 4);
  return out;
}

export const FLUSH_PKT = encoder.encode('0000');

/** Reads packets from a byte stream: a payload, `null` for a flush, `undefined` at the end. */
export class PktLineReader {
  readonly #body: AsyncIterator<Uint8Array> | undefined;
  readonly #url: string;
  #chunk: Uint8Array = new Uint8Array(0);
  #at = 0;
  #ended = false;

  /** `body` absent reads as an empty response. */
  constructor(body: AsyncIterable<Uint8Array> | undefined, url: string) {
    this.#body = body?.[Symbol.asyncIterator]();
    this.#url = url;
  }

  async read(): Promise<Uint8Array | null | undefined> {
    const parts = await this.readParts();
    if (!parts) return parts;
    return parts.length === 1 ? (parts[0] as Uint8Array) : concatBytes(parts);
  }

  /**
   * Like `read`, with the payload as the views it spans in the received chunks (one, unless
   * the packet straddles chunks): side-band pack data is kept without copying each packet.
   */
  async readParts(): Promise<Uint8Array[] | null | undefined> {
    const head = await this.#take(4);
    if (!head) return undefined;
    let length = 0;
    for (const byte of head.length === 1 ? (head[0] as Uint8Array) : concatBytes(head)) {
      const digit = byte <= 0x39 ? byte - 0x30 : (byte | 0x20) - 0x57;
      if (digit < 0 || digit > 15) throw this.#error('a bad packet length');
      length = length * 16 + digit;
    }
    // 0000 flush, 0001 delim, 0002 response-end: all section breaks for us.
    if (length < 4) return null;
    const payload = await this.#take(length - 4);
    if (!payload) throw this.#error('a packet cut off');
    return payload;
  }

  /** Everything not read yet, as it arrives (for a pack sent without side-band). */
  async *rest(): AsyncGenerator<Uint8Array> {
    if (this.#at < this.#chunk.length) yield this.#chunk.subarray(this.#at);
    this.#chunk = new Uint8Array(0);
    this.#at = 0;
    while (!this.#ended && this.#body) {
      const next = await this.#next(this.#body);
      if (next.done) this.#ended = true;
      else yield next.value;
    }
  }

  #error(what: string): SourcesFetchError {
    return new SourcesFetchError({
      url: this.#url,
      reason: `the git server's response has ${what}; is this a git smart HTTP server?`,
    });
  }

  /** The body's next chunk; a connection that breaks mid-response says so in our words. */
  async #next(body: AsyncIterator<Uint8Array>): Promise<IteratorResult<Uint8Array>> {
    try {
      return await body.next();
    } catch (err) {
      if (err instanceof Error && err.name === 'AbortError') throw err;
      throw new SourcesFetchError({
        url: this.#url,
        reason:
          'the connection broke while the git server was sending: ' +
          (err instanceof Error ? err.message : String(err)),
      });
    }
  }

  /** The next `n` bytes as views of the chunks they lie in; undefined at a clean end. */
  async #take(n: number): Promise<Uint8Array[] | undefined> {
    const parts: Uint8Array[] = [];
    let need = n;
    for (;;) {
      const available = this.#chunk.length - this.#at;
      if (available >= need) {
        parts.push(this.#chunk.subarray(this.#at, this.#at + need));
        this.#at += need;
        return parts;
      }
      if (available > 0) {
        parts.push(this.#chunk.subarray(this.#at));
        need -= available;
      }
      const next = this.#ended || !this.#body ? undefined : await this.#next(this.#body);
      if (!next || next.done) {
        this.#ended = true;
        this.#chunk = new Uint8Array(0);
        this.#at = 0;
        if (need === n) return undefined;
        throw this.#error('a packet cut off');
      }
      this.#chunk = next.value;
      this.#at = 0;
    }
  }
}
