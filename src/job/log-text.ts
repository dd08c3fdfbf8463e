/**
 * Turns the masked trace bytes of one job into text for a person (the page terminal, the CLI):
 * UTF-8 decoded across chunk boundaries, docs/runner-protocol.md §9.6 timestamp prefixes hidden. A chunk's trailing newline is held back
 * until the next chunk, because a `+` continuation entry there removes it.
 */
import { stripTimestamps } from './strip-timestamps.ts';

export class LogText {
  #decoder = new TextDecoder();
  #pendingNewline = false;

  /** The display text of the next chunk. */
  push(chunk: Uint8Array): string {
    let text = (this.#pendingNewline ? '\n' : '') + this.#decoder.decode(chunk, { stream: true });
    this.#pendingNewline = text.endsWith('\n');
    if (this.#pendingNewline) text = text.slice(0, -1);
    return stripTimestamps(text);
  }

  /** What is left at the end of the job. */
  flush(): string {
    const rest = (this.#pendingNewline ? '\n' : '') + this.#decoder.decode();
    this.#pendingNewline = false;
    return stripTimestamps(rest);
  }
}
