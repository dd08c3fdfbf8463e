/**
 * `npm run emulator`: starts the GitLab emulator with the sample project (emulator/sample/), a
 * pipeline from its `.gitlab-ci.yml` and a runner, then prints the URL, the runner token, how
 * to connect, and the `git remote add` line (with the workshop password) to push to the sample
 * as `npm start` prints it (scripts/room-urls.ts). Flags: `--port <n>` (default 8080; 0 picks a free port), `--host <addr>`
 * (default 127.0.0.1; with 0.0.0.0 its URLs name this machine's LAN address, its external URL).
 * Runs until interrupted.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort } from '../scripts/free-port.ts';
import { emulatorRoomUrls, roomEmulatorUrl } from '../scripts/room-urls.ts';
import { createProject } from './git/index.ts';
import { startEmulator, type Emulator } from './index.ts';
import { createPipeline } from './pipelines/index.ts';

/** Where the sample project lives. */
export const SAMPLE_DIR = fileURLToPath(new URL('./sample', import.meta.url));

export interface DemoOptions {
  port: number;
  host: string;
}

/** Parse `--port` and `--host`; throws with a usage line on anything else. */
export function parseCliArgs(argv: string[]): DemoOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '8080' },
      host: { type: 'string', default: '127.0.0.1' },
    },
    strict: true,
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--port must be a number from 0 to 65535, got "${values.port}"`);
  }
  return { port, host: values.host };
}

/** The running demo and the lines that tell a person how to use it. */
export interface Demo {
  emulator: Emulator;
  /** Token of the runner tagged `node` that also runs untagged jobs (for the tab). */
  runnerToken: string;
  /** Token of an untagged runner that takes only the untagged shell jobs (for the CLI). */
  shellRunnerToken: string;
  banner: string;
}

/** Start the emulator with the sample project, one pipeline and one runner. */
export async function startDemo(options: DemoOptions): Promise<Demo> {
  // Reachable by a room, the emulator is named for it (its external URL), as `npm start` does.
  const room = { host: options.host, publicUrls: [] };
  const port =
    options.port === 0 && roomEmulatorUrl(room, 0) !== undefined
      ? await freePort(options.host)
      : options.port;
  const externalUrl = roomEmulatorUrl(room, port);
  const emulator = await startEmulator({
    port,
    host: options.host,
    ...(externalUrl ? { externalUrl } : {}),
  });
  try {
    const project = await createProject(emulator.context, {
      path: 'sample',
      namespace: 'demo',
      name: 'Sample',
      sourceDir: SAMPLE_DIR,
    });
    const pipeline = await createPipeline(emulator.context, project.id, { ref: 'main' });
    const runner = emulator.createRunner({ description: 'tabrunner demo', tags: ['node'] });
    // A second runner without tags takes only the untagged (shell) jobs: the one for the CLI.
    const shellRunner = emulator.createRunner({ description: 'tabrunner demo (shell)' });
    const { remotes } = emulatorRoomUrls({
      emulatorUrl: emulator.externalUrl,
      projectPaths: [project.fullPath],
      password: emulator.workshopPassword,
    });
    const banner = [
      `GitLab emulator listening on ${emulator.externalUrl}`,
      `  pipelines and logs:  ${emulator.externalUrl}/`,
      `  project:             ${emulator.externalUrl}/${project.fullPath} (pipeline #${pipeline.id})`,
      `  runner token:        ${runner.token}`,
      `  admin token:         ${emulator.adminToken}`,
      `  workshop password:   ${emulator.workshopPassword}  (git fetch and push only)`,
      '',
      'Push to the sample project, a pipeline per push, after adding it as a remote:',
      ...remotes.map((remote) => `  ${remote.command}`),
      '',
      'Run the shell jobs headless with:',
      `  npx tabrunner run --url ${emulator.externalUrl} --token ${shellRunner.token}`,
      'or open the tabrunner page and paste the URL and the runner token above: jobs tagged',
      '"node" need the WebContainer executor; the others run in the shell sandbox.',
      'Press Ctrl+C to stop.',
    ].join('\n');
    return { emulator, runnerToken: runner.token, shellRunnerToken: shellRunner.token, banner };
  } catch (error) {
    await emulator.close();
    throw error;
  }
}

async function main(): Promise<void> {
  const demo = await startDemo(parseCliArgs(process.argv.slice(2)));
  console.log(demo.banner);
  const stop = () => {
    void demo.emulator.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  });
}
