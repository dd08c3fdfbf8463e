/**
 * A program's pty output, as the trace wants it: UTF-8 bytes with LF line ends. The API hands
 * over strings it has already decoded chunk by chunk, so a character split across its chunks is
 * lost before we see it (docs/architecture.md, "The WebContainer executor"); what we can keep
 * whole is a character outside the BMP whose two UTF-16 halves arrive in different chunks: a
 * trailing high surrogate waits for the next chunk instead of becoming U+FFFD.
 */
import { CrlfNormalizer } from './crlf-normalizer.ts';

const encoder = new TextEncoder();

export class ProgramOutput {
  readonly #crlf = new CrlfNormalizer();
  #heldHigh = '';

  push(chunk: string): Uint8Array {
    let text = this.#heldHigh + chunk;
    this.#heldHigh = '';
    const last = text.charCodeAt(text.length - 1);
    if (last >= 0xd800 && last <= 0xdbff) {
      this.#heldHigh = text.slice(-1);
      text = text.slice(0, -1);
    }
    return encoder.encode(this.#crlf.push(text));
  }

  /** The output ended: whatever was held is written as it is. */
  flush(): Uint8Array {
    const text = this.#crlf.push(this.#heldHigh) + this.#crlf.flush();
    this.#heldHigh = '';
    return encoder.encode(text);
  }
}
