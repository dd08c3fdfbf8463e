import { describe, expect, it } from 'vitest';
import { ProgramOutput } from './program-output.ts';

function decode(chunks: string[]): string {
  const output = new ProgramOutput();
  const bytes = [...chunks.map((c) => output.push(c)), output.flush()];
  return new TextDecoder().decode(Buffer.concat(bytes));
}

describe('ProgramOutput', () => {
  it('turns the pty’s CRLF into LF and keeps a lone CR', () => {
    expect(decode(['a\r\n', 'b\r', '\nc\rd\r\n'])).toBe('a\nb\nc\rd\n');
  });

  it('keeps a character whose surrogate halves arrive in different chunks', () => {
    const rocket = '🚀';
    expect(decode([`go ${rocket[0]}`, `${rocket[1]} now\r\n`])).toBe('go 🚀 now\n');
  });

  it('gives the same text for every split of the input', () => {
    const text = 'grüße 🚀 日本語\r\nzwei\r\n';
    const expected = 'grüße 🚀 日本語\nzwei\n';
    for (let i = 0; i <= text.length; i++)
      expect(decode([text.slice(0, i), text.slice(i)])).toBe(expected);
  });

  it('writes a high surrogate left alone at the end as a replacement character', () => {
    expect(decode(['x\ud83d'])).toBe('x\ufffd');
  });
});
