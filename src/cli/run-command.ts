/**
 * `tabrunner run`: verify the token, then poll and run jobs with the shell executor until
 * stopped (Ctrl+C once: finish the current job; twice: stop now and report it failed).
 */
import { arch, platform } from 'node:process';
import { join } from 'node:path';
import { createNodeCacheStore } from '../cache/node-cache-store.ts';
import { isExecutorName, executors } from '../executors/index.ts';
import { runnerFeatures, runnerInfo, verifyRunner, type GitLabClient } from '../gitlab/index.ts';
import { LogText } from '../job/index.ts';
import { systemClock } from '../platform/clock.ts';
import {
  Runner,
  TABRUNNER_REVISION,
  TABRUNNER_VERSION,
  createSourcesProvider,
} from '../runner/index.ts';
import { createNodeSourceStore, nodeHttp } from '../sources/node.ts';
import type { CliIo } from './main.ts';
import { connect } from './connect.ts';
import { createFileSpool } from './file-spool.ts';
import { createLogOutput, type LogFormat } from './log-output.ts';
import { loadSystemId } from './state-dir.ts';
import { zlibRawDeflater } from './zlib-raw-deflater.ts';
import { zlibRawInflater } from './zlib-raw-inflater.ts';

export interface RunCommandOptions {
  url: string;
  token: string;
  stateDir: string;
  io: CliIo;
  executor: string;
  once: boolean;
  checkIntervalSeconds: number;
  outputLimit: number;
  name: string;
  logFormat: LogFormat;
  /** Where `cache:` archives live, null for `<stateDir>/cache` (docs/cache.md, "Where caches live: the CLI"). */
  cacheDir: string | null;
  cacheBudgetBytes: number;
}

export async function runCommand(options: RunCommandOptions): Promise<number> {
  const { io } = options;
  if (!isExecutorName(options.executor) || options.executor !== 'shell') {
    io.err(
      `tabrunner run: the "${options.executor}" executor cannot run in Node. ` +
        'Use --executor shell here; the webcontainer executor runs in the browser tab.',
    );
    return 2;
  }
  const client = connect(options.url, io);
  if (!client) return 2;
  const systemId = await loadSystemId(options.stateDir);
  const info = runnerInfo({
    version: TABRUNNER_VERSION,
    revision: TABRUNNER_REVISION,
    executor: options.executor,
    shell: 'bash',
    platform,
    architecture: arch,
    features: runnerFeatures({ headersReadable: true }),
  });
  if (!(await verify(client, options.token, systemId, info, io))) return 1;

  const runner = new Runner({
    client,
    executor: executors[options.executor](),
    sources: createSourcesProvider({
      store: createNodeSourceStore({ dir: join(options.stateDir, 'git') }),
      http: nodeHttp,
    }),
    cache: createNodeCacheStore({
      dir: options.cacheDir ?? join(options.stateDir, 'cache'),
      budgetBytes: options.cacheBudgetBytes,
    }),
    gitlabOrigin: new URL(client.url).origin,
    // Node's zlib deflates and inflates about twice as fast as fflate, and an artifact waits for
    // its upload in a temporary file, not in memory (docs/cli.md, "Archives").
    archiving: { deflater: zlibRawDeflater, inflater: zlibRawInflater, spool: createFileSpool },
    clock: systemClock,
    token: options.token,
    systemId,
    info,
    name: options.name,
    checkIntervalSeconds: options.checkIntervalSeconds,
    outputLimit: options.outputLimit,
    executableArch: `${platform}/${arch}`,
  });
  // The job's log as the page terminal shows it (timestamps hidden), in the chosen format.
  const output = createLogOutput(options.logFormat, io, () => new Date(systemClock.now()));
  let log = new LogText();
  runner.events.on((event) => {
    switch (event.type) {
      case 'job-started':
        log = new LogText();
        output.jobStarted(event.job);
        break;
      case 'job-output':
        output.jobText(log.push(event.chunk));
        break;
      case 'job-finished':
        output.jobText(log.flush());
        output.jobFinished(event.job, event);
        break;
      case 'error':
        io.err(`tabrunner: ${event.message}`);
        break;
      default:
        break;
    }
  });

  let interrupts = 0;
  const onSignal = () => {
    interrupts += 1;
    if (interrupts === 1) io.err('Stopping after the current job (Ctrl+C again to stop now).');
    runner.stop(interrupts === 1 ? 'graceful' : 'immediate');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    output.polling({
      version: TABRUNNER_VERSION,
      url: client.url,
      systemId,
      once: options.once,
    });
    const { outcomes, reason } = await runner.run({ once: options.once });
    if (runner.state === 'error') return 1;
    if (options.once) {
      const job = outcomes[0];
      if (!job) {
        io.err(`tabrunner: no job was run (${reason}).`);
        return 1;
      }
      return job.reported ? 0 : 1;
    }
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function verify(
  client: GitLabClient,
  token: string,
  systemId: string,
  info: ReturnType<typeof runnerInfo>,
  io: CliIo,
): Promise<boolean> {
  const answer = await verifyRunner(client, { token, systemId, info });
  switch (answer.kind) {
    case 'valid':
      return true;
    case 'forbidden':
      io.err(
        'tabrunner: GitLab does not accept this runner token (403). Check that you copied the whole ' +
          'glrt-… token and that the runner still exists in GitLab (Settings › CI/CD › Runners).',
      );
      return false;
    case 'orphaned':
      io.err(
        'tabrunner: GitLab says this runner is orphaned (no project or group owns it). Create a new runner.',
      );
      return false;
    case 'failed':
      io.err(
        answer.status === null
          ? `tabrunner: cannot reach GitLab at ${client.url}: ${answer.message}. Check the URL and your network.`
          : `tabrunner: GitLab answered ${answer.message} when verifying the token.`,
      );
      return false;
  }
}
