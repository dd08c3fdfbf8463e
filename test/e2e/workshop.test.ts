/**
 * A workshop, end to end (docs/workshop.md): the real `npm start` script serving a temporary
 * repository given with `--project`, a participant's tab (the built app in Debian's headless
 * Chromium) connected through the relay, a participant's `git push` with the git CLI and the
 * printed workshop remote, and the instructor pressing the emulator page's buttons after
 * opening the sign-in link start printed. `npm run screenshots` also saves the pipelines page
 * and the runners view to docs/screenshots/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshots, waitForState } from './page-helpers.ts';
import { buildApp } from './stack.ts';
import { launchChromium } from '../support/chromium.ts';
import { git } from '../support/git-cli.ts';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const TSX = join(ROOT, 'node_modules/tsx/dist/cli.mjs');
/** How long start may take once the app is built (it finds the build up to date). */
const START_TIMEOUT_MS = 60_000;
/** How long a pipeline of shell jobs may take on the tab. */
const PIPELINE_TIMEOUT_MS = 90_000;

const FIRST_CONFIG = `build:
  script:
    - echo "version one"
`;

/** What the participant pushes: three stages, two test shards, and a manual deploy (not blocking: allow_failure). */
const PUSHED_CONFIG = `stages: [build, test, deploy]

build:
  stage: build
  script:
    - echo "compiled at $CI_COMMIT_SHORT_SHA" > out.txt
  artifacts:
    paths: [out.txt]

test:
  stage: test
  parallel: 2
  script:
    - cat out.txt
    - echo "shard $CI_NODE_INDEX of $CI_NODE_TOTAL"
    - test "$CI_PIPELINE_SOURCE" = push

deploy:
  stage: deploy
  when: manual
  script:
    - echo "deployed by $GITLAB_USER_LOGIN"
`;

interface Started {
  child: ChildProcess;
  output: () => string;
  pageUrl: string;
  emulatorUrl: string;
  remote: string;
  signIn: string;
  adminToken: string;
}

interface JobJson {
  id: number;
  name: string;
  status: string;
  pipeline_id: number;
  system_id: string | null;
  retried: boolean;
}

let work = '';
let started: Started | undefined;
let browser: Browser | undefined;

/** Run `scripts/start.ts` as `npm start` would, and read what it prints for the room. */
async function startWorkshop(project: string, stateDir: string, appDir: string): Promise<Started> {
  const child = spawn(
    process.execPath,
    [TSX, 'scripts/start.ts', '--project', project, '--port', '0', '--state-dir', stateDir],
    { cwd: ROOT, env: { ...process.env, TABRUNNER_APP_DIR: appDir } },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!out.includes('Press Ctrl+C to stop.')) {
    if (child.exitCode !== null) {
      throw new Error(`npm start exited ${child.exitCode}:\n${out}\n${err}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(
        `npm start printed no "Press Ctrl+C to stop." within ${START_TIMEOUT_MS} ms; ` +
          `is the app build in ${appDir} stale (it would rebuild)?\n${out}\n${err}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const line = (pattern: RegExp) => {
    const found = pattern.exec(out)?.[1];
    if (!found) throw new Error(`npm start did not print ${pattern}:\n${out}`);
    return found;
  };
  const state = JSON.parse(await readFile(join(stateDir, 'state.json'), 'utf8')) as {
    adminToken: string;
  };
  return {
    child,
    output: () => out,
    pageUrl: line(/tabrunner is ready:\s+(\S+)/),
    emulatorUrl: line(/GitLab emulator:\s+(\S+?)\/?\s/),
    remote: line(/git remote add workshop (\S+)/),
    signIn: line(/(http:\/\/\S+\/-\/sign-in\?code=\S+)/),
    adminToken: state.adminToken,
  };
}

async function stopWorkshop(running: Started): Promise<void> {
  if (running.child.exitCode !== null) return;
  const exited = new Promise((done) => running.child.once('exit', done));
  running.child.kill('SIGTERM');
  const timer = setTimeout(() => running.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

async function jobs(running: Started): Promise<JobJson[]> {
  const res = await fetch(`${running.emulatorUrl}/admin/api/jobs`, {
    headers: { 'PRIVATE-TOKEN': running.adminToken },
  });
  if (!res.ok) throw new Error(`admin API answered ${res.status}`);
  return (await res.json()) as JobJson[];
}

/** Poll the admin API until `pick` finds what it wants; bounded, naming what it waited for. */
async function waitFor<T>(
  what: string,
  pick: (all: JobJson[]) => T | undefined,
  timeoutMs = PIPELINE_TIMEOUT_MS,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const all = await jobs(started!);
    const found = pick(all);
    if (found !== undefined) return found;
    if (Date.now() > deadline) {
      const seen = all.map((j) => `#${j.id} ${j.name} ${j.status}`).join(', ');
      throw new Error(
        `waited ${timeoutMs} ms for ${what}; jobs are: ${seen}. ` +
          'Is the tab connected (its page shows "polling")?',
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'tabrunner-e2e-workshop-'));
  const appDir = join(work, 'app');
  await buildApp(appDir);
  // start.ts rebuilds when this stamp is older than the app's sources; it is newer.
  await writeFile(join(appDir, '.built'), new Date().toISOString());

  const repo = join(work, 'ci-exercise');
  await mkdir(repo);
  await git(['init', '--quiet', '--initial-branch=main', repo]);
  await writeFile(join(repo, '.gitlab-ci.yml'), FIRST_CONFIG);
  await writeFile(join(repo, 'README.md'), '# An exercise\n');
  await git(['add', '--all'], repo);
  await git(['commit', '--quiet', '-m', 'First pipeline'], repo);

  started = await startWorkshop(repo, join(work, 'state'), appDir);
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  if (started) await stopWorkshop(started);
  await rm(work, { recursive: true, force: true });
});

describe('a workshop', { timeout: 240_000 }, () => {
  let tab: Page;
  let instructor: Page;
  let pushedPipeline = 0;

  it('serves the --project repository, and a donated tab runs its first pipeline', async () => {
    const running = started!;
    expect(running.output()).toContain('Imported demo/ci-exercise');
    // The password is printed for the room; the admin token never is.
    expect(running.output()).not.toContain(running.adminToken);

    tab = await (await browser!.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await tab.goto(running.pageUrl);
    await tab.getByRole('button', { name: 'Connect to the local sandbox' }).click();
    await waitForState(tab, 'polling');

    const first = await waitFor('the first pipeline to pass', (all) =>
      all.find((j) => j.name === 'build' && j.status === 'success'),
    );
    expect(first.system_id).toBe(await tab.getByTestId('system-id').innerText());
  });

  it('makes a pipeline from a git push, and the tab runs it to success', async () => {
    const running = started!;
    const clone = join(work, 'participant');
    await git(['clone', '--quiet', running.remote, clone]);
    await writeFile(join(clone, '.gitlab-ci.yml'), PUSHED_CONFIG);
    await git(['commit', '--quiet', '-am', 'Three stages, two test shards and a deploy'], clone);
    await git(['push', '--quiet', 'origin', 'HEAD:main'], clone);
    const pushed = await git(['rev-parse', 'HEAD'], clone);

    const test = await waitFor('the pushed pipeline to pass both test shards', (all) => {
      const shards = all.filter((j) => j.name.startsWith('test ') && j.status === 'success');
      return shards.length === 2 ? shards[1] : undefined;
    });
    pushedPipeline = test.pipeline_id;
    const pipelineJobs = (await jobs(running)).filter((j) => j.pipeline_id === pushedPipeline);
    expect(pipelineJobs.map((j) => `${j.name}:${j.status}`).sort()).toEqual([
      'build:success',
      'deploy:manual',
      'test 1/2:success',
      'test 2/2:success',
    ]);
    const trace = await fetch(`${running.emulatorUrl}/admin/api/jobs/${test.id}`, {
      headers: { 'PRIVATE-TOKEN': running.adminToken },
    });
    const log = ((await trace.json()) as { trace: string }).trace;
    expect(log).toContain(`compiled at ${pushed.slice(0, 8)}`);
    expect(log).toContain(`shard ${test.name === 'test 2/2' ? 2 : 1} of 2`);
  });

  it('lets the signed-in instructor retry and play jobs with the page buttons', async () => {
    const running = started!;
    const context = await browser!.newContext({ viewport: { width: 1280, height: 900 } });
    instructor = await context.newPage();
    await instructor.goto(running.signIn);
    await instructor.getByText('Instructor').first().waitFor({ timeout: 10_000 });
    const card = instructor.locator(`#pipeline-${pushedPipeline}`);

    const before = (await jobs(running)).find(
      (j) => j.pipeline_id === pushedPipeline && j.name === 'build',
    );
    await card.getByRole('button', { name: 'Retry build' }).click();
    const retried = await waitFor('the retried build to pass', (all) =>
      all.find(
        (j) =>
          j.pipeline_id === pushedPipeline &&
          j.name === 'build' &&
          j.id !== before?.id &&
          j.status === 'success',
      ),
    );
    expect(retried.id).toBeGreaterThan(before?.id ?? Infinity);
    expect((await jobs(running)).find((j) => j.id === before?.id)?.retried).toBe(true);

    await instructor.goto(running.emulatorUrl + '/');
    await card.getByRole('button', { name: 'Run deploy' }).click();
    const deployed = await waitFor('the played deploy to pass', (all) =>
      all.find(
        (j) => j.pipeline_id === pushedPipeline && j.name === 'deploy' && j.status === 'success',
      ),
    );
    expect(deployed.system_id).toBe(await tab.getByTestId('system-id').innerText());

    await instructor.goto(running.emulatorUrl + '/');
    await instructor.getByRole('link', { name: 'Run pipeline' }).waitFor();
    await screenshots(instructor, null, 'workshop-pipelines', ['light']);
  });

  it('shows the donated tab in the runners view, and no buttons to a participant', async () => {
    const running = started!;
    const systemId = await tab.getByTestId('system-id').innerText();
    await instructor.goto(`${running.emulatorUrl}/-/runners`);
    const row = instructor.locator('tr', { hasText: systemId });
    await row.waitFor({ timeout: 10_000 });
    expect(await row.innerText()).toContain('shell');
    // build twice, two test shards, deploy, and the first pipeline's build.
    expect((await row.locator('td').last().innerText()).trim()).toBe('6');
    await screenshots(instructor, null, 'workshop-runners', ['light']);

    const participant = await (await browser!.newContext()).newPage();
    await participant.goto(running.emulatorUrl + '/');
    await participant.locator(`#pipeline-${pushedPipeline}`).waitFor();
    expect(await participant.getByRole('button').count()).toBe(0);
    const html = await participant.content();
    expect(html).not.toContain(running.adminToken);
  });
});
