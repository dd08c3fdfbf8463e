import { afterEach, describe, expect, it } from 'vitest';
import { createShellExecutor, type Workspace } from '../executors/index.ts';
import { collectArtifactFiles } from './collect.ts';

const PROJECT = '/builds/group/project';
const RESET = '\x1b[0;m';
const enc = new TextEncoder();

/** The text of helper lines without colours and padding, for readable assertions. */
function plain(lines: string[]): string[] {
  const ansi = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
  return lines.map((line) => line.replace(ansi, '').trimEnd());
}

const workspaces: Workspace[] = [];
afterEach(async () => {
  for (const workspace of workspaces.splice(0)) await workspace.dispose();
});

async function project(files: Record<string, string>): Promise<Workspace> {
  const workspace = await createShellExecutor().prepare(
    { files: Object.entries(files).map(([path, text]) => ({ path, data: enc.encode(text) })) },
    { projectDir: PROJECT, env: {} },
  );
  workspaces.push(workspace);
  return workspace;
}

const tree = {
  'binaries/main.o': 'obj',
  'binaries/app': 'elf!',
  'binaries/x86/util.o': 'obj2',
  'binaries/x86/util': 'elf2',
  'notes.txt': 'n',
  'docs/a/readme.txt': 'r',
  'docs/a/readme.md': 'm',
  'src/main.c': 'int main;',
  '.hidden/secret.txt': 's',
};

const identity = (value: string): string => value;

describe('collectArtifactFiles', () => {
  it('takes a directory whole and counts its files and directories as GitLab does', async () => {
    const workspace = await project(tree);
    const result = await collectArtifactFiles({
      workspace,
      projectDir: PROJECT,
      artifact: { paths: ['binaries/'], exclude: [], untracked: false },
      expand: identity,
    });
    expect(result.files).toEqual([
      { path: 'binaries/app', size: 4 },
      { path: 'binaries/main.o', size: 3 },
      { path: 'binaries/x86/util', size: 4 },
      { path: 'binaries/x86/util.o', size: 4 },
    ]);
    // binaries, binaries/x86 and four files.
    expect(plain(result.lines)).toEqual([
      'binaries: found 6 matching artifact files and directories',
    ]);
    expect(result.lines[0]).toBe(
      `${'binaries: found 6 matching artifact files and directories'.padEnd(50)}${RESET} \n`,
    );
  });

  it('applies `exclude: binaries/**/*.o` and reports how many files each rule excluded', async () => {
    const workspace = await project(tree);
    const result = await collectArtifactFiles({
      workspace,
      projectDir: PROJECT,
      artifact: { paths: ['binaries/'], exclude: ['binaries/**/*.o'], untracked: false },
      expand: identity,
    });
    expect(result.files.map((f) => f.path)).toEqual(['binaries/app', 'binaries/x86/util']);
    expect(plain(result.lines)).toEqual([
      'binaries: found 4 matching artifact files and directories',
      'binaries/**/*.o: excluded 2 files',
    ]);
  });

  it('`exclude: *.o` only excludes top-level object files', async () => {
    const workspace = await project({ 'main.o': 'a', 'keep.c': 'b', 'sub/deep.o': 'c' });
    const result = await collectArtifactFiles({
      workspace,
      projectDir: PROJECT,
      artifact: { paths: ['.'], exclude: ['*.o'], untracked: false },
      expand: identity,
    });
    expect(result.files.map((f) => f.path)).toEqual(['keep.c', 'sub/deep.o']);
    expect(plain(result.lines)).toContain('*.o: excluded 1 files');
  });

  it('matches `**/*.txt` at every depth, hidden directories included', async () => {
    const workspace = await project(tree);
    const result = await collectArtifactFiles({
      workspace,
      projectDir: PROJECT,
      artifact: { paths: ['**/*.txt'], exclude: [], untracked: false },
      expand: identity,
    });
    expect(result.files.map((f) => f.path)).toEqual([
      '.hidden/secret.txt',
      'docs/a/readme.txt',
      'notes.txt',
    ]);
    expect(plain(result.lines)).toEqual([
      '**/*.txt: found 3 matching artifact files and directories',
    ]);
  });

  it('cleans `./` prefixes and expands variables in paths', async () => {
    const workspace = await project(tree);
    const result = await collectArtifactFiles({
      workspace,
      projectDir: PROJECT,
      artifact: { paths: ['./docs/$DIR/readme.*'], exclude: [], untracked: false },
      expand: (value) => value.replace('$DIR', 'a'),
    });
    expect(result.files.map((f) => f.path)).toEqual(['docs/a/readme.md', 'docs/a/readme.txt']);
    expect(plain(result.lines)).toEqual([
      'docs/a/readme.*: found 2 matching artifact files and directories',
    ]);
  });

  it('refuses paths that leave the project with a warning, and warns on paths that match nothing', async () => {
    const workspace = await project(tree);
    const result = await collectArtifactFiles({
      workspace,
      projectDir: PROJECT,
      artifact: {
        paths: ['../other/secret', '/etc/passwd', '/builds/group/project-2/x', 'missing/'],
        exclude: [],
        untracked: false,
      },
      expand: identity,
    });
    expect(result.files).toEqual([]);
    expect(plain(result.lines)).toEqual([
      'WARNING: processPath: artifact path is not a subpath of project directory: ../other',
      'WARNING: processPath: artifact path is not a subpath of project directory: /etc',
      'WARNING: processPath: artifact path is not a subpath of project directory: /builds/group/project-2',
      `WARNING: missing: no matching files. Ensure that the artifact path is relative to the working directory (${PROJECT})`,
    ]);
    expect(result.lines[0]?.startsWith('\x1b[0;33mWARNING: ')).toBe(true);
  });

  it('accepts an absolute path inside the project directory, as the Go runner does', async () => {
    const workspace = await project(tree);
    const result = await collectArtifactFiles({
      workspace,
      projectDir: PROJECT,
      artifact: { paths: [`${PROJECT}/src`], exclude: [], untracked: false },
      expand: identity,
    });
    expect(result.files.map((f) => f.path)).toEqual(['src/main.c']);
  });

  it('adds untracked files, still honouring exclude', async () => {
    const workspace = await project(tree);
    const result = await collectArtifactFiles({
      workspace,
      projectDir: PROJECT,
      artifact: { paths: [], exclude: ['src/**'], untracked: true },
      untrackedFiles: ['notes.txt', 'src/main.c', 'gone.txt'],
      expand: identity,
    });
    expect(result.files.map((f) => f.path)).toEqual(['notes.txt']);
    expect(plain(result.lines)).toEqual(['untracked: found 1 files', 'src/**: excluded 1 files']);
  });

  it('warns when untracked is on and nothing is untracked', async () => {
    const workspace = await project(tree);
    const result = await collectArtifactFiles({
      workspace,
      projectDir: PROJECT,
      artifact: { paths: [], exclude: [], untracked: true },
      expand: identity,
    });
    expect(plain(result.lines)).toEqual(['WARNING: untracked: no files']);
  });

  it('reports a malformed pattern and keeps going', async () => {
    const workspace = await project(tree);
    const result = await collectArtifactFiles({
      workspace,
      projectDir: PROJECT,
      artifact: { paths: ['bin[aries', 'notes.txt'], exclude: [], untracked: false },
      expand: identity,
    });
    expect(plain(result.lines)).toEqual([
      'WARNING: bin[aries: syntax error in pattern',
      'notes.txt: found 1 matching artifact files and directories',
    ]);
    expect(result.files.map((f) => f.path)).toEqual(['notes.txt']);
  });

  it('lists a file matched by two paths once', async () => {
    const workspace = await project(tree);
    const result = await collectArtifactFiles({
      workspace,
      projectDir: PROJECT,
      artifact: { paths: ['notes.txt', '*.txt'], exclude: [], untracked: false },
      expand: identity,
    });
    expect(result.files).toEqual([{ path: 'notes.txt', size: 1 }]);
  });
});
