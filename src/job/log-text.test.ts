import { describe, expect, it } from 'vitest';
import { LogText } from './log-text.ts';

const enc = new TextEncoder();
const T = '2026-01-02T03:04:05.123456Z 00O';

function display(chunks: string[]): string {
  const log = new LogText();
  return chunks.map((c) => log.push(enc.encode(c))).join('') + log.flush();
}

describe('LogText', () => {
  it('hides timestamp prefixes of whole entries', () => {
    expect(display([`${T} hello\n`, `${T} world\n`])).toBe('hello\nworld\n');
  });

  it('joins a continuation entry that arrives in the next chunk', () => {
    expect(display([`${T} part one\n`, `${T.slice(0, -1)}O+ and two\n`])).toBe(
      'part one and two\n',
    );
  });

  it('decodes a character split across chunks', () => {
    const bytes = enc.encode(`${T} é\n`);
    const log = new LogText();
    const cut = bytes.length - 2;
    expect(log.push(bytes.subarray(0, cut)) + log.push(bytes.subarray(cut)) + log.flush()).toBe(
      'é\n',
    );
  });
});
