import { describe, expect, it } from 'vitest';
import { STREAM_RUNNER, STREAM_SCRIPT, Timestamper } from './timestamper.ts';
import { sectionStart } from './sections.ts';
import { stageHeader } from './log-printer.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const T0 = Date.UTC(2024, 5, 10, 6, 13, 20) + 123.456;

function stamper(times: number[] = [T0]) {
  let i = 0;
  return new Timestamper({ now: () => times[Math.min(i++, times.length - 1)] ?? 0 });
}

describe('Timestamper (docs/runner-protocol.md §9.6)', () => {
  it('formats the 27-byte UTC timestamp with microseconds', () => {
    expect(stamper().timestamp(T0)).toBe('2024-06-10T06:13:20.123456Z');
    expect(stamper().timestamp(Date.UTC(2024, 0, 1))).toBe('2024-01-01T00:00:00.000000Z');
  });

  it('prefixes each line with time, stream and kind; the prefix is 32 bytes', () => {
    const out = dec(stamper().write(STREAM_SCRIPT, 'O', enc('hello\nworld\n')));
    expect(out).toBe(
      '2024-06-10T06:13:20.123456Z 01O hello\n2024-06-10T06:13:20.123456Z 01O world\n',
    );
    expect(out.indexOf('hello')).toBe(32);
  });

  it('writes a section marker as its own entry and continues the next line with +', () => {
    const t = stamper();
    const marker = dec(t.write(STREAM_RUNNER, 'O', enc(sectionStart('get_sources', 1718000000))));
    const header = dec(t.write(STREAM_RUNNER, 'O', enc(stageHeader('Getting source'))));
    expect(marker).toBe(
      '2024-06-10T06:13:20.123456Z 00O section_start:1718000000:get_sources\r\x1b[0K\n',
    );
    expect(header.startsWith('2024-06-10T06:13:20.123456Z 00O+\x1b[0K\x1b[36;1mGetting')).toBe(
      true,
    );
  });

  it('holds an unterminated line until its newline', () => {
    const t = stamper();
    expect(t.write(STREAM_SCRIPT, 'O', enc('abc')).length).toBe(0);
    expect(dec(t.write(STREAM_SCRIPT, 'O', enc('def\n')))).toBe(
      '2024-06-10T06:13:20.123456Z 01O abcdef\n',
    );
  });

  it('flushes a held line as a continued entry', () => {
    const t = stamper();
    t.write(STREAM_SCRIPT, 'E', enc('progress...'));
    expect(dec(t.flush())).toBe('2024-06-10T06:13:20.123456Z 01E progress...\n');
    expect(dec(t.write(STREAM_SCRIPT, 'E', enc(' done\n')))).toBe(
      '2024-06-10T06:13:20.123456Z 01E+ done\n',
    );
  });

  it('keeps streams apart', () => {
    const t = stamper();
    t.write(STREAM_SCRIPT, 'O', enc('partial'));
    expect(dec(t.write(STREAM_RUNNER, 'O', enc('runner\n')))).toBe(
      '2024-06-10T06:13:20.123456Z 00O runner\n',
    );
  });

  it('cuts an unterminated line over 8 KiB', () => {
    const out = dec(stamper().write(STREAM_SCRIPT, 'O', enc('x'.repeat(9000))));
    expect(out).toBe(`2024-06-10T06:13:20.123456Z 01O ${'x'.repeat(9000)}\n`);
  });
});
