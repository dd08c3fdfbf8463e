import { describe, expect, it } from 'vitest';
import { fileGlobMatches } from './file-glob.ts';

describe('fileGlobMatches (Ruby File.fnmatch? with FNM_PATHNAME | FNM_DOTMATCH | FNM_EXTGLOB)', () => {
  // Cases from Ruby's File.fnmatch documentation, with the flags GitLab passes.
  it.each([
    ['cat', 'cat', true],
    ['cat', 'category', false],
    ['c{at,ub}s', 'cats', true],
    ['c{at,ub}s', 'cubs', true],
    ['c?t', 'cat', true],
    ['c??t', 'cat', false],
    ['c*', 'cats', true],
    ['c*t', 'c/a/b/t', false],
    ['ca[a-z]', 'cat', true],
    ['ca[^t]', 'cat', false],
    ['ca[!t]', 'cab', true],
    ['\\?', '?', true],
    ['\\a', 'a', true],
    ['\\*', 'a', false],
    ['*', '.profile', true],
    ['*', 'dave/.profile', false],
    ['*/*', 'dave/.profile', true],
    ['**/foo', 'a/b/c/foo', true],
    ['**/foo', '/a/b/c/foo', true],
    ['**/foo', 'a/.b/c/foo', true],
    ['**/foo', 'foo', true],
    ['**.rb', 'main.rb', true],
    ['**.rb', 'lib/song.rb', false],
    ['*.md', 'docs/index.md', false],
    ['**/*.md', 'docs/index.md', true],
    ['**/*.md', 'README.md', true],
    ['docs/**/*', 'docs/a/b/c.txt', true],
    ['docs/**', 'docs/a/b', false],
    ['src/{x,y/{z,w}}.js', 'src/y/w.js', true],
    ['src/{x,y/{z,w}}.js', 'src/y.js', false],
    ['[a-c]', '/', false],
    ['a.b', 'axb', false],
  ])('%s against %s is %s', (glob, path, expected) => {
    expect(fileGlobMatches(glob, path)).toBe(expected);
  });
});
