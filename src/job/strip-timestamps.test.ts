import { describe, expect, it } from 'vitest';
import { stripTimestamps } from './strip-timestamps.ts';
import { Timestamper } from './timestamper.ts';

const decoder = new TextDecoder();
const encoder = new TextEncoder();

describe('stripTimestamps', () => {
  it('removes the prefix of every entry and joins continued lines', () => {
    const ts = new Timestamper({ now: () => Date.UTC(2024, 5, 10, 6, 13, 20, 123) });
    const out =
      decoder.decode(ts.write(0, 'O', encoder.encode('section_start:1:get_sources\r\x1b[0K'))) +
      decoder.decode(ts.write(0, 'O', encoder.encode('\x1b[0KGetting source\n'))) +
      decoder.decode(ts.write(1, 'O', encoder.encode('hello\nworld\n')));
    expect(out).toContain('2024-06-10T06:13:20.123000Z 00O ');
    expect(stripTimestamps(out)).toBe(
      'section_start:1:get_sources\r\x1b[0K\x1b[0KGetting source\nhello\nworld\n',
    );
  });

  it('leaves text without prefixes alone', () => {
    expect(stripTimestamps('plain\nlines 2024\n')).toBe('plain\nlines 2024\n');
  });
});
