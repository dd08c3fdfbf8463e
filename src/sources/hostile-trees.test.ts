/**
 * Hostile git trees through the checkout, at the count the Security model in
 * docs/architecture.md cites, kept in `npm test`.
 *
 * 54 hostile trees, no randomness (seed: none): 33 refused, 20 taken as documented, and one
 * that names itself, which only the checkout's entry bound stops. Each tree is a real git
 * object, hand-built as raw bytes where `git mktree` would refuse it, then packed,
 * indexed by `indexPack` (which computes every id) and read by `readFileTree` exactly as
 * `getSources` reads a fetched commit. Each case expects either a refusal with its code and
 * reason, or the treatment `read-file-tree.ts` documents: names git refuses to check out,
 * duplicate names and mistyped or missing objects are a `SourcesPackError`; trees past the
 * checkout's bounds a `SourcesLimitError`; submodules become empty directories; symlinks stay
 * links whose target is data. Names that alias `.git` only on NTFS or HFS+ (`git~1`, `.git `,
 * `.g\u200cit`) are files like any other: the checkout lives in an executor's in-memory POSIX
 * file system, where nothing aliases them and no `.git` exists.
 */
import { describe, expect, it } from 'vitest';
import { refusal } from '../../test/support/refusal.ts';
import type { GitObject, ObjectType } from './git/pack/git-object.ts';
import { indexPack } from './git/pack/index-pack.ts';
import { createNodeSha1 } from './git/pack/node-sha1.ts';
import {
  readFileTree,
  type CheckoutLimits,
  type ReadFileTreeResult,
} from './store/read-file-tree.ts';
import {
  buildPack,
  bytesOf,
  commitData,
  concatBytes,
  hexBytes,
  objectId,
  PACK_TYPE,
  treeData,
  type RawTreeEntry,
} from './testing/pack-builder.ts';

const decoder = new TextDecoder();

/** Objects for one hostile commit, written as a pack the way a server would send them. */
class Repo {
  readonly objects: { type: ObjectType; data: Uint8Array }[] = [];

  add(type: ObjectType, data: Uint8Array): string {
    this.objects.push({ type, data });
    return objectId(type, data);
  }

  blob(text: string | Uint8Array): string {
    return this.add('blob', typeof text === 'string' ? bytesOf(text) : text);
  }

  tree(entries: RawTreeEntry[]): string {
    return this.add('tree', treeData(entries));
  }

  commit(tree: string): string {
    return this.add('commit', commitData(tree));
  }

  /** A commit of a root tree with these entries. */
  root(entries: RawTreeEntry[]): string {
    return this.commit(this.tree(entries));
  }

  /**
   * Pack, index and check out `commit`, as `getSources` does, reading only what the pack
   * holds. `asked` collects every id the checkout asked for.
   */
  async checkout(
    commit: string,
    limits?: CheckoutLimits,
    asked: string[] = [],
  ): Promise<ReadFileTreeResult> {
    const pack = buildPack(this.objects.map(({ type, data }) => ({ type: PACK_TYPE[type], data })));
    const { objects } = await indexPack(pack, { sha1: createNodeSha1 });
    return readFileTree({
      oid: commit,
      read: (oid) => {
        asked.push(oid);
        return objects.get(oid) ?? null;
      },
      ...(limits ? { limits } : {}),
    });
  }
}

/** The files of a checkout as plain data. */
function files(
  result: ReadFileTreeResult,
): { path: string; mode: number | undefined; text: string }[] {
  return result.tree.files.map((f) => ({
    path: f.path,
    mode: f.mode,
    text: decoder.decode(f.data),
  }));
}

/** A root tree with one blob entry of this mode and name. */
function single(
  name: string | Uint8Array,
  mode = '100644',
  text = 'payload',
): { repo: Repo; commit: string } {
  const repo = new Repo();
  return { repo, commit: repo.root([{ mode, name, oid: repo.blob(text) }]) };
}

interface Refused {
  what: string;
  build: () => { repo: Repo; commit: string };
  limits?: CheckoutLimits;
  code: 'SourcesPackError' | 'SourcesLimitError';
  message: RegExp;
}

const GIT_REFUSES_DOT_GIT = /has an entry named "\.git", which git refuses to check out/;

const REFUSED: Refused[] = [
  // Names git's checkout refuses (verify_path): they would climb out of the project directory
  // or write into a repository's own `.git`.
  ...['..', '.', '.git', '.GIT', '.gIt', ''].map((name): Refused => ({
    what: `an entry named "${name}"`,
    build: () => single(name),
    code: 'SourcesPackError',
    message: new RegExp(`has an entry named "${name.replace(/\./g, '\\.')}", which git refuses`),
  })),
  {
    what: 'a directory named ".."',
    build: () => {
      const repo = new Repo();
      const inner = repo.tree([{ mode: '100644', name: 'passwd', oid: repo.blob('root::0:0') }]);
      return { repo, commit: repo.root([{ mode: '40000', name: '..', oid: inner }]) };
    },
    code: 'SourcesPackError',
    message: /has an entry named "\.\.", which git refuses/,
  },
  {
    what: 'a nested ".git" directory holding a config (sub/.git/config)',
    build: () => {
      const repo = new Repo();
      const config = repo.blob('[core]\n\tfsmonitor = "touch /tmp/pwned"\n');
      const dotGit = repo.tree([{ mode: '100644', name: 'config', oid: config }]);
      const sub = repo.tree([{ mode: '40000', name: '.git', oid: dotGit }]);
      return { repo, commit: repo.root([{ mode: '40000', name: 'sub', oid: sub }]) };
    },
    code: 'SourcesPackError',
    message: /has an entry named "\.git", which git refuses/,
  },
  {
    what: 'a ".git" gitlink',
    build: () => {
      const repo = new Repo();
      return { repo, commit: repo.root([{ mode: '160000', name: '.git', oid: 'a'.repeat(40) }]) };
    },
    code: 'SourcesPackError',
    message: GIT_REFUSES_DOT_GIT,
  },
  {
    what: 'a ".git" symlink to another directory',
    build: () => single('.git', '120000', '../elsewhere'),
    code: 'SourcesPackError',
    message: GIT_REFUSES_DOT_GIT,
  },
  {
    // TextDecoder drops a leading byte order mark, so the name is checked as it will be used.
    what: 'an entry named "\\ufeff.git" (a byte order mark, then .git)',
    build: () => single('\ufeff.git'),
    code: 'SourcesPackError',
    message: /has an entry named "\.git", which git refuses/,
  },
  {
    what: 'a name holding a slash (".git/config" in one entry)',
    build: () => single('.git/config'),
    code: 'SourcesPackError',
    message: /has an entry named "\.git\/config", which git refuses/,
  },
  {
    what: 'a name climbing out with slashes ("a/../../etc/passwd")',
    build: () => single('a/../../etc/passwd'),
    code: 'SourcesPackError',
    message: /has an entry named "a\/\.\.\/\.\.\/etc\/passwd", which git refuses/,
  },
  {
    what: 'an absolute name ("/etc/passwd")',
    build: () => single('/etc/passwd'),
    code: 'SourcesPackError',
    message: /has an entry named "\/etc\/passwd", which git refuses/,
  },
  // Duplicates: one name twice would let a symlink and a directory share a path.
  {
    what: 'two blobs of one name',
    build: () => {
      const repo = new Repo();
      return {
        repo,
        commit: repo.root([
          { mode: '100644', name: 'a', oid: repo.blob('one') },
          { mode: '100644', name: 'a', oid: repo.blob('two') },
        ]),
      };
    },
    code: 'SourcesPackError',
    message: /names "a" twice/,
  },
  {
    what: 'a symlink and a directory of one name, unsorted and apart',
    build: () => {
      const repo = new Repo();
      const etc = repo.tree([{ mode: '100644', name: 'passwd', oid: repo.blob('x') }]);
      return {
        repo,
        commit: repo.root([
          { mode: '40000', name: 'link', oid: etc },
          { mode: '100644', name: 'm', oid: repo.blob('m') },
          { mode: '120000', name: 'link', oid: repo.blob('/etc') },
        ]),
      };
    },
    code: 'SourcesPackError',
    message: /names "link" twice/,
  },
  {
    what: 'a gitlink and a directory of one name',
    build: () => {
      const repo = new Repo();
      const dir = repo.tree([{ mode: '100644', name: 'f', oid: repo.blob('f') }]);
      return {
        repo,
        commit: repo.root([
          { mode: '160000', name: 'mod', oid: 'b'.repeat(40) },
          { mode: '40000', name: 'mod', oid: dir },
        ]),
      };
    },
    code: 'SourcesPackError',
    message: /names "mod" twice/,
  },
  {
    // Both decode to U+FFFD: refused, since they would be one path once decoded.
    what: 'two names of invalid UTF-8 that decode alike (0xff, 0xfe)',
    build: () => {
      const repo = new Repo();
      return {
        repo,
        commit: repo.root([
          { mode: '100644', name: Uint8Array.of(0xfe), oid: repo.blob('1') },
          { mode: '100644', name: Uint8Array.of(0xff), oid: repo.blob('2') },
        ]),
      };
    },
    code: 'SourcesPackError',
    message: /names "\uFFFD" twice/,
  },
  // Modes that name the wrong kind of object.
  {
    what: 'a directory entry (040000) naming a blob',
    build: () => {
      const repo = new Repo();
      return { repo, commit: repo.root([{ mode: '40000', name: 'dir', oid: repo.blob('x') }]) };
    },
    code: 'SourcesPackError',
    message: /: dir is a blob, not a tree/,
  },
  {
    what: 'a file entry (100644) naming a tree',
    build: () => {
      const repo = new Repo();
      const inner = repo.tree([{ mode: '100644', name: 'f', oid: repo.blob('x') }]);
      return { repo, commit: repo.root([{ mode: '100644', name: 'file', oid: inner }]) };
    },
    code: 'SourcesPackError',
    message: /: file is a tree, not a blob/,
  },
  {
    what: 'a symlink entry (120000) naming a tree',
    build: () => {
      const repo = new Repo();
      const inner = repo.tree([{ mode: '100644', name: 'f', oid: repo.blob('x') }]);
      return { repo, commit: repo.root([{ mode: '120000', name: 'link', oid: inner }]) };
    },
    code: 'SourcesPackError',
    message: /: link is a tree, not a blob/,
  },
  {
    what: 'a file entry naming a commit',
    build: () => {
      const repo = new Repo();
      const other = repo.root([{ mode: '100644', name: 'f', oid: repo.blob('x') }]);
      return { repo, commit: repo.root([{ mode: '100644', name: 'c', oid: other }]) };
    },
    code: 'SourcesPackError',
    message: /: c is a commit, not a blob/,
  },
  // Objects that are not there or not what they say.
  {
    what: 'a commit whose tree is missing',
    build: () => {
      const repo = new Repo();
      return { repo, commit: repo.commit('c'.repeat(40)) };
    },
    code: 'SourcesPackError',
    message: /the commit needs tree c{40}, which is neither in the pack nor in the store/,
  },
  {
    what: 'a subtree whose blob is missing',
    build: () => {
      const repo = new Repo();
      const sub = repo.tree([{ mode: '100644', name: 'gone', oid: 'd'.repeat(40) }]);
      return { repo, commit: repo.root([{ mode: '40000', name: 'sub', oid: sub }]) };
    },
    code: 'SourcesPackError',
    message: /sub\/gone needs blob d{40}, which is neither in the pack nor in the store/,
  },
  {
    // Ids are computed from content: a tree cannot name its own id, only one that is missing.
    what: 'a tree naming a made-up id for itself',
    build: () => {
      const repo = new Repo();
      return { repo, commit: repo.root([{ mode: '40000', name: 'loop', oid: 'e'.repeat(40) }]) };
    },
    code: 'SourcesPackError',
    message: /loop needs tree e{40}, which is neither/,
  },
  {
    what: 'a "commit" that is a tree',
    build: () => {
      const repo = new Repo();
      return { repo, commit: repo.tree([{ mode: '100644', name: 'f', oid: repo.blob('x') }]) };
    },
    code: 'SourcesPackError',
    message: /[0-9a-f]{40} is not a commit/,
  },
  {
    what: 'a commit that does not start with its tree',
    build: () => {
      const repo = new Repo();
      return { repo, commit: repo.add('commit', bytesOf('parent 0000\ntree 1111\n\nm\n')) };
    },
    code: 'SourcesPackError',
    message: /does not start with its tree/,
  },
  // Malformed tree objects.
  {
    what: 'a tree cut off inside its last id',
    build: () => {
      const repo = new Repo();
      const whole = treeData([{ mode: '100644', name: 'f', oid: repo.blob('x') }]);
      return { repo, commit: repo.commit(repo.add('tree', whole.subarray(0, whole.length - 5))) };
    },
    code: 'SourcesPackError',
    message: /tree [0-9a-f]{40} is malformed/,
  },
  {
    what: 'a tree entry without a space after its mode',
    build: () => {
      const repo = new Repo();
      const data = concatBytes([bytesOf('100644'), [0], hexBytes(repo.blob('x'))]);
      return { repo, commit: repo.commit(repo.add('tree', data)) };
    },
    code: 'SourcesPackError',
    message: /tree [0-9a-f]{40} is malformed/,
  },
  {
    // The first NUL ends the name: the 20 bytes after it are the id, and the last two bytes of
    // the real id are left over as an entry without a space or a NUL.
    what: 'a name with a NUL inside ("a\\0b")',
    build: () => {
      const repo = new Repo();
      // An id whose last two bytes are not a space (so the leftover is no entry).
      let text = 'x';
      while (
        hexBytes(objectId('blob', bytesOf(text)))
          .subarray(18)
          .includes(0x20)
      )
        text += 'x';
      return { repo, commit: repo.root([{ mode: '100644', name: 'a\0b', oid: repo.blob(text) }]) };
    },
    code: 'SourcesPackError',
    message: /tree [0-9a-f]{40} is malformed/,
  },
  // Trees past the checkout's bounds.
  {
    what: 'one subtree named ten times over, six levels deep (a million paths)',
    build: () => {
      const repo = new Repo();
      let level = repo.tree([{ mode: '100644', name: 'f', oid: repo.blob('x') }]);
      for (let depth = 0; depth < 6; depth++) {
        const below = level;
        level = repo.tree(
          Array.from({ length: 10 }, (_, i) => ({ mode: '40000', name: `d${i}`, oid: below })),
        );
      }
      return { repo, commit: repo.commit(level) };
    },
    // The default bounds, as `getSources` uses them.
    code: 'SourcesLimitError',
    message: /more than 250000 files and directories/,
  },
  {
    what: 'one tree of 5,001 entries against a bound of 5,000',
    build: () => {
      const repo = new Repo();
      const blob = repo.blob('x');
      const entries = Array.from({ length: 5_001 }, (_, i) => ({
        mode: '100644',
        name: `f${String(i).padStart(5, '0')}`,
        oid: blob,
      }));
      return { repo, commit: repo.root(entries) };
    },
    limits: { entries: 5_000, bytes: 1024 * 1024 },
    code: 'SourcesLimitError',
    message: /more than 5000 files and directories/,
  },
  {
    what: 'one 1 KiB blob named 1,100 times against a bound of 1 MiB',
    build: () => {
      const repo = new Repo();
      const blob = repo.blob('z'.repeat(1024));
      const entries = Array.from({ length: 1_100 }, (_, i) => ({
        mode: '100644',
        name: `copy${i}`,
        oid: blob,
      }));
      return { repo, commit: repo.root(entries) };
    },
    limits: { entries: 10_000, bytes: 1024 * 1024 },
    code: 'SourcesLimitError',
    message: /its files add up to more than 1 MiB/,
  },
];

/** A tree the checkout takes, and what it must make of it. */
interface Taken {
  what: string;
  check: () => Promise<void>;
}

const TAKEN: Taken[] = [
  {
    what: 'makes a submodule (gitlink) an empty directory, without reading its commit',
    check: async () => {
      const repo = new Repo();
      const commit = repo.root([
        { mode: '100644', name: 'README', oid: repo.blob('hi') },
        { mode: '160000', name: 'vendor', oid: 'f'.repeat(40) },
      ]);
      const asked: string[] = [];
      const result = await repo.checkout(commit, undefined, asked);
      expect(result.submodules).toEqual(['vendor']);
      expect(result.tree.directories).toEqual(['vendor']);
      expect(files(result).map((f) => f.path)).toEqual(['README']);
      expect(asked).not.toContain('f'.repeat(40));
    },
  },
  ...['../../etc/passwd', '/etc/passwd', '../../../.git/config'].map((target): Taken => ({
    what: `keeps a symlink to "${target}" a link whose target is data`,
    check: async () => {
      const { repo, commit } = single('link', '120000', target);
      const result = await repo.checkout(commit);
      // Executors place it as a link inside their sandbox; nothing follows it here.
      expect(files(result)).toEqual([{ path: 'link', mode: 0o120000, text: target }]);
      expect(result.lfsPointers).toEqual([]);
    },
  })),
  {
    what: 'keeps a symlinked .gitmodules a link (submodules are never read from it)',
    check: async () => {
      const { repo, commit } = single('.gitmodules', '120000', '/etc/passwd');
      const result = await repo.checkout(commit);
      expect(files(result)).toEqual([{ path: '.gitmodules', mode: 0o120000, text: '/etc/passwd' }]);
      expect(result.submodules).toEqual([]);
    },
  },
  // Spellings that are `.git` only to NTFS (8.3 names, trailing dots and spaces, streams) or
  // to HFS+ (ignorable code points): git refuses them under core.protectNTFS/HFS. The checkout
  // goes to an in-memory POSIX file system, where each is a file of its own name.
  ...['git~1', 'GIT~1', '.git ', '.git.', '.git. . ', '.git::$INDEX_ALLOCATION', '.g\u200cit'].map(
    (name): Taken => ({
      what: `keeps ${JSON.stringify(name)} a plain file of that exact name`,
      check: async () => {
        const { repo, commit } = single(name);
        const result = await repo.checkout(commit);
        expect(files(result)).toEqual([{ path: name, mode: 0o100644, text: 'payload' }]);
      },
    }),
  ),
  {
    what: 'keeps backslashes as name bytes, not separators',
    check: async () => {
      const repo = new Repo();
      const inner = repo.tree([{ mode: '100644', name: '..\\..\\evil', oid: repo.blob('bs') }]);
      const commit = repo.root([{ mode: '40000', name: 'sub', oid: inner }]);
      const result = await repo.checkout(commit);
      expect(files(result)).toEqual([{ path: 'sub/..\\..\\evil', mode: 0o100644, text: 'bs' }]);
      // The executors split paths on "/" only: no segment climbs.
      expect(result.tree.files[0]!.path.split('/')).not.toContain('..');
    },
  },
  {
    what: 'keeps over-long UTF-8 for "." and "/" replacement characters, never a separator',
    check: async () => {
      const repo = new Repo();
      const commit = repo.root([
        // 0xc0 0xae is an over-long ".", 0xc0 0xaf an over-long "/": invalid UTF-8 either way.
        { mode: '100644', name: Uint8Array.of(0xc0, 0xae, 0xc0, 0xae), oid: repo.blob('dots') },
        { mode: '100644', name: Uint8Array.of(0x61, 0xc0, 0xaf, 0x62), oid: repo.blob('slash') },
      ]);
      const result = await repo.checkout(commit);
      expect(files(result).map((f) => [f.path, f.text])).toEqual([
        ['\uFFFD\uFFFD\uFFFD\uFFFD', 'dots'],
        ['a\uFFFD\uFFFDb', 'slash'],
      ]);
    },
  },
  {
    what: 'takes unsorted entries in the order the tree lists them',
    check: async () => {
      const repo = new Repo();
      const commit = repo.root([
        { mode: '100644', name: 'z', oid: repo.blob('z') },
        { mode: '100755', name: 'a', oid: repo.blob('a') },
        { mode: '100644', name: 'm', oid: repo.blob('m') },
      ]);
      const result = await repo.checkout(commit);
      expect(files(result)).toEqual([
        { path: 'z', mode: 0o100644, text: 'z' },
        { path: 'a', mode: 0o100755, text: 'a' },
        { path: 'm', mode: 0o100644, text: 'm' },
      ]);
    },
  },
  {
    what: 'reads a tree 2,000 levels deep without running out of stack',
    check: async () => {
      const repo = new Repo();
      let level = repo.tree([{ mode: '100644', name: 'bottom', oid: repo.blob('deep') }]);
      for (let depth = 0; depth < 2_000; depth++) {
        level = repo.tree([{ mode: '40000', name: 'd', oid: level }]);
      }
      const result = await repo.checkout(repo.commit(level));
      expect(files(result)).toEqual([
        { path: `${'d/'.repeat(2_000)}bottom`, mode: 0o100644, text: 'deep' },
      ]);
    },
  },
  // git refuses these trees ("malformed mode"); here the entry must still be a blob, and
  // nothing about it may turn it into a link or a directory.
  ...['abc', '', '100644x', '0100644'].map((mode): Taken => ({
    what: `takes the mode ${JSON.stringify(mode)}, which git calls malformed, as a regular file`,
    check: async () => {
      const { repo, commit } = single('odd', mode);
      const result = await repo.checkout(commit);
      const [file] = result.tree.files;
      expect(result.tree.files).toHaveLength(1);
      expect(file?.path).toBe('odd');
      expect(decoder.decode(file?.data)).toBe('payload');
      expect((file?.mode ?? 0o100644) & 0o170000).not.toBe(0o120000);
      expect(result.tree.directories).toBeUndefined();
    },
  })),
];

describe(`the checkout of hostile trees`, () => {
  it('has the 54 trees the header and docs/architecture.md cite, each named once', () => {
    expect(REFUSED.length).toBe(33);
    expect(TAKEN.length).toBe(20);
    // The 54th names itself: the last describe below.
    expect(REFUSED.length + TAKEN.length + 1).toBe(54);
    const names = [...REFUSED, ...TAKEN].map((c) => c.what);
    expect(new Set(names).size).toBe(names.length);
  });

  describe(`${REFUSED.length} refused`, () => {
    for (const { what, build, limits, code, message } of REFUSED) {
      it(`refuses ${what}`, async () => {
        const { repo, commit } = build();
        const error = await refusal(
          repo.checkout(commit, limits),
          'expected the checkout to be refused',
        );
        expect(error.code).toBe(code);
        expect(error.message).toMatch(message);
      });
    }
  });

  describe(`${TAKEN.length} taken as documented`, () => {
    for (const { what, check } of TAKEN) it(what, check);
  });

  describe('a tree that names itself (only a store that lies about ids could)', () => {
    it('stops at the entry bound instead of running forever', async () => {
      // `read` here serves objects under ids they do not hash to, which indexPack never does:
      // the bound is what ends the walk.
      const self = '1'.repeat(40);
      const objects = new Map<string, GitObject>([
        ['2'.repeat(40), { type: 'commit', data: commitData(self) }],
        [
          '1'.repeat(40),
          { type: 'tree', data: treeData([{ mode: '40000', name: 'loop', oid: self }]) },
        ],
      ]);
      const error = await refusal(
        readFileTree({
          oid: '2'.repeat(40),
          read: (oid) => objects.get(oid) ?? null,
          limits: { entries: 2_000, bytes: 1024 },
        }),
        'expected the checkout to be refused',
      );
      expect(error.code).toBe('SourcesLimitError');
      expect(error.message).toMatch(/more than 2000 files and directories/);
    });
  });
});
