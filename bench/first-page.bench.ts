/**
 * What the first page downloads: the JavaScript index.html loads before anything is clicked
 * (its entry chunk and every chunk that imports statically), gzipped, against the same app
 * built as one chunk, which is what the page loaded before the executors (just-bash), xterm
 * and the self-check page were split off. Both are `vite build`s of the app's own config into a
 * temporary folder. The goal is ≤ 250 kB: the connect screen shows a form, not a shell.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** One chunk of Vite's build manifest (vite.dev/guide/backend-integration). */
interface ManifestChunk {
  file: string;
  isEntry?: boolean;
  /** Manifest keys of the chunks this one imports statically: they load with it. */
  imports?: string[];
}

export interface FirstPageResult {
  /** The JavaScript files the first page loads, as built. */
  files: string[];
  /** Their gzipped size, in bytes (zlib's default level). */
  firstPageBytes: number;
  /** The app built as one chunk, gzipped, in bytes. */
  oneChunkBytes: number;
}

/** Build the app into `outDir` and return its manifest. */
async function buildApp(outDir: string, oneChunk: boolean): Promise<Record<string, ManifestChunk>> {
  await build({
    root: ROOT,
    configFile: join(ROOT, 'vite.config.ts'),
    logLevel: 'silent',
    build: {
      outDir,
      emptyOutDir: true,
      manifest: true,
      ...(oneChunk ? { rolldownOptions: { output: { codeSplitting: false } } } : {}),
    },
  });
  return JSON.parse(await readFile(join(outDir, '.vite', 'manifest.json'), 'utf8')) as Record<
    string,
    ManifestChunk
  >;
}

/** index.html's entry chunk and every chunk reached from it by static imports. */
function initialFiles(manifest: Record<string, ManifestChunk>): string[] {
  const entry = manifest['index.html'];
  if (!entry?.isEntry) throw new Error('the build manifest has no index.html entry');
  const seen = new Set<string>();
  const visit = (chunk: ManifestChunk) => {
    if (seen.has(chunk.file)) return;
    seen.add(chunk.file);
    for (const key of chunk.imports ?? []) {
      const imported = manifest[key];
      if (!imported) throw new Error(`the build manifest names ${key} but has no such chunk`);
      visit(imported);
    }
  };
  visit(entry);
  return [...seen].filter((file) => file.endsWith('.js'));
}

async function gzippedBytes(outDir: string, files: readonly string[]): Promise<number> {
  let total = 0;
  for (const file of files) total += gzipSync(await readFile(join(outDir, file))).length;
  return total;
}

export async function benchFirstPage(): Promise<FirstPageResult> {
  const temp = await mkdtemp(join(tmpdir(), 'tabrunner-first-page-'));
  try {
    const split = join(temp, 'split');
    const files = initialFiles(await buildApp(split, false));
    const whole = join(temp, 'one-chunk');
    const oneChunk = initialFiles(await buildApp(whole, true));
    return {
      files,
      firstPageBytes: await gzippedBytes(split, files),
      oneChunkBytes: await gzippedBytes(whole, oneChunk),
    };
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

/** The table row for bench/index.ts. */
export function firstPageRows(
  result: FirstPageResult,
): { measure: string; value: string; goal: string }[] {
  const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;
  return [
    {
      measure: `first page JS gzipped (${result.files.length} file${result.files.length === 1 ? '' : 's'})`,
      value: `${kB(result.firstPageBytes)} (the app as one chunk ${kB(result.oneChunkBytes)}, ratio ${(result.firstPageBytes / result.oneChunkBytes).toFixed(2)})`,
      goal: '≤ 250 kB',
    },
  ];
}
