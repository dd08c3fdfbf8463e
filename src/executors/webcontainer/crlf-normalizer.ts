/**
 * Turns the pty's CRLF back into LF, across chunk splits, so a WebContainer log reads like the
 * shell executor's. A lone CR (progress bars redrawing a line) is kept.
 */
export class CrlfNormalizer {
  #heldCr = false;

  push(text: string): string {
    let input = text;
    if (this.#heldCr) {
      input = `\r${input}`;
      this.#heldCr = false;
    }
    if (input.endsWith('\r')) {
      this.#heldCr = true;
      input = input.slice(0, -1);
    }
    return input.replace(/\r\n/g, '\n');
  }

  /** The stream (or the command's output) ended: a held CR was a lone CR. */
  flush(): string {
    const out = this.#heldCr ? '\r' : '';
    this.#heldCr = false;
    return out;
  }
}
