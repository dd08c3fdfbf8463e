import { describe, expect, it } from 'vitest';
import { workdirRelative } from './workdir-path.ts';

describe('workdirRelative', () => {
  it('is empty for the workdir itself, however it is spelled', () => {
    expect(workdirRelative('/home/x', '/home/x')).toBe('');
    expect(workdirRelative('/home/x/', '/home/x')).toBe('');
    expect(workdirRelative('/home/x/a/..', '/home/x')).toBe('');
  });

  it('is the path below the workdir, with `.`, `..` and doubled slashes resolved', () => {
    expect(workdirRelative('/home/x/builds/g/p', '/home/x')).toBe('builds/g/p');
    expect(workdirRelative('/home/x/a/../b', '/home/x')).toBe('b');
    expect(workdirRelative('/home/x/./a//b/', '/home/x')).toBe('a/b');
  });

  it('is null outside the workdir, `..` that climbs out included', () => {
    expect(workdirRelative('/home/x/../y', '/home/x')).toBeNull();
    expect(workdirRelative('/home/x/..', '/home/x')).toBeNull();
    expect(workdirRelative('/tmp', '/home/x')).toBeNull();
    expect(workdirRelative('/', '/home/x')).toBeNull();
  });

  it('is null for a sibling whose name starts with the workdir’s', () => {
    expect(workdirRelative('/home/xy', '/home/x')).toBeNull();
    expect(workdirRelative('/home/xy/a', '/home/x')).toBeNull();
  });

  it('takes every absolute path as inside a workdir of `/`', () => {
    expect(workdirRelative('/', '/')).toBe('');
    expect(workdirRelative('/a/b', '/')).toBe('a/b');
    expect(workdirRelative('/a/../../b', '/')).toBe('b');
  });

  it('resolves the workdir too', () => {
    expect(workdirRelative('/home/x/a', '/home/x/')).toBe('a');
    expect(workdirRelative('/home/x/a', '/home/y/../x')).toBe('a');
  });
});
