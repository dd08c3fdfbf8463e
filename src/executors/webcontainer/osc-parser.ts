/**
 * Streaming parser for the OSC 654 markers `jsh --osc` prints (`ESC ] 654 ; payload BEL`).
 * It owns only the splitting of a pty stream into text and markers, across any chunk split;
 * every other escape sequence (colours, titles, hyperlinks) is passed through untouched.
 */

/** What jsh announces; see reference/webcontainer.md §2 "Running shell command lines". */
export type OscMarker =
  /** The shell is ready for input (printed once). */
  | { type: 'interactive' }
  /** A prompt was shown: the shell waits for the next line. */
  | { type: 'prompt' }
  /** A command finished. jsh prints `exit=<pid>:<code>`; the second field is the exit code. */
  | { type: 'exit'; code: number }
  /** A command started (seen in third-party transcripts, not documented by StackBlitz). */
  | { type: 'pid'; pid: number }
  /** Any other OSC 654 payload: stripped from the output and otherwise ignored. */
  | { type: 'unknown'; payload: string };

export type OscEvent = { kind: 'text'; text: string } | { kind: 'marker'; marker: OscMarker };

const PREFIX = '\x1b]654;';
const BEL = '\x07';
const ESC = '\x1b';
/** A payload longer than this is not a jsh marker; give it back as text rather than buffer forever. */
const MAX_PAYLOAD = 256;

export function parseOscPayload(payload: string): OscMarker {
  if (payload === 'interactive') return { type: 'interactive' };
  if (payload === 'prompt') return { type: 'prompt' };
  const exit = /^exit=(-?\d+)(?::(-?\d+))?$/.exec(payload);
  if (exit) return { type: 'exit', code: Number(exit[2] ?? exit[1]) };
  const pid = /^pid=(\d+)$/.exec(payload);
  if (pid) return { type: 'pid', pid: Number(pid[1]) };
  return { type: 'unknown', payload };
}

export class OscParser {
  /** The tail of the last chunk that may be the start of a marker. */
  #pending = '';

  /** Parse the next chunk. Text that might begin a marker is held until the next call. */
  push(chunk: string): OscEvent[] {
    const input = this.#pending + chunk;
    this.#pending = '';
    const events: OscEvent[] = [];
    let textStart = 0;
    let searchFrom = 0;
    const emitText = (end: number): void => {
      if (end > textStart) appendText(events, input.slice(textStart, end));
    };
    for (;;) {
      const esc = input.indexOf(ESC, searchFrom);
      if (esc === -1) break;
      const rest = input.length - esc;
      if (rest < PREFIX.length) {
        if (PREFIX.startsWith(input.slice(esc))) {
          emitText(esc);
          this.#pending = input.slice(esc);
          return events;
        }
        searchFrom = esc + 1;
        continue;
      }
      if (!input.startsWith(PREFIX, esc)) {
        searchFrom = esc + 1;
        continue;
      }
      const end = findTerminator(input, esc + PREFIX.length);
      if (end.kind === 'found') {
        emitText(esc);
        events.push({
          kind: 'marker',
          marker: parseOscPayload(input.slice(esc + PREFIX.length, end.at)),
        });
        textStart = end.after;
        searchFrom = end.after;
        continue;
      }
      if (end.kind === 'incomplete' && rest - PREFIX.length <= MAX_PAYLOAD) {
        emitText(esc);
        this.#pending = input.slice(esc);
        return events;
      }
      searchFrom = esc + 1;
    }
    emitText(input.length);
    return events;
  }

  /** End of stream: whatever was held back is plain text after all. */
  flush(): OscEvent[] {
    const rest = this.#pending;
    this.#pending = '';
    return rest === '' ? [] : [{ kind: 'text', text: rest }];
  }
}

type Terminator =
  { kind: 'found'; at: number; after: number } | { kind: 'incomplete' } | { kind: 'malformed' };

/** BEL ends a jsh marker; ESC \ (ST) is accepted too, as any OSC reader must. */
function findTerminator(input: string, from: number): Terminator {
  for (let i = from; i < input.length; i++) {
    const c = input[i];
    if (c === BEL) return { kind: 'found', at: i, after: i + 1 };
    if (c === ESC) {
      if (i + 1 === input.length) return { kind: 'incomplete' };
      return input[i + 1] === '\\' ? { kind: 'found', at: i, after: i + 2 } : { kind: 'malformed' };
    }
  }
  return { kind: 'incomplete' };
}

function appendText(events: OscEvent[], text: string): void {
  const last = events[events.length - 1];
  if (last?.kind === 'text') last.text += text;
  else events.push({ kind: 'text', text });
}
