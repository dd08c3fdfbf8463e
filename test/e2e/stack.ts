/**
 * The e2e stack, all real and on port 0: the app built once with Vite into a temp folder, the
 * GitLab emulator (real `git http-backend`) with the sample project, the relay serving the app
 * and forwarding to the emulator, and Debian's headless Chromium.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { build } from 'vite';
import { createSampleProject } from '../../scripts/sandbox.ts';
import {
  startEmulator,
  type Emulator,
  type Job,
  type JobStatus,
  type Project,
  type Runner,
} from '../../emulator/index.ts';
import { createPipeline, parseCiConfig, type JobSpecJson } from '../../emulator/pipelines/index.ts';
import { startRelay, type RunningRelay } from '../../proxy/node.ts';
import { launchChromium } from '../support/chromium.ts';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const SAMPLE_DIR = join(ROOT, 'emulator/sample');

/** Build the app (production mode) into `outDir`. */
export async function buildApp(outDir: string): Promise<void> {
  await build({
    root: ROOT,
    configFile: join(ROOT, 'vite.config.ts'),
    logLevel: 'error',
    build: { outDir, emptyOutDir: true, reportCompressedSize: false, chunkSizeWarningLimit: 4096 },
  });
}

/**
 * The sample pipeline's jobs the sandbox's shell runner cannot take, as `npm start` lists them
 * (it filters the pipeline it created with the emulator's `canPick`). Read from the sample's
 * `.gitlab-ci.yml` instead: a pipeline here would hand its untagged jobs to the tests' runners.
 * The shell runner has no tags and runs untagged jobs, so it cannot take exactly the tagged ones.
 */
async function sampleJobsForWebContainer(): Promise<{ name: string; tags: string[] }[]> {
  const config = await parseCiConfig(
    await readFile(join(SAMPLE_DIR, '.gitlab-ci.yml'), 'utf8'),
    {},
  );
  return config.jobs
    .filter((job) => (job.tags ?? []).length > 0)
    .map((job) => ({ name: job.name, tags: job.tags ?? [] }));
}

export interface Stack {
  emulator: Emulator;
  relay: RunningRelay;
  project: Project;
  /** The shell runner whose token `/sandbox.json` offers. */
  sandboxRunner: Runner;
  /** The `node`-tagged runner `/sandbox.json` offers for a WebContainer tab. */
  sandboxWebContainerRunner: Runner;
  browser: Browser;
  /** A fresh browser profile with the app open. */
  open(): Promise<{ context: BrowserContext; page: Page }>;
  /** Queue a pipeline of JSON jobs on `main`; returns its jobs. */
  pipeline(jobs: JobSpecJson[]): Promise<Job[]>;
  /** Poll the emulator until the job has one of `statuses`. */
  waitForJob(id: number, statuses: JobStatus[], timeoutMs?: number): Promise<Job>;
  /** Close this test's browser profiles and fail the jobs it left unfinished. */
  cleanup(): Promise<void>;
  close(): Promise<void>;
}

export async function startStack(): Promise<Stack> {
  const appDir = await mkdtemp(join(tmpdir(), 'tabrunner-e2e-app-'));
  await buildApp(appDir);
  const emulator = await startEmulator({ longPollSeconds: 2 });
  // As `npm start` does: the page offers this sandbox in one click, with a shell runner for the
  // untagged jobs and a `node` runner for a WebContainer tab.
  const {
    project,
    runner: sandboxRunner,
    webContainerRunner: sandboxWebContainerRunner,
  } = await createSampleProject(emulator, 'e2e sandbox');
  await writeFile(
    join(appDir, 'sandbox.json'),
    JSON.stringify({
      gitlabUrl: emulator.url,
      token: sandboxRunner.token,
      projectUrl: `${emulator.url}/${project.fullPath}`,
      webContainerToken: sandboxWebContainerRunner.token,
      waiting: await sampleJobsForWebContainer(),
    }),
  );
  const relay = await startRelay({
    port: 0,
    upstreams: [emulator.url],
    allowPrivate: [new URL(emulator.url).host],
    appDir,
    log: () => undefined,
  });
  const browser = await launchChromium();
  const contexts: BrowserContext[] = [];

  return {
    emulator,
    relay,
    project,
    sandboxRunner,
    sandboxWebContainerRunner,
    browser,
    async open() {
      const context = await browser.newContext({
        viewport: { width: 1280, height: 900 },
        acceptDownloads: true,
      });
      contexts.push(context);
      const page = await context.newPage();
      await page.goto(relay.url);
      return { context, page };
    },
    async pipeline(jobs) {
      const pipeline = await createPipeline(emulator.context, project.id, { ref: 'main', jobs });
      return pipeline.jobIds.map((id) => {
        const job = emulator.state.jobs.get(id);
        if (!job) throw new Error(`no job ${id}`);
        return job;
      });
    },
    async waitForJob(id, statuses, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const job = emulator.state.jobs.get(id);
        if (job && statuses.includes(job.status)) return job;
        if (Date.now() > deadline) {
          throw new Error(
            `job ${id} is ${job?.status}, expected ${statuses.join(' or ')} within ${timeoutMs} ms`,
          );
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async cleanup() {
      for (const context of contexts.splice(0)) await context.close().catch(() => undefined);
      for (const job of emulator.state.jobs.values()) {
        if (['pending', 'running', 'canceling'].includes(job.status)) emulator.failJob(job.id);
      }
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close();
      await relay.close();
      await emulator.close();
      await rm(appDir, { recursive: true, force: true });
    },
  };
}
