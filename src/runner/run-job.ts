/**
 * The lifecycle of one job, from the payload to GitLab's acceptance of its final state
 * (docs/runner-protocol.md §5, §10.5, §12): accept → plan → prepare → sources → steps →
 * after_script → cleanup → final update. It decides what happens; the pieces it drives (trace
 * text and masking in `src/job`, HTTP in `src/gitlab`, execution in `src/executors`) know
 * nothing of each other.
 *
 * Every expected failure ends as a reported job with GitLab's failure reason; `runJob` throws
 * only on bugs.
 */
import {
  downloadDependencies,
  planArtifactUploads,
  uploadArtifacts,
  type UploadPlan,
} from '../artifacts/index.ts';
import { hasErrorCode } from '../errors/index.ts';
import type { Executor, ExecutorInfo, FileTree, Workspace } from '../executors/port.ts';
import { TraceSender, updateJob, type GitLabClient, type RunnerInfo } from '../gitlab/index.ts';
import type { JobPayload, ParsedJob } from '../gitlab/job-payload.ts';
import {
  CANCELED_WARNING_TEXT,
  closingLine,
  exitCodeOf,
  failureReasonOf,
  mapFailureReason,
  planJob,
  shortToken,
  timeoutWarningText,
  type JobFailure,
  type JobOutcome,
  type JobPlan,
  type JobSettings,
} from '../job/index.ts';
import type { Clock } from '../platform/clock.ts';
import type { Emitter } from './emitter.ts';
import type { SourcesProgress } from '../sources/index.ts';
import type { JobResult, JobSummary, RunnerEvent, StageTiming } from './events.ts';
import { JobTrace } from './job-trace.ts';
import { artifactTransfer, sourcesTransfers } from './job-transfer.ts';
import { runScript } from './run-script.ts';
import { TABRUNNER_REVISION, TABRUNNER_VERSION } from './version.ts';

/** Where the runner gets a job's sources from (`createSourcesProvider` in production). */
export type SourcesProvider = (request: {
  payload: JobPayload;
  settings: JobSettings;
  /** `CI_PROJECT_DIR`, for the trace lines. */
  projectDir: string;
  line: (kind: 'notice' | 'plain' | 'warning', text: string) => void;
  /** Fetch and checkout progress, for the page's progress line (throttled here). */
  progress: (progress: SourcesProgress) => void;
  signal: AbortSignal;
}) => Promise<{ tree: FileTree | null }>;

export interface RunJobOptions {
  client: GitLabClient;
  executor: Executor;
  /**
   * What `executor.describe()` answered right before this job was requested (the `Runner` asks
   * before every request and takes no job while it rejects): builds directory and Node version.
   */
  executorInfo: ExecutorInfo;
  sources: SourcesProvider;
  clock: Clock;
  /** Time written into the trace (section markers, docs/runner-protocol.md §9.6 timestamps). Default `clock`. */
  traceClock?: Clock;
  info: RunnerInfo;
  runner: { name: string; token: string; systemId: string };
  /** `<os>/<arch>` for `CI_RUNNER_EXECUTABLE_ARCH`. */
  executableArch: string;
  outputLimit: number;
  parsed: ParsedJob;
  /** Aborted when the runner is stopped immediately: the job fails as a system failure. */
  signal: AbortSignal;
  events: Emitter<RunnerEvent>;
}

/** What the runner learns from one job. */
export interface JobReport {
  jobId: number;
  result: JobResult;
  /** Runner-side reason (before mapping to what this GitLab accepts). */
  failureReason: string | null;
  exitCode: number | null;
  /** GitLab accepted the final state. */
  reported: boolean;
  /** GitLab took the job back before it started (acceptance refused): nothing ran. */
  dropped?: boolean;
}

/** Why the script part of a job ended early. */
type Interruption = 'canceled' | 'aborted' | 'job-timeout' | 'script-timeout' | 'runner-stopped';

const encoder = new TextEncoder();

export async function runJob(o: RunJobOptions): Promise<JobReport> {
  if (!o.parsed.ok) return reportUnparsable(o, o.parsed);
  const payload = o.parsed.job;
  const startedAt = o.clock.now();
  const summary = jobSummary(payload);
  const stages: StageTiming[] = [];
  const plan = planJob(payload, {
    executor: o.executor.name,
    nodeVersion: majorVersion(o.executorInfo.nodeVersion),
    runner: {
      buildsDir: o.executorInfo.buildsDir,
      shortToken: shortToken(o.runner.token),
      version: TABRUNNER_VERSION,
      revision: TABRUNNER_REVISION,
      executableArch: o.executableArch,
    },
  });

  const trace = new JobTrace({
    limit: o.outputLimit,
    masking: plan.masking,
    sections: payload.features.trace_sections,
    scriptSections: plan.kind === 'plan' && plan.settings.scriptSections,
    timestamps: plan.kind === 'plan' ? plan.timestamps : true,
    clock: o.traceClock ?? o.clock,
    onOutput: (chunk) => o.events.emit({ type: 'job-output', jobId: payload.id, chunk }),
  });

  // `canceling` stops the script but runs after_script (graceful); `canceled`, `failed`, 403 and
  // the job timeout stop everything (docs/runner-protocol.md §6.4, §12). The first reason wins.
  const jobAbort = new AbortController();
  const scriptAbort = new AbortController();
  let interruption: Interruption | null = null;
  // The stage a timeout cut short: GitLab warns about it right after that stage's section (docs/runner-protocol.md §9.7).
  let currentStage: string | null = null;
  let cutStage: string | null = null;
  const interrupt = (why: Interruption) => {
    if (interruption === null && (why === 'job-timeout' || why === 'script-timeout')) {
      cutStage = currentStage;
    }
    interruption ??= why;
    scriptAbort.abort(new Error(why));
    if (why !== 'canceled' && why !== 'script-timeout') jobAbort.abort(new Error(why));
  };
  const onRunnerStop = () => interrupt('runner-stopped');
  o.signal.addEventListener('abort', onRunnerStop, { once: true });
  let traceLost: string | null = null;

  const sender = new TraceSender({
    client: o.client,
    jobId: payload.id,
    jobToken: payload.token,
    source: trace.buffer,
    clock: o.clock,
    info: o.info,
    debugTrace: plan.kind === 'plan' && plan.settings.debugTrace,
    onCancelRequested: () => interrupt('canceled'),
    onAbort: () => interrupt('aborted'),
    onTraceLost: (message) => (traceLost = message),
  });
  trace.onWrite(() => sender.notify());
  o.events.emit({ type: 'job-started', job: summary, at: startedAt });

  // Two-phase commit: accept before doing anything (docs/runner-protocol.md §7.5).
  const acceptance = await accept(o, payload);
  if (acceptance === 'dropped') {
    o.signal.removeEventListener('abort', onRunnerStop);
    return finishEvent(o, summary, startedAt, stages, {
      jobId: payload.id,
      result: 'canceled',
      failureReason: null,
      exitCode: null,
      reported: false,
      dropped: true,
    });
  }
  sender.start();
  if (acceptance === 'canceling') interrupt('canceled');

  const timers = new Timers(o.clock);
  let failure: JobFailure | null = null;
  let workspace: Workspace | null = null;
  const stage = async (name: string, header: string, body: () => Promise<void>) => {
    const at = o.clock.now();
    o.events.emit({ type: 'job-stage', jobId: payload.id, stage: name, at });
    currentStage = name;
    trace.sectionStart(name);
    trace.stageHeader(header);
    try {
      await body();
    } finally {
      trace.flushOutput();
      trace.sectionEnd(name);
      if (cutStage === name) trace.warning(timeoutWarningText(name));
      currentStage = null;
      stages.push({ name, startedAt: at, finishedAt: o.clock.now() });
    }
  };

  // The sandbox can lose the workspace (a WebContainer torn down because a program ignored
  // kill()): what was still to run in it or read from it is skipped, and the trace says why.
  const lost = (skipped: string): boolean => {
    if (!workspace?.lost) return false;
    trace.warning(`${skipped}: ${workspace.lost}`);
    return true;
  };

  trace.header(o.runner);
  if (plan.kind === 'rejection') {
    failure = plan.failure;
  } else {
    for (const warning of plan.warnings) trace.warning(warning);
    timers.after(plan.timeouts.jobSeconds * 1000, () => interrupt('job-timeout'));
    let tracked = new Set<string>();
    try {
      ({ workspace, tracked } = await prepareAndFetch(
        o,
        payload,
        plan,
        trace,
        stage,
        jobAbort.signal,
      ));
      failure = await runUserSteps(
        plan,
        workspace,
        trace,
        stage,
        scriptAbort.signal,
        timers,
        interrupt,
      );
      // GitLab's runner says so right after the user steps, with or without after_script (docs/runner-protocol.md §9.7).
      if (interruption === 'canceled') trace.warning(CANCELED_WARNING_TEXT);
      if (
        plan.afterScript.length > 0 &&
        !jobAbort.signal.aborted &&
        !lost('after_script was skipped')
      ) {
        const afterFailure = await runAfterScript(
          plan,
          workspace,
          trace,
          stage,
          jobAbort.signal,
          o.clock,
          {
            status: jobStatusFor(interruption, failure),
          },
        );
        failure ??= afterFailure;
      }
    } catch (err) {
      if (!jobAbort.signal.aborted) failure = systemFailure(err);
    }
    // Uploads run after failures too (on_failure entries), but not after an abort (docs/runner-protocol.md §10.5).
    const succeeded = failure === null && interruption === null;
    const uploads =
      workspace && !jobAbort.signal.aborted
        ? planArtifactUploads(payload.artifacts, succeeded ? 'success' : 'failure', (value) =>
            plan.variables.expand(value),
          )
        : null;
    if (workspace && uploads && !lost('Artifacts were not uploaded')) {
      try {
        const uploadFailure = await uploadStage(
          o,
          payload,
          plan,
          uploads,
          workspace,
          tracked,
          trace,
          stage,
          jobAbort.signal,
        );
        failure ??= uploadFailure;
      } catch (err) {
        if (!jobAbort.signal.aborted) failure ??= systemFailure(err);
      }
    }
    timers.clear();
  }
  o.signal.removeEventListener('abort', onRunnerStop);

  await stage(
    'cleanup_file_variables',
    'Cleaning up project directory and file based variables',
    async () => {
      await workspace?.dispose();
    },
  ).catch(() => undefined);

  const outcome = outcomeOf(interruption, failure, plan);
  trace.close(closingLine(outcome));

  const final = await sender.finish(
    outcome.kind === 'success'
      ? { state: 'success' }
      : {
          state: 'failed',
          failureReason: mapFailureReason(
            failureReasonOf(outcome),
            payload.features.failure_reasons,
          ),
          exitCode: exitCodeOf(outcome),
        },
  );
  if (traceLost)
    o.events.emit({ type: 'error', message: `Job ${payload.id}: ${traceLost}`, fatal: false });
  return finishEvent(o, summary, startedAt, stages, {
    jobId: payload.id,
    result:
      outcome.kind === 'success' ? 'success' : outcome.kind === 'canceled' ? 'canceled' : 'failed',
    failureReason: outcome.kind === 'success' ? null : failureReasonOf(outcome),
    exitCode: outcome.kind === 'success' ? null : (exitCodeOf(outcome) ?? null),
    reported:
      final.kind === 'accepted' ||
      (final.kind === 'aborted' && final.jobStatus === gitlabStatusOf(outcome)),
  });
}

/** The status GitLab shows once it applied our final state (a 403 after a lost 200 says so). */
function gitlabStatusOf(outcome: JobOutcome): string {
  if (outcome.kind === 'success') return 'success';
  return outcome.kind === 'canceled' ? 'canceled' : 'failed';
}

type Stage = (name: string, header: string, body: () => Promise<void>) => Promise<void>;

/** prepare_executor → prepare_script → get_sources, ending with a workspace holding the checkout. */
async function prepareAndFetch(
  o: RunJobOptions,
  payload: JobPayload,
  plan: JobPlan,
  trace: JobTrace,
  stage: Stage,
  signal: AbortSignal,
): Promise<{ workspace: Workspace; tracked: Set<string> }> {
  await stage('prepare_executor', `Preparing the "${o.executor.name}" executor`, async () => {
    trace.println(`Using ${o.executor.name} executor...`);
  });
  await stage('prepare_script', 'Preparing environment', async () => {
    trace.text(`Running on tabrunner ${o.runner.name} (${o.executor.name})...\n`);
  });
  let workspace: Workspace | null = null;
  const tracked = new Set<string>();
  await stage('get_sources', 'Getting source from Git repository', async () => {
    let tree: FileTree | null;
    try {
      ({ tree } = await o.sources({
        payload,
        settings: plan.settings,
        projectDir: plan.projectDir,
        line: (kind, text) => trace.line(kind, text),
        progress: sourcesTransfers(payload.job_info.project_full_path, o.clock, (transfer) =>
          o.events.emit({ type: 'job-transfer', jobId: payload.id, transfer }),
        ),
        signal,
      }));
    } catch (err) {
      if (signal.aborted) throw err;
      throw new StageError({
        kind: 'system',
        message: `getting the sources failed: ${describe(err)}`,
      });
    }
    for (const file of tree?.files ?? []) tracked.add(`${plan.projectDir}/${file.path}`);
    workspace = await o.executor.prepare(tree ?? { files: [] }, {
      projectDir: plan.projectDir,
      env: plan.env,
    });
    for (const file of plan.fileVariables)
      await workspace.writeFile(file.path, encoder.encode(file.content));
  });
  if (!workspace)
    throw new StageError({ kind: 'system', message: 'the executor prepared no workspace' });
  const ready: Workspace = workspace;
  if (payload.dependencies.some((d) => d.artifacts_file?.filename)) {
    await stage('download_artifacts', 'Downloading artifacts', async () => {
      try {
        await downloadDependencies({
          client: o.client,
          dependencies: payload.dependencies,
          workspace: ready,
          projectDir: plan.projectDir,
          line: (text) => trace.text(text),
          onProgress: (progress) =>
            o.events.emit({
              type: 'job-transfer',
              jobId: payload.id,
              transfer: artifactTransfer(progress),
            }),
          signal,
        });
      } catch (err) {
        if (signal.aborted) throw err;
        // A missing or expired artifact is GitLab's `missing_dependency_failure` (docs/runner-protocol.md §8.2, §12.3).
        const reason = hasErrorCode(err, 'MissingDependencyError')
          ? 'missing_dependency_failure'
          : 'runner_system_failure';
        throw new StageError({
          kind: 'system',
          reason,
          message: `downloading artifacts failed: ${describe(err)}`,
        });
      }
    });
  }
  return { workspace: ready, tracked };
}

/**
 * `upload_artifacts_on_success` / `_on_failure` (docs/runner-protocol.md §8.1, §10.5): `uploads` holds the entries whose
 * `when` matches the outcome so far. A failed upload fails a job that would otherwise pass, as
 * GitLab's runner does.
 */
async function uploadStage(
  o: RunJobOptions,
  payload: JobPayload,
  plan: JobPlan,
  uploads: UploadPlan,
  workspace: Workspace,
  tracked: Set<string>,
  trace: JobTrace,
  stage: Stage,
  signal: AbortSignal,
): Promise<JobFailure | null> {
  const expand = (value: string) => plan.variables.expand(value);
  let failure: JobFailure | null = null;
  await stage(uploads.section, uploads.header, async () => {
    const untrackedFiles = uploads.uploads.some((u) => u.artifact.untracked)
      ? (await workspace.listFiles(plan.projectDir))
          .filter((path) => !tracked.has(path))
          .map((path) => path.slice(plan.projectDir.length + 1))
      : [];
    const result = await uploadArtifacts({
      client: o.client,
      jobId: payload.id,
      jobToken: payload.token,
      entries: uploads.uploads,
      workspace,
      projectDir: plan.projectDir,
      expand,
      line: (text) => trace.text(text),
      untrackedFiles,
      compressionLevel: plan.variables.value('ARTIFACT_COMPRESSION_LEVEL'),
      onProgress: (progress) =>
        o.events.emit({
          type: 'job-transfer',
          jobId: payload.id,
          transfer: artifactTransfer(progress),
        }),
      signal,
    });
    for (const { filename, artifactType, files, bytes } of result.uploaded)
      o.events.emit({
        type: 'job-artifact',
        jobId: payload.id,
        filename,
        artifactType,
        files,
        bytes,
      });
    if (result.failure)
      failure = {
        kind: 'system',
        message: `uploading artifacts failed: ${result.failure.message}`,
      };
  });
  return failure;
}

/** The user steps (`step_script`, …) in order under one deadline; the first failure stops them. */
async function runUserSteps(
  plan: JobPlan,
  workspace: Workspace,
  trace: JobTrace,
  stage: Stage,
  signal: AbortSignal,
  timers: Timers,
  interrupt: (why: Interruption) => void,
): Promise<JobFailure | null> {
  if (plan.timeouts.scriptSeconds !== null) {
    timers.after(plan.timeouts.scriptSeconds * 1000, () => interrupt('script-timeout'));
  }
  for (const step of plan.steps) {
    if (signal.aborted) return null;
    let failure: JobFailure | null = null;
    await stage(step.section, `Executing "${step.section}" stage of the job script`, async () => {
      const result = await runScript({
        workspace,
        lines: step.lines,
        trace,
        signal,
        prefix: 'script_step',
      });
      if (result.kind === 'failed') failure = { kind: 'exit_code', exitCode: result.exitCode };
    });
    if (failure) return failure;
  }
  return null;
}

/** after_script with `CI_JOB_STATUS` and its own timeout; its failure is only a warning by default. */
async function runAfterScript(
  plan: JobPlan,
  workspace: Workspace,
  trace: JobTrace,
  stage: Stage,
  jobSignal: AbortSignal,
  clock: Clock,
  context: { status: string },
): Promise<JobFailure | null> {
  let failure: JobFailure | null = null;
  await stage('after_script', 'Running after_script', async () => {
    trace.notice('Running after script...');
    const timeout = new AbortController();
    const timers = new Timers(clock);
    timers.after(plan.timeouts.afterScriptSeconds * 1000, () =>
      timeout.abort(new Error('after_script timeout')),
    );
    try {
      const result = await runScript({
        workspace,
        lines: plan.afterScript,
        trace,
        signal: AbortSignal.any([jobSignal, timeout.signal]),
        prefix: 'after_script_step',
        env: { CI_JOB_STATUS: context.status },
      });
      if (result.kind === 'failed') {
        if (plan.settings.afterScriptIgnoreErrors) {
          trace.warning(
            `after_script failed, but job will continue unaffected: exit code ${result.exitCode}`,
          );
        } else {
          failure = { kind: 'exit_code', exitCode: result.exitCode };
        }
      } else if (result.kind === 'interrupted' && timeout.signal.aborted && !jobSignal.aborted) {
        trace.warning(timeoutWarningText('after_script'));
      }
    } finally {
      timers.clear();
    }
  });
  return failure;
}

/** `CI_JOB_STATUS` for after_script (docs/runner-protocol.md §10.1). */
function jobStatusFor(interruption: Interruption | null, failure: JobFailure | null): string {
  if (interruption === 'canceled') return 'canceled';
  if (interruption === 'script-timeout') return 'timedout';
  return failure ? 'failed' : 'success';
}

/** How the job ended: an interruption outranks what the script did. */
function outcomeOf(
  interruption: Interruption | null,
  failure: JobFailure | null,
  plan: ReturnType<typeof planJob>,
): JobOutcome {
  const seconds = plan.kind === 'plan' ? plan.timeouts : null;
  switch (interruption) {
    case 'job-timeout':
      return { kind: 'job_timeout', timeoutSeconds: seconds?.jobSeconds ?? 0 };
    case 'script-timeout':
      return { kind: 'script_timeout', timeoutSeconds: seconds?.scriptSeconds ?? 0 };
    case 'canceled':
    case 'aborted':
      return { kind: 'canceled' };
    case 'runner-stopped':
      return {
        kind: 'system',
        message: 'the runner was stopped while the job ran (tab closed or runner stopped)',
      };
    case null:
      return failure ?? { kind: 'success' };
  }
}

/**
 * The acceptance PUT (docs/runner-protocol.md §7.5). Retried a few times when it fails outright: a lost answer may hide
 * an applied acceptance, and a second `running` PUT is harmless.
 */
async function accept(
  o: RunJobOptions,
  payload: JobPayload,
): Promise<'running' | 'canceling' | 'dropped'> {
  for (let attempt = 1; ; attempt += 1) {
    const answer = await updateJob(o.client, {
      jobId: payload.id,
      jobToken: payload.token,
      info: o.info,
      state: 'running',
    });
    if (answer.kind === 'aborted') return 'dropped';
    if (answer.kind === 'succeeded' || answer.kind === 'accepted') {
      return answer.jobStatus === 'canceling' ? 'canceling' : 'running';
    }
    if (attempt >= 3) {
      // Go on: if GitLab never got it, the first trace PATCH answers 403 and the job stops.
      o.events.emit({
        type: 'error',
        message: `Job ${payload.id}: GitLab did not confirm the job start; continuing.`,
        fatal: false,
      });
      return 'running';
    }
    await o.clock.sleep(1000 * attempt);
  }
}

class StageError extends Error {
  constructor(readonly failure: JobFailure) {
    super(failure.kind === 'system' ? failure.message : failure.kind);
  }
}

function systemFailure(err: unknown): JobFailure {
  if (err instanceof StageError) return err.failure;
  return { kind: 'system', message: describe(err) };
}

/** Timers on the injected clock, cleared together. */
class Timers {
  readonly #abort = new AbortController();
  constructor(readonly clock: Clock) {}

  after(ms: number, fn: () => void): void {
    this.clock.sleep(ms, this.#abort.signal).then(fn, () => undefined);
  }

  clear(): void {
    this.#abort.abort();
  }
}

function finishEvent(
  o: RunJobOptions,
  job: JobSummary,
  startedAt: number,
  stages: StageTiming[],
  report: JobReport,
): JobReport {
  o.events.emit({
    type: 'job-finished',
    job,
    result: report.result,
    failureReason: report.failureReason,
    exitCode: report.exitCode,
    startedAt,
    finishedAt: o.clock.now(),
    stages,
    reported: report.reported,
  });
  return report;
}

/** A payload we could not read still names a job: fail it with the reasons in its trace. */
async function reportUnparsable(
  o: RunJobOptions,
  parsed: Extract<ParsedJob, { ok: false }>,
): Promise<JobReport> {
  o.events.emit({
    type: 'error',
    message: `GitLab sent a job payload tabrunner cannot read: ${parsed.problems.join('; ')}`,
    fatal: false,
  });
  const job = parsed.job;
  if (!job)
    return {
      jobId: 0,
      result: 'failed',
      failureReason: 'runner_system_failure',
      exitCode: null,
      reported: false,
    };
  const trace = new JobTrace({
    limit: o.outputLimit,
    masking: { phrases: [job.token], tokenPrefixes: [] },
    sections: false,
    scriptSections: false,
    timestamps: true,
    clock: o.traceClock ?? o.clock,
    onOutput: (chunk) => o.events.emit({ type: 'job-output', jobId: job.id, chunk }),
  });
  trace.header(o.runner);
  trace.error('The job payload from GitLab is malformed, so tabrunner did not run it:');
  for (const problem of job.problems) trace.error(`  ${problem}`);
  trace.close(closingLine({ kind: 'system', message: 'invalid job payload' }));
  const acceptance = await updateJob(o.client, {
    jobId: job.id,
    jobToken: job.token,
    info: o.info,
    state: 'running',
  });
  if (acceptance.kind === 'aborted') {
    return {
      jobId: job.id,
      result: 'failed',
      failureReason: 'runner_system_failure',
      exitCode: null,
      reported: false,
    };
  }
  const sender = new TraceSender({
    client: o.client,
    jobId: job.id,
    jobToken: job.token,
    source: trace.buffer,
    clock: o.clock,
    info: o.info,
  });
  const final = await sender.finish({ state: 'failed', failureReason: 'runner_system_failure' });
  return {
    jobId: job.id,
    result: 'failed',
    failureReason: 'runner_system_failure',
    exitCode: null,
    reported: final.kind === 'accepted',
  };
}

function jobSummary(payload: JobPayload): JobSummary {
  const url = payload.variables.findLast((v) => v.key === 'CI_JOB_URL')?.value ?? '';
  return {
    id: payload.id,
    name: payload.job_info.name,
    stage: payload.job_info.stage,
    projectPath: payload.job_info.project_full_path,
    pipelineId: payload.job_info.pipeline_id,
    url,
  };
}

/** `v20.19.1` → `20`, as the plan compares majors. */
function majorVersion(version: string | undefined): string | undefined {
  return version === undefined ? undefined : /^v?(\d+)/.exec(version)?.[1];
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
