/**
 * The emulator's HTML page, server-rendered and script-free, so a room can watch a workshop:
 * `GET /` the pipelines as graphs, `GET /-/jobs/:id` (also `/<project>/-/jobs/:id`, the
 * `CI_JOB_URL` form) a job's log and artifacts, `GET /-/jobs/:id/artifacts/:index` one artifact,
 * `GET /-/runners` the connected tabs. The instructor, signed in through `signInUrl`, also gets
 * GitLab's buttons, each a POST form: run a pipeline (`/-/pipelines/new`), retry, cancel or play
 * a job, cancel a pipeline. Anyone else gets 403 for a POST and sees no buttons. It never shows
 * a token: traces are masked, and tokens are not rendered at all.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorContext } from '../context.ts';
import { cancelJob, cancelPipeline, playJob, retryJob } from '../jobs/index.ts';
import type { Job } from '../model.ts';
import { readForm } from './form-body.ts';
import { escapeHtml } from './html.ts';
import {
  isInstructor,
  isSignInCode,
  refusal,
  sessionCookie,
  SIGN_IN_PATH,
} from './instructor-session.ts';
import { jobPage } from './job-page.ts';
import { logViewOf } from './log-view.ts';
import { page, redirect, send } from './layout.ts';
import { pipelinesView, type PipelinesScope } from './pipelines-view.ts';
import { runnersView } from './runners-view.ts';
import { runPipeline, runPipelineForm } from './run-pipeline.ts';

const JOB_PATH = /^(?:\/(.+))?\/-\/jobs\/(\d+)$/;
const ARTIFACT_PATH = /^(?:\/(.+))?\/-\/jobs\/(\d+)\/artifacts\/(\d+)$/;
const JOB_ACTION_PATH = /^(?:\/(.+))?\/-\/jobs\/(\d+)\/(retry|cancel|play)$/;
const PIPELINE_CANCEL_PATH = /^\/-\/pipelines\/(\d+)\/cancel$/;
/** A page of this site to come back to after an action; anything else is ignored. */
const LOCAL_PATH = /^\/(?!\/)[A-Za-z0-9/_.#-]*$/;

/** Serve the page; false for paths it does not own. */
export async function handlePage(
  ctx: EmulatorContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://emulator.invalid');
  const path = url.pathname;
  if (req.method === 'GET' || req.method === 'HEAD') return handleGet(ctx, req, res, url);
  if (req.method === 'POST' && isActionPath(path)) {
    await handleAction(ctx, req, res, path);
    return true;
  }
  return false;
}

function isActionPath(path: string): boolean {
  return (
    path === '/-/pipelines' ||
    path === '/-/sign-out' ||
    JOB_ACTION_PATH.test(path) ||
    PIPELINE_CANCEL_PATH.test(path)
  );
}

async function handleGet(
  ctx: EmulatorContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<boolean> {
  const path = url.pathname;
  const instructor = isInstructor(ctx, req);
  if (path === '/') {
    send(res, 200, pipelinesView(ctx, instructor));
    return true;
  }
  if (path === '/-/runners') {
    send(res, 200, runnersView(ctx, instructor));
    return true;
  }
  if (path === SIGN_IN_PATH) {
    const code = url.searchParams.get('code');
    if (isSignInCode(ctx, code)) redirect(res, '/', { 'Set-Cookie': sessionCookie(ctx) });
    else
      sendMessage(
        res,
        403,
        'Sign-in link not valid',
        'This sign-in link is not valid for this emulator: open the one `npm start` printed (it changes with the admin token).',
        instructor,
      );
    return true;
  }
  if (path === '/-/pipelines/new') {
    if (!instructor)
      sendMessage(res, 403, 'Instructor only', refusal(ctx, req, undefined) ?? '', false);
    else send(res, 200, await runPipelineForm(ctx));
    return true;
  }
  const artifact = ARTIFACT_PATH.exec(path);
  if (artifact) {
    const stored = jobAt(ctx, artifact[1], artifact[2])?.artifactsStored[Number(artifact[3])];
    if (!stored) {
      sendMessage(res, 404, 'Not found', 'No such artifact.', instructor);
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
  const scope = pipelinesScope(ctx, path);
  if (scope) {
    send(res, 200, pipelinesView(ctx, instructor, scope));
    return true;
  }
  const jobMatch = JOB_PATH.exec(path);
  if (jobMatch) {
    const job = jobAt(ctx, jobMatch[1], jobMatch[2]);
    if (!job) sendMessage(res, 404, 'Not found', 'No such job.', instructor);
    else send(res, 200, jobPage(ctx, job, instructor, { path, view: logViewOf(url.searchParams) }));
    return true;
  }
  return false;
}

async function handleAction(
  ctx: EmulatorContext,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<void> {
  const form = await readForm(req);
  if (!form.ok) {
    // An oversized body may not have been read to its end: the connection cannot carry another request.
    const close: Record<string, string> = form.status === 413 ? { Connection: 'close' } : {};
    return sendMessage(res, form.status, 'Request refused', form.message, false, close);
  }
  const refused = refusal(ctx, req, form.fields.get('admin_token') ?? undefined);
  if (refused !== null) return sendMessage(res, 403, 'Not allowed', refused, false);

  const backField = form.fields.get('back');
  const back = (fallback: string) =>
    backField && LOCAL_PATH.test(backField) ? backField : fallback;

  if (path === '/-/sign-out') return redirect(res, '/', { 'Set-Cookie': sessionCookie(ctx, true) });

  if (path === '/-/pipelines') {
    const input = {
      target: form.fields.get('target') ?? '',
      variables: form.fields.get('variables') ?? '',
    };
    const created = await runPipeline(ctx, input);
    if (typeof created === 'string')
      return send(res, 400, await runPipelineForm(ctx, input, created));
    return redirect(res, `/#pipeline-${created.id}`);
  }

  const cancelMatch = PIPELINE_CANCEL_PATH.exec(path);
  if (cancelMatch) {
    const pipeline = ctx.state.pipelines.get(Number(cancelMatch[1]));
    if (!pipeline) return sendMessage(res, 404, 'Not found', 'No such pipeline.', true);
    cancelPipeline(ctx, pipeline);
    return redirect(res, back(`/#pipeline-${pipeline.id}`));
  }

  const action = JOB_ACTION_PATH.exec(path);
  const job = action ? jobAt(ctx, action[1], action[2]) : undefined;
  if (!action || !job) return sendMessage(res, 404, 'Not found', 'No such job.', true);
  const verb = action[3];
  if (verb === 'retry') {
    const clone = retryJob(ctx, job);
    if (!clone) return conflict(res, job, 'retried: only a passed, failed or canceled job can be');
    return redirect(res, back(`/-/jobs/${clone.id}`));
  }
  if (verb === 'play') {
    if (!playJob(ctx, job)) return conflict(res, job, 'played: only a manual job can be');
    return redirect(res, back(`/-/jobs/${job.id}`));
  }
  cancelJob(ctx, job);
  return redirect(res, back(`/-/jobs/${job.id}`));
}

function conflict(res: ServerResponse, job: Job, why: string): void {
  sendMessage(
    res,
    409,
    'Not possible',
    `Job #${job.id} is ${job.status}, so it cannot be ${why}.`,
    true,
  );
}

function sendMessage(
  res: ServerResponse,
  status: number,
  title: string,
  text: string,
  instructor: boolean,
  headers: Record<string, string> = {},
): void {
  const body = `<div class="page-title"><h1>${escapeHtml(title)}</h1></div><p class="alert alert-danger" role="alert">${escapeHtml(text)}</p><p><a href="/">Back to the pipelines</a></p>`;
  send(res, status, page(title, body, { instructor, refresh: null }), headers);
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

/**
 * The project and pipeline pages the payload's `CI_PROJECT_URL` and `CI_PIPELINE_URL` name
 * (`/<project>`, `/<project>/-/pipelines`, `/<project>/-/pipelines/<id>`), as the list of
 * pipelines narrowed to them; null for any other path.
 */
function pipelinesScope(ctx: EmulatorContext, path: string): PipelinesScope | null {
  const match = /^\/(.+?)(?:\/-\/pipelines(?:\/(\d+))?)?$/.exec(path);
  const project = match?.[1] === undefined ? undefined : ctx.state.projectByPath(match[1]);
  if (!match || !project) return null;
  if (match[2] === undefined) {
    return {
      path,
      title: `Pipelines of ${project.fullPath}`,
      filter: (pipeline) => pipeline.projectId === project.id,
    };
  }
  const id = Number(match[2]);
  const pipeline = ctx.state.pipelines.get(id);
  if (pipeline?.projectId !== project.id) return null;
  return { path, title: `Pipeline #${id}`, filter: (p) => p.id === id };
}
