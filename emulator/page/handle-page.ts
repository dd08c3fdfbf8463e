/**
 * The emulator's read-only HTML page, so a person can watch a demo: `GET /` lists pipelines and
 * their jobs with states and durations; `GET /-/jobs/:id` (also `/<project>/-/jobs/:id`, the
 * `CI_JOB_URL` form) shows a job's trace as GitLab's log viewer would and lists its artifacts;
 * `GET /-/jobs/:id/artifacts/:index` downloads one. It never changes state and never shows a
 * token: traces are masked, and tokens are not rendered at all.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorContext } from '../context.ts';
import { stuckMessage } from '../jobs/index.ts';
import type { Job, Pipeline } from '../model.ts';
import { escapeHtml, formatDuration, maskSecrets } from './html.ts';
import { PAGE_STYLE } from './page-style.ts';
import { traceToHtml } from './trace-html.ts';

const ACTIVE = new Set(['created', 'pending', 'running', 'canceling']);

/** Serve the page; false for paths it does not own. */
export async function handlePage(
  ctx: EmulatorContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const path = new URL(req.url ?? '/', 'http://emulator.invalid').pathname;
  if (path === '/') {
    send(res, 200, overview(ctx));
    return true;
  }
  const artifact = /^(?:\/(.+))?\/-\/jobs\/(\d+)\/artifacts\/(\d+)$/.exec(path);
  if (artifact) {
    const job = jobAt(ctx, artifact[1], artifact[2]);
    const stored = job?.artifactsStored[Number(artifact[3])];
    if (!stored) {
      send(res, 404, page('Not found', '<p>No such artifact.</p>', false));
      return true;
    }
    res.writeHead(200, {
      'Content-Type': 'application/octet-stream',
      'Content-Length': String(stored.data.byteLength),
      'Content-Disposition': `attachment; filename="${stored.filename.replace(/[^\w.-]/g, '_')}"`,
    });
    res.end(req.method === 'HEAD' ? undefined : Buffer.from(stored.data));
    return true;
  }
  const jobMatch = /^(?:\/(.+))?\/-\/jobs\/(\d+)$/.exec(path);
  if (jobMatch) {
    const job = jobAt(ctx, jobMatch[1], jobMatch[2]);
    if (!job) send(res, 404, page('Not found', '<p>No such job.</p>', false));
    else send(res, 200, jobPage(ctx, job));
    return true;
  }
  return false;
}

/**
 * The job a page path names: `/-/jobs/:id`, or `/<project>/-/jobs/:id` only under the job's own
 * project, as GitLab answers 404 for a job under another project's path.
 */
function jobAt(ctx: EmulatorContext, projectPath: string | undefined, id: string | undefined) {
  const job = ctx.state.jobs.get(Number(id));
  if (!job || projectPath === undefined) return job;
  return ctx.state.projectByPath(projectPath)?.id === job.projectId ? job : undefined;
}

function send(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
  });
  res.end(html);
}

function page(title: string, body: string, refresh: boolean): string {
  return [
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    refresh ? '<meta http-equiv="refresh" content="2">' : '',
    `<title>${escapeHtml(title)} · tabrunner emulator</title><style>${PAGE_STYLE}</style></head>`,
    `<body><header><a href="/">tabrunner GitLab emulator</a></header><main>${body}</main></body></html>`,
  ].join('');
}

function badge(status: string): string {
  return `<span class="status status-${escapeHtml(status)}">${escapeHtml(status)}</span>`;
}

function jobDuration(ctx: EmulatorContext, job: Job): string {
  if (job.startedAt === null) return '';
  return formatDuration((job.finishedAt ?? ctx.clock.now()) - job.startedAt);
}

function overview(ctx: EmulatorContext): string {
  const pipelines = [...ctx.state.pipelines.values()].sort((a, b) => b.id - a.id);
  const active = pipelines.some((p) => ACTIVE.has(p.status));
  const sections = pipelines.map((pipeline) => pipelineSection(ctx, pipeline)).join('');
  const body = `<h1>Pipelines</h1>${sections || '<p>No pipelines yet.</p>'}`;
  return page('Pipelines', body, active);
}

function pipelineSection(ctx: EmulatorContext, pipeline: Pipeline): string {
  const project = ctx.state.projects.get(pipeline.projectId);
  const jobs = pipeline.jobIds
    .map((id) => ctx.state.jobs.get(id))
    .filter((job): job is Job => job !== undefined);
  const rows = jobs
    .map((job) => {
      const stuck = stuckMessage(ctx, job);
      return (
        `<tr><td>${escapeHtml(job.stage)}</td><td><a href="/-/jobs/${job.id}">${escapeHtml(job.name)}</a> #${job.id}</td>` +
        `<td>${badge(job.status)}${stuck ? ` <span class="stuck" title="${escapeHtml(stuck)}">stuck</span>` : ''}</td>` +
        `<td>${escapeHtml(jobDuration(ctx, job))}</td><td>${escapeHtml(job.tags.join(', '))}</td></tr>`
      );
    })
    .join('');
  return (
    `<section class="pipeline"><h2>${badge(pipeline.status === 'manual' ? 'blocked' : pipeline.status)} Pipeline #${pipeline.id} ` +
    `<small>${escapeHtml(project?.fullPath ?? '?')} · ${escapeHtml(pipeline.ref)} · ` +
    `<code>${escapeHtml(pipeline.sha.slice(0, 8))}</code> · ${escapeHtml(pipeline.source)}</small></h2>` +
    `<table><thead><tr><th>Stage</th><th>Job</th><th>Status</th><th>Duration</th><th>Tags</th></tr></thead>` +
    `<tbody>${rows}</tbody></table></section>`
  );
}

function jobPage(ctx: EmulatorContext, job: Job): string {
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
    `pipeline #${job.pipelineId}`,
    job.runnerId === null ? 'no runner yet' : `runner #${job.runnerId}`,
    jobDuration(ctx, job) && `duration ${escapeHtml(jobDuration(ctx, job))}`,
    job.failureReason && `failure reason <b>${escapeHtml(job.failureReason)}</b>`,
    job.exitCode !== null && `exit code ${job.exitCode}`,
  ].filter(Boolean);
  const stuck = stuckMessage(ctx, job);
  const body =
    `<h1>${badge(job.status)} ${escapeHtml(job.name)} <small>#${job.id}</small></h1>` +
    `<p>${facts.join(' · ')}</p>` +
    (stuck ? `<p class="stuck-banner" role="status">${escapeHtml(stuck)}</p>` : '') +
    `<h2>Artifacts</h2>${artifacts ? `<ul>${artifacts}</ul>` : '<p>None.</p>'}` +
    `<h2>Log</h2><input type="checkbox" id="show-times"><label for="show-times">Show timestamps</label>` +
    (trace === '' ? '<p class="empty">No output yet.</p>' : traceToHtml(trace));
  return page(`${job.name} #${job.id}`, body, ACTIVE.has(job.status));
}
