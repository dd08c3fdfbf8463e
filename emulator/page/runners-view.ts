/**
 * `GET /-/runners`: every runner and each of its managers (a connected tab is one manager, named
 * by its system id), so the room sees who donated what: description, executor, version and
 * platform as the manager last sent them, last contact, online (GitLab: contact within two hours)
 * and the shorter "active" (contact within one long poll), the job it runs now and how many it
 * ran. Never a token.
 */
import type { EmulatorContext } from '../context.ts';
import { ONLINE_CONTACT_MS } from '../jobs/index.ts';
import type { Job, Runner, RunnerManager } from '../model.ts';
import { escapeHtml } from './html.ts';
import { badge, page, timeAgo } from './layout.ts';

/** Slack on top of one long poll: a polling manager contacts GitLab again well within it. */
const ACTIVE_SLACK_MS = 30_000;

function text(info: Record<string, unknown>, key: string): string {
  const value = info[key];
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

export function runnersView(ctx: EmulatorContext, instructor: boolean): string {
  const now = ctx.clock.now();
  const activeMs = ctx.options.longPollSeconds * 1000 + ACTIVE_SLACK_MS;
  const jobs = [...ctx.state.jobs.values()];
  const runners = [...ctx.state.runners.values()].sort((a, b) => a.id - b.id);
  const rows = runners.flatMap((runner) => {
    const managers = [...runner.managers.values()].sort((a, b) => b.contactedAt - a.contactedAt);
    if (managers.length === 0) return [runnerRow(runner, null, '', 1)];
    return managers.map((manager, i) =>
      runnerRow(
        runner,
        manager,
        managerCells(now, activeMs, runner, manager, jobs),
        i === 0 ? managers.length : 0,
      ),
    );
  });
  const online = runners.some((r) =>
    [...r.managers.values()].some((m) => now - m.contactedAt <= activeMs),
  );
  const body =
    '<div class="page-title"><h1>Runners</h1></div>' +
    '<p class="hint">A tab that connects is a runner manager: one row per tab. Online means it asked for a job in the last two hours, active that it is polling now.</p>' +
    (rows.length
      ? '<table class="runners"><thead><tr><th>Runner</th><th>Tab (system id)</th><th>Executor</th>' +
        '<th>Version · platform</th><th>Last contact</th><th>Status</th><th>Current job</th><th>Jobs run</th></tr></thead>' +
        `<tbody>${rows.join('')}</tbody></table>`
      : '<p class="empty">No runners yet. Open the runner tab and connect it to this emulator.</p>');
  return page('Runners', body, {
    instructor,
    refresh: online ? '/-/runners' : null,
    section: 'runners',
  });
}

function runnerRow(
  runner: Runner,
  manager: RunnerManager | null,
  cells: string,
  span: number,
): string {
  const first =
    span > 0
      ? `<td rowspan="${span}" class="runner"><b>#${runner.id}</b> ${escapeHtml(runner.description)}` +
        (runner.tags.length
          ? `<div>${runner.tags.map((t) => `<span class="tag">${escapeHtml(t)}</span>`).join('')}</div>`
          : '') +
        (runner.paused ? '<div><span class="label-muted">paused</span></div>' : '') +
        '</td>'
      : '';
  if (!manager) return `<tr>${first}<td colspan="7" class="empty">Never contacted.</td></tr>`;
  return `<tr>${first}${cells}</tr>`;
}

function managerCells(
  now: number,
  activeMs: number,
  runner: Runner,
  manager: RunnerManager,
  jobs: Job[],
): string {
  const since = now - manager.contactedAt;
  const online = !runner.paused && since <= ONLINE_CONTACT_MS;
  const status = online
    ? `<span class="label-success">online</span>${since <= activeMs ? ' <span class="label-info">active</span>' : ''}`
    : '<span class="label-muted">offline</span>';
  const ran = jobs.filter((j) => j.runnerId === runner.id && j.systemId === manager.systemId);
  const current = ran.find(
    (j) => j.status === 'running' || j.status === 'canceling' || j.awaitingAcceptance,
  );
  const version = [
    text(manager.info, 'version'),
    [text(manager.info, 'platform'), text(manager.info, 'architecture')].filter(Boolean).join('/'),
  ]
    .filter(Boolean)
    .join(' · ');
  const name = text(manager.info, 'name');
  return (
    `<td><code>${escapeHtml(manager.systemId)}</code>${name ? `<div class="muted">${escapeHtml(name)}</div>` : ''}</td>` +
    executorCell(text(manager.info, 'executor')) +
    `<td>${escapeHtml(version)}</td>` +
    `<td title="${escapeHtml(new Date(manager.contactedAt).toISOString())}">${escapeHtml(timeAgo(since))}</td>` +
    `<td>${status}</td>` +
    `<td>${current ? `${badge(current.status)} <a href="/-/jobs/${current.id}">${escapeHtml(current.name)}</a> #${current.id}` : ''}</td>` +
    `<td>${ran.length}</td>`
  );
}

/** A runner need not send its executor; GitLab then shows none, and so does the page. */
function executorCell(executor: string): string {
  return executor ? `<td>${escapeHtml(executor)}</td>` : '<td class="muted">not reported</td>';
}
