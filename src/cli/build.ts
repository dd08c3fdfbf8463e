/**
 * Compiles the headless CLI to one ES module plus lazily loaded chunks, so `npx tabrunner`
 * starts in plain Node instead of compiling TypeScript through tsx on every start (docs/cli.md,
 * "How the CLI starts"). `npm ci` and `npm install` run it (`prepare`); `npm run build:cli`
 * runs it by hand. Packages stay in node_modules (`packages: 'external'`): only our sources are
 * bundled, so the manifest of those sources is all bin/tabrunner.js checks for staleness.
 */
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Where bin/tabrunner.js looks by default: ignored by git, eslint, prettier and vitest alike. */
export const DEFAULT_OUT_DIR = join(ROOT, 'node_modules', '.cache', 'tabrunner-cli');

/** What bin/tabrunner.js reads to decide whether the compiled CLI matches the sources. */
export interface CliManifest {
  /** Bumped when the manifest's shape changes; the bin treats other versions as stale. */
  version: 1;
  /** The entry module, relative to the output directory. */
  entry: string;
  /** Every source file compiled in, relative to the repository root, with what it was then. */
  inputs: Record<string, { mtimeMs: number; size: number }>;
}

export const MANIFEST_FILE = 'manifest.json';

/** Build into `outDir`, replacing what was there only once the new build is complete. */
export async function buildCli(outDir: string = DEFAULT_OUT_DIR): Promise<CliManifest> {
  await mkdir(dirname(outDir), { recursive: true });
  // Two builds at once (two `npm install`s, a test and a developer) must not mix their chunks.
  const staging = `${outDir}.${process.pid}.${Date.now()}.tmp`;
  const started = Date.now();
  try {
    const result = await build({
      absWorkingDir: ROOT,
      entryPoints: { tabrunner: 'src/cli/main.ts' },
      outdir: staging,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      sourcemap: 'linked',
      metafile: true,
      logLevel: 'silent',
      // Chunk names carry a content hash; the entry keeps a fixed name for the bin.
      entryNames: '[name]',
      chunkNames: 'chunks/[name]-[hash]',
    });
    const inputs: CliManifest['inputs'] = {};
    // This file decides how the CLI is built: a change to it makes the build stale too.
    const sources = [
      ...Object.keys(result.metafile.inputs),
      relative(ROOT, fileURLToPath(import.meta.url)),
    ];
    for (const input of sources) {
      const info = await stat(join(ROOT, input));
      // Saved while esbuild read it: the bundle may hold either version, so call it stale.
      const changedDuringBuild = info.mtimeMs >= started;
      inputs[input] = { mtimeMs: changedDuringBuild ? -1 : info.mtimeMs, size: info.size };
    }
    const manifest: CliManifest = { version: 1, entry: 'tabrunner.js', inputs };
    await writeFile(join(staging, MANIFEST_FILE), `${JSON.stringify(manifest, null, 1)}\n`);
    await replaceDir(staging, outDir);
    return manifest;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** Swap the finished build in; another build finishing at the same moment just wins instead. */
async function replaceDir(from: string, to: string): Promise<void> {
  for (let attempt = 0; ; attempt += 1) {
    await rm(to, { recursive: true, force: true });
    try {
      await rename(from, to);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (attempt >= 3 || (code !== 'ENOTEMPTY' && code !== 'EEXIST')) throw err;
    }
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // `prepare` passes --if-possible: a source that does not compile yet (an edit in progress)
  // must not fail `npm install`, since the bin falls back to tsx and says so.
  const ifPossible = process.argv.includes('--if-possible');
  const dirArg = process.argv.slice(2).find((arg) => !arg.startsWith('--'));
  const outDir = dirArg ? resolve(dirArg) : DEFAULT_OUT_DIR;
  try {
    const manifest = await buildCli(outDir);
    console.log(
      `tabrunner: compiled the CLI (${Object.keys(manifest.inputs).length} sources) into ${relative(process.cwd(), outDir) || '.'}`,
    );
  } catch (err) {
    console.error(`tabrunner: could not compile the CLI: ${(err as Error).message}`);
    console.error('Until it compiles, npx tabrunner runs the sources through tsx (slower start).');
    if (!ifPossible) process.exitCode = 1;
  }
}
