/**
 * A runner wired to a real emulator, for integration tests: the emulator hosts a fixture
 * project through `git http-backend`, the runner fetches it with isomorphic-git into a temp
 * store and runs jobs with the `shell` executor. Nothing is mocked.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createProject } from '../../emulator/git/index.ts';
import {
  startEmulator,
  type Emulator,
  type EmulatorOptions,
  type Job,
  type Project,
} from '../../emulator/index.ts';
import { createPipeline, type JobSpecJson } from '../../emulator/pipelines/index.ts';
import type { CacheStore } from '../../src/cache/index.ts';
import { createNodeCacheStore } from '../../src/cache/node-cache-store.ts';
import { createShellExecutor } from '../../src/executors/index.ts';
import {
  createGitLabClient,
  runnerFeatures,
  runnerInfo,
  type GitLabClient,
} from '../../src/gitlab/index.ts';
import { systemClock } from '../../src/platform/clock.ts';
import {
  Runner,
  createSourcesProvider,
  type RunnerEvent,
  type RunnerOptions,
} from '../../src/runner/index.ts';
import { createNodeSourceStore, nodeHttp } from '../../src/sources/node.ts';

export const FIXTURE_DIR = fileURLToPath(new URL('../fixtures/tiny-project', import.meta.url));

export interface Harness {
  emulator: Emulator;
  project: Project;
  runnerToken: string;
  client: GitLabClient;
  /**
   * The `cache:` store every runner of this harness shares (real files in a temp directory),
   * so a second job restores what a first one saved.
   */
  cache: CacheStore;
  /** A runner for this emulator; `events` collects everything it emitted. */
  makeRunner(overrides?: Partial<RunnerOptions>): {
    runner: Runner;
    events: RunnerEvent[];
    output: (jobId: number) => Uint8Array;
  };
  /** Create a pipeline on `main` from JSON job specs; returns its jobs in order. */
  pipeline(jobs: JobSpecJson[]): Promise<Job[]>;
  /** Wait until the job reaches a finished state (success, failed, canceled). */
  finished(jobId: number, timeoutMs?: number): Promise<Job>;
  close(): Promise<void>;
}

export async function startHarness(options: Partial<EmulatorOptions> = {}): Promise<Harness> {
  const emulator = await startEmulator({ longPollSeconds: 2, ...options });
  const stateDir = await mkdtemp(join(tmpdir(), 'tabrunner-it-'));
  const project = await createProject(emulator.context, {
    path: 'tiny',
    namespace: 'it',
    sourceDir: FIXTURE_DIR,
  });
  const record = emulator.createRunner({ description: 'integration', runUntagged: true });
  const client = createGitLabClient({ url: emulator.url });
  const store = createNodeSourceStore({ dir: join(stateDir, 'git') });
  const cache = createNodeCacheStore({
    dir: join(stateDir, 'cache'),
    budgetBytes: 256 * 1024 * 1024,
  });
  const runners: Runner[] = [];

  return {
    emulator,
    project,
    runnerToken: record.token,
    client,
    cache,
    makeRunner(overrides = {}) {
      const runner = new Runner({
        client,
        executor: createShellExecutor(),
        sources: createSourcesProvider({ store, http: nodeHttp }),
        cache,
        gitlabOrigin: new URL(emulator.url).origin,
        clock: systemClock,
        token: record.token,
        systemId: 'r_itest0000001',
        info: runnerInfo({
          version: '0.0.0-test',
          revision: 'test',
          executor: 'shell',
          platform: 'linux',
          architecture: 'amd64',
          features: runnerFeatures({ headersReadable: true }),
        }),
        name: 'integration-runner',
        checkIntervalSeconds: 0.2,
        executableArch: 'linux/amd64',
        ...overrides,
      });
      const events: RunnerEvent[] = [];
      runner.events.on((event) => events.push(event));
      runners.push(runner);
      const output = (jobId: number) => {
        const chunks = events.flatMap((e) =>
          e.type === 'job-output' && e.jobId === jobId ? [e.chunk] : [],
        );
        const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
        let at = 0;
        for (const c of chunks) {
          out.set(c, at);
          at += c.length;
        }
        return out;
      };
      return { runner, events, output };
    },
    async pipeline(jobs) {
      const pipeline = await createPipeline(emulator.context, project.id, { ref: 'main', jobs });
      return pipeline.jobIds.map((id) => {
        const job = emulator.state.jobs.get(id);
        if (!job) throw new Error(`no job ${id}`);
        return job;
      });
    },
    async finished(jobId, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const job = emulator.state.jobs.get(jobId);
        if (job && ['success', 'failed', 'canceled'].includes(job.status)) return job;
        if (Date.now() > deadline)
          throw new Error(`job ${jobId} still ${job?.status} after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    async close() {
      for (const runner of runners) runner.stop('immediate');
      await emulator.close();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}

export const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
