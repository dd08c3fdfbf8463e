import { describe, expect, it } from 'vitest';
import { BufferPolyfill } from './buffer-polyfill.ts';

const bytes = (b: Uint8Array) => Array.from(b);

describe('BufferPolyfill', () => {
  it('encodes and decodes strings like Node', () => {
    for (const enc of ['utf8', 'hex', 'base64', 'latin1'] as const) {
      const text = Buffer.from('héllo wörld \u2603 \u0001', 'utf8').toString(enc);
      expect(bytes(BufferPolyfill.from(text, enc))).toEqual(bytes(Buffer.from(text, enc)));
      expect(BufferPolyfill.from(text, enc).toString(enc)).toBe(text);
    }
    expect(BufferPolyfill.from('abcdef').toString('utf8', 2, 4)).toBe('cd');
  });

  it('reads and writes big-endian integers and strings like Node', () => {
    const ours = BufferPolyfill.alloc(12);
    const node = Buffer.alloc(12);
    for (const b of [ours, node]) {
      b.writeUInt32BE(0xfedcba98, 0);
      b.writeUInt16BE(0xabcd, 4);
      b.writeUInt8(7, 6);
      b.write('xyz', 7, 3, 'utf8');
    }
    expect(bytes(ours)).toEqual(bytes(node));
    expect(ours.readUInt32BE(0)).toBe(node.readUInt32BE(0));
    expect(ours.readUInt16BE(4)).toBe(0xabcd);
    expect(ours.readInt32BE(0)).toBe(node.readInt32BE(0));
  });

  it('slices as views, concatenates, copies, compares and searches bytes', () => {
    const b = BufferPolyfill.from('tree 12\0abc\nline');
    const view = b.slice(5, 7);
    view[0] = 0x39;
    expect(b.toString('utf8', 5, 7)).toBe('92');
    expect(BufferPolyfill.isBuffer(view)).toBe(true);
    expect(BufferPolyfill.concat([b.slice(0, 4), BufferPolyfill.from('!')]).toString()).toBe(
      'tree!',
    );
    expect(b.indexOf(0)).toBe(7);
    expect(b.indexOf('\n')).toBe(11);
    expect(b.indexOf(BufferPolyfill.from('line'))).toBe(12);
    expect(b.includes('nope')).toBe(false);
    const target = BufferPolyfill.alloc(3);
    expect(b.copy(target, 0, 8, 11)).toBe(3);
    expect(target.toString()).toBe('abc');
    expect(target.equals(BufferPolyfill.from('abc'))).toBe(true);
    expect(target.compare(BufferPolyfill.from('abd'))).toBe(-1);
  });
});
