import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FileTree } from '../../executors/port.ts';
import { objectHeader, oidAt, oidBytes, type GitObject } from '../git/pack/git-object.ts';
import { readFileTree, type ReadFileTreeResult } from './read-file-tree.ts';
import { createNodeSha1 } from '../git/pack/node-sha1.ts';

const encoder = new TextEncoder();

/** An in-memory object store: what a pack or the store's packs would hold. */
class Objects {
  readonly map = new Map<string, GitObject>();

  add(type: GitObject['type'], data: Uint8Array): string {
    const oid = oidAt(
      createNodeSha1().update(objectHeader(type, data.length)).update(data).digest(),
      0,
    );
    this.map.set(oid, { type, data });
    return oid;
  }

  tree(entries: { mode: string; name: string; oid: string }[]): string {
    const parts = entries.flatMap((e) => [
      encoder.encode(`${e.mode} ${e.name}\0`),
      oidBytes(e.oid),
    ]);
    const data = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const part of parts) {
      data.set(part, at);
      at += part.length;
    }
    return this.add('tree', data);
  }

  /** A commit of `files` (path → content and mode); directories nest by `/`. */
  commit(files: Map<string, { text: string; mode: string }>): string {
    const build = (prefix: string): string => {
      const names = new Map<string, 'file' | 'dir'>();
      for (const path of files.keys()) {
        if (!path.startsWith(prefix)) continue;
        const rest = path.slice(prefix.length);
        const slash = rest.indexOf('/');
        names.set(slash < 0 ? rest : rest.slice(0, slash), slash < 0 ? 'file' : 'dir');
      }
      const entries = [...names].sort().map(([name, kind]) => {
        if (kind === 'dir') return { mode: '40000', name, oid: build(`${prefix}${name}/`) };
        const file = files.get(prefix + name) as { text: string; mode: string };
        return { mode: file.mode, name, oid: this.add('blob', encoder.encode(file.text)) };
      });
      return this.tree(entries);
    };
    const tree = build('');
    return this.add('commit', encoder.encode(`tree ${tree}\nauthor a <a> 0 +0000\n\nm\n`));
  }
}

function normal(tree: FileTree) {
  return tree.files
    .map((f) => ({ path: f.path, mode: f.mode, text: Buffer.from(f.data).toString('hex') }))
    .sort((a, b) => a.path.localeCompare(b.path));
}

const PATHS = ['f1', 'f2', 'd1/f1', 'd1/f2', 'd1/d2/f1', 'd1/d2/f3', 'd3/f1', 'd3/d2/f2'];
const file = fc.record({
  text: fc.string({ maxLength: 12 }),
  mode: fc.constantFrom('100644', '100755', '120000'),
});
const state = fc.dictionary(fc.constantFrom(...PATHS), file, { minKeys: 1 });

describe('readFileTree', () => {
  it('reuses the previous checkout and gives exactly what a full read gives', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(state, { minLength: 2, maxLength: 5 }), async (commits) => {
        const objects = new Objects();
        let previous: ReadFileTreeResult | undefined;
        for (const files of commits) {
          const oid = objects.commit(new Map(Object.entries(files)));
          const full = await readFileTree({ oid, read: async (id) => objects.map.get(id) ?? null });
          expect(full.bytes).toBe(full.tree.files.reduce((n, f) => n + f.data.length, 0));
          expect(normal(full.tree).map((f) => f.path)).toEqual(Object.keys(files).sort());

          // From the last checkout's objects, reading from the store only what is new.
          const kept = previous?.objects;
          let storeReads = 0;
          const warm = await readFileTree({
            oid,
            read: async (id) => {
              const hit = kept?.get(id);
              if (hit) return hit;
              storeReads += 1;
              return objects.map.get(id) ?? null;
            },
          });
          expect(normal(warm.tree)).toEqual(normal(full.tree));
          const fresh = [...full.objects.keys()].filter((id) => !kept?.has(id));
          expect(storeReads).toBe(fresh.length);

          // With the caller holding the last tree's blobs: fill them in, same tree.
          const heldBy = new Map(
            previous?.tree.files.map((f, i) => [previous?.blobIds[i], f.data]),
          );
          const held = await readFileTree({
            oid,
            read: async (id) => objects.map.get(id) ?? null,
            held: previous?.blobs ?? new Map(),
          });
          for (const i of held.held) {
            const f = held.tree.files[i]!;
            f.data = heldBy.get(held.blobIds[i]!)!;
          }
          expect(normal(held.tree)).toEqual(normal(full.tree));
          expect(held.bytes).toBe(full.bytes);
          previous = full;
        }
      }),
      { numRuns: 60 },
    );
  });

  it('refuses entries git refuses to check out, and objects that are missing or mistyped', async () => {
    for (const name of ['..', '.git', '.GIT', '.']) {
      const objects = new Objects();
      const blob = objects.add('blob', encoder.encode('x'));
      const tree = objects.tree([{ mode: '100644', name, oid: blob }]);
      const commit = objects.add('commit', encoder.encode(`tree ${tree}\n\nm\n`));
      await expect(
        readFileTree({ oid: commit, read: async (id) => objects.map.get(id) ?? null }),
      ).rejects.toMatchObject({
        code: 'SourcesPackError',
        message: expect.stringMatching(/refuses to check out/),
      });
    }
    const objects = new Objects();
    const blob = objects.add('blob', encoder.encode('x'));
    const tree = objects.tree([
      { mode: '100644', name: 'gone', oid: 'a'.repeat(40) },
      { mode: '40000', name: 'not-a-tree', oid: blob },
    ]);
    const commit = objects.add('commit', encoder.encode(`tree ${tree}\n\nm\n`));
    await expect(
      readFileTree({ oid: commit, read: async (id) => objects.map.get(id) ?? null }),
    ).rejects.toMatchObject({
      code: 'SourcesPackError',
      message: expect.stringMatching(/gone needs blob a{40}/),
    });
    objects.map.set('a'.repeat(40), { type: 'blob', data: encoder.encode('y') });
    await expect(
      readFileTree({ oid: commit, read: async (id) => objects.map.get(id) ?? null }),
    ).rejects.toMatchObject({
      code: 'SourcesPackError',
      message: expect.stringMatching(/not-a-tree is a blob, not a tree/),
    });
    await expect(
      readFileTree({ oid: blob, read: async (id) => objects.map.get(id) ?? null }),
    ).rejects.toMatchObject({
      code: 'SourcesPackError',
      message: expect.stringMatching(/is not a commit/),
    });
  });

  it('refuses a tree that names one entry twice (a symlink and a directory of one name)', async () => {
    const objects = new Objects();
    const link = objects.add('blob', encoder.encode('/etc'));
    const inner = objects.tree([
      { mode: '100644', name: 'passwd', oid: objects.add('blob', encoder.encode('x')) },
    ]);
    const tree = objects.tree([
      { mode: '120000', name: 'a', oid: link },
      { mode: '100644', name: 'a-b', oid: link },
      { mode: '40000', name: 'a', oid: inner },
    ]);
    const commit = objects.add('commit', encoder.encode(`tree ${tree}\n\nm\n`));
    await expect(
      readFileTree({ oid: commit, read: async (id) => objects.map.get(id) ?? null }),
    ).rejects.toMatchObject({
      code: 'SourcesPackError',
      message: expect.stringMatching(/names "a" twice/),
    });
  });

  it('stops a tree that names one subtree over and over before it runs away', async () => {
    // Ten levels of ten references to the level below: a few KB of objects, 10^10 paths.
    const objects = new Objects();
    let level = objects.tree([
      { mode: '100644', name: 'f', oid: objects.add('blob', encoder.encode('x')) },
    ]);
    for (let depth = 0; depth < 10; depth++) {
      const below = level;
      level = objects.tree(
        Array.from({ length: 10 }, (_, i) => ({ mode: '40000', name: `d${i}`, oid: below })),
      );
    }
    const commit = objects.add('commit', encoder.encode(`tree ${level}\n\nm\n`));
    await expect(
      readFileTree({
        oid: commit,
        read: async (id) => objects.map.get(id) ?? null,
        limits: { entries: 5_000, bytes: 1024 * 1024 },
      }),
    ).rejects.toMatchObject({
      code: 'SourcesLimitError',
      message: expect.stringMatching(/more than 5000 files and directories.*GIT_STRATEGY: none/),
    });
  });

  it('stops a checkout whose files add up to more than the byte limit', async () => {
    const objects = new Objects();
    const files = new Map(
      Array.from({ length: 4 }, (_, i) => [`f${i}`, { text: 'x'.repeat(300), mode: '100644' }]),
    );
    const commit = objects.commit(files);
    const read = async (id: string) => objects.map.get(id) ?? null;
    await expect(
      readFileTree({ oid: commit, read, limits: { entries: 100, bytes: 1000 } }),
    ).rejects.toMatchObject({
      code: 'SourcesLimitError',
      message: expect.stringMatching(/its files add up to more than 1000 bytes\. Use GIT_STRATEGY/),
    });
    const fits = await readFileTree({ oid: commit, read, limits: { entries: 100, bytes: 1200 } });
    expect(fits.bytes).toBe(1200);
  });
});
