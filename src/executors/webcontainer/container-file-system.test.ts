/**
 * The stage shell on WebContainer's file API (here over node:fs in a real directory, the calls
 * WebContainer's typings copy from Node) does what it does on just-bash's own file system: the
 * same script gives the same output and status on both, but for links, which the API cannot
 * make.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bash, InMemoryFs, MountableFs } from 'just-bash';
import type { IFileSystem } from 'just-bash';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeContainerFs } from '../../../test/support/node-container-fs.ts';
import { ContainerFileSystem } from './container-file-system.ts';

const WORKDIR = '/home/tabrunner';

async function run(fs: IFileSystem, script: string) {
  const bash = new Bash({ fs, cwd: WORKDIR });
  const { stdout, stderr, exitCode } = await bash.exec(script);
  return { stdout, stderr, exitCode };
}

const SCRIPT = [
  'mkdir -p a/b && echo hello > a/b/f.txt && cat a/b/f.txt',
  'echo more >> a/b/f.txt; cat a/b/f.txt; wc -c < a/b/f.txt',
  'ls a a/b; echo a/*/*.txt',
  '[ -f a/b/f.txt ] && echo file; [ -d a/b ] && echo dir; [ -s a/b/f.txt ] && echo nonempty; [ -e nope ] || echo absent',
  'cp -r a c && mv c d && ls; rm -r d; ls',
  'printf "x\\ny\\n" | sort -r > sorted.txt; cat sorted.txt; grep -rn hello a',
  'cat missing.txt; echo "status $?"',
  'mkdir a; echo "mkdir again $?"; rmdir a 2>/dev/null; echo "rmdir non-empty $?"',
  'chmod +x a/b/f.txt && [ -x a/b/f.txt ] && echo executable; [ -x a/b ] && echo dir-x',
  'cp a/b/f.txt copy.txt && [ -x copy.txt ] && echo copy-executable',
  'mv copy.txt moved.txt && [ -x moved.txt ] && echo moved-executable; rm moved.txt; touch moved.txt; [ -x moved.txt ] || echo new-file-plain',
  'printf "#!/bin/sh\\necho script says \\$1\\n" > s.sh && chmod 755 s.sh && ./s.sh hi',
  'touch t && ls t && rm t && ls t; echo "after rm $?"',
  'cd a/b && pwd && cat ./f.txt',
].join('\n');

describe('ContainerFileSystem under the stage shell', () => {
  let root: string;
  let container: IFileSystem;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'tabrunner-container-fs-'));
    container = new MountableFs({
      base: new InMemoryFs(),
      mounts: [{ mountPoint: WORKDIR, filesystem: new ContainerFileSystem(nodeContainerFs(root)) }],
    });
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('gives the same output and status as just-bash’s own file system', async () => {
    const reference = new InMemoryFs();
    await reference.mkdir(WORKDIR, { recursive: true });
    const expected = await run(reference, SCRIPT);
    expect(expected.exitCode).toBe(0);
    for (const line of [
      'executable',
      'copy-executable',
      'moved-executable',
      'new-file-plain',
      'script says hi',
    ])
      expect(expected.stdout).toContain(`${line}\n`);
    expect(await run(container, SCRIPT)).toEqual(expected);
  });

  it('writes where node would read: the real files of the container', async () => {
    await run(container, 'mkdir -p builds/p && printf "bytes\\0here" > builds/p/out.bin');
    expect(await readFile(join(root, 'builds/p/out.bin'))).toEqual(Buffer.from('bytes\0here'));
  });

  it('refuses links with a clear error instead of making a copy', async () => {
    const outcome = await run(container, 'echo x > f; ln -s f link; echo "status $?"; ls');
    expect(outcome.stdout).toBe('status 1\nf\n');
    expect(outcome.stderr).toMatch(/cannot make links/);
  });
});
