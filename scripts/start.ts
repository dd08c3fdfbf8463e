/**
 * `npm start`: the one-command sandbox. Builds the app into `node_modules/.cache/tabrunner-app`
 * (when missing or older than its sources), starts the GitLab emulator with the sample project and a pipeline
 * from its `.gitlab-ci.yml`, starts the relay serving the app and forwarding to the emulator,
 * and prints the URL.
 *
 * The page learns about the sandbox from `/sandbox.json`, written next to the built app: the
 * emulator's URL and a fresh runner token, so "Connect to the local sandbox" is one click. The
 * relay binds 127.0.0.1, so only this machine can read it; a production build (`npm run build`
 * into dist/) has no such file and the page offers no sandbox.
 *
 * Flags: `--port <n>` relay port (default 8787, a free one if taken), `--host <addr>` (default
 * 127.0.0.1), `--public-url <url>` (repeatable: a name the page is opened by other than the
 * listen address, such as a LAN address; the relay refuses other Host names, docs/relay.md),
 * `--rebuild` (build even when up to date), `--verbose` (relay access log).
 */
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'vite';
import { createProject } from '../emulator/git/index.ts';
import { startEmulator } from '../emulator/index.ts';
import { canPick } from '../emulator/jobs/index.ts';
import { createPipeline } from '../emulator/pipelines/index.ts';
import { startRelay, type RunningRelay } from '../proxy/node.ts';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
// In node_modules/.cache like other tools' build caches: ignored by git, lint and format, and
// never mistaken for dist/ (which must not carry sandbox.json into a deployment).
const APP_DIR = join(ROOT, 'node_modules/.cache/tabrunner-app');
const STAMP = join(APP_DIR, '.built');
const SAMPLE_DIR = join(ROOT, 'emulator/sample');
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

async function listen(options: Parameters<typeof startRelay>[0]): Promise<RunningRelay> {
  try {
    return await startRelay(options);
  } catch (err) {
    if ((err as { code?: string }).code !== 'EADDRINUSE') throw err;
    console.log(`Port ${options.port} is taken; using a free one.`);
    return startRelay({ ...options, port: 0 });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8787' },
      host: { type: 'string', default: '127.0.0.1' },
      'public-url': { type: 'string', multiple: true, default: [] },
      rebuild: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
    },
    strict: true,
  });
  await buildIfStale(values.rebuild);

  const emulator = await startEmulator({ port: 0, host: '127.0.0.1' });
  const project = await createProject(emulator.context, {
    path: 'sample',
    namespace: 'demo',
    name: 'Sample',
    sourceDir: SAMPLE_DIR,
  });
  const pipeline = await createPipeline(emulator.context, project.id, { ref: 'main' });
  // Two runners, as two donated tabs would be: the shell one takes the untagged jobs; the
  // sample's `node`-tagged jobs wait for a tab that connects the WebContainer one (it needs
  // stackblitz.com), and the page says so.
  const runner = emulator.createRunner({ description: 'tabrunner sandbox', runUntagged: true });
  const webContainerRunner = emulator.createRunner({
    description: 'tabrunner sandbox (WebContainer)',
    tags: ['node'],
    runUntagged: false,
  });
  const waiting = pipeline.jobIds
    .map((id) => emulator.state.jobs.get(id))
    .filter((job) => job !== undefined && !canPick(runner, job))
    .map((job) => ({ name: job?.name ?? '', tags: job?.tags ?? [] }));

  const relay = await listen({
    port: Number(values.port),
    host: values.host,
    upstreams: [emulator.url],
    allowPrivate: [new URL(emulator.url).host],
    publicUrls: values['public-url'],
    appDir: APP_DIR,
    ...(values.verbose ? {} : { log: () => undefined }),
  });
  await mkdir(APP_DIR, { recursive: true });
  const projectUrl = `${emulator.url}/${project.fullPath}`;
  await writeFile(
    join(APP_DIR, 'sandbox.json'),
    JSON.stringify({
      gitlabUrl: emulator.url,
      token: runner.token,
      projectUrl,
      webContainerToken: webContainerRunner.token,
      waiting,
    }),
  );

  console.log(
    [
      '',
      `  tabrunner is ready:   ${relay.url}/`,
      '',
      `  GitLab emulator:      ${emulator.url}/  (pipeline #${pipeline.id} of ${project.fullPath})`,
      '  Open the page and press "Connect to the local sandbox"; the untagged jobs run in the tab.',
      '  The node jobs need a WebContainer runner (a second tab, with internet for stackblitz.com).',
      `  Restart this command for a fresh pipeline.`,
      '  Press Ctrl+C to stop.',
      '',
    ].join('\n'),
  );

  const stop = () => {
    void Promise.all([relay.close(), emulator.close()]).then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
