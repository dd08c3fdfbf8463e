/**
 * `archiveCache` and `restoreCache` on real parts: a workspace on a temp directory, the Node
 * store on another, the artifacts' zip writer and safe extractor. What the trace says is
 * asserted byte for byte (GitLab's lines, docs/cache.md "Trace lines").
 */
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createTempDirWorkspace,
  type TempDirWorkspace,
} from '../artifacts/testing/temp-dir-workspace.ts';
import { writeZip } from '../artifacts/testing/zip-writer.ts';
import { systemClock } from '../platform/clock.ts';
import { archiveCache } from './archive-cache.ts';
import type { CacheStore } from './cache-store.ts';
import { createNodeCacheStore } from './node-cache-store.ts';
import { restoreCache } from './restore-cache.ts';

const G = '\x1b[32;1m';
const Y = '\x1b[0;33m';
const RED = '\x1b[31;1m';
const R = '\x1b[0;m';
const project = { gitlab: 'https://gitlab.example.com', projectId: 7 };
const enc = new TextEncoder();

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function setup(): Promise<{ store: CacheStore; workspace: () => Promise<TempDirWorkspace> }> {
  const dir = await mkdtemp(join(tmpdir(), 'tabrunner-cache-ops-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const store = createNodeCacheStore({ dir, budgetBytes: 64 * 1024 * 1024 });
  return {
    store,
    workspace: async () => {
      const ws = await createTempDirWorkspace();
      cleanups.push(() => rm(ws.root, { recursive: true, force: true }));
      return ws;
    },
  };
}

async function seed(ws: TempDirWorkspace, files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    const host = ws.host(`${ws.projectDir}/${path}`);
    await mkdir(dirname(host), { recursive: true });
    await writeFile(host, content);
  }
}

function stream(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}

function archiveOptions(store: CacheStore, ws: TempDirWorkspace, lines: string[], key = 'npm') {
  return {
    store,
    address: { ...project, key },
    paths: ['.npm/'],
    untracked: false,
    untrackedFiles: [],
    workspace: ws,
    projectDir: ws.projectDir,
    expand: (value: string) => value,
    compressionLevel: undefined,
    line: (text: string) => lines.push(text),
    clock: systemClock,
  };
}

function restoreOptions(store: CacheStore, ws: TempDirWorkspace, lines: string[], keys: string[]) {
  return {
    store,
    project,
    keys,
    workspace: ws,
    projectDir: ws.projectDir,
    line: (text: string) => lines.push(text),
    clock: systemClock,
  };
}

const checking = (key: string) => [
  `${G}Checking cache for ${key}...${R}\n`,
  `No URL provided, cache will not be downloaded from shared cache server. Instead a local version of cache will be extracted.${R} \n`,
];
const missing = [
  `${Y}WARNING: Cache file does not exist                ${R} \n`,
  `${Y}Failed to extract cache${R}\n`,
];

describe('archiveCache then restoreCache', () => {
  it('saves the paths and restores them into another workspace, with GitLab’s lines', async () => {
    const { store, workspace } = await setup();
    const first = await workspace();
    await seed(first, {
      '.npm/a.txt': 'alpha',
      '.npm/sub/b.txt': 'beta',
      'other.txt': 'not cached',
    });
    const saved: string[] = [];
    const archived = await archiveCache(archiveOptions(store, first, saved));
    expect(archived).toMatchObject({ saved: true, files: 2 });
    expect(saved).toEqual([
      `${G}Creating cache npm...${R}\n`,
      `.npm: found 4 matching artifact files and directories${R} \n`,
      `No URL provided, cache will not be uploaded to shared cache server. Cache will be stored only locally.${R} \n`,
      `${G}Created cache${R}\n`,
    ]);

    const second = await workspace();
    const restored: string[] = [];
    const result = await restoreCache(restoreOptions(store, second, restored, ['npm']));
    expect(result).toMatchObject({ key: 'npm', files: 2 });
    expect(restored).toEqual([...checking('npm'), `${G}Successfully extracted cache${R}\n`]);
    expect(await readFile(second.host(`${second.projectDir}/.npm/sub/b.txt`), 'utf8')).toBe('beta');
    await expect(readFile(second.host(`${second.projectDir}/other.txt`))).rejects.toThrow();
  });

  it('tries fallback keys in order after a miss', async () => {
    const { store, workspace } = await setup();
    const first = await workspace();
    await seed(first, { '.npm/a.txt': 'from fallback' });
    await archiveCache(archiveOptions(store, first, [], 'npm-main'));
    const second = await workspace();
    const lines: string[] = [];
    const result = await restoreCache(
      restoreOptions(store, second, lines, ['npm-topic', 'npm-main', 'never']),
    );
    expect(result.key).toBe('npm-main');
    expect(lines).toEqual([
      ...checking('npm-topic'),
      ...missing,
      ...checking('npm-main'),
      `${G}Successfully extracted cache${R}\n`,
    ]);
    expect(await readFile(second.host(`${second.projectDir}/.npm/a.txt`), 'utf8')).toBe(
      'from fallback',
    );
  });

  it('misses cleanly when no key is stored', async () => {
    const { store, workspace } = await setup();
    const lines: string[] = [];
    const ws = await workspace();
    expect(await restoreCache(restoreOptions(store, ws, lines, ['a', 'b']))).toEqual({
      key: null,
      files: 0,
      bytes: 0,
      contents: null,
    });
    expect(lines).toEqual([...checking('a'), ...missing, ...checking('b'), ...missing]);
    expect(ws.writes).toEqual([]);
  });

  it('takes a torn or corrupt archive for a miss with a FATAL line, writing nothing, and goes on to the next key', async () => {
    const { store, workspace } = await setup();
    const good = writeZip([{ name: '.npm/a.txt', content: enc.encode('good') }]);
    await store.save({ ...project, key: 'torn' }, stream(good.subarray(0, good.length - 30)));
    await store.save({ ...project, key: 'garbage' }, stream(enc.encode('not a zip at all')));
    await store.save({ ...project, key: 'good' }, stream(good));
    const ws = await workspace();
    const lines: string[] = [];
    const result = await restoreCache(
      restoreOptions(store, ws, lines, ['torn', 'garbage', 'good']),
    );
    expect(result.key).toBe('good');
    const fatal = lines.filter((l) => l.startsWith(`${RED}FATAL: `));
    expect(fatal).toHaveLength(2);
    expect(fatal.every((l) => l.includes('the cache archive cannot be read'))).toBe(true);
    expect(lines.filter((l) => l === `${Y}Failed to extract cache${R}\n`)).toHaveLength(2);
    expect(ws.writes).toEqual([`${ws.projectDir}/.npm/a.txt`]);
  });

  it('takes an archive whose last entry fails its CRC-32 for a miss, writing none of the entries before it', async () => {
    const { store, workspace } = await setup();
    // More entries than one extraction batch, so a batched write would have written the first.
    const entries = Array.from({ length: 1200 }, (_, i) => ({
      name: `.npm/_cacache/f${i}`,
      content: enc.encode(`content ${i}`),
    }));
    const last = entries.length - 1;
    await store.save(
      { ...project, key: 'bad-crc' },
      stream(writeZip(entries.map((e, i) => (i === last ? { ...e, crc: 0x1234_5678 } : e)))),
    );
    const ws = await workspace();
    await seed(ws, { 'package.json': '{}' });
    const lines: string[] = [];
    const result = await restoreCache(restoreOptions(store, ws, lines, ['bad-crc']));
    expect(result).toEqual({ key: null, files: 0, bytes: 0, contents: null });
    expect(lines).toEqual([
      ...checking('bad-crc'),
      `${RED}FATAL: the cache archive cannot be read: entry ".npm/_cacache/f${last}" fails its CRC-32 check${R} \n`,
      `${Y}Failed to extract cache${R}\n`,
    ]);
    expect(ws.writes).toEqual([]);
    expect(await ws.listFiles(ws.projectDir)).toEqual([`${ws.projectDir}/package.json`]);
  });

  it('refuses an archive with an entry leaving the project, writing nothing', async () => {
    const { store, workspace } = await setup();
    await store.save(
      { ...project, key: 'evil' },
      stream(
        writeZip([
          { name: 'ok.txt', content: enc.encode('ok') },
          { name: '../escape.txt', content: enc.encode('x') },
        ]),
      ),
    );
    const ws = await workspace();
    const lines: string[] = [];
    expect((await restoreCache(restoreOptions(store, ws, lines, ['evil']))).key).toBeNull();
    expect(lines.at(-1)).toBe(`${Y}Failed to extract cache${R}\n`);
    expect(ws.writes).toEqual([]);
    expect(await ws.filesOutsideProject()).toEqual([]);
  });

  it('warns "No files to cache." and saves nothing when the paths match nothing', async () => {
    const { store, workspace } = await setup();
    const ws = await workspace();
    const lines: string[] = [];
    expect(await archiveCache(archiveOptions(store, ws, lines))).toEqual({
      saved: false,
      files: 0,
      bytes: 0,
    });
    expect(lines).toEqual([
      `${G}Creating cache npm...${R}\n`,
      `${Y}WARNING: .npm: no matching files. Ensure that the artifact path is relative to the working directory (${ws.projectDir})${R} \n`,
      `${Y}WARNING: No files to cache.                       ${R} \n`,
      `${G}Created cache${R}\n`,
    ]);
    expect(await store.list()).toEqual([]);
  });

  it('keeps the previous archive and warns when saving fails', async () => {
    const { store, workspace } = await setup();
    const ws = await workspace();
    await seed(ws, { '.npm/a.txt': 'old' });
    await archiveCache(archiveOptions(store, ws, []));
    const failing: CacheStore = {
      ...store,
      save: () => Promise.reject(new Error('disk full')),
    };
    const lines: string[] = [];
    expect((await archiveCache(archiveOptions(failing, ws, lines))).saved).toBe(false);
    expect(lines.slice(-2)).toEqual([
      `${RED}FATAL: disk full                                  ${R} \n`,
      `${Y}Failed to create cache${R}\n`,
    ]);
    const again = await workspace();
    await restoreCache(restoreOptions(store, again, [], ['npm']));
    expect(await readFile(again.host(`${again.projectDir}/.npm/a.txt`), 'utf8')).toBe('old');
  });

  it('warns about an unknown CACHE_COMPRESSION_LEVEL and archives at the default', async () => {
    const { store, workspace } = await setup();
    const ws = await workspace();
    await seed(ws, { '.npm/a.txt': 'x' });
    const lines: string[] = [];
    await archiveCache({ ...archiveOptions(store, ws, lines), compressionLevel: 'ultra' });
    expect(lines).toContain(
      `${Y}WARNING: compression level "ultra" is invalid, falling back to default${R} \n`,
    );
    expect(lines.at(-1)).toBe(`${G}Created cache${R}\n`);
  });

  it('stops at once when the job is aborted', async () => {
    const { store, workspace } = await setup();
    const ws = await workspace();
    const abort = new AbortController();
    abort.abort(new Error('job canceled'));
    await expect(
      restoreCache({ ...restoreOptions(store, ws, [], ['npm']), signal: abort.signal }),
    ).rejects.toThrow('job canceled');
  });
});
