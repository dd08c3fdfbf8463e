/**
 * The job payload GitLab sends with `201` on `POST /jobs/request`
 * (docs/runner-protocol.md §4), checked at the edge so nothing past `src/gitlab` sees raw JSON.
 *
 * GitLab may omit any field or send `null` for it; both become the zero value, as the Go
 * runner's decoder does (docs/runner-protocol.md §4). Unknown fields are dropped. Wrong types are errors: the runner
 * turns them into a failed job with a readable reason instead of running something else.
 */
import { z } from 'zod';

/** `null` and absence both mean the zero value. */
function orDefault<T extends z.ZodType>(schema: T, zero: z.output<T>) {
  return schema.nullish().transform((value) => (value ?? zero) as z.output<T>);
}

const str = orDefault(z.string(), '');
const bool = orDefault(z.boolean(), false);
const int = orDefault(z.number().int(), 0);
const num = orDefault(z.number(), 0);
const strList = orDefault(
  z.array(
    z
      .string()
      .nullable()
      .transform((s) => s ?? ''),
  ),
  [],
);

export const jobVariableSchema = z.object({
  key: z.string(),
  value: str,
  public: bool,
  file: bool,
  masked: bool,
  raw: bool,
});

export const jobStepSchema = z.object({
  name: z.string(),
  script: strList,
  timeout: int,
  when: str,
  allow_failure: bool,
});

const executorOptsSchema = orDefault(z.record(z.string(), z.unknown()), {});

export const imageSchema = z.object({
  name: str,
  alias: str,
  command: strList,
  entrypoint: strList,
  ports: orDefault(z.array(z.unknown()), []),
  variables: orDefault(z.array(jobVariableSchema), []),
  pull_policy: strList,
  executor_opts: executorOptsSchema,
});

export const artifactSchema = z.object({
  name: str,
  untracked: bool,
  paths: strList,
  exclude: strList,
  when: str,
  artifact_type: str,
  artifact_format: str,
  expire_in: str,
});

export const cacheSchema = z.object({
  key: str,
  untracked: bool,
  policy: str,
  paths: strList,
  when: str,
  fallback_keys: strList,
});

export const dependencySchema = z.object({
  id: z.number().int(),
  name: str,
  token: str,
  artifacts_file: z
    .object({ filename: str, size: int })
    .nullish()
    .transform((v) => v ?? null),
});

export const jobPayloadSchema = z.object({
  id: z.number().int().positive(),
  token: z.string().min(1),
  allow_git_fetch: bool,
  job_info: orDefault(
    z.object({
      id: int,
      name: str,
      stage: str,
      pipeline_id: int,
      project_id: int,
      project_name: str,
      project_full_path: str,
      time_in_queue_seconds: num,
    }),
    {
      id: 0,
      name: '',
      stage: '',
      pipeline_id: 0,
      project_id: 0,
      project_name: '',
      project_full_path: '',
      time_in_queue_seconds: 0,
    },
  ),
  git_info: orDefault(
    z.object({
      repo_url: str,
      repo_object_format: str,
      ref: str,
      sha: str,
      before_sha: str,
      ref_type: str,
      refspecs: strList,
      depth: int,
      protected: z
        .boolean()
        .nullish()
        .transform((v) => v ?? null),
    }),
    {
      repo_url: '',
      repo_object_format: '',
      ref: '',
      sha: '',
      before_sha: '',
      ref_type: '',
      refspecs: [],
      depth: 0,
      protected: null,
    },
  ),
  runner_info: orDefault(z.object({ uuid: str, timeout: int }), { uuid: '', timeout: 0 }),
  variables: orDefault(z.array(jobVariableSchema), []),
  steps: orDefault(z.array(jobStepSchema), []),
  image: imageSchema.nullish().transform((v) => v ?? null),
  services: orDefault(z.array(imageSchema), []),
  artifacts: orDefault(z.array(artifactSchema), []),
  cache: orDefault(z.array(cacheSchema), []),
  dependencies: orDefault(z.array(dependencySchema), []),
  features: orDefault(
    z.object({
      trace_sections: bool,
      failure_reasons: strList,
      token_mask_prefixes: strList,
    }),
    { trace_sections: false, failure_reasons: [], token_mask_prefixes: [] },
  ),
  hooks: orDefault(z.array(z.object({ name: str, script: strList })), []),
  secrets: orDefault(z.record(z.string(), z.unknown()), {}),
  run: str,
});

export type JobPayload = z.output<typeof jobPayloadSchema>;
export type JobVariable = z.output<typeof jobVariableSchema>;
export type JobStep = z.output<typeof jobStepSchema>;
export type JobArtifact = z.output<typeof artifactSchema>;
export type JobCache = z.output<typeof cacheSchema>;
export type JobDependency = z.output<typeof dependencySchema>;
export type JobImage = z.output<typeof imageSchema>;

/** What is left of a payload we could not parse: enough to fail the job properly. */
export interface UnparsableJob {
  id: number;
  token: string;
  /** A readable account of what was wrong, safe to print in the trace (no values). */
  problems: string[];
}

export type ParsedJob =
  { ok: true; job: JobPayload } | { ok: false; job: UnparsableJob | null; problems: string[] };

/**
 * Parse a decoded JSON body. When the payload is malformed but still names a job id and token,
 * the caller can report that job as failed (`runner_system_failure`) and keep running.
 */
export function parseJobPayload(body: unknown): ParsedJob {
  const parsed = jobPayloadSchema.safeParse(body);
  if (parsed.success) return { ok: true, job: parsed.data };
  const problems = parsed.error.issues.map(
    (issue) => `${issue.path.length ? issue.path.join('.') : '(payload)'}: ${issue.message}`,
  );
  const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const id = record['id'];
  const token = record['token'];
  const job =
    typeof id === 'number' && Number.isInteger(id) && id > 0 && typeof token === 'string' && token
      ? { id, token, problems }
      : null;
  return { ok: false, job, problems };
}
