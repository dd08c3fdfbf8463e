/**
 * Putting a received pack into a store: `objects/pack/pack-<checksum>.pack` is written while the
 * pack is indexed (in the Worker the IndexedDB write costs as much as the indexing), and its
 * `.idx` only once indexing accepted it, so a rejected pack stays invisible to readers (git and
 * `pack-reader.ts` find objects through `.idx` files) and is deleted. A pack that brought no
 * objects is deleted too.
 */
import { oidAt } from '../git/pack/git-object.ts';
import type { IndexedPack } from '../git/pack/index-pack.ts';
import type { StoreFs } from './source-store.ts';

/** Write `pack` into `gitdir` while `index` checks it; resolves with what `index` found. */
export async function writePack(
  fs: StoreFs,
  gitdir: string,
  pack: Uint8Array,
  index: (pack: Uint8Array) => Promise<IndexedPack>,
): Promise<IndexedPack> {
  const base = `${gitdir}/objects/pack/pack-${oidAt(pack, pack.length - 20)}`;
  const written = Promise.resolve(fs.promises.writeFile(`${base}.pack`, pack));
  let indexed: IndexedPack;
  try {
    indexed = await index(pack);
  } catch (err) {
    await written.then(
      () => fs.promises.unlink(`${base}.pack`),
      () => undefined,
    );
    throw err;
  }
  await written;
  if (indexed.objects.size) await fs.promises.writeFile(`${base}.idx`, indexed.idx);
  else await fs.promises.unlink(`${base}.pack`);
  return indexed;
}
