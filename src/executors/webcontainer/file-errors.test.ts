import { describe, expect, it } from 'vitest';
import { fileErrorCode, translateFileError } from './file-errors.ts';

const withCode = (message: string, code: unknown) => Object.assign(new Error(message), { code });

describe('fileErrorCode', () => {
  it('reads Node’s code, and a code like ERR_FS_EISDIR', () => {
    expect(fileErrorCode(withCode('whatever', 'ENOENT'))).toBe('ENOENT');
    expect(
      fileErrorCode(withCode('EISDIR: illegal operation on a directory', 'ERR_FS_EISDIR')),
    ).toBe('EISDIR');
  });

  it('prefers the code to what the message names', () => {
    expect(fileErrorCode(withCode("ENOENT: no such file, open '/x'", 'ERR_FS_EISDIR'))).toBe(
      'EISDIR',
    );
  });

  it('without a known code, takes the first code the message names, not one in the path', () => {
    expect(fileErrorCode(new Error("ENOENT: no such file, open '/x/EISDIR'"))).toBe('ENOENT');
    expect(fileErrorCode(new Error("EISDIR: illegal operation, read '/x/ENOENT'"))).toBe('EISDIR');
    expect(fileErrorCode(withCode("ENOTDIR: not a directory, scandir '/x/ENOENT'", 'EIO'))).toBe(
      'ENOTDIR',
    );
    expect(fileErrorCode("EEXIST: file already exists, mkdir '/ENOENT'")).toBe('EEXIST');
  });

  it('is null for an error that names no code of ours', () => {
    expect(fileErrorCode(new Error('Proxy has been released'))).toBeNull();
    expect(fileErrorCode(withCode('boom', 'EIO'))).toBeNull();
    expect(fileErrorCode(null)).toBeNull();
  });
});

describe('translateFileError', () => {
  it('rewrites a recognised error in just-bash’s shape, for the given call and path', () => {
    const err = translateFileError(withCode('illegal', 'ERR_FS_EISDIR'), 'open', '/p/dir');
    expect(err).toMatchObject({
      code: 'EISDIR',
      message: "EISDIR: illegal operation on a directory, open '/p/dir'",
    });
  });

  it('passes any other error through', () => {
    const original = new Error('Proxy has been released');
    expect(translateFileError(original, 'open', '/p')).toBe(original);
  });
});
