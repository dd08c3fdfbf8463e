/**
 * What the WebContainer executor costs, in Debian's Chromium on a cross-origin isolated page,
 * with the shell executor measured in the same page for scale: the first `describe()` (boot and
 * the probe), mounting a checkout (2,000 files / 20 MB, so the binary snapshot), and per job
 * the whole executor round (prepare a small tree, one stage, dispose) with a stage of `true`
 * and with `node -e 1` (one program spawn). A benchmark, not a test: it reports, it does not
 * assert. Offline it says "skipped (offline)" and measures nothing.
 */
import { join } from 'node:path';
import { REPO_ROOT, runInIsolatedPage } from './webcontainer-page.ts';

export interface WebContainerBenchRow {
  name: string;
  /** Median over the runs. */
  ms: number;
  /** The shell executor's time for the same round, where there is one. */
  shellMs: number | null;
}

export type WebContainerBenchResult = { skipped: string } | { rows: WebContainerBenchRow[] };

const PAGE = `
import { createShellExecutor } from ${JSON.stringify(join(REPO_ROOT, 'src/executors/shell/index.ts'))};
import { createWebContainerExecutor } from ${JSON.stringify(join(REPO_ROOT, 'src/executors/webcontainer/index.ts'))};

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const tree = (files, size) => ({
  files: Array.from({ length: files }, (_, i) => ({
    path: 'src/dir-' + Math.floor(i / 100) + '/file-' + i + '.js',
    data: new TextEncoder().encode(('export const v' + i + ' = ' + i + ';\\n').repeat(Math.ceil(size / 24))).slice(0, size),
  })),
});
const hooks = { onLine() {}, onOutput() {} };

async function round(executor, info, lines) {
  const started = performance.now();
  const workspace = await executor.prepare(tree(20, 1000), { projectDir: info.buildsDir + '/bench/job', env: { CI: 'true' } });
  // A stage that hangs (a spawn WebContainer never answers) ends the bench with a reason.
  const { exitCode } = await workspace.runStage({ lines }, hooks, AbortSignal.timeout(120000));
  await workspace.dispose();
  if (exitCode !== 0) throw new Error(lines.join('; ') + ' exited ' + exitCode);
  return performance.now() - started;
}

window.bench = async ({ runs }) => {
  const wc = createWebContainerExecutor();
  const shell = createShellExecutor();
  let started = performance.now();
  const info = await wc.describe();
  const rows = [{ name: 'first describe(): boot and probe', ms: performance.now() - started, shellMs: null }];
  const shellInfo = await shell.describe();

  const big = tree(2000, 10 * 1024);
  started = performance.now();
  const mounted = await wc.prepare(big, { projectDir: info.buildsDir + '/bench/big', env: {} });
  const mountMs = performance.now() - started;
  await mounted.dispose();
  started = performance.now();
  await (await shell.prepare(big, { projectDir: shellInfo.buildsDir + '/bench/big', env: {} })).dispose();
  rows.push({ name: 'prepare 2,000 files / 20 MB', ms: mountMs, shellMs: performance.now() - started });

  for (const lines of [['true'], ['node -e 1']]) {
    const wcTimes = [];
    const shellTimes = [];
    for (let i = 0; i < runs; i++) {
      wcTimes.push(await round(wc, info, lines));
      if (lines[0] === 'true') shellTimes.push(await round(shell, shellInfo, lines));
    }
    rows.push({
      name: 'per job: prepare, stage ' + JSON.stringify(lines[0]) + ', dispose',
      ms: median(wcTimes),
      shellMs: shellTimes.length ? median(shellTimes) : null,
    });
  }
  await wc.dispose();
  await shell.dispose();
  return { rows };
};
`;

export async function benchWebContainer(runs = 10): Promise<WebContainerBenchResult> {
  return runInIsolatedPage<{ runs: number }, { rows: WebContainerBenchRow[] }>(PAGE, { runs });
}
