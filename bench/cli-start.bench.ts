/**
 * How long `tabrunner --help` takes from spawn to exit: the compiled CLI that `npm install`
 * builds against the same bin running the sources through tsx (warm and cold tsx cache), with
 * plain `node` as the floor and `npx` as the README runs it. Runs alternate between the kinds so
 * load on the machine falls on all of them alike. The goal is < 1 s (docs/cli.md).
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCli, DEFAULT_OUT_DIR, ROOT } from '../src/cli/build.ts';

const BIN = fileURLToPath(new URL('../bin/tabrunner.js', import.meta.url));

export interface CliStartRow {
  name: string;
  medianMs: number;
  /** This kind's median over the compiled CLI's. */
  ratio: number;
}

interface Kind {
  name: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  /** What the run must print and exit with to count: a run that failed is not a fast run. */
  expect: string;
  code?: number;
}

function timeRun(kind: Kind): Promise<number> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    execFile(
      kind.command,
      kind.args,
      { cwd: ROOT, env: { ...process.env, ...kind.env }, timeout: 120_000 },
      (err, stdout, stderr) => {
        const ms = performance.now() - start;
        const code = err ? err.code : 0;
        if (code !== (kind.code ?? 0) || !`${stdout}${stderr}`.includes(kind.expect)) {
          reject(new Error(`${kind.name} exited ${code}: ${stdout}${stderr}`));
        } else resolve(ms);
      },
    );
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

export async function benchCliStart(runs: number): Promise<CliStartRow[]> {
  // The build sits in node_modules/.cache so its imports of packages resolve, as the real one.
  await mkdir(dirname(DEFAULT_OUT_DIR), { recursive: true });
  const temp = await mkdtemp(`${DEFAULT_OUT_DIR}-bench-`);
  try {
    const build = join(temp, 'build');
    await buildCli(build);
    const help = ['--help'];
    // `run` up to its executor check: the runner core is loaded, nothing is contacted.
    const run = ['run', '--url', 'http://127.0.0.1:9', '--token', 'glrt-x', '--executor', 'docker'];
    const refused = 'executor cannot run in Node';
    const kinds: Kind[] = [
      {
        name: 'tabrunner --help, compiled',
        command: process.execPath,
        args: [BIN, ...help],
        env: { TABRUNNER_CLI_BUILD: build },
        expect: 'Usage:',
      },
      {
        name: 'tabrunner --help, through tsx (warm cache)',
        command: process.execPath,
        args: [BIN, ...help],
        env: { TABRUNNER_CLI_BUILD: join(temp, 'none') },
        expect: 'Usage:',
      },
      {
        name: 'tabrunner --help, through tsx (no cache, a first start)',
        command: process.execPath,
        args: [BIN, ...help],
        env: { TABRUNNER_CLI_BUILD: join(temp, 'none'), TSX_DISABLE_CACHE: '1' },
        expect: 'Usage:',
      },
      {
        name: 'tabrunner run (loads the runner core), compiled',
        command: process.execPath,
        args: [BIN, ...run],
        env: { TABRUNNER_CLI_BUILD: build },
        expect: refused,
        code: 2,
      },
      {
        name: 'tabrunner run (loads the runner core), through tsx (no cache)',
        command: process.execPath,
        args: [BIN, ...run],
        env: { TABRUNNER_CLI_BUILD: join(temp, 'none'), TSX_DISABLE_CACHE: '1' },
        expect: refused,
        code: 2,
      },
      {
        name: 'npx tabrunner --help, compiled (npm adds its own start)',
        command: 'npx',
        args: ['tabrunner', ...help],
        env: { TABRUNNER_CLI_BUILD: build },
        expect: 'Usage:',
      },
      {
        name: 'node -e "" (the floor)',
        command: process.execPath,
        args: ['-e', ''],
        env: {},
        expect: '',
      },
    ];
    const times = new Map<string, number[]>(kinds.map((k) => [k.name, []]));
    for (let i = 0; i < runs; i += 1) {
      for (const kind of kinds) times.get(kind.name)?.push(await timeRun(kind));
    }
    // Each `run` kind against the compiled `run`; everything else against the compiled --help.
    const base = (kind: Kind) =>
      kinds.find((k) => k.args.includes('run') === kind.args.includes('run'));
    const medians = new Map(kinds.map((k) => [k.name, median(times.get(k.name) ?? [])]));
    return kinds.map((kind) => {
      const medianMs = medians.get(kind.name) ?? Number.NaN;
      return {
        name: kind.name,
        medianMs,
        ratio: medianMs / (medians.get(base(kind)?.name ?? '') ?? Number.NaN),
      };
    });
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}
