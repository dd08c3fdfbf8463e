import { describe, expect, it } from 'vitest';
import { CrlfNormalizer } from './crlf-normalizer.ts';

function run(chunks: string[]): string {
  const n = new CrlfNormalizer();
  return chunks.map((c) => n.push(c)).join('') + n.flush();
}

describe('CrlfNormalizer', () => {
  it('turns CRLF into LF', () => {
    expect(run(['a\r\nb\r\n'])).toBe('a\nb\n');
  });

  it('turns CRLF into LF when CR and LF arrive in different chunks', () => {
    expect(run(['a\r', '\nb'])).toBe('a\nb');
  });

  it('keeps a lone CR, inside a chunk or at the very end', () => {
    expect(run(['10%\r20%\r', 'done\r'])).toBe('10%\r20%\rdone\r');
  });

  it('gives the same result for every split of a text', () => {
    const text = 'x\r\ny\rz\r\n\r\n';
    for (let i = 0; i <= text.length; i++)
      expect(run([text.slice(0, i), text.slice(i)])).toBe('x\ny\rz\n\n');
  });
});
