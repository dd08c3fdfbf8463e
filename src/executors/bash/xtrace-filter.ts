/**
 * `set -x` in a job shows the job's commands, not the runner's: the entry markers, the loop
 * yields (and the `:` after each) disappear, and a program call shows as written, not under
 * the name the stage shell gave it (program-calls.ts). just-bash writes each trace line in one
 * piece, so a chunk never splits one. (just-bash prints a command's trace after its output;
 * that order stays.)
 */
import { BACKGROUND_COMMAND, LIVE_COMMAND } from './program-calls.ts';
import { YIELD_COMMAND } from './loop-yield.ts';
import { LINE_COMMAND } from './stage-script.ts';

const TRACE = /^(\++ )(.*)$/s;

export class XtraceFilter {
  #afterYield = false;

  /** Quick test: only chunks that may hold such a line need `filter`. */
  static concerns(text: string): boolean {
    return text.includes('__tabrunner_') || text.includes('+ :');
  }

  filter(text: string): string {
    return text
      .split(/(?<=\n)/)
      .map((line) => this.#line(line))
      .join('');
  }

  #line(line: string): string {
    const trace = TRACE.exec(line);
    const afterYield = this.#afterYield;
    this.#afterYield = false;
    if (!trace) return line;
    const [, plus = '', command = ''] = trace;
    const word = command.trimEnd().split(' ', 1)[0];
    if (word === LINE_COMMAND) return '';
    if (word === YIELD_COMMAND) {
      this.#afterYield = true;
      return '';
    }
    if (afterYield && command.trimEnd() === ':') return '';
    if (word === LIVE_COMMAND) return plus + command.slice(LIVE_COMMAND.length + 1);
    if (word === BACKGROUND_COMMAND) {
      const program = command.indexOf(' -- ');
      return program === -1 ? line : `${plus}${command.slice(program + 4).trimEnd()} &\n`;
    }
    return line;
  }
}
