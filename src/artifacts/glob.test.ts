import { describe, expect, it } from 'vitest';
import { hasErrorCode } from '../errors/index.ts';
import { matchGlob } from './glob.ts';

// [pattern, path, matches]; most rows are doublestar v4's own match table.
const table: [string, string, boolean][] = [
  ['abc', 'abc', true],
  ['*', 'abc', true],
  ['*', '', true],
  ['*', '/', false],
  ['/*', '/', true],
  ['*c', 'abc', true],
  ['a*', 'a', true],
  ['a*', 'ab/c', false],
  ['a*/b', 'abc/b', true],
  ['a*/b', 'a/c/b', false],
  ['a*b*c*d*e*/f', 'axbxcxdxexxx/f', true],
  ['a*b*c*d*e*/f', 'axbxcxdxe/xxx/f', false],
  ['a*b?c*x', 'abxbbxdbxebxczzx', true],
  ['a*b?c*x', 'abxbbxdbxebxczzy', false],
  ['ab[c]', 'abc', true],
  ['ab[b-d]', 'abc', true],
  ['ab[e-g]', 'abc', false],
  ['ab[^c]', 'abc', false],
  ['ab[^e-g]', 'abc', true],
  ['a[!a]b', 'a☺b', true],
  ['a\\*b', 'ab', false],
  ['a\\*b', 'a*b', true],
  ['a?b', 'a☺b', true],
  ['a???b', 'a☺b', false],
  ['[a-ζ]*', 'α', true],
  ['*[a-ζ]', 'A', false],
  ['a?b', 'a/b', false],
  ['a*b', 'a/b', false],
  ['[\\]a]', ']', true],
  ['[\\-x]', '-', true],
  ['[-]', '-', true],
  ['[x-]', '-', true],
  ['[x-]', 'z', false],
  ['[a-b-d]', '-', true],
  ['[a-b-d]', 'c', false],
  ['**', '', true],
  ['**', 'a/b/c', true],
  ['a/**', 'a', true],
  ['a/**', 'a/', true],
  ['a/**', 'a/b/c', true],
  ['**/c', 'c', true],
  ['**/c', 'a/b/c', true],
  ['**/c', 'a/b', false],
  ['**/c', 'abcd', false],
  ['**/c', 'a/abc', false],
  ['a/**/b', 'a/b', true],
  ['a/**/d', 'a/b/c/d', true],
  ['a/\\**', 'a/b/c', false],
  ['a/b/c', 'a/b//c', false],
  ['ab{c,d}', 'abc', true],
  ['ab{c,d,*}', 'abcde', true],
  ['a{,bc}', 'a', true],
  ['a/{b/c,c/b}', 'a/c/b', true],
  ['{a/{b,c},abc}', 'a/c', true],
  ['{a/{b,c},abc}', 'a/b/c', false],
  ['abc**', 'abc/b', false],
  ['**abc', 'abc', true],
  ['**/*.txt', 'abc/【test】.txt', true],
  ['**/{a,b}', 'a/b', true],
  ['e/[\\*\\?]', 'e/*', true],
  ['e/[\\*\\?]', 'e/**', false],
  ['hidden-tests/*', 'hidden-tests/.hidden-file', true],
  ['case-sensitive/fi*', 'case-sensitive/FILE', false],
];

describe('matchGlob (doublestar v4 semantics)', () => {
  it.each(table)('%s against %s → %s', (pattern, path, expected) => {
    expect(matchGlob(pattern, path)).toBe(expected);
  });

  it.each(['[', '[^', '[^bc', 'a[', '[]a]', '\\', 'ab{c,d}[', 'a{b'])(
    'refuses the malformed pattern %s with a GlobPatternError',
    (pattern) => {
      let caught: unknown;
      try {
        matchGlob(pattern, 'a');
      } catch (error) {
        caught = error;
      }
      expect(hasErrorCode(caught, 'GlobPatternError')).toBe(true);
    },
  );

  it('refuses a brace bomb instead of expanding it', () => {
    expect(() => matchGlob('{a,b}'.repeat(16), 'a')).toThrow(/syntax error in pattern/);
  });
});

describe("GitLab's documented artifacts:paths and exclude examples", () => {
  // https://docs.gitlab.com/ci/yaml/#artifactspaths and #artifactsexclude
  it('`*.o` excludes object files at the top level only', () => {
    expect(matchGlob('*.o', 'main.o')).toBe(true);
    expect(matchGlob('*.o', 'binaries/main.o')).toBe(false);
  });

  it('`**/*.txt` matches text files at any depth, the top level included', () => {
    expect(matchGlob('**/*.txt', 'notes.txt')).toBe(true);
    expect(matchGlob('**/*.txt', 'a/b/c/notes.txt')).toBe(true);
    expect(matchGlob('**/*.txt', 'a/b/notes.md')).toBe(false);
  });

  it('`binaries/**/*.o` matches object files anywhere below binaries/', () => {
    expect(matchGlob('binaries/**/*.o', 'binaries/main.o')).toBe(true);
    expect(matchGlob('binaries/**/*.o', 'binaries/x86/deep/main.o')).toBe(true);
    expect(matchGlob('binaries/**/*.o', 'src/main.o')).toBe(false);
    expect(matchGlob('binaries/**/*.o', 'binaries/main.c')).toBe(false);
  });

  it('`path/*xyz/*` matches files in directories ending in xyz', () => {
    expect(matchGlob('path/*xyz/*', 'path/abcxyz/file')).toBe(true);
    expect(matchGlob('path/*xyz/*', 'path/abcxyz/sub/file')).toBe(false);
  });

  it('`target/**/*.{jar,war}`-style alternatives', () => {
    expect(matchGlob('target/**/*.{jar,war}', 'target/app/app.war')).toBe(true);
    expect(matchGlob('target/**/*.{jar,war}', 'target/app/app.ear')).toBe(false);
  });
});
