/**
 * The files of a store's bare git directory other than packs (gitrepository-layout(5)): `config`
 * with the remote, `HEAD`, `shallow`, and the `objects/` and `refs/` folders git needs to call
 * the directory a repository. Written here rather than by isomorphic-git, whose UMD build and the
 * `Buffer` it needs were most of the sources Worker's code for these few small files; git and
 * isomorphic-git read the result (src/sources/store/bare-repository.test.ts).
 */
import { readConfigValue, setConfigValue } from './git-config.ts';
import type { StoreFs } from './source-store.ts';

/** The remote every store fetches from; git's default name, so `git fetch` works in a store too. */
const ORIGIN = 'remote.origin';
/** A branch nothing ever creates: a store's HEAD is detached at the last job's commit. */
const UNBORN_HEAD = 'ref: refs/heads/none\n';
const FOLDERS = ['objects', 'objects/info', 'objects/pack', 'refs', 'refs/heads', 'refs/tags'];
const CORE = '[core]\n\trepositoryformatversion = 0\n\tbare = true\n';
const OID = /^[0-9a-f]{40}$/;

async function readText(fs: StoreFs, path: string): Promise<string | null> {
  try {
    return (await fs.promises.readFile(path, 'utf8')) as string;
  } catch {
    return null;
  }
}

/**
 * Make `gitdir` a bare repository unless it already has a config; true when it had one. The
 * config is written last, so an initialisation cut short is done again next time.
 */
export async function initBareRepository(fs: StoreFs, gitdir: string): Promise<boolean> {
  if ((await readText(fs, `${gitdir}/config`)) !== null) return true;
  for (const folder of FOLDERS) {
    try {
      await fs.promises.mkdir(`${gitdir}/${folder}`);
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'EEXIST') throw err;
    }
  }
  await fs.promises.writeFile(`${gitdir}/HEAD`, UNBORN_HEAD, 'utf8');
  await fs.promises.writeFile(`${gitdir}/config`, CORE, 'utf8');
  return false;
}

/**
 * Point `origin` at `url` (credential-free: a store never holds a token). `added` when the
 * store had no origin yet, `changed` when it had another URL, `unchanged` otherwise.
 */
export async function setOriginUrl(
  fs: StoreFs,
  gitdir: string,
  url: string,
): Promise<'added' | 'changed' | 'unchanged'> {
  const path = `${gitdir}/config`;
  const text = (await readText(fs, path)) ?? '';
  const current = readConfigValue(text, `${ORIGIN}.url`);
  if (current === url) return 'unchanged';
  let next = setConfigValue(text, `${ORIGIN}.url`, url);
  // What `git remote add` writes; only git itself reads it (the store's fetch names its wants).
  if (current === undefined)
    next = setConfigValue(next, `${ORIGIN}.fetch`, '+refs/heads/*:refs/remotes/origin/*');
  await fs.promises.writeFile(path, next, 'utf8');
  return current === undefined ? 'added' : 'changed';
}

/** The commit HEAD is detached at, or null (a new store's HEAD names an unborn branch). */
export async function readDetachedHead(fs: StoreFs, gitdir: string): Promise<string | null> {
  const head = ((await readText(fs, `${gitdir}/HEAD`)) ?? '').trim();
  return OID.test(head) ? head : null;
}

/** Detach HEAD at `oid`, as the runner's workspace is; it is the next fetch's `have`. */
export async function writeDetachedHead(fs: StoreFs, gitdir: string, oid: string): Promise<void> {
  await fs.promises.writeFile(`${gitdir}/HEAD`, `${oid}\n`, 'utf8');
}

/** The commits whose parents a shallow fetch left out (the `shallow` file). */
export async function readShallow(fs: StoreFs, gitdir: string): Promise<Set<string>> {
  const text = (await readText(fs, `${gitdir}/shallow`)) ?? '';
  return new Set(text.split('\n').filter(Boolean));
}

/** Replace the `shallow` file; an empty boundary removes it, as git does. */
export async function writeShallow(
  fs: StoreFs,
  gitdir: string,
  shallow: ReadonlySet<string>,
): Promise<void> {
  const path = `${gitdir}/shallow`;
  if (shallow.size) await fs.promises.writeFile(path, [...shallow, ''].join('\n'));
  else await Promise.resolve(fs.promises.unlink(path)).catch(() => undefined);
}
