/**
 * The emulator's admin API under `/admin/api/` (authenticated by `PRIVATE-TOKEN: <adminToken>`
 * in `server.ts`): create runners, projects and pipelines; set project variables; read jobs; play,
 * retry, cancel, fail or watch a job; cancel a pipeline; arm faults; read the request log; switch CORS mode. Bodies and answers are JSON with
 * GitLab-style snake_case keys. A project's `source_dir` (the folder whose files become its
 * first commit) may be relative: it is resolved against the emulator process's working
 * directory, and a path that is not a folder is a 400 saying so.
 */
import type { CorsMode } from '../context.ts';
import {
  createPipeline,
  createProject,
  type CreateProjectInput,
  type PipelineInput,
} from '../collaborators.ts';
import { FAULT_ENDPOINTS, FAULT_KINDS } from '../faults.ts';
import {
  cancelJob,
  cancelPipeline,
  dropJob,
  isFinished,
  playJob,
  retryJob,
} from '../jobs/index.ts';
import type { Job, Pipeline } from '../model.ts';
import { createRunner, parseTagList } from '../runners/index.ts';
import { empty, json, notFound, paramError, type Reply } from '../http/reply.ts';
import { booleanField, integerField, stringField, type EmulatorRequest } from '../http/request.ts';
import type { AdminEnv, AdminRoute } from './admin-env.ts';
import { jobView } from './job-view.ts';
import { PROJECT_VARIABLE_ROUTES } from './project-variables.ts';

const CORS_MODES: readonly CorsMode[] = ['gitlab', 'relay', 'off'];

function jobOf(env: AdminEnv, req: EmulatorRequest): Job | undefined {
  return env.ctx.state.jobs.get(Number(req.params['id']));
}

function withJob(handle: (env: AdminEnv, job: Job, req: EmulatorRequest) => Promise<Reply>) {
  return async (env: AdminEnv, req: EmulatorRequest): Promise<Reply> => {
    const job = jobOf(env, req);
    return job ? handle(env, job, req) : notFound('Job Not Found');
  };
}

export const ADMIN_ROUTES: readonly AdminRoute[] = [
  {
    method: 'POST',
    pattern: '/admin/api/runners',
    async handle({ ctx }, req) {
      const fields = await req.fields();
      const maximumTimeout = integerField(fields, 'maximum_timeout');
      const runner = createRunner(ctx, {
        tags: parseTagList(fields['tag_list'] ?? fields['tags']) ?? [],
        runUntagged: booleanField(fields, 'run_untagged') ?? true,
        paused: booleanField(fields, 'paused') ?? false,
        locked: booleanField(fields, 'locked') ?? false,
        description: stringField(fields, 'description') ?? '',
        maximumTimeout: maximumTimeout ?? null,
      });
      return json(201, { id: runner.id, token: runner.token, token_expires_at: null });
    },
  },
  {
    method: 'POST',
    pattern: '/admin/api/projects',
    async handle({ ctx }, req) {
      const fields = await req.fields();
      const path = stringField(fields, 'path');
      if (path === undefined) return paramError('path is missing');
      const input: CreateProjectInput = { path };
      const sourceDir = stringField(fields, 'source_dir');
      const bareRepo = stringField(fields, 'bare_repo');
      const namespace = stringField(fields, 'namespace');
      const defaultBranch = stringField(fields, 'default_branch');
      if (sourceDir !== undefined) input.sourceDir = sourceDir;
      if (bareRepo !== undefined) input.bareRepo = bareRepo;
      if (namespace !== undefined) input.namespace = namespace;
      if (defaultBranch !== undefined) input.defaultBranch = defaultBranch;
      let project;
      try {
        project = await createProject(ctx, input);
      } catch (error) {
        return json(400, { message: error instanceof Error ? error.message : String(error) });
      }
      return json(201, {
        id: project.id,
        path: project.path,
        full_path: project.fullPath,
        http_url_to_repo: `${ctx.externalUrl()}/${project.fullPath}.git`,
      });
    },
  },
  {
    method: 'POST',
    pattern: '/admin/api/projects/:id/pipelines',
    async handle({ ctx }, req) {
      const projectId = Number(req.params['id']);
      if (!ctx.state.projects.has(projectId)) return notFound('Project Not Found');
      const fields = await req.fields();
      if (typeof fields['ref'] !== 'string') return paramError('ref is missing');
      let pipeline;
      try {
        // The body is `createPipeline`'s input as JSON (`jobs`, or `yaml`, or neither to read
        // the project's .gitlab-ci.yml); it validates the rest and explains bad configs.
        pipeline = await createPipeline(ctx, projectId, fields as unknown as PipelineInput);
      } catch (error) {
        return json(400, { message: error instanceof Error ? error.message : String(error) });
      }
      return json(201, pipelineView(pipeline));
    },
  },
  {
    method: 'GET',
    pattern: '/admin/api/jobs',
    async handle({ ctx }, req) {
      const status = req.query.get('status');
      const jobs = [...ctx.state.jobs.values()].filter(
        (j) => status === null || j.status === status,
      );
      return json(
        200,
        jobs.map((j) => jobView(j, false)),
      );
    },
  },
  {
    method: 'GET',
    pattern: '/admin/api/jobs/:id',
    handle: withJob(async (_env, job) => json(200, jobView(job, true))),
  },
  {
    method: 'POST',
    pattern: '/admin/api/jobs/:id/cancel',
    handle: withJob(async ({ ctx }, job) => {
      cancelJob(ctx, job);
      return json(200, jobView(job, false));
    }),
  },
  {
    method: 'POST',
    pattern: '/admin/api/jobs/:id/play',
    handle: withJob(async ({ ctx }, job) => {
      if (!playJob(ctx, job)) {
        return json(409, { message: `job ${job.id} is ${job.status}, not a manual job to play` });
      }
      return json(200, jobView(job, false));
    }),
  },
  {
    // GitLab's `POST /projects/:id/jobs/:job_id/retry`: 201 with the new job, 403 when not retryable.
    method: 'POST',
    pattern: '/admin/api/jobs/:id/retry',
    handle: withJob(async ({ ctx }, job) => {
      const clone = retryJob(ctx, job);
      if (!clone) return json(403, { message: '403 Forbidden - Job is not retryable' });
      return json(201, jobView(clone, false));
    }),
  },
  {
    method: 'POST',
    pattern: '/admin/api/pipelines/:id/cancel',
    async handle({ ctx }, req) {
      const pipeline = ctx.state.pipelines.get(Number(req.params['id']));
      if (!pipeline) return notFound('Pipeline Not Found');
      cancelPipeline(ctx, pipeline);
      return json(200, pipelineView(pipeline));
    },
  },
  ...PROJECT_VARIABLE_ROUTES,
  {
    method: 'POST',
    pattern: '/admin/api/jobs/:id/fail',
    handle: withJob(async ({ ctx }, job, req) => {
      if (!isFinished(job))
        dropJob(ctx, job, stringField(await req.fields(), 'reason') ?? 'unknown_failure');
      return json(200, jobView(job, false));
    }),
  },
  {
    method: 'POST',
    pattern: '/admin/api/jobs/:id/watch',
    handle: withJob(async ({ ctx }, job, req) => {
      const seconds = integerField(await req.fields(), 'seconds') ?? 10;
      job.watchedUntil = ctx.clock.now() + seconds * 1000;
      return json(200, jobView(job, false));
    }),
  },
  {
    method: 'GET',
    pattern: '/admin/api/faults',
    async handle({ faults }) {
      return json(200, faults.list());
    },
  },
  {
    method: 'POST',
    pattern: '/admin/api/faults',
    async handle({ faults }, req) {
      const fields = await req.fields();
      const endpoint = FAULT_ENDPOINTS.find((e) => e === fields['endpoint']);
      const kind = FAULT_KINDS.find((k) => k === fields['kind']);
      if (!endpoint) return paramError('endpoint does not have a valid value');
      if (!kind) return paramError('kind does not have a valid value');
      const fault = faults.add({
        endpoint,
        kind,
        times: integerField(fields, 'times') ?? 1,
        status: integerField(fields, 'status') ?? 500,
        ...optional('retryAfter', integerField(fields, 'retry_after')),
        ...optional('delayMs', integerField(fields, 'delay_ms')),
        ...optional('jobId', integerField(fields, 'job_id')),
      });
      return json(201, fault);
    },
  },
  {
    method: 'DELETE',
    pattern: '/admin/api/faults',
    async handle({ faults }) {
      faults.clear();
      return empty(204);
    },
  },
  {
    method: 'GET',
    pattern: '/admin/api/requests',
    async handle({ requests }) {
      return json(200, requests.entries());
    },
  },
  {
    method: 'PUT',
    pattern: '/admin/api/cors',
    async handle({ ctx }, req) {
      const fields = await req.fields();
      const mode = CORS_MODES.find((m) => m === stringField(fields, 'mode'));
      if (!mode) return paramError('mode does not have a valid value');
      ctx.options.corsMode = mode;
      return json(200, { mode });
    },
  },
];

function pipelineView(pipeline: Pipeline): Record<string, unknown> {
  return {
    id: pipeline.id,
    status: pipeline.status,
    ref: pipeline.ref,
    sha: pipeline.sha,
    job_ids: pipeline.jobIds,
  };
}

function optional<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, number>);
}
