import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git } from '../../../test/support/git-server.ts';
import { readConfigValue, setConfigValue } from './git-config.ts';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tabrunner-git-config-'));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** What the real git reads from `text` for `name` (untrimmed: blanks inside quotes count). */
async function gitReads(text: string, name: string): Promise<string> {
  const file = join(dir, 'config');
  await writeFile(file, text);
  const out = execFileSync('git', ['config', '--file', file, '--get', name], { encoding: 'utf8' });
  return out.replace(/\n$/, '');
}

/** Values git itself quotes or escapes when it writes them. */
const AWKWARD = [
  'https://gitlab.example.com/group/project.git',
  'https://h/a#b;c',
  'with "quotes" and \\ backslash',
  ' leading and trailing ',
  'tab\there',
];

describe('git config values', () => {
  it('reads what git writes, quoted and escaped', async () => {
    const file = join(dir, 'written-by-git');
    await writeFile(file, '[core]\n\tbare = true\n');
    for (const value of AWKWARD) {
      git(dir, ['config', '--file', file, 'remote.origin.url', value]);
      expect(readConfigValue(await readFile(file, 'utf8'), 'remote.origin.url')).toBe(value);
    }
  });

  it('writes what git reads, leaving the rest of the file as it was', async () => {
    const original =
      '[core]\n\trepositoryformatversion = 0\n\tbare = true\n\n[remote "origin"]\n' +
      '\tfetch = +refs/heads/*:refs/remotes/origin/*\n\turl = https://old/x.git ; a comment';
    for (const value of AWKWARD) {
      const text = setConfigValue(original, 'remote.origin.url', value);
      expect(await gitReads(text, 'remote.origin.url')).toBe(value);
      expect(await gitReads(text, 'remote.origin.fetch')).toBe(
        '+refs/heads/*:refs/remotes/origin/*',
      );
      expect(await gitReads(text, 'core.bare')).toBe('true');
      expect(text.split('\n').filter((l) => l.includes('url'))).toHaveLength(1);
    }
  });

  it('adds a missing section, and a missing key inside an existing section', async () => {
    const added = setConfigValue('[core]\n\tbare = true\n', 'remote.origin.url', 'https://h/p.git');
    expect(added).toBe('[core]\n\tbare = true\n[remote "origin"]\n\turl = https://h/p.git\n');
    const inserted = setConfigValue(added, 'remote.origin.fetch', '+refs/heads/*:refs/x/*');
    expect(await gitReads(inserted, 'remote.origin.fetch')).toBe('+refs/heads/*:refs/x/*');
    expect(inserted.indexOf('fetch')).toBeGreaterThan(inserted.indexOf('[remote "origin"]'));
  });

  it('matches sections and keys as git does: names in any case, subsections exactly', () => {
    const text =
      '[Remote "origin"]\n\tURL = https://a/1.git\n[remote "Origin"]\n\turl = https://b/2.git\n' +
      '[remote.other]\n\turl = https://c/3.git\n[remote "origin"]\n\turl = "https://d/4.git" # last\n';
    expect(readConfigValue(text, 'remote.origin.url')).toBe('https://d/4.git');
    expect(readConfigValue(text, 'remote.Origin.url')).toBe('https://b/2.git');
    expect(readConfigValue(text, 'remote.other.url')).toBe('https://c/3.git');
    expect(readConfigValue(text, 'remote.upstream.url')).toBeUndefined();
    expect(readConfigValue('[core]\n\tbare\n', 'core.bare')).toBe('true');
  });
});
