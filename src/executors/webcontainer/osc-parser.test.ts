import { describe, expect, it } from 'vitest';
import { OscParser, parseOscPayload, type OscEvent } from './osc-parser.ts';
import { commandTranscript, osc, STARTUP } from './testing/jsh-transcript.ts';

/** Feed `chunks` and fold adjacent text events, so results compare independent of splits. */
function parse(chunks: string[]): OscEvent[] {
  const parser = new OscParser();
  const events = [...chunks.flatMap((c) => parser.push(c)), ...parser.flush()];
  const folded: OscEvent[] = [];
  for (const e of events) {
    const last = folded[folded.length - 1];
    if (e.kind === 'text' && last?.kind === 'text') last.text += e.text;
    else folded.push(e.kind === 'text' ? { ...e } : e);
  }
  return folded;
}

function splitsOfTwo(text: string): string[][] {
  return Array.from({ length: text.length + 1 }, (_, i) => [text.slice(0, i), text.slice(i)]);
}

const TRANSCRIPT = `${STARTUP}${commandTranscript('node -e "process.exit(3)"', '\x1b[31mboom\x1b[0m\n', 3)}`;

describe('OscParser', () => {
  it('splits a startup chunk into its three markers in order', () => {
    expect(parse([STARTUP]).filter((e) => e.kind === 'marker')).toEqual([
      { kind: 'marker', marker: { type: 'interactive' } },
      { kind: 'marker', marker: { type: 'exit', code: 0 } },
      { kind: 'marker', marker: { type: 'prompt' } },
    ]);
  });

  it('takes the exit code from the second field of exit=<pid>:<code>', () => {
    expect(parse([osc('exit=7:127')])).toEqual([
      { kind: 'marker', marker: { type: 'exit', code: 127 } },
    ]);
  });

  it('keeps text around markers, CRLF and ANSI colour untouched', () => {
    expect(parse([`a\r\n${osc('prompt')}\x1b[31mb\x1b[0m`])).toEqual([
      { kind: 'text', text: 'a\r\n' },
      { kind: 'marker', marker: { type: 'prompt' } },
      { kind: 'text', text: '\x1b[31mb\x1b[0m' },
    ]);
  });

  it('gives the same events for a transcript split at every position', () => {
    const whole = parse([TRANSCRIPT]);
    for (const chunks of splitsOfTwo(TRANSCRIPT)) expect(parse(chunks)).toEqual(whole);
  });

  it('gives the same events when the transcript arrives one character at a time', () => {
    expect(parse([...TRANSCRIPT])).toEqual(parse([TRANSCRIPT]));
  });

  it('passes other OSC sequences (title, hyperlink) through as text', () => {
    const other = '\x1b]0;title\x07\x1b]8;;https://x.test\x07link\x1b]8;;\x07';
    expect(parse([other])).toEqual([{ kind: 'text', text: other }]);
    for (const chunks of splitsOfTwo(other))
      expect(parse(chunks)).toEqual([{ kind: 'text', text: other }]);
  });

  it('accepts ESC backslash as the terminator, even when split between chunks', () => {
    expect(parse(['x\x1b]654;prompt\x1b', '\\y'])).toEqual([
      { kind: 'text', text: 'x' },
      { kind: 'marker', marker: { type: 'prompt' } },
      { kind: 'text', text: 'y' },
    ]);
  });

  it('holds back a possible marker start and releases it when it turns out to be text', () => {
    const parser = new OscParser();
    expect(parser.push('out\x1b]65')).toEqual([{ kind: 'text', text: 'out' }]);
    expect(parser.push('3;x\x07')).toEqual([{ kind: 'text', text: '\x1b]653;x\x07' }]);
  });

  it('releases an unterminated marker as text at the end of the stream', () => {
    const parser = new OscParser();
    expect(parser.push('a\x1b]654;exi')).toEqual([{ kind: 'text', text: 'a' }]);
    expect(parser.flush()).toEqual([{ kind: 'text', text: '\x1b]654;exi' }]);
  });

  it('does not buffer an over-long payload forever', () => {
    const junk = `\x1b]654;${'x'.repeat(300)}`;
    expect(parse([junk, 'more'])).toEqual([{ kind: 'text', text: `${junk}more` }]);
  });

  it('treats a marker broken by another escape as text', () => {
    const broken = '\x1b]654;pro\x1b[0m';
    expect(parse([broken])).toEqual([{ kind: 'text', text: broken }]);
  });
});

describe('parseOscPayload', () => {
  it.each([
    ['interactive', { type: 'interactive' }],
    ['prompt', { type: 'prompt' }],
    ['exit=12:0', { type: 'exit', code: 0 }],
    ['exit=-1:130', { type: 'exit', code: 130 }],
    ['exit=2', { type: 'exit', code: 2 }],
    ['pid=9', { type: 'pid', pid: 9 }],
    ['cwd=/x', { type: 'unknown', payload: 'cwd=/x' }],
  ])('reads %j', (payload, marker) => {
    expect(parseOscPayload(payload)).toEqual(marker);
  });
});
