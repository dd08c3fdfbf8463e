import { describe, expect, it } from 'vitest';
import type { FileTree } from '../port.ts';
import { encodeBinarySnapshot } from './binary-snapshot.ts';
import { toFileSystemTree } from './file-system-tree.ts';
import { chooseMountPayload } from './mount-payload.ts';
import { decodeSnapshot as decode } from './testing/snapshot-decoder.ts';

const bytes = (s: string) => new TextEncoder().encode(s);

const TREE: FileTree = {
  files: [
    { path: 'package.json', data: bytes('{}') },
    { path: 'src/index.js', data: bytes('console.log(1)') },
    { path: 'assets/big.bin', data: new Uint8Array(300).fill(7) },
  ],
  directories: ['empty'],
};

describe('toFileSystemTree', () => {
  it('nests files and keeps empty directories and symlinks', () => {
    const tree = toFileSystemTree({
      files: [
        ...TREE.files.slice(0, 2),
        { path: 'link', data: bytes('src/index.js'), mode: 0o120000 },
      ],
      directories: ['empty'],
    });
    expect(tree).toEqual({
      'package.json': { file: { contents: bytes('{}') } },
      src: { directory: { 'index.js': { file: { contents: bytes('console.log(1)') } } } },
      empty: { directory: {} },
      link: { file: { symlink: 'src/index.js' } },
    });
  });

  it('refuses a path that climbs out of the project', () => {
    expect(() => toFileSystemTree({ files: [{ path: '../etc/passwd', data: bytes('') }] })).toThrow(
      expect.objectContaining({ code: 'InvalidTreePath' }),
    );
  });
});

describe('encodeBinarySnapshot', () => {
  it('writes the @webcontainer/snapshot shape that decodes back to the same files', () => {
    expect(decode(encodeBinarySnapshot(TREE))).toEqual({
      d: {
        empty: { d: {} },
        'package.json': { f: { c: bytes('{}') } },
        src: { d: { 'index.js': { f: { c: bytes('console.log(1)') } } } },
        assets: { d: { 'big.bin': { f: { c: new Uint8Array(300).fill(7) } } } },
      },
    });
  });

  it('copies exactly the bytes of files that are views into a larger buffer', () => {
    // Checkouts share buffers (the sources checkout cache, the page's held files).
    const shared = bytes('..alpha..beta..');
    const tree: FileTree = {
      files: [
        { path: 'a', data: shared.subarray(2, 7) },
        { path: 'd/b', data: shared.subarray(9, 13) },
        { path: 'empty', data: shared.subarray(0, 0) },
        { path: 'big', data: new Uint8Array(70_000).fill(3).subarray(1) },
      ],
    };
    const snapshot = decode(encodeBinarySnapshot(tree)) as { d: Record<string, unknown> };
    const big = snapshot.d['big'] as { f: { c: Uint8Array } };
    expect(Buffer.from(big.f.c).equals(Buffer.alloc(69_999, 3))).toBe(true);
    delete snapshot.d['big'];
    expect(snapshot).toEqual({
      d: {
        a: { f: { c: bytes('alpha') } },
        d: { d: { b: { f: { c: bytes('beta') } } } },
        empty: { f: { c: new Uint8Array(0) } },
      },
    });
  });

  it('uses the long string forms for long names', () => {
    const name = 'n'.repeat(300);
    expect(decode(encodeBinarySnapshot({ files: [{ path: name, data: bytes('x') }] }))).toEqual({
      d: { [name]: { f: { c: bytes('x') } } },
    });
  });
});

describe('chooseMountPayload', () => {
  it('sends a small checkout as a FileSystemTree', () => {
    expect(chooseMountPayload(TREE, 1024 * 1024).kind).toBe('tree');
  });

  it('sends a checkout at or above the threshold as a binary snapshot', () => {
    expect(chooseMountPayload(TREE, 300).kind).toBe('snapshot');
  });

  it('keeps a tree with a symlink as a FileSystemTree whatever its size', () => {
    const withLink = { files: [...TREE.files, { path: 'l', data: bytes('x'), mode: 0o120000 }] };
    expect(chooseMountPayload(withLink, 1).kind).toBe('tree');
  });
});
