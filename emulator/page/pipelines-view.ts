/**
 * `GET /`: the pipelines, newest first, each drawn as GitLab's pipeline graph (simplified): its
 * stages as columns, its jobs as status pills linking to their logs, with the job's action
 * (retry, cancel, play) for the signed-in instructor. The instances of a parallel or matrix
 * job are one group pill with their count and the group's status, which opens to list them
 * (`job-groups.ts`; a `<details>`, as the page has no script). A pipeline whose config GitLab would
 * reject shows failed with GitLab's "This GitLab CI configuration is invalid" message. Retried
 * jobs are left out of the graph, as GitLab shows only the latest job of a name, and listed
 * under it.
 */
import { pipelineExtras } from '../collaborators.ts';
import type { EmulatorContext } from '../context.ts';
import { isCancelable, isRetryable, stuckMessage } from '../jobs/index.ts';
import type { Job, Pipeline } from '../model.ts';
import { escapeHtml, formatDuration } from './html.ts';
import { jobGroups, type JobGroup } from './job-groups.ts';
import { badge, button, page, statusIcon, timeAgo } from './layout.ts';

export const ACTIVE_STATUSES = new Set(['created', 'pending', 'running', 'canceling']);
const CONFIG_INVALID = 'This GitLab CI configuration is invalid:';

/** GitLab's sentence for a pipeline that has a config error. */
export function configErrorText(error: string): string {
  return error.startsWith(CONFIG_INVALID) ? error : `${CONFIG_INVALID} ${error}`;
}

export function jobDuration(ctx: EmulatorContext, job: Job): string {
  if (job.startedAt === null) return '';
  return formatDuration((job.finishedAt ?? ctx.clock.now()) - job.startedAt);
}

/** A pipeline's status as its page says it: a waiting manual job "blocks" it. */
function pipelineLabel(pipeline: Pipeline): string {
  return pipeline.status === 'manual' ? 'blocked' : pipeline.status;
}

/** The job's one action in the graph, if the instructor may take it. */
function jobAction(job: Job, back?: string): string {
  const at = `/-/jobs/${job.id}`;
  const options = (title: string) => ({ kind: 'icon' as const, title, ...(back ? { back } : {}) });
  if (job.status === 'manual') return button(`${at}/play`, '▶', options(`Run ${job.name}`));
  if (ACTIVE_STATUSES.has(job.status) && job.status !== 'canceling')
    return button(`${at}/cancel`, '✕', options(`Cancel ${job.name}`));
  if (isRetryable(job)) return button(`${at}/retry`, '↻', options(`Retry ${job.name}`));
  return '';
}

/**
 * Which pipelines a page lists: all of them (`/`), one project's (`CI_PROJECT_URL`), or one
 * pipeline (`CI_PIPELINE_URL`); `path` is where the page reloads itself.
 */
export interface PipelinesScope {
  path: string;
  title: string;
  filter: (pipeline: Pipeline) => boolean;
}

const EVERY_PIPELINE: PipelinesScope = { path: '/', title: 'Pipelines', filter: () => true };

export function pipelinesView(
  ctx: EmulatorContext,
  instructor: boolean,
  scope: PipelinesScope = EVERY_PIPELINE,
): string {
  const pipelines = [...ctx.state.pipelines.values()]
    .filter(scope.filter)
    .sort((a, b) => b.id - a.id);
  const refresh = pipelines.some((p) => ACTIVE_STATUSES.has(p.status)) ? scope.path : null;
  const cards = pipelines.map((p) => pipelineCard(ctx, p, instructor)).join('');
  const run = instructor
    ? '<a class="btn btn-confirm" href="/-/pipelines/new">Run pipeline</a>'
    : '';
  const body =
    `<div class="page-title"><h1>${escapeHtml(scope.title)}</h1>${run}</div>` +
    (cards || '<p class="empty">No pipelines yet. Push to a project, or run one.</p>');
  return page(scope.title, body, { instructor, refresh, section: 'pipelines' });
}

function pipelineCard(ctx: EmulatorContext, pipeline: Pipeline, instructor: boolean): string {
  const project = ctx.state.projects.get(pipeline.projectId);
  const jobs = pipeline.jobIds
    .map((id) => ctx.state.jobs.get(id))
    .filter((job): job is Job => job !== undefined);
  const retried = [...ctx.state.jobs.values()].filter(
    (job) => job.pipelineId === pipeline.id && job.retried === true,
  );
  const label = pipelineLabel(pipeline);
  const facts = [
    `<span class="ref">${escapeHtml(pipeline.ref)}</span>`,
    `<code>${escapeHtml(pipeline.sha.slice(0, 8))}</code>`,
    escapeHtml(pipeline.source),
    escapeHtml(timeAgo(ctx.clock.now() - pipeline.createdAt)),
  ];
  // GitLab's pipeline list names each pipeline by its commit's title and author.
  const commit = pipelineExtras(pipeline).commit;
  const title = commit
    ? `<div class="commit"><span class="commit-title">${escapeHtml(commit.message.split('\n')[0] ?? '')}</span>` +
      ` <span class="facts">by ${escapeHtml(commit.authorName)}</span></div>`
    : '';
  const invalid =
    pipeline.configError !== undefined ? '<span class="label-danger">yaml invalid</span>' : '';
  const cancel =
    instructor && isCancelable(ctx, pipeline)
      ? button(`/-/pipelines/${pipeline.id}/cancel`, 'Cancel pipeline', {
          kind: 'danger',
          back: '/',
        })
      : '';
  const body =
    pipeline.configError !== undefined
      ? `<div class="alert alert-danger" role="alert">${escapeHtml(configErrorText(pipeline.configError))}</div>`
      : graph(ctx, pipeline, jobs, instructor);
  const retriedList = retried.length
    ? `<details class="retried"><summary>${retried.length} retried job${retried.length === 1 ? '' : 's'}</summary><ul>` +
      retried
        .map(
          (job) =>
            `<li>${statusIcon(job.status)}<a href="/-/jobs/${job.id}">${escapeHtml(job.name)}</a> #${job.id}</li>`,
        )
        .join('') +
      '</ul></details>'
    : '';
  return (
    `<section class="pipeline" id="pipeline-${pipeline.id}"><div class="pipeline-head">${badge(label)}` +
    `<span class="pipeline-id">Pipeline #${pipeline.id}</span>${invalid}` +
    `<span class="project">${escapeHtml(project?.fullPath ?? '?')}</span>` +
    `<span class="facts">${facts.join(' · ')}</span><span class="spacer"></span>${cancel}</div>` +
    `${title}${body}${retriedList}</section>`
  );
}

function graph(ctx: EmulatorContext, pipeline: Pipeline, jobs: Job[], instructor: boolean): string {
  const columns = pipeline.stages
    .map((stage) => {
      const inStage = jobs.filter((job) => job.stage === stage);
      if (inStage.length === 0) return '';
      const pills = jobGroups(inStage)
        .map((group) => groupPill(ctx, group, instructor))
        .join('');
      return `<div class="stage"><h3>${escapeHtml(stage)}</h3>${pills}</div>`;
    })
    .join('');
  return `<div class="graph">${columns || '<p class="empty">No jobs.</p>'}</div>`;
}

/** One job as its pill; several as GitLab's group: name, count and status, opening to the jobs. */
function groupPill(ctx: EmulatorContext, group: JobGroup, instructor: boolean): string {
  const [only] = group.jobs;
  if (only && group.jobs.length === 1) return jobPill(ctx, only, instructor);
  const status = escapeHtml(group.status);
  return (
    `<details class="job-group"><summary class="job status-${status}" title="${status}">` +
    `${statusIcon(group.status)}<span class="group-name">${escapeHtml(group.name)}</span>` +
    `<span class="count">${group.jobs.length}</span></summary>` +
    `<div class="group-jobs">${group.jobs.map((job) => jobPill(ctx, job, instructor)).join('')}</div></details>`
  );
}

function jobPill(ctx: EmulatorContext, job: Job, instructor: boolean): string {
  const stuck = stuckMessage(ctx, job);
  const duration = jobDuration(ctx, job);
  const title = [job.status, duration, job.tags.length ? `tags: ${job.tags.join(', ')}` : '']
    .filter(Boolean)
    .join(' · ');
  return (
    `<div class="job status-${escapeHtml(job.status)}">${statusIcon(job.status)}` +
    `<a href="/-/jobs/${job.id}" title="${escapeHtml(title)}">${escapeHtml(job.name)}</a>` +
    (stuck ? `<span class="stuck" title="${escapeHtml(stuck)}">stuck</span>` : '') +
    (instructor ? jobAction(job, '/') : '') +
    '</div>'
  );
}
