/**
 * Saving and restoring the emulator's state as JSON, for `npm start` (scripts/sandbox.ts): a
 * restarted sandbox must still know the runners, tokens and managers an open tab holds, the
 * projects and their pipelines and jobs (a running job's token keeps working, a job link keeps
 * its log). Byte fields (traces, artifacts) are base64. What is read back is schema-checked,
 * since the file lives on disk where anything may have happened to it.
 *
 * Not saved: queue versions (a fresh one makes every runner ask the scheduler again, which is
 * what a restart should do) and test-only settings (faults, upload-pack policy).
 */
import { isAbsolute, join, relative } from 'node:path';
import { z } from 'zod';
import {
  JOB_STATUSES,
  PIPELINE_STATUSES,
  type Job,
  type Pipeline,
  type Project,
  type Runner,
  type RunnerManager,
  type StoredArtifact,
} from './model.ts';
import { pipelineExtras, setPipelineExtras } from './pipelines/pipeline-extras.ts';
import { newQueueVersion, type EmulatorState } from './state.ts';

const variableSchema = z.object({
  key: z.string(),
  value: z.string(),
  public: z.boolean().optional(),
  file: z.boolean().optional(),
  masked: z.boolean().optional(),
  raw: z.boolean().optional(),
});

const managerSchema = z.object({
  systemId: z.string(),
  info: z.record(z.string(), z.unknown()),
  features: z.record(z.string(), z.boolean()),
  contactedAt: z.number(),
});

const runnerSchema = z.object({
  id: z.number().int().positive(),
  token: z.string().min(1),
  tokenExpiresAt: z.string().nullable(),
  kind: z.enum(['legacy', 'authentication']),
  description: z.string(),
  tags: z.array(z.string()),
  runUntagged: z.boolean(),
  paused: z.boolean(),
  locked: z.boolean(),
  accessLevel: z.enum(['not_protected', 'ref_protected']),
  maximumTimeout: z.number().nullable(),
  managers: z.array(managerSchema),
  runnerType: z.enum(['instance_type', 'group_type', 'project_type']).optional(),
  projectIds: z.array(z.number()).nullable().optional(),
  maintenanceNote: z.string().optional(),
});

const projectSchema = z.object({
  id: z.number().int().positive(),
  path: z.string(),
  fullPath: z.string(),
  name: z.string(),
  namespaceId: z.number(),
  /** Relative to the data folder when inside it, so the state folder can move. */
  gitDir: z.string(),
  defaultBranch: z.string(),
  variables: z.array(variableSchema),
  defaultGitDepth: z.number(),
});

const pipelineSchema = z.object({
  id: z.number().int().positive(),
  iid: z.number(),
  projectId: z.number(),
  ref: z.string(),
  refType: z.enum(['branch', 'tag']),
  sha: z.string(),
  beforeSha: z.string(),
  source: z.enum(['push', 'web', 'api', 'merge_request_event', 'schedule', 'trigger']),
  mergeRequestIid: z.number().nullable(),
  variables: z.array(variableSchema),
  status: z.enum(PIPELINE_STATUSES),
  stages: z.array(z.string()),
  jobIds: z.array(z.number()),
  createdAt: z.number(),
  configError: z.string().optional(),
  commit: z
    .object({
      message: z.string(),
      authorName: z.string(),
      authorEmail: z.string(),
      timestamp: z.string(),
    })
    .nullable(),
  mergeRequest: z
    .object({
      iid: z.number(),
      sourceBranch: z.string(),
      targetBranch: z.string(),
      title: z.string(),
      sourceSha: z.string(),
      diffBaseSha: z.string(),
    })
    .nullable(),
});

const whenSchema = z.enum(['on_success', 'on_failure', 'always']);
const base64 = z.base64();

const jobSchema = z.object({
  id: z.number().int().positive(),
  pipelineId: z.number(),
  projectId: z.number(),
  name: z.string(),
  stage: z.string(),
  stageIndex: z.number(),
  status: z.enum(JOB_STATUSES),
  token: z.string(),
  tags: z.array(z.string()),
  allowFailure: z.boolean(),
  allowFailureExitCodes: z.array(z.number()),
  when: z.enum(['on_success', 'on_failure', 'always', 'manual', 'never']),
  timeout: z.number(),
  steps: z.array(
    z.object({
      name: z.string(),
      script: z.array(z.string()),
      timeout: z.number(),
      when: whenSchema,
      allowFailure: z.boolean(),
    }),
  ),
  variables: z.array(variableSchema),
  image: z.object({ name: z.string(), entrypoint: z.array(z.string()).optional() }).nullable(),
  services: z.array(z.object({ name: z.string(), alias: z.string().optional() })),
  artifacts: z.array(
    z.object({
      name: z.string(),
      untracked: z.boolean(),
      paths: z.array(z.string()),
      exclude: z.array(z.string()),
      when: whenSchema,
      artifactType: z.string(),
      artifactFormat: z.string(),
      expireIn: z.string(),
    }),
  ),
  cache: z.array(
    z.object({
      key: z.string(),
      untracked: z.boolean(),
      // Absent in state saved before `cache:unprotect` was read.
      unprotect: z.boolean().default(false),
      policy: z.string(),
      paths: z.array(z.string()),
      when: z.string(),
      fallbackKeys: z.array(z.string()),
    }),
  ),
  dependencies: z.array(z.string()),
  needs: z.array(z.string()).nullable(),
  // Absent in state saved before `environment:` was read.
  environment: z
    .object({ name: z.string(), url: z.string().nullable(), action: z.string(), tier: z.string() })
    .nullable()
    .default(null),
  requiredFeatures: z.array(z.string()),
  payloadOverrides: z.record(z.string(), z.unknown()).nullable(),
  runnerId: z.number().nullable(),
  systemId: z.string().nullable(),
  awaitingAcceptance: z.boolean(),
  trace: base64,
  failureReason: z.string().nullable(),
  exitCode: z.number().nullable(),
  reportedChecksum: z.string().nullable(),
  artifactsStored: z.array(
    z.object({
      artifactType: z.string(),
      artifactFormat: z.string(),
      filename: z.string(),
      data: base64,
      expiresAt: z.number().nullable(),
      uploadedAt: z.number(),
    }),
  ),
  queuedAt: z.number().nullable(),
  startedAt: z.number().nullable(),
  finishedAt: z.number().nullable(),
  watchedUntil: z.number(),
  pendingFinalSince: z.number().nullable(),
  retried: z.boolean().optional(),
  retry: z
    .object({
      max: z.number().optional(),
      when: z.array(z.string()).optional(),
      exitCodes: z.array(z.number()).optional(),
    })
    .optional(),
  retryCount: z.number().optional(),
  parallel: z.object({ index: z.number(), total: z.number() }).optional(),
});

/** The emulator's state as saved on disk. */
export const savedEmulatorStateSchema = z.object({
  ids: z.record(z.string(), z.number().int().positive()),
  runners: z.array(runnerSchema),
  projects: z.array(projectSchema),
  pipelines: z.array(pipelineSchema),
  jobs: z.array(jobSchema),
});

export type SavedEmulatorState = z.infer<typeof savedEmulatorStateSchema>;

const toBase64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
const fromBase64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));

/** A JSON-ready copy of `state`; project repositories are named relative to `dataDir`. */
export function saveEmulatorState(state: EmulatorState, dataDir: string): SavedEmulatorState {
  return {
    ids: state.idCounters(),
    runners: [...state.runners.values()].map(({ queueVersion: _, managers, ...runner }) => ({
      ...runner,
      managers: [...managers.values()],
    })),
    projects: [...state.projects.values()].map((project) => {
      const inside = relative(dataDir, project.gitDir);
      const portable = !inside.startsWith('..') && !isAbsolute(inside);
      return { ...project, gitDir: portable ? inside : project.gitDir };
    }),
    pipelines: [...state.pipelines.values()].map((pipeline) => ({
      ...pipeline,
      ...pipelineExtras(pipeline),
    })),
    jobs: [...state.jobs.values()].map((job) => ({
      ...job,
      trace: toBase64(job.trace),
      artifactsStored: job.artifactsStored.map((artifact) => ({
        ...artifact,
        data: toBase64(artifact.data),
      })),
    })),
  };
}

/**
 * Fill an empty `state` from a saved one (already checked with `savedEmulatorStateSchema`).
 * Throws when the saved state contradicts itself (a job of a pipeline that is not there), so
 * a hand-edited file fails at start instead of in the middle of a request.
 */
export function restoreEmulatorState(
  state: EmulatorState,
  saved: SavedEmulatorState,
  dataDir: string,
): void {
  if (state.runners.size + state.projects.size + state.pipelines.size + state.jobs.size > 0) {
    throw new Error('restoreEmulatorState needs an empty emulator state');
  }
  const projectIds = new Set(saved.projects.map((p) => p.id));
  const pipelineIds = new Set(saved.pipelines.map((p) => p.id));
  const jobIds = new Set(saved.jobs.map((j) => j.id));
  for (const pipeline of saved.pipelines) {
    if (!projectIds.has(pipeline.projectId)) {
      throw new Error(
        `pipeline ${pipeline.id} belongs to project ${pipeline.projectId}, which is not saved`,
      );
    }
    const missing = pipeline.jobIds.find((id) => !jobIds.has(id));
    if (missing !== undefined)
      throw new Error(`pipeline ${pipeline.id} lists job ${missing}, which is not saved`);
  }
  for (const job of saved.jobs) {
    if (!pipelineIds.has(job.pipelineId)) {
      throw new Error(`job ${job.id} belongs to pipeline ${job.pipelineId}, which is not saved`);
    }
  }

  state.restoreIdCounters(saved.ids);
  for (const { managers, ...fields } of saved.runners) {
    const runner: Runner = {
      ...fields,
      managers: new Map(managers.map((m): [string, RunnerManager] => [m.systemId, m])),
      queueVersion: newQueueVersion(),
    };
    state.runners.set(runner.id, runner);
  }
  for (const fields of saved.projects) {
    const project: Project = {
      ...fields,
      gitDir: isAbsolute(fields.gitDir) ? fields.gitDir : join(dataDir, fields.gitDir),
    };
    state.projects.set(project.id, project);
  }
  for (const { commit, mergeRequest, ...fields } of saved.pipelines) {
    const pipeline: Pipeline = { ...fields };
    setPipelineExtras(pipeline, { commit, mergeRequest });
    state.pipelines.set(pipeline.id, pipeline);
  }
  for (const fields of saved.jobs) {
    const job: Job = {
      ...fields,
      trace: fromBase64(fields.trace),
      artifactsStored: fields.artifactsStored.map((artifact): StoredArtifact => ({
        ...artifact,
        data: fromBase64(artifact.data),
      })),
    };
    state.jobs.set(job.id, job);
  }
}
