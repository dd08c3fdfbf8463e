/**
 * The e2e stack, all real and on port 0: the app built once with Vite into a temp folder, the
 * GitLab emulator (real `git http-backend`) with the sample project, the relay serving the app
 * and forwarding to the emulator, and Debian's headless Chromium.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { build } from 'vite';
import { createProject } from '../../emulator/git/index.ts';
import {
  startEmulator,
  type Emulator,
  type Job,
  type JobStatus,
  type Project,
  type Runner,
} from '../../emulator/index.ts';
import { createPipeline, type JobSpecJson } from '../../emulator/pipelines/index.ts';
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

export interface Stack {
  emulator: Emulator;
  relay: RunningRelay;
  project: Project;
  /** The runner whose token `/sandbox.json` offers. */
  sandboxRunner: Runner;
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
  const project = await createProject(emulator.context, {
    path: 'sample',
    namespace: 'demo',
    name: 'Sample',
    sourceDir: SAMPLE_DIR,
  });
  // As `npm start` does (scripts/start.ts): the page offers this sandbox in one click.
  const sandboxRunner = emulator.createRunner({ description: 'e2e sandbox' });
  await writeFile(
    join(appDir, 'sandbox.json'),
    JSON.stringify({
      gitlabUrl: emulator.url,
      token: sandboxRunner.token,
      projectUrl: `${emulator.url}/${project.fullPath}`,
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
