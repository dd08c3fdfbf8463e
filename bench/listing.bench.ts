/**
 * The shell workspace's `listFiles` over one chain of nested directories, at two depths in one
 * run: the ratio shows how the cost grows. Doubling the depth doubles both the number of paths
 * and their length, so 4 is the floor for anything that reads them; the readdir walk it
 * replaced gave 8. A hostile checkout or archive chooses the depth, and extraction lists the project.
 */
import { createShellExecutor } from '../src/executors/shell/index.ts';

export interface ListingBenchResult {
  depth: number;
  ms: number;
}

async function listAtDepth(depth: number): Promise<number> {
  const executor = createShellExecutor();
  try {
    const deep = Array.from({ length: depth }, () => 'd').join('/');
    const workspace = await executor.prepare(
      { files: [{ path: `${deep}/f`, data: new Uint8Array(1) }] },
      { projectDir: '/builds/p', env: {} },
    );
    const start = performance.now();
    const files = await workspace.listFiles('/builds/p');
    const ms = performance.now() - start;
    if (files.length !== 1) throw new Error(`listed ${files.length} files, expected 1`);
    return ms;
  } finally {
    await executor.dispose();
  }
}

export async function benchListing(depths: readonly number[]): Promise<ListingBenchResult[]> {
  const out: ListingBenchResult[] = [];
  for (const depth of depths) out.push({ depth, ms: await listAtDepth(depth) });
  return out;
}
