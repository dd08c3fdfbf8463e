/**
 * `GET /-/jobs/:id`: one job as GitLab's job page shows it: status, facts, the stuck banner,
 * artifacts, the log (masked, then rendered like GitLab's log viewer), and for the instructor
 * its actions. A retried job says which job replaced it.
 */
import type { EmulatorContext } from '../context.ts';
import { isRetryable, stuckMessage } from '../jobs/index.ts';
import type { Job } from '../model.ts';
import { escapeHtml, maskSecrets } from './html.ts';
import { badge, button, page } from './layout.ts';
import { LOG_END_ID, logViewUrl, type LogView } from './log-view.ts';
import { ACTIVE_STATUSES, jobDuration } from './pipelines-view.ts';
import { traceToHtml } from './trace-html.ts';

/** Which job page was asked for: its path (`/-/jobs/:id` or under the project) and view. */
export interface JobPageRequest {
  path: string;
  view: LogView;
}

/** The page of `job`, its log as the request's view asks (emulator/page/log-view.ts). */
export function jobPage(
  ctx: EmulatorContext,
  job: Job,
  instructor: boolean,
  { path, view }: JobPageRequest,
): string {
  const active = ACTIVE_STATUSES.has(job.status);
  const trace = maskSecrets(ctx, new TextDecoder().decode(job.trace));
  const artifacts = job.artifactsStored
    .map(
      (a, i) =>
        `<li><a href="/-/jobs/${job.id}/artifacts/${i}">${escapeHtml(a.filename)}</a> ` +
        `(${escapeHtml(a.artifactType)}, ${a.data.byteLength} bytes)</li>`,
    )
    .join('');
  const facts = [
    `Stage <b>${escapeHtml(job.stage)}</b>`,
    `<a href="/#pipeline-${job.pipelineId}">pipeline #${job.pipelineId}</a>`,
    job.runnerId === null ? 'no runner yet' : `runner #${job.runnerId}`,
    jobDuration(ctx, job) && `duration ${escapeHtml(jobDuration(ctx, job))}`,
    job.failureReason && `failure reason <b>${escapeHtml(job.failureReason)}</b>`,
    job.exitCode !== null && `exit code ${job.exitCode}`,
  ].filter(Boolean);
  const stuck = stuckMessage(ctx, job);
  const body =
    `<div class="page-title"><h1>${badge(job.status)} ${escapeHtml(job.name)} <small>#${job.id}</small></h1>` +
    `${instructor ? actions(job) : ''}</div>` +
    `<p class="facts">${facts.join(' · ')}</p>` +
    retriedNotice(ctx, job) +
    (stuck ? `<p class="stuck-banner" role="status">${escapeHtml(stuck)}</p>` : '') +
    `<h2>Artifacts</h2>${artifacts ? `<ul>${artifacts}</ul>` : '<p>None.</p>'}` +
    `<h2>Log</h2>${logOptions(path, view, active)}` +
    `<div class="log${view.timestamps ? ' show-times' : ''}">` +
    (trace === '' ? '<p class="empty">No output yet.</p>' : traceToHtml(trace)) +
    `</div><span id="${LOG_END_ID}"></span>`;
  return page(`${job.name} #${job.id}`, body, {
    instructor,
    refresh: active ? logViewUrl(path, view, ctx.clock.now()) : null,
    section: 'pipelines',
  });
}

/** Links that change the view; following is offered only while the log can still grow. */
function logOptions(path: string, view: LogView, active: boolean): string {
  const link = (next: LogView, label: string) =>
    `<a href="${escapeHtml(logViewUrl(path, next))}">${label}</a>`;
  const times = link(
    { ...view, timestamps: !view.timestamps },
    view.timestamps ? 'Hide timestamps' : 'Show timestamps',
  );
  const follow = active
    ? link({ ...view, follow: !view.follow }, view.follow ? 'Stop following' : 'Follow the log')
    : '';
  return `<p class="log-options">${[times, follow].filter(Boolean).join(' · ')}</p>`;
}

function actions(job: Job): string {
  const at = `/-/jobs/${job.id}`;
  if (job.status === 'manual') return button(`${at}/play`, 'Run job');
  if (ACTIVE_STATUSES.has(job.status) && job.status !== 'canceling')
    return button(`${at}/cancel`, 'Cancel', { kind: 'danger' });
  if (isRetryable(job)) return button(`${at}/retry`, 'Retry');
  return '';
}

function retriedNotice(ctx: EmulatorContext, job: Job): string {
  if (job.retried !== true) return '';
  const latest = ctx.state.pipelines
    .get(job.pipelineId)
    ?.jobIds.map((id) => ctx.state.jobs.get(id))
    .find((other) => other?.name === job.name);
  const link = latest ? ` The latest is <a href="/-/jobs/${latest.id}">#${latest.id}</a>.` : '';
  return `<p class="alert alert-info" role="status">This job was retried.${link}</p>`;
}
