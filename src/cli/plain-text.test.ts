import { describe, expect, it } from 'vitest';
import { PlainText, plainLine } from './plain-text.ts';

/** Feed `chunks` one by one and collect every line, including the one flushed at the end. */
function convert(chunks: string[]): string[] {
  const plain = new PlainText();
  return [...chunks.flatMap((chunk) => plain.push(chunk)), ...plain.flush()];
}

// The start of a real tabrunner job log after LogText (timestamps hidden), as in
// docs/runner-protocol.md §9.3 and test/golden/traces/.
const TRACE =
  '\x1b[0KRunning with tabrunner 0.1.0 (dev)\x1b[0;m\n' +
  'section_start:1718000000:prepare_executor\r\x1b[0K\x1b[0K\x1b[36;1mPreparing the "shell" executor\x1b[0;m\x1b[0;m\n' +
  '\x1b[0KUsing shell executor...\x1b[0;m\n' +
  'section_end:1718000000:prepare_executor\r\x1b[0Ksection_start:1718000000:step_script\r\x1b[0K\x1b[0K\x1b[36;1mExecuting "step_script" stage of the job script\x1b[0;m\x1b[0;m\n' +
  'section_start:1718000001:section_script_step_0[hide_duration=true,collapsed=true]\r\x1b[0K\x1b[32;1m$ echo one\n' +
  'echo two\x1b[0;m\n' +
  'section_end:1718000001:section_script_step_0\r\x1b[0K\n' +
  'one\n' +
  'downloading 10%\rdownloading 55%\rdownloading 100%\n' +
  'two\r\n' +
  '\x1b]8;;https://example.com\x1b\\a link\x1b]8;;\x1b\\ and é, 🎉\n' +
  'section_end:1718000002:step_script\r\x1b[0K\x1b[32;1mJob succeeded\x1b[0;m';

const PLAIN = [
  'Running with tabrunner 0.1.0 (dev)',
  'Preparing the "shell" executor',
  'Using shell executor...',
  'Executing "step_script" stage of the job script',
  '$ echo one',
  'echo two',
  'one',
  'downloading 100%',
  'two',
  'a link and é, 🎉',
  'Job succeeded',
];

describe('PlainText', () => {
  it('turns a GitLab trace into the lines a reader sees, without colours or markers', () => {
    expect(convert([TRACE])).toEqual(PLAIN);
  });

  it('gives the same lines however the trace is split in two', () => {
    // Every position: inside ESC[0;m, inside section_start:…[…], between \r and \n, inside 🎉.
    for (let at = 0; at <= TRACE.length; at += 1) {
      expect(convert([TRACE.slice(0, at), TRACE.slice(at)]), `split at ${at}`).toEqual(PLAIN);
    }
  });

  it('gives the same lines when the trace arrives one UTF-16 unit at a time', () => {
    expect(convert(Array.from({ length: TRACE.length }, (_, i) => TRACE.charAt(i)))).toEqual(PLAIN);
  });

  it('holds an unfinished line back until its newline or the end of the job', () => {
    const plain = new PlainText();
    expect(plain.push('\x1b[32;1mhal')).toEqual([]);
    expect(plain.push('f\x1b[0;m')).toEqual([]);
    expect(plain.flush()).toEqual(['half']);
    expect(plain.flush()).toEqual([]);
  });
});

describe('plainLine', () => {
  it('draws \\r, backspace and erase-in-line as a terminal leaves the line', () => {
    expect(plainLine('abcdef\rXY')).toBe('XYcdef');
    expect(plainLine('abcdef\rXY\x1b[K')).toBe('XY');
    expect(plainLine('abcdef\r\x1b[2Kok')).toBe('ok');
    expect(plainLine('abcdef\x1b[1Kgh')).toBe('      gh');
    expect(plainLine('ab\bc')).toBe('ac');
    expect(plainLine('col1\tcol2')).toBe('col1\tcol2');
  });

  it('drops every escape kind, and one cut off at the end of the line', () => {
    expect(plainLine('\x1b[1;31mred\x1b[0m \x1b[2Acursor \x1b(Bcharset \x1b=keypad')).toBe(
      'red cursor charset keypad',
    );
    expect(plainLine('title\x1b]0;window title\x07 done')).toBe('title done');
    expect(plainLine('cut \x1b[0;3')).toBe('cut ');
    expect(plainLine('bell\x07 and nul\x00')).toBe('bell and nul');
  });

  it('removes markers with or without their \\r ESC[0K, keeping the header after them', () => {
    expect(plainLine('\x1b[0Ksection_start:1:my_step[collapsed=true]\r\x1b[0KMy header')).toBe(
      'My header',
    );
    // A user script that forgot ESC[0K: a terminal would show the marker's tail, GitLab does not.
    expect(plainLine('section_start:1718000000:long_section_name\rHeader')).toBe('Header');
    expect(plainLine('no section_start here')).toBe('no section_start here');
  });

  it('drops a line that held only markers, but keeps an empty line', () => {
    expect(plainLine('section_end:1718000001:section_script_step_0\r\x1b[0K')).toBeNull();
    expect(plainLine('')).toBe('');
    expect(plainLine('\x1b[0K\x1b[0;m')).toBe('');
  });
});
