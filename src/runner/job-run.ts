/**
 * One job, one object: the lifecycle of a job from the payload to GitLab's acceptance of its
 * final state (docs/runner-protocol.md §5, §10.5, §12). `JobRun` decides what happens; the pieces
 * it drives (trace text and masking in `src/job`, HTTP in `src/gitlab`, execution in
 * `src/executors`) know nothing of each other.
 *
 * The build is GitLab's stage list (`#stages`), one method per stage in GitLab's order: adding a
 * stage is a method and a line there. Every expected failure ends as a reported job with
 * GitLab's failure reason; `JobRun.run` throws only on bugs.
 */
import {
  downloadDependencies,
  planArtifactUploads,
  uploadArtifacts,
  type UploadArtifactsResult,
  type UploadPlan,
} from '../artifacts/index.ts';
import {
  archiveCache,
  planCacheArchive,
  planCacheRestore,
  restoreCache,
  type RestoredContents,
  type CachePlanInput,
} from '../cache/index.ts';
import { hasErrorCode } from '../errors/index.ts';
import type { FileTree, Workspace } from '../executors/port.ts';
import { TraceSender } from '../gitlab/index.ts';
import type { JobPayload } from '../gitlab/job-payload.ts';
import {
  CANCELED_WARNING_TEXT,
  closingLine,
  exitCodeOf,
  failureReasonOf,
  mapFailureReason,
  timeoutWarningText,
  type JobFailure,
  type JobPlan,
  type PlanRejection,
} from '../job/index.ts';
import type { JobSummary, StageTiming } from './events.ts';
import { acceptJob } from './job-run/accept.ts';
import type { JobRunOptions, UnsentTrace } from './job-run/options.ts';
import {
  gitlabStatusOf,
  jobStatusFor,
  outcomeOf,
  TAB_CLOSED,
  type Interruption,
} from './job-run/outcome.ts';
import { planFor } from './job-run/plan.ts';
import type { JobReport } from './job-run/report.ts';
import { errorMessage, failureOf, StageFailure } from './job-run/stage-failure.ts';
import { jobSummary } from './job-run/summary.ts';
import { Timers } from './job-run/timers.ts';
import { reportUnparsable } from './job-run/unparsable.ts';
import { JobTrace } from './job-trace.ts';
import { artifactTransfer, sourcesTransfers } from './job-transfer.ts';
import { runScript } from './run-script.ts';

/**
 * What skips a stage (docs/runner-protocol.md §10.5):
 * - `build`: runs only while no stage before it threw;
 * - `finish`: runs after a failed or broken build too, but not for a refused plan;
 * - `always`: runs for every accepted job, a refused plan included.
 */
type StageRuns = 'build' | 'finish' | 'always';

interface Stage {
  /** GitLab's name for the stage; its trace sections may be named more precisely. */
  name: string;
  runs: StageRuns;
  run: () => Promise<void> | void;
}

const encoder = new TextEncoder();

export class JobRun {
  /** Run the job GitLab sent, to GitLab's acceptance of its final state. */
  static async run(options: JobRunOptions): Promise<JobReport> {
    if (!options.parsed.ok) return reportUnparsable(options, options.parsed);
    return new JobRun(options, options.parsed.job).#run();
  }

  readonly #options: JobRunOptions;
  readonly #payload: JobPayload;
  readonly #planned: JobPlan | PlanRejection;
  readonly #trace: JobTrace;
  readonly #sender: TraceSender;
  readonly #timers: Timers;
  readonly #summary: JobSummary;
  readonly #startedAt: number;
  readonly #timings: StageTiming[] = [];

  // `canceling` stops the script but runs after_script (graceful); `canceled`, `failed`, 403 and
  // the job timeout stop everything (docs/runner-protocol.md §6.4, §12). The first reason wins.
  readonly #jobAbort = new AbortController();
  readonly #scriptAbort = new AbortController();
  #interruption: Interruption | null = null;
  readonly #onRunnerStop = () => this.#interrupt('runner-stopped');
  // The section a timeout cut short: GitLab warns about it right after that section
  // (docs/runner-protocol.md §9.7).
  #currentSection: string | null = null;
  #cutSection: string | null = null;
  #traceLost: string | null = null;
  /** The runner sent this job's last words (docs/runner-protocol.md §7.6): it reports nothing more. */
  #abandoned = false;

  #failure: JobFailure | null = null;
  /** A build stage threw: the build stages after it are skipped. */
  #buildBroken = false;
  #workspace: Workspace | null = null;
  /** The checkout's files (full paths), which untracked artifacts leave out. */
  readonly #tracked = new Set<string>();
  /** What restore_cache extracted, by key: archive_cache keeps an archive nothing changed. */
  readonly #restoredCaches = new Map<string, RestoredContents>();

  /**
   * GitLab's build stages in GitLab's order (docs/runner-protocol.md §9.4, §10.5), one method
   * each: adding a stage is a method and a line here.
   */
  readonly #stages: readonly Stage[] = [
    { name: 'prepare_executor', runs: 'build', run: () => this.#prepareExecutor() },
    { name: 'prepare_script', runs: 'build', run: () => this.#prepareScript() },
    { name: 'get_sources', runs: 'build', run: () => this.#getSources() },
    { name: 'restore_cache', runs: 'build', run: () => this.#restoreCache() },
    { name: 'download_artifacts', runs: 'build', run: () => this.#downloadArtifacts() },
    { name: 'step_script', runs: 'build', run: () => this.#stepScript() },
    { name: 'after_script', runs: 'build', run: () => this.#afterScript() },
    { name: 'archive_cache', runs: 'finish', run: () => this.#archiveCache() },
    { name: 'upload_artifacts', runs: 'finish', run: () => this.#uploadArtifacts() },
    { name: 'cleanup', runs: 'always', run: () => this.#cleanup() },
  ];

  private constructor(options: JobRunOptions, payload: JobPayload) {
    this.#options = options;
    this.#payload = payload;
    this.#startedAt = options.clock.now();
    this.#summary = jobSummary(payload);
    this.#timers = new Timers(options.clock);
    this.#planned = planFor(options, payload);
    const plan = this.#planned;
    this.#trace = new JobTrace({
      limit: options.outputLimit,
      masking: plan.masking,
      sections: payload.features.trace_sections,
      scriptSections: plan.kind === 'plan' && plan.settings.scriptSections,
      timestamps: plan.kind === 'plan' ? plan.timestamps : true,
      clock: options.traceClock ?? options.clock,
      onOutput: (chunk) => options.events.emit({ type: 'job-output', jobId: payload.id, chunk }),
    });
    this.#sender = new TraceSender({
      client: options.client,
      jobId: payload.id,
      jobToken: payload.token,
      source: this.#trace.buffer,
      clock: options.clock,
      info: options.info,
      debugTrace: plan.kind === 'plan' && plan.settings.debugTrace,
      onCancelRequested: () => this.#interrupt('canceled'),
      onAbort: () => this.#interrupt('aborted'),
      onTraceLost: (message) => (this.#traceLost = message),
    });
    this.#trace.onWrite(() => this.#sender.notify());
  }

  async #run(): Promise<JobReport> {
    const o = this.#options;
    o.signal.addEventListener('abort', this.#onRunnerStop, { once: true });
    o.events.emit({ type: 'job-started', job: this.#summary, at: this.#startedAt });
    // Two-phase commit: accept before doing anything (docs/runner-protocol.md §7.5).
    const acceptance = await acceptJob(o, this.#payload);
    if (acceptance === 'dropped') {
      o.signal.removeEventListener('abort', this.#onRunnerStop);
      return this.#finished({
        jobId: this.#payload.id,
        result: 'canceled',
        failureReason: null,
        exitCode: null,
        reported: false,
        dropped: true,
      });
    }
    this.#sender.start();
    o.onStarted?.(() => this.#lastWords());
    if (acceptance === 'canceling') this.#interrupt('canceled');

    this.#trace.header(o.runner);
    const plan = this.#planned;
    if (plan.kind === 'rejection') {
      this.#failure = plan.failure;
    } else {
      for (const warning of plan.warnings) this.#trace.warning(warning);
      this.#timers.after(plan.timeouts.jobSeconds * 1000, () => this.#interrupt('job-timeout'));
    }
    for (const stage of this.#stages) await this.#runStage(stage);
    return this.#report();
  }

  async #runStage({ runs, run }: Stage): Promise<void> {
    if (runs !== 'always' && this.#planned.kind === 'rejection') return;
    if (runs === 'build' && this.#buildBroken) return;
    try {
      await run();
    } catch (err) {
      if (runs === 'build') this.#buildBroken = true;
      // After an abort the interruption is the outcome; cleanup's errors change nothing.
      if (runs === 'always' || this.#jobAbort.signal.aborted) return;
      // A broken build stage replaces a script's exit code; an upload's error only fills the gap.
      this.#failure = runs === 'build' ? failureOf(err) : (this.#failure ?? failureOf(err));
    }
  }

  async #prepareExecutor(): Promise<void> {
    const executor = this.#options.executor.name;
    await this.#section('prepare_executor', `Preparing the "${executor}" executor`, async () => {
      this.#trace.println(`Using ${executor} executor...`);
    });
  }

  async #prepareScript(): Promise<void> {
    const { executor, runner } = this.#options;
    await this.#section('prepare_script', 'Preparing environment', async () => {
      this.#trace.text(`Running on tabrunner ${runner.name} (${executor.name})...\n`);
    });
  }

  /** Fetch the checkout, hand it to the executor as the workspace, write the file variables. */
  async #getSources(): Promise<void> {
    const plan = this.#plan;
    await this.#section('get_sources', 'Getting source from Git repository', async () => {
      const tree = await this.#fetchSources(plan);
      for (const file of tree?.files ?? []) this.#tracked.add(`${plan.projectDir}/${file.path}`);
      const workspace = await this.#options.executor.prepare(tree ?? { files: [] }, {
        projectDir: plan.projectDir,
        env: plan.env,
      });
      this.#workspace = workspace;
      for (const file of plan.fileVariables)
        await workspace.writeFile(file.path, encoder.encode(file.content));
    });
  }

  /**
   * GitLab's `cache:` before the script (docs/cache.md): per entry the first of its keys the
   * store holds is extracted; a miss or a bad archive is only a warning. A policy GitLab's runner
   * does not know fails the job before anything is printed, as it fails to write the script.
   */
  async #restoreCache(): Promise<void> {
    const plan = this.#plan;
    const cache = planCacheRestore(this.#cacheInput(plan));
    if (cache.kind === 'skip') return;
    if (cache.kind === 'refused')
      throw new StageFailure({ kind: 'system', message: cache.message });
    const workspace = this.#preparedWorkspace;
    await this.#section('restore_cache', 'Restoring cache', async () => {
      for (const step of cache.steps) {
        if (step.kind === 'text') this.#trace.scriptText(step.text);
        else if (step.kind === 'restore') {
          const restored = await restoreCache({
            store: this.#options.cache,
            project: this.#cacheProject,
            keys: step.keys,
            workspace,
            projectDir: plan.projectDir,
            line: (text) => this.#trace.scriptText(text),
            clock: this.#options.clock,
            inflater: this.#options.archiving?.inflater,
            onProgress: (progress) => this.#artifactProgress(progress),
            signal: this.#jobAbort.signal,
          });
          if (restored.key !== null && restored.contents)
            this.#restoredCaches.set(restored.key, restored.contents);
        }
      }
    });
  }

  async #downloadArtifacts(): Promise<void> {
    const payload = this.#payload;
    if (!payload.dependencies.some((d) => d.artifacts_file?.filename)) return;
    const plan = this.#plan;
    const workspace = this.#preparedWorkspace;
    const signal = this.#jobAbort.signal;
    await this.#section('download_artifacts', 'Downloading artifacts', async () => {
      try {
        await downloadDependencies({
          client: this.#options.client,
          dependencies: payload.dependencies,
          workspace,
          projectDir: plan.projectDir,
          line: (text) => this.#trace.text(text),
          inflater: this.#options.archiving?.inflater,
          onProgress: (progress) => this.#artifactProgress(progress),
          signal,
        });
      } catch (err) {
        if (signal.aborted) throw err;
        // A missing or expired artifact is GitLab's `missing_dependency_failure` (docs/runner-protocol.md §8.2, §12.3).
        const reason = hasErrorCode(err, 'MissingDependencyError')
          ? 'missing_dependency_failure'
          : 'runner_system_failure';
        throw new StageFailure({
          kind: 'system',
          reason,
          message: `downloading artifacts failed: ${errorMessage(err)}`,
        });
      }
    });
  }

  /** The user steps (`step_script`, …) in order under one deadline; the first failure stops them. */
  async #stepScript(): Promise<void> {
    const plan = this.#plan;
    const workspace = this.#preparedWorkspace;
    const signal = this.#scriptAbort.signal;
    if (plan.timeouts.scriptSeconds !== null) {
      this.#timers.after(plan.timeouts.scriptSeconds * 1000, () =>
        this.#interrupt('script-timeout'),
      );
    }
    for (const step of plan.steps) {
      if (signal.aborted) break;
      const header = `Executing "${step.section}" stage of the job script`;
      await this.#section(step.section, header, async () => {
        const result = await runScript({
          workspace,
          lines: step.lines,
          trace: this.#trace,
          signal,
          prefix: 'script_step',
        });
        if (result.kind === 'failed')
          this.#failure = { kind: 'exit_code', exitCode: result.exitCode };
      });
      if (this.#failure) break;
    }
    // GitLab's runner says so right after the user steps, with or without after_script (docs/runner-protocol.md §9.7).
    if (this.#interruption === 'canceled') this.#trace.warning(CANCELED_WARNING_TEXT);
  }

  /** after_script with `CI_JOB_STATUS` and its own timeout; its failure is only a warning by default. */
  async #afterScript(): Promise<void> {
    const plan = this.#plan;
    const jobSignal = this.#jobAbort.signal;
    if (plan.afterScript.length === 0 || jobSignal.aborted) return;
    if (this.#workspaceLost('after_script was skipped')) return;
    const workspace = this.#preparedWorkspace;
    const status = jobStatusFor(this.#interruption, this.#failure);
    await this.#section('after_script', 'Running after_script', async () => {
      this.#trace.notice('Running after script...');
      const timeout = new AbortController();
      const timers = new Timers(this.#options.clock);
      timers.after(plan.timeouts.afterScriptSeconds * 1000, () =>
        timeout.abort(new Error('after_script timeout')),
      );
      try {
        const result = await runScript({
          workspace,
          lines: plan.afterScript,
          trace: this.#trace,
          signal: AbortSignal.any([jobSignal, timeout.signal]),
          prefix: 'after_script_step',
          env: { CI_JOB_STATUS: status },
        });
        if (result.kind === 'failed') {
          if (plan.settings.afterScriptIgnoreErrors) {
            this.#trace.warning(
              `after_script failed, but job will continue unaffected: exit code ${result.exitCode}`,
            );
          } else {
            this.#failure ??= { kind: 'exit_code', exitCode: result.exitCode };
          }
        } else if (result.kind === 'interrupted' && timeout.signal.aborted && !jobSignal.aborted) {
          this.#trace.warning(timeoutWarningText('after_script'));
        }
      } finally {
        timers.clear();
      }
    });
  }

  /**
   * `archive_cache` / `archive_cache_on_failure` (docs/cache.md) with the entries whose `when`
   * matches the outcome so far; after failures too, not after an abort. A cache that cannot be
   * saved is only a warning, as in GitLab.
   */
  async #archiveCache(): Promise<void> {
    const workspace = this.#workspace;
    if (!workspace || this.#jobAbort.signal.aborted) return;
    const plan = this.#plan;
    const succeeded = this.#failure === null && this.#interruption === null;
    const cache = planCacheArchive({ ...this.#cacheInput(plan), jobSucceeded: succeeded });
    if (cache.kind === 'skip' || this.#workspaceLost('Cache was not saved')) return;
    if (cache.kind === 'refused')
      throw new StageFailure({ kind: 'system', message: cache.message });
    const untracked = cache.steps.some((step) => step.kind === 'archive' && step.untracked);
    const untrackedFiles = untracked ? await this.#untrackedFiles(workspace, plan.projectDir) : [];
    const [section, header] = succeeded
      ? ['archive_cache', 'Saving cache for successful job']
      : ['archive_cache_on_failure', 'Saving cache for failed job'];
    await this.#section(section, header, async () => {
      for (const step of cache.steps) {
        if (step.kind === 'text') this.#trace.scriptText(step.text);
        else if (step.kind === 'archive') {
          await archiveCache({
            store: this.#options.cache,
            address: { ...this.#cacheProject, key: step.key },
            restored: this.#restoredCaches.get(step.key),
            paths: step.paths,
            untracked: step.untracked,
            untrackedFiles,
            workspace,
            projectDir: plan.projectDir,
            expand: (value) => plan.variables.expand(value),
            compressionLevel: plan.variables.value('CACHE_COMPRESSION_LEVEL'),
            deflater: this.#options.archiving?.deflater,
            line: (text) => this.#trace.scriptText(text),
            clock: this.#options.clock,
            onProgress: (progress) => this.#artifactProgress(progress),
            signal: this.#jobAbort.signal,
          });
        }
      }
    });
  }

  /**
   * `upload_artifacts_on_success` / `_on_failure` (docs/runner-protocol.md §8.1, §10.5) with the
   * entries whose `when` matches the outcome so far; after failures too, not after an abort. A
   * failed upload fails a job that would otherwise pass, as GitLab's runner does.
   */
  async #uploadArtifacts(): Promise<void> {
    const workspace = this.#workspace;
    if (!workspace || this.#jobAbort.signal.aborted) return;
    const plan = this.#plan;
    const succeeded = this.#failure === null && this.#interruption === null;
    const uploads = planArtifactUploads(
      this.#payload.artifacts,
      succeeded ? 'success' : 'failure',
      (value) => plan.variables.expand(value),
    );
    if (!uploads || this.#workspaceLost('Artifacts were not uploaded')) return;
    await this.#section(uploads.section, uploads.header, () =>
      this.#upload(plan, uploads, workspace),
    );
  }

  /** From here the job only tidies up: its deadlines and the runner's stop no longer apply. */
  async #cleanup(): Promise<void> {
    this.#timers.clear();
    this.#options.signal.removeEventListener('abort', this.#onRunnerStop);
    const header = 'Cleaning up project directory and file based variables';
    await this.#section('cleanup_file_variables', header, async () => {
      await this.#workspace?.dispose();
    });
  }

  /**
   * Archive and send the planned entries; a failed upload fails the job if nothing else did. The
   * archives wait in the runner's spool, emptied when the uploads are over.
   */
  async #upload(plan: JobPlan, uploads: UploadPlan, workspace: Workspace): Promise<void> {
    const o = this.#options;
    const payload = this.#payload;
    const untracked = uploads.uploads.some((u) => u.artifact.untracked);
    const spool = await o.archiving?.spool?.();
    let result: UploadArtifactsResult;
    try {
      result = await uploadArtifacts({
        client: o.client,
        jobId: payload.id,
        jobToken: payload.token,
        entries: uploads.uploads,
        workspace,
        projectDir: plan.projectDir,
        expand: (value) => plan.variables.expand(value),
        line: (text) => this.#trace.text(text),
        untrackedFiles: untracked ? await this.#untrackedFiles(workspace, plan.projectDir) : [],
        compressionLevel: plan.variables.value('ARTIFACT_COMPRESSION_LEVEL'),
        deflater: o.archiving?.deflater,
        ...(spool ? { spool: (archive: ReadableStream<Uint8Array>) => spool.spool(archive) } : {}),
        onProgress: (progress) => this.#artifactProgress(progress),
        signal: this.#jobAbort.signal,
      });
    } finally {
      // Left behind, a spooled archive costs disk, not the job: the runner is told, the job not.
      await spool?.dispose().catch((err: unknown) =>
        o.events.emit({
          type: 'error',
          message: `Job ${payload.id}: a spooled artifact archive could not be removed: ${errorMessage(err)}`,
          fatal: false,
        }),
      );
    }
    for (const { filename, artifactType, files, bytes } of result.uploaded) {
      const artifact = { filename, artifactType, files, bytes };
      o.events.emit({ type: 'job-artifact', jobId: payload.id, ...artifact });
    }
    if (result.failure) {
      const message = `uploading artifacts failed: ${result.failure.message}`;
      this.#failure ??= { kind: 'system', message };
    }
  }

  /**
   * The host is going away (docs/runner-protocol.md §7.6): close the trace now, as GitLab's
   * runner closes a build its process was stopped in, stop sending it, and hand over what GitLab
   * has not acknowledged for the runner's keepalive PATCH. Synchronous, for `pagehide`.
   */
  #lastWords(): UnsentTrace | null {
    if (this.#abandoned) return null;
    this.#abandoned = true;
    this.#trace.close(closingLine(TAB_CLOSED));
    void this.#sender.stop();
    const offset = this.#sender.likelyServerLength;
    if (offset === null) return null;
    const buffer = this.#trace.buffer;
    const plan = this.#planned;
    return {
      offset,
      bytes: buffer.read(offset, buffer.length - offset),
      debugTrace: plan.kind === 'plan' && plan.settings.debugTrace,
    };
  }

  /** The closing line and the final update, then what the runner learns. */
  async #report(): Promise<JobReport> {
    const outcome = outcomeOf(this.#interruption, this.#failure, this.#planned);
    this.#trace.close(closingLine(outcome));
    if (this.#abandoned) {
      // The runner already reported the job with its last words: a final update now would be
      // refused (the job is failed), and from a closed tab it would never leave.
      await this.#sender.stop();
      return this.#finished({
        jobId: this.#payload.id,
        result: 'failed',
        failureReason: failureReasonOf(TAB_CLOSED),
        exitCode: null,
        reported: false,
      });
    }
    const final = await this.#sender.finish(
      outcome.kind === 'success'
        ? { state: 'success' }
        : {
            state: 'failed',
            failureReason: mapFailureReason(
              failureReasonOf(outcome),
              this.#payload.features.failure_reasons,
            ),
            exitCode: exitCodeOf(outcome),
          },
    );
    if (this.#traceLost) {
      const message = `Job ${this.#payload.id}: ${this.#traceLost}`;
      this.#options.events.emit({ type: 'error', message, fatal: false });
    }
    return this.#finished({
      jobId: this.#payload.id,
      result:
        outcome.kind === 'success'
          ? 'success'
          : outcome.kind === 'canceled'
            ? 'canceled'
            : 'failed',
      failureReason: outcome.kind === 'success' ? null : failureReasonOf(outcome),
      exitCode: outcome.kind === 'success' ? null : (exitCodeOf(outcome) ?? null),
      reported:
        final.kind === 'accepted' ||
        (final.kind === 'aborted' && final.jobStatus === gitlabStatusOf(outcome)),
    });
  }

  #finished(report: JobReport): JobReport {
    this.#options.events.emit({
      type: 'job-finished',
      job: this.#summary,
      result: report.result,
      failureReason: report.failureReason,
      exitCode: report.exitCode,
      startedAt: this.#startedAt,
      finishedAt: this.#options.clock.now(),
      stages: this.#timings,
      reported: report.reported,
    });
    return report;
  }

  /** One trace section with its header; listeners see it start and learn how long it took. */
  async #section(name: string, header: string, body: () => Promise<void>): Promise<void> {
    const at = this.#options.clock.now();
    this.#options.events.emit({ type: 'job-stage', jobId: this.#payload.id, stage: name, at });
    this.#currentSection = name;
    this.#trace.sectionStart(name);
    this.#trace.stageHeader(header);
    try {
      await body();
    } finally {
      this.#trace.flushOutput();
      this.#trace.sectionEnd(name);
      if (this.#cutSection === name) this.#trace.warning(timeoutWarningText(name));
      this.#currentSection = null;
      this.#timings.push({ name, startedAt: at, finishedAt: this.#options.clock.now() });
    }
  }

  #interrupt(why: Interruption): void {
    if (this.#interruption === null && (why === 'job-timeout' || why === 'script-timeout')) {
      this.#cutSection = this.#currentSection;
    }
    this.#interruption ??= why;
    this.#scriptAbort.abort(new Error(why));
    if (why !== 'canceled' && why !== 'script-timeout') this.#jobAbort.abort(new Error(why));
  }

  /**
   * The sandbox can lose the workspace (a WebContainer torn down because a program ignored
   * kill()): what was still to run in it or read from it is skipped, and the trace says why.
   */
  #workspaceLost(skipped: string): boolean {
    if (!this.#workspace?.lost) return false;
    this.#trace.warning(`${skipped}: ${this.#workspace.lost}`);
    return true;
  }

  /** The job's checkout from the sources provider; null when the job wants none (`GIT_STRATEGY=none`). */
  async #fetchSources(plan: JobPlan): Promise<FileTree | null> {
    const o = this.#options;
    const payload = this.#payload;
    const signal = this.#jobAbort.signal;
    try {
      const { tree } = await o.sources({
        payload,
        settings: plan.settings,
        projectDir: plan.projectDir,
        line: (kind, text) => this.#trace.line(kind, text),
        progress: sourcesTransfers(payload.job_info.project_full_path, o.clock, (transfer) =>
          o.events.emit({ type: 'job-transfer', jobId: payload.id, transfer }),
        ),
        signal,
      });
      return tree;
    } catch (err) {
      if (signal.aborted) throw err;
      throw new StageFailure({
        kind: 'system',
        message: `getting the sources failed: ${errorMessage(err)}`,
      });
    }
  }

  /** Files in the project directory that the checkout did not bring, relative to it. */
  async #untrackedFiles(workspace: Workspace, projectDir: string): Promise<string[]> {
    return (await workspace.listFiles(projectDir))
      .filter((path) => !this.#tracked.has(path))
      .map((path) => path.slice(projectDir.length + 1));
  }

  #artifactProgress(progress: Parameters<typeof artifactTransfer>[0]): void {
    const transfer = artifactTransfer(progress);
    this.#options.events.emit({ type: 'job-transfer', jobId: this.#payload.id, transfer });
  }

  /** What the cache plans read from the payload and the job's variables. */
  #cacheInput(plan: JobPlan): CachePlanInput {
    const payload = this.#payload;
    return {
      caches: payload.cache,
      expand: (value) => plan.variables.expand(value),
      variable: (name) => plan.variables.value(name),
      jobName: payload.job_info.name,
      ref: payload.git_info.ref,
    };
  }

  /** This job's caches live under GitLab's origin and the project (`CacheAddress`). */
  get #cacheProject(): { gitlab: string; projectId: number } {
    return { gitlab: this.#options.gitlabOrigin, projectId: this.#payload.job_info.project_id };
  }

  /** The plan of a job that runs: only `always` stages run for a refused plan. */
  get #plan(): JobPlan {
    if (this.#planned.kind === 'rejection') throw new Error('a build stage ran for a refused job');
    return this.#planned;
  }

  /** The workspace get_sources prepared, which the stages after it run in. */
  get #preparedWorkspace(): Workspace {
    if (!this.#workspace)
      throw new StageFailure({ kind: 'system', message: 'the executor prepared no workspace' });
    return this.#workspace;
  }
}
