/**
 * `npm start`: the one-command sandbox. Builds the app into `node_modules/.cache/tabrunner-app`
 * (when missing or older than its sources), then starts the sandbox (scripts/sandbox.ts): the
 * GitLab emulator with the sample project, its pipeline and two runners, and the relay serving
 * the app and forwarding to the emulator; then prints the URL.
 *
 * The page learns about the sandbox from `/sandbox.json`, written next to the built app: the
 * emulator's URL and the runner tokens, so "Connect to the local sandbox" is one click. The
 * relay binds 127.0.0.1, so only this machine can read it, unless `--host` lets a room in to
 * connect its tabs the same way; a production build (`npm run build`
 * into dist/) carries only `public/sandbox.json`, `{}`, which offers no sandbox (and spares
 * every page load a 404).
 *
 * Ports, tokens, the project and the jobs are kept in a state folder across restarts, so a tab
 * left open keeps working; the flags are in HELP below. For a workshop (docs/workshop.md) it
 * serves `--project` repositories and prints what the room needs (scripts/start-banner.ts): the
 * page, the pipelines page and the clone URLs with the workshop password, which is printed here
 * and nowhere else.
 */
import { readdir, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { checkPorts, loadSandbox, startSandbox, stateFileOf } from './sandbox.ts';
import { signInUrl } from '../emulator/page/index.ts';
import { isLoopbackHost, roomUrls } from './room-urls.ts';
import { startBanner } from './start-banner.ts';
import { HELP, parseStartArgs, readTlsFiles, type StartArgs } from './start-args.ts';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
// In node_modules/.cache like other tools' build caches: ignored by git, lint and format, and
// never mistaken for dist/ (which must carry only the empty sandbox.json into a deployment).
// TABRUNNER_APP_DIR moves it, so tests of this script never rebuild or rewrite the shared one.
const APP_DIR = resolve(
  process.env['TABRUNNER_APP_DIR'] ?? join(ROOT, 'node_modules/.cache/tabrunner-app'),
);
const STAMP = join(APP_DIR, '.built');
/** What the built app depends on. */
const SOURCES = ['src', 'index.html', 'vite.config.ts', 'package-lock.json'];

async function newestMtime(path: string): Promise<number> {
  const info = await stat(path).catch(() => null);
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of await readdir(path))
    newest = Math.max(newest, await newestMtime(join(path, entry)));
  return newest;
}

async function buildIfStale(force: boolean): Promise<void> {
  const built = (await stat(STAMP).catch(() => null))?.mtimeMs ?? 0;
  const sources = Math.max(...(await Promise.all(SOURCES.map((s) => newestMtime(join(ROOT, s))))));
  if (!force && built > sources) return;
  console.log('Building the app …');
  await build({
    root: ROOT,
    configFile: join(ROOT, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir: APP_DIR, emptyOutDir: true, chunkSizeWarningLimit: 4096 },
  });
  await writeFile(STAMP, new Date().toISOString());
}

async function main(): Promise<void> {
  let args: StartArgs;
  try {
    args = parseStartArgs(process.argv.slice(2), process.env);
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n`);
    console.error(HELP);
    process.exit(2);
  }
  if (args.help) {
    console.log(HELP);
    return;
  }
  // Before the build, which takes a while: a broken state file, a taken port or an unreadable
  // certificate is said at once.
  const saved = await loadSandbox(args.stateDir, args.fresh);
  await checkPorts(args, saved);
  const tls = args.tlsFiles ? await readTlsFiles(args.tlsFiles) : undefined;
  await buildIfStale(args.rebuild);
  const sandbox = await startSandbox({
    ...args,
    fresh: false,
    saved,
    appDir: APP_DIR,
    ...(tls ? { tls } : {}),
  });
  const { relay, emulator, pipeline } = sandbox;
  const project = pipeline ? emulator.state.projects.get(pipeline.projectId) : undefined;
  const room = roomUrls({
    host: args.host,
    publicUrls: args.publicUrls,
    relayUrl: relay.url,
    emulatorUrl: emulator.externalUrl,
    projectPaths: sandbox.projects.map((p) => p.fullPath),
    password: emulator.workshopPassword,
    ...(tls ? { certificate: tls.cert } : {}),
  });

  if (sandbox.fellBackFrom !== null) {
    console.log(`Port ${sandbox.fellBackFrom} is taken; using a free one.`);
  }
  for (const imported of sandbox.imported) {
    console.log(`Imported ${imported.fullPath} (default branch ${imported.defaultBranch}).`);
  }
  console.log(
    startBanner({
      room,
      emulatorUrl: emulator.url,
      ...(pipeline ? { pipeline: { id: pipeline.id, project: project?.fullPath ?? '' } } : {}),
      workshop: args.projects.length > 0,
      loopbackOnly: isLoopbackHost(args.host),
      stateFile: stateFileOf(args.stateDir),
      ...(saved
        ? { savedPorts: { relayPort: saved.relayPort, emulatorPort: saved.emulatorPort } }
        : {}),
      relayPort: Number(new URL(relay.url).port),
      emulatorPort: Number(new URL(emulator.url).port),
      signInUrl: signInUrl(emulator.context),
    }),
  );

  const stop = () => {
    void sandbox.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error instanceof Error ? error.message : String(error));
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
