/**
 * The real `bin/tabrunner.js` in a child process: it starts the compiled CLI when that matches
 * the sources, falls back to tsx with a message when not, and prints job logs in the format the
 * output asks for. Each build lives in a temp dir of its own (TABRUNNER_CLI_BUILD), never the
 * shared one; it sits in node_modules/.cache because the compiled CLI finds its packages by
 * looking up from where it is.
 */
import { execFile, spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../test/support/runner-harness.ts';
import { buildCli, DEFAULT_OUT_DIR, MANIFEST_FILE, type CliManifest } from './build.ts';

const BIN = fileURLToPath(new URL('../../bin/tabrunner.js', import.meta.url));

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run the bin to its end (bounded), with stdout a pipe as under `| tee` or in CI. */
function tabrunner(args: string[], build: string, bin = BIN): Promise<Exit> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { env: { ...process.env, TABRUNNER_CLI_BUILD: build }, timeout: 60_000 },
      (err, stdout, stderr) => {
        if (err && err.killed)
          reject(new Error(`tabrunner ${args.join(' ')} timed out: ${stderr}`));
        else
          resolve({
            code: err ? (typeof err.code === 'number' ? err.code : null) : 0,
            stdout,
            stderr,
          });
      },
    );
  });
}

let temp: string;
let build: string;
beforeAll(async () => {
  await mkdir(dirname(DEFAULT_OUT_DIR), { recursive: true });
  temp = await mkdtemp(`${DEFAULT_OUT_DIR}-test-`);
  build = join(temp, 'build');
  await buildCli(build);
}, 120_000);
afterAll(async () => {
  await rm(temp, { recursive: true, force: true });
});

describe('bin/tabrunner.js --help', () => {
  it('answers from the compiled CLI: usage on stdout, exit 0, nothing on stderr', async () => {
    const result = await tabrunner(['--help'], build);
    expect(result).toEqual({ code: 0, stdout: expect.stringContaining('Usage:'), stderr: '' });
    expect(result.stdout).toContain('tabrunner run --url URL --token TOKEN');
    expect(result.stdout).toContain('--log-format');
  });

  it('loads only the argument parsing for --help: the commands are separate chunks', async () => {
    // What Node loads before main() runs: the entry and the chunks it imports statically.
    const loaded = new Set<string>();
    const visit = async (file: string) => {
      if (loaded.has(file)) return;
      loaded.add(file);
      const code = await readFile(join(build, file), 'utf8');
      for (const [, spec] of code.matchAll(
        /^(?:import|export) [^;]*? from "\.\/(?:\.\.\/)?([^"]+)";/gms,
      ))
        await visit(spec!.startsWith('chunks/') ? spec! : `chunks/${spec}`);
    };
    await visit('tabrunner.js');
    const sources = new Set<string>();
    for (const file of loaded) {
      const code = await readFile(join(build, file), 'utf8');
      // esbuild heads each bundled module with a `// <path>` comment.
      for (const [, path] of code.matchAll(/^\/\/ (src\/\S+\.ts)$/gm)) sources.add(path!);
    }
    expect([...sources].sort()).toEqual([
      'src/cli/log-output.ts',
      'src/cli/main.ts',
      'src/cli/plain-text.ts',
      'src/cli/process-io.ts',
    ]);
  });

  it('falls back to tsx when the compiled CLI is missing, and says how to compile it', async () => {
    const result = await tabrunner(['--help'], join(temp, 'never-built'));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage:');
    expect(result.stderr).toContain('the compiled CLI is missing');
    expect(result.stderr).toContain('npm run build:cli');
  });

  it('says to run npm install when neither the build nor tsx is there, without a stack trace', async () => {
    // A copy of the bin in a folder with no node_modules above it: a checkout before `npm install`.
    const bare = await mkdtemp(join(tmpdir(), 'tabrunner-bare-'));
    try {
      await mkdir(join(bare, 'bin'));
      await copyFile(BIN, join(bare, 'bin', 'tabrunner.js'));
      const result = await tabrunner(
        ['--help'],
        join(bare, 'never-built'),
        join(bare, 'bin', 'tabrunner.js'),
      );
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(`Run "npm install" in ${bare}, then try again.`);
      expect(result.stderr).not.toContain('ERR_MODULE_NOT_FOUND');
    } finally {
      await rm(bare, { recursive: true, force: true });
    }
  });

  it('falls back to tsx when a source changed since the build, naming the file', async () => {
    const stale = join(temp, 'stale');
    const manifest: CliManifest = await buildCli(stale);
    expect(Object.keys(manifest.inputs)).toContain('src/cli/main.ts');
    // As if main.ts had been edited after the build (the real file is left alone).
    manifest.inputs['src/cli/main.ts']!.mtimeMs -= 1000;
    await writeFile(join(stale, MANIFEST_FILE), JSON.stringify(manifest));
    const result = await tabrunner(['--help'], stale);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage:');
    expect(result.stderr).toContain('src/cli/main.ts changed since the CLI was compiled');
  });

  it('refuses an unknown --log-format before connecting to anything', async () => {
    const result = await tabrunner(
      ['run', '--url', 'http://127.0.0.1:9', '--token', 'glrt-x', '--log-format', 'xml'],
      build,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--log-format takes raw, plain or json');
  });

  it('refuses a --cache-size that is not a positive whole number of MiB', async () => {
    for (const size of ['0', '1.5', 'lots']) {
      const result = await tabrunner(
        ['run', '--url', 'http://127.0.0.1:9', '--token', 'glrt-x', '--cache-size', size],
        build,
      );
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('--cache-size takes a whole number of MiB');
    }
  });
});

describe('bin/tabrunner.js run, stdout piped', () => {
  let h: Harness;
  let stateDir: string;
  beforeEach(async () => {
    h = await startHarness();
    stateDir = await mkdtemp(join(tmpdir(), 'tabrunner-bin-state-'));
  });
  afterEach(async () => {
    await h.close();
    await rm(stateDir, { recursive: true, force: true });
  });

  /** `tabrunner run --once` against the harness, keeping state in `stateDir`. */
  const runArgs = (extra: string[]) => [
    'run',
    '--once',
    '--url',
    h.emulator.url,
    '--token',
    h.runnerToken,
    '--check-interval',
    '0.2',
    '--state-dir',
    stateDir,
    ...extra,
  ];

  async function runOnce(extra: string[]): Promise<{ exit: Exit; jobId: number }> {
    const [job] = await h.pipeline([
      {
        name: 'greet',
        script: [
          'printf "\\033[31mred\\033[0m\\n"',
          'printf "10%%\\r100%%\\n"',
          'echo "done $CI_JOB_NAME"',
        ],
      },
    ]);
    const exit = await tabrunner(runArgs(extra), build);
    return { exit, jobId: job!.id };
  }

  /**
   * The bin with stdout a pipe whose reader closes after the first line, as `| head -1` does;
   * stderr too when `closeStderr`. The pipeline is created only then, so every line of the job
   * meets a closed pipe. Resolves with the exit code and what stderr said before it closed.
   */
  async function runWithEarlyClosingReader(
    closeStderr: boolean,
  ): Promise<{ code: number | null; stderr: string; jobId: number }> {
    const child = spawn(process.execPath, [BIN, ...runArgs([])], {
      env: { ...process.env, TABRUNNER_CLI_BUILD: build },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`tabrunner run did not exit within 60 s: ${stderr}`));
      }, 60_000);
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
    let stdout = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        if (stdout.includes('\n')) resolve();
      });
      exited.then(() => reject(new Error(`tabrunner run exited first: ${stderr}`)), reject);
    });
    expect(stdout).toMatch(/^tabrunner \S+ polling /);
    child.stdout.destroy();
    if (closeStderr) child.stderr.destroy();
    const [job] = await h.pipeline([
      {
        name: 'chatty',
        script: ['for i in $(seq 1 300); do echo "line $i of the log"; done', 'echo "the end"'],
      },
    ]);
    return { code: await exited, stderr, jobId: job!.id };
  }

  it('runs the job to its end when the stdout reader goes away, and says so once on stderr', async () => {
    const { code, stderr, jobId } = await runWithEarlyClosingReader(false);
    expect(code).toBe(0);
    const job = await h.finished(jobId);
    expect(job.status).toBe('success');
    const trace = new TextDecoder().decode(job.trace);
    for (let i = 1; i <= 300; i += 1) expect(trace).toContain(`line ${i} of the log\n`);
    expect(trace).toContain('the end');
    expect(trace).toContain('Job succeeded');
    expect(stderr.match(/stdout was closed/g)).toHaveLength(1);
    expect(stderr).not.toContain('EPIPE');
  });

  it('runs the job to its end when the readers of stdout and stderr both go away', async () => {
    const { code, jobId } = await runWithEarlyClosingReader(true);
    expect(code).toBe(0);
    const job = await h.finished(jobId);
    expect(job.status).toBe('success');
    expect(new TextDecoder().decode(job.trace)).toContain('line 300 of the log\n');
  });

  it('keeps caches in --cache-dir: the next job restores what the last one saved', async () => {
    const cacheDir = join(stateDir, 'elsewhere');
    const fill =
      'if [ -f .cache/made-by ]; then echo "restored from job $(cat .cache/made-by)"; else mkdir -p .cache && echo "$CI_JOB_ID" > .cache/made-by && echo "made"; fi';
    const runJob = async () => {
      const [job] = await h.pipeline([
        { name: 'cached', script: [fill], cache: { key: 'k', paths: ['.cache/'] } },
      ]);
      const exit = await tabrunner(runArgs(['--cache-dir', cacheDir]), build);
      return { exit, id: job!.id };
    };
    const first = await runJob();
    expect(first.exit.code).toBe(0);
    expect(first.exit.stdout.split('\n')).toContain('made');
    const second = await runJob();
    expect(second.exit.code).toBe(0);
    expect(second.exit.stdout.split('\n')).toContain(`restored from job ${first.id}`);
    expect((await readdir(cacheDir)).filter((name) => name.endsWith('.zip'))).toHaveLength(1);
    await expect(readdir(join(stateDir, 'cache'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('prints plain text by default: no escapes, no section markers, headers kept', async () => {
    const { exit, jobId } = await runOnce([]);
    expect(exit.stderr).toBe('');
    expect(exit.code).toBe(0);
    const lines = exit.stdout.split('\n');
    expect(exit.stdout).not.toContain('\x1b');
    expect(exit.stdout).not.toContain('\r');
    expect(exit.stdout).not.toContain('section_');
    expect(lines).toContain(
      `Job ${jobId} (greet) started: ${h.emulator.url}/it/tiny/-/jobs/${jobId}`,
    );
    expect(lines).toContain('Executing "step_script" stage of the job script');
    expect(lines).toContain('red');
    expect(lines).toContain('100%');
    expect(lines).toContain('done greet');
    expect(lines).toContain('Job succeeded');
    expect(lines).toContain(`Job ${jobId} success`);
  });

  it("prints GitLab's raw trace with --log-format raw", async () => {
    const { exit } = await runOnce(['--log-format', 'raw']);
    expect(exit.code).toBe(0);
    expect(exit.stdout).toMatch(/section_start:\d+:step_script\r\x1b\[0K/);
    expect(exit.stdout).toContain('\x1b[32;1mJob succeeded\x1b[0;m');
  });

  it('prints one JSON object per line with --log-format json', async () => {
    const { exit, jobId } = await runOnce(['--log-format', 'json']);
    expect(exit.code).toBe(0);
    const records = exit.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const record of records) expect(record['time']).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);
    expect(records[0]).toMatchObject({ event: 'polling', url: h.emulator.url, once: true });
    expect(records).toContainEqual(
      expect.objectContaining({ event: 'job-started', job: jobId, name: 'greet' }),
    );
    const logLines = records.filter((r) => 'line' in r);
    expect(logLines.every((r) => r['job'] === jobId)).toBe(true);
    expect(logLines.map((r) => r['line'])).toEqual(
      expect.arrayContaining(['red', '100%', 'done greet', 'Job succeeded']),
    );
    expect(records.at(-1)).toMatchObject({
      event: 'job-finished',
      job: jobId,
      result: 'success',
      failureReason: null,
      reported: true,
    });
    expect(await readFile(join(stateDir, 'system_id'), 'utf8')).toMatch(/^[rs]_/);
  });
});
