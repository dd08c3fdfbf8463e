/**
 * Golden traces: the exact bytes GitLab stores for representative jobs run by the real runner
 * (shell executor, real git, the emulator), compared with reviewed files in `traces/`.
 *
 * Times in the trace are frozen (`frozenClock`), so section markers and docs/runner-protocol.md §9.6 timestamps
 * are constant. What still differs per run is normalised, and only that (see `normalisations`
 * in test/support/golden-trace.ts): the runner's short token, the emulator's port, the fixture
 * commit's sha. The job's final state (status, failure reason, exit code) is part of the file.
 *
 * Regenerate after an intended change with `UPDATE_GOLDEN=1 npx vitest run test/golden`, then
 * read the diff against docs/runner-protocol.md §9 before committing it.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { strToU8, zipSync } from 'fflate';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobSpecJson } from '../../emulator/pipelines/index.ts';
import { shortToken } from '../../src/job/index.ts';
import type { RunnerOptions } from '../../src/runner/index.ts';
import {
  describeStructure,
  goldenDiff,
  normalisations,
  normalise,
  readGolden,
  renderGolden,
  frozenClock,
  traceOfGolden,
  traceStructure,
} from '../support/golden-trace.ts';
import { startHarness, text, type Harness } from '../support/runner-harness.ts';
import { until } from '../support/until.ts';

const TRACES = fileURLToPath(new URL('./traces/', import.meta.url));
const UPDATE = process.env.UPDATE_GOLDEN === '1';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

interface GoldenCase {
  name: string;
  description: string;
  job: JobSpecJson;
  runner?: Partial<RunnerOptions>;
  emulator?: Parameters<typeof startHarness>[0];
  /** Cancel from "GitLab's UI" once this text reached GitLab. */
  cancelAfter?: string;
  /** Where this golden knowingly differs from GitLab's runner (written into the file). */
  divergences?: string[];
  /** Cache archives in the runner's store before the job runs: key → files (docs/cache.md). */
  seedCache?: Record<string, Record<string, string>>;
}

/** A `cache:` entry as the sample pipeline's (`.npm/`), with `overrides`. */
const npmCache = (overrides: Record<string, unknown> = {}) => ({
  key: 'npm',
  paths: ['.npm/'],
  ...overrides,
});

const CASES: GoldenCase[] = [
  {
    name: 'success',
    description: 'one command, default settings (timestamps on, sections on)',
    job: { name: 'hello', script: ['echo hello'] },
  },
  {
    name: 'success-no-timestamps',
    description: 'the job of docs/runner-protocol.md §9.9: FF_TIMESTAMPS=false, sections on',
    job: { name: 'hello', variables: { FF_TIMESTAMPS: 'false' }, script: ['echo hello'] },
  },
  {
    name: 'failure-line-2',
    description: 'the second command exits 1; the third never runs',
    job: { name: 'fails', script: ['echo first', 'false', 'echo never-printed'] },
  },
  {
    name: 'after-script',
    description: 'after_script sees CI_JOB_STATUS; its failure is only a warning',
    job: {
      name: 'after',
      before_script: ['echo before'],
      script: ['echo script'],
      after_script: ['echo "after: $CI_JOB_STATUS"', 'exit 7'],
    },
  },
  {
    name: 'job-timeout',
    description:
      'timeout: 4s (room for get_sources on a busy machine); the job is stopped, after_script does not run',
    job: {
      name: 'slow',
      timeout: 4,
      script: ['echo started', 'sleep 60', 'echo never-printed'],
      after_script: ['echo after-ran'],
    },
    emulator: { jobTimeoutGraceSeconds: 120 },
  },
  {
    name: 'cancel',
    description: 'canceled from the UI while running: graceful, after_script runs',
    job: {
      name: 'long',
      script: ['echo started', 'sleep 60', 'echo never-printed'],
      after_script: ['echo "after: $CI_JOB_STATUS"'],
    },
    cancelAfter: 'started',
  },
  {
    name: 'script-timeout',
    description: 'RUNNER_SCRIPT_TIMEOUT=2s stops the script; after_script still runs (timedout)',
    job: {
      name: 'script-timeout',
      variables: { RUNNER_SCRIPT_TIMEOUT: '2s' },
      script: ['echo started', 'sleep 60', 'echo never-printed'],
      after_script: ['echo "after: $CI_JOB_STATUS"'],
    },
  },
  {
    name: 'cancel-without-after-script',
    description: 'canceled from the UI while running, a job with no after_script',
    job: { name: 'long', script: ['echo started', 'sleep 60', 'echo never-printed'] },
    cancelAfter: 'started',
  },
  {
    name: 'masked-secret',
    description: 'a masked variable, a glpat- token and URL credentials never reach the trace',
    job: {
      name: 'secret',
      variables: [{ key: 'API_SECRET', value: 'sup3r-s3cret-value', masked: true }],
      script: [
        'echo "the secret is $API_SECRET"',
        'echo literal sup3r-s3cret-value',
        'echo "token glpat-abcdefghijklmnopqrst end"',
        'echo "https://user:hunter2pass@example.com/x.git?private_token=abc123&a=1"',
      ],
    },
  },
  {
    name: 'output-limit',
    description:
      'outputLimit 2075: cut before a 2-byte "ü" that would cross the limit, GitLab’s notice once, ' +
      'nothing after it (not even the closing line); the job keeps running and succeeds',
    job: {
      name: 'chatty',
      script: [
        'for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do echo "line $i: grüße aus dem runner"; done',
        'echo after-the-limit',
      ],
    },
    // 2075 falls inside the "ü" of "line 5: grüße" (the bytes before it do not vary per run).
    runner: { outputLimit: 2075 },
  },
  {
    name: 'file-variable',
    description: 'a file variable is a path to a file holding the value',
    job: {
      name: 'files',
      variables: [{ key: 'CONFIG_FILE', value: 'key=value\nsecond line\n', file: true }],
      script: ['echo "$CONFIG_FILE"', 'cat "$CONFIG_FILE"'],
    },
  },
  {
    name: 'multi-line',
    description:
      'a multi-line command echoed by its first line (FF_SCRIPT_SECTIONS off), then a single line',
    job: {
      name: 'multi',
      script: ['echo one\necho two\necho three', 'echo done'],
    },
  },
  {
    name: 'multi-line-script-sections',
    description: 'FF_SCRIPT_SECTIONS=true: the multi-line command folds into section_script_step_0',
    job: {
      name: 'multi',
      variables: { FF_SCRIPT_SECTIONS: 'true' },
      script: ['echo one\necho two\necho three', 'echo done'],
    },
  },
  {
    name: 'cache-miss',
    description:
      'cache: key npm, nothing stored yet: restore_cache misses, archive_cache saves .npm/',
    job: {
      name: 'cache',
      script: ['mkdir -p .npm/sub', 'echo one > .npm/a.txt', 'echo two > .npm/sub/b.txt'],
      cache: npmCache(),
    },
  },
  {
    name: 'cache-hit',
    description: 'policy pull, npm-protected stored: restored before the script, never saved',
    job: { name: 'cache', script: ['cat .npm/a.txt'], cache: npmCache({ policy: 'pull' }) },
    seedCache: { 'npm-protected': { '.npm/a.txt': 'restored\n' } },
  },
  {
    name: 'cache-fallback-hit',
    description:
      'policy pull, key absent: its key misses, the first fallback key misses, the second hits',
    job: {
      name: 'cache',
      script: ['cat .npm/a.txt'],
      cache: npmCache({
        key: 'absent',
        policy: 'pull',
        fallback_keys: ['also-absent', 'npm'],
      }),
    },
    seedCache: { 'npm-protected': { '.npm/a.txt': 'from the fallback\n' } },
  },
  {
    name: 'cache-skipped-archiving',
    description:
      'a key that expands to nothing ($EMPTY): both cache stages print GitLab’s "empty cache key" skip',
    job: {
      name: 'cache',
      script: ['echo no cache'],
      payload_overrides: {
        cache: [
          {
            key: '$EMPTY',
            untracked: false,
            policy: 'pull-push',
            paths: ['.npm/'],
            when: 'on_success',
            fallback_keys: [],
          },
        ],
      },
    },
  },
];

async function runCase(c: GoldenCase): Promise<{ golden: string; trace: string }> {
  h = await startHarness(c.emulator);
  for (const [key, files] of Object.entries(c.seedCache ?? {})) {
    const address = { gitlab: new URL(h.emulator.url).origin, projectId: h.project.id, key };
    const archive = zipSync(
      Object.fromEntries(Object.entries(files).map(([path, content]) => [path, strToU8(content)])),
    );
    await h.cache.save(
      address,
      new ReadableStream({
        start(controller) {
          controller.enqueue(archive);
          controller.close();
        },
      }),
    );
  }
  const [job] = await h.pipeline([c.job]);
  const { runner, output } = h.makeRunner({ traceClock: frozenClock(), ...c.runner });
  if (c.cancelAfter) h.emulator.watchJob(job!.id, 600);
  const run = runner.run({ once: true });
  if (c.cancelAfter) {
    const marker = c.cancelAfter;
    await until(() => text(job!.trace).includes(marker), `"${marker}" to reach GitLab`);
    expect(h.emulator.cancelJob(job!.id)).toBe('canceling');
  }
  await run;
  const stored = await h.finished(job!.id);
  // What GitLab stored is exactly what the runner produced.
  expect(Buffer.from(stored.trace).equals(Buffer.from(output(job!.id)))).toBe(true);
  expect(text(stored.trace)).not.toContain(job!.token);
  expect(text(stored.trace)).not.toContain(h.runnerToken);

  const rules = normalisations({
    shortToken: shortToken(h.runnerToken),
    emulatorUrl: h.emulator.url,
  });
  const trace = normalise(text(stored.trace), rules);
  const result = {
    status: stored.status,
    failure_reason: stored.failureReason,
    exit_code: stored.exitCode,
    bytes: stored.trace.length,
  };
  const golden = renderGolden(
    [
      `golden trace "${c.name}": ${c.description}`,
      'Regenerate: UPDATE_GOLDEN=1 npx vitest run test/golden (then review the diff against docs/runner-protocol.md §9).',
      'One JSON string per physical trace line; concatenated they are the exact bytes GitLab stored,',
      'after normalising <short-token>, <port>, <sha>/<sha8>. ESC is \\u001b.',
      `result: ${JSON.stringify(result)}`,
      ...(c.divergences ?? []).map((d) => `KNOWN DIVERGENCE from GitLab's runner: ${d}`),
    ],
    trace,
  );
  return { golden, trace };
}

describe('golden traces', () => {
  for (const c of CASES) {
    it(`${c.name}: ${c.description}`, async () => {
      const { golden } = await runCase(c);
      const path = `${TRACES}${c.name}.txt`;
      if (UPDATE) {
        await mkdir(TRACES, { recursive: true });
        await writeFile(path, golden);
      }
      const expected = await readGolden(path);
      expect(expected, `no golden file ${path}; run with UPDATE_GOLDEN=1`).not.toBeNull();
      expect(
        golden === expected,
        `trace differs from ${path}\n${goldenDiff(expected!, golden)}`,
      ).toBe(true);
    });
  }
});

/**
 * docs/runner-protocol.md §9.9, transcribed (ESC = \x1b): the annotated trace of GitLab's runner for a shell-executor
 * job running `echo hello` with `trace_sections: true` and `FF_TIMESTAMPS=false`.
 */
const SECTION_9_9 = [
  '\x1b[0KRunning with gitlab-runner 19.4.0 (abcd1234)\x1b[0;m\n',
  '\x1b[0K  on browser-runner AbCdEf123, system ID: r_Ab12Cd34Ef56\x1b[0;m\n',
  'section_start:1718000000:prepare_executor\r\x1b[0K\x1b[0K\x1b[36;1mPreparing the "shell" executor\x1b[0;m\x1b[0;m\n',
  '\x1b[0KUsing Shell (bash) executor...\x1b[0;m\n',
  'section_end:1718000000:prepare_executor\r\x1b[0Ksection_start:1718000000:prepare_script\r\x1b[0K\x1b[0K\x1b[36;1mPreparing environment\x1b[0;m\x1b[0;m\n',
  'Running on myhost...\n',
  'section_end:1718000001:prepare_script\r\x1b[0Ksection_start:1718000001:get_sources\r\x1b[0K\x1b[0K\x1b[36;1mGetting source from Git repository\x1b[0;m\x1b[0;m\n',
  '\x1b[32;1mFetching changes with git depth set to 20...\x1b[0;m\n',
  'Initialized empty Git repository in /builds/group/project/.git/\n',
  '\x1b[32;1mCreated fresh repository.\x1b[0;m\n',
  '\x1b[32;1mChecking out 69b18e5e as detached HEAD (ref is main)...\x1b[0;m\n',
  '\x1b[32;1mSkipping Git submodules setup\x1b[0;m\n',
  'section_end:1718000003:get_sources\r\x1b[0Ksection_start:1718000003:step_script\r\x1b[0K\x1b[0K\x1b[36;1mExecuting "step_script" stage of the job script\x1b[0;m\x1b[0;m\n',
  '\x1b[32;1m$ echo hello\x1b[0;m\n',
  'hello\n',
  'section_end:1718000003:step_script\r\x1b[0Ksection_start:1718000003:cleanup_file_variables\r\x1b[0K\x1b[0K\x1b[36;1mCleaning up project directory and file based variables\x1b[0;m\x1b[0;m\n',
  'section_end:1718000004:cleanup_file_variables\r\x1b[0K\x1b[32;1mJob succeeded\x1b[0;m\n',
].join('');

/** The structure with texts reduced to what must match: kinds, and the words GitLab prints. */
function shape(trace: string): string[] {
  return describeStructure(traceStructure(trace)).map((line) =>
    line
      .replace(
        /^println: Running with \S+ .*/,
        'println: Running with <runner> <version> (<revision>)',
      )
      .replace(
        /^println: {3}on \S+ \S+, system ID: \S+$/,
        'println:   on <name> <short token>, system ID: <id>',
      )
      .replace(/^println: Using .* executor\.\.\.$/, 'println: Using <executor> executor...')
      .replace(/^plain: Running on .*\.\.\.$/, 'plain: Running on <host>...')
      .replace(
        /^stage_header: Preparing the ".*" executor$/,
        'stage_header: Preparing the "<executor>" executor',
      ),
  );
}

describe('structure against docs/runner-protocol.md §9.9', () => {
  it('the docs/runner-protocol.md §9.9 job has the same sections, stage headers, echo and closing line as GitLab’s runner', async () => {
    const { trace } = await runCase(CASES.find((c) => c.name === 'success-no-timestamps')!);
    const ours = shape(trace);
    const theirs = shape(SECTION_9_9);

    // Sections: same names, same order, properly nested, no options on stage sections.
    const sections = (s: string[]) => s.filter((l) => l.startsWith('section_'));
    expect(sections(ours)).toEqual(sections(theirs));

    // Everything outside get_sources line by line (git's own lines differ by implementation).
    const withoutSources = (s: string[]) => {
      const start = s.indexOf('section_start get_sources');
      const end = s.indexOf('section_end get_sources');
      return [...s.slice(0, start + 2), ...s.slice(end)];
    };
    expect(withoutSources(ours)).toEqual(withoutSources(theirs));

    // get_sources: the stage header, then only notices and plain lines.
    const sources = ours.slice(
      ours.indexOf('section_start get_sources') + 2,
      ours.indexOf('section_end get_sources'),
    );
    expect(sources.every((l) => /^(notice|plain): /.test(l))).toBe(true);
    expect(
      sources.some((l) =>
        /^notice: Checking out <sha8> as detached HEAD \(ref is main\)\.\.\.$/.test(l),
      ),
    ).toBe(true);

    // Physical layout: a section_end is followed by the next section_start on the same line, a
    // section_start by its stage header on the same line, and the closing line follows the last
    // section_end on the same line.
    const physical = trace.split('\n');
    const layout = (lines: string[]) =>
      lines
        .filter((l) => l.startsWith('section_'))
        .map((l) =>
          l
            .replace(/section_(start|end):\d+:([\w.-]+)(\[[^\]]*\])?\r\x1b\[0K/g, '[$1 $2]')
            .replace(/\x1b\[0K\x1b\[36;1m.*$/, '<stage header>')
            .replace(/\x1b\[32;1mJob succeeded\x1b\[0;m$/, '<closing line>'),
        );
    expect(layout(physical)).toEqual(layout(SECTION_9_9.split('\n')));
  });

  it('a timestamped trace has the same structure, and every physical line the docs/runner-protocol.md §9.6 prefix', async () => {
    const plain = await runCase(CASES.find((c) => c.name === 'success-no-timestamps')!);
    await h!.close();
    h = null;
    const stamped = await runCase(CASES.find((c) => c.name === 'success')!);
    expect(shape(stamped.trace)).toEqual(shape(plain.trace));
    const lines = stamped.trace.split('\n').slice(0, -1);
    const prefix = /^2024-06-10T06:13:20\.123000Z (00|01)O[ +]/;
    expect(lines.filter((l) => !prefix.test(l))).toEqual([]);
    // Runner lines on stream 00, the script's output on 01 (docs/runner-protocol.md §9.6).
    expect(lines.filter((l) => l.endsWith('hello')).map((l) => l.slice(28, 31))).toEqual(['01O']);
    expect(
      stamped.trace.endsWith('Z 00O \x1b[32;1mJob succeeded\x1b[0;m\n') ||
        stamped.trace.endsWith('Z 00O+\x1b[32;1mJob succeeded\x1b[0;m\n'),
    ).toBe(true);
  });
});

describe('every golden file', () => {
  const STAGES = [
    'prepare_executor',
    'prepare_script',
    'get_sources',
    'step_script',
    'after_script',
    'cleanup_file_variables',
  ];

  it('opens with the header, nests its sections, keeps docs/runner-protocol.md §9.4 stage order and ends with the closing line', async () => {
    for (const c of CASES) {
      const golden = await readGolden(`${TRACES}${c.name}.txt`);
      expect(golden, c.name).not.toBeNull();
      const trace = traceOfGolden(golden!);
      const items = traceStructure(trace);
      const lines = describeStructure(items);
      expect(lines.slice(0, 2), c.name).toEqual([
        'println: Running with tabrunner 0.1.0 (dev)',
        'println:   on integration-runner <short-token>, system ID: r_itest0000001',
      ]);
      const open: string[] = [];
      for (const item of items) {
        if (item.kind === 'section_start') open.push(item.name);
        if (item.kind === 'section_end')
          expect(open.pop(), `${c.name}: ${item.name}`).toBe(item.name);
      }
      const stages = items.flatMap((i) =>
        i.kind === 'section_start' && STAGES.includes(i.name) ? [i.name] : [],
      );
      expect(stages, c.name).toEqual(STAGES.filter((s) => stages.includes(s)));
      if (trace.includes("Job's log exceeded limit of")) {
        // Nothing is collected after the notice, not even the closing line (docs/runner-protocol.md §6.6).
        expect(
          trace.endsWith(
            'Job execution will continue but no more output will be collected.\x1b[0;m\n',
          ),
        ).toBe(true);
        continue;
      }
      expect(open, c.name).toEqual([]);
      expect(stages.slice(0, 4).concat(stages.slice(-1)), c.name).toEqual([
        ...STAGES.slice(0, 4),
        'cleanup_file_variables',
      ]);
      expect(lines.at(-1), c.name).toMatch(
        /^(notice: Job succeeded|error: ERROR: Job failed: .+)$/,
      );
    }
  });
});
