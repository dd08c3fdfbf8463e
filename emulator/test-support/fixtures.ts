/**
 * Test fixtures: insert projects, pipelines and jobs straight into an emulator's state, with
 * GitLab-like defaults, for tests of the runner API that need no git repository.
 */
import type { EmulatorState } from '../state.ts';
import type { Job, Pipeline, Project } from '../model.ts';
import { newJobState } from '../pipelines/index.ts';

/** Insert a project (no repository behind it). */
export function insertProject(state: EmulatorState, overrides: Partial<Project> = {}): Project {
  const id = overrides.id ?? state.nextId('project');
  const path = overrides.path ?? `project-${id}`;
  const project: Project = {
    id,
    path,
    fullPath: `group/${path}`,
    name: path,
    namespaceId: 1,
    gitDir: '/nonexistent',
    defaultBranch: 'main',
    variables: [],
    defaultGitDepth: 20,
    ...overrides,
  };
  state.projects.set(project.id, project);
  return project;
}

/** Insert a pipeline of `projectId`. */
export function insertPipeline(
  state: EmulatorState,
  projectId: number,
  overrides: Partial<Pipeline> = {},
): Pipeline {
  const id = overrides.id ?? state.nextId('pipeline');
  const pipeline: Pipeline = {
    id,
    iid: id,
    projectId,
    ref: 'main',
    refType: 'branch',
    sha: 'a'.repeat(40),
    beforeSha: '0'.repeat(40),
    source: 'push',
    mergeRequestIid: null,
    variables: [],
    status: 'pending',
    stages: ['test'],
    jobIds: [],
    createdAt: Date.now(),
    ...overrides,
  };
  state.pipelines.set(pipeline.id, pipeline);
  return pipeline;
}

/**
 * Insert a pending job into `pipeline` and announce it (`state.changed()`), as GitLab enqueues
 * a build. Defaults: untagged, `echo hello`, timeout 3600 s.
 */
export function insertJob(
  state: EmulatorState,
  pipeline: Pipeline,
  overrides: Partial<Job> = {},
): Job {
  const id = overrides.id ?? state.nextId('job');
  const job: Job = {
    id,
    pipelineId: pipeline.id,
    projectId: pipeline.projectId,
    name: `job-${id}`,
    stage: pipeline.stages[0] ?? 'test',
    stageIndex: 0,
    tags: [],
    allowFailure: false,
    allowFailureExitCodes: [],
    when: 'on_success',
    timeout: 3600,
    steps: [
      {
        name: 'script',
        script: ['echo hello'],
        timeout: 3600,
        when: 'on_success',
        allowFailure: false,
      },
    ],
    variables: [],
    image: null,
    services: [],
    artifacts: [],
    cache: [],
    dependencies: [],
    needs: null,
    environment: null,
    requiredFeatures: [],
    payloadOverrides: null,
    ...newJobState(),
    status: 'pending',
    queuedAt: Date.now(),
    ...overrides,
  };
  state.jobs.set(job.id, job);
  pipeline.jobIds.push(job.id);
  state.changed();
  return job;
}

/** A project, a pipeline and one pending job: the smallest thing a runner can pick up. */
export function insertSimpleJob(state: EmulatorState, overrides: Partial<Job> = {}): Job {
  const project = insertProject(state);
  const pipeline = insertPipeline(state, project.id);
  return insertJob(state, pipeline, overrides);
}
