/**
 * The frame every page of the emulator shares: head, header with navigation and who is signed
 * in, status badges and icons in GitLab's words, action buttons as small POST forms, and the
 * answer's headers (a strict CSP: no script at all, forms only to this origin, no framing).
 */
import type { ServerResponse } from 'node:http';
import { escapeHtml } from './html.ts';
import { PAGE_STYLE } from './page-style.ts';

const CSP =
  "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/** GitLab's label for a status (`success` reads "passed"; a waiting manual pipeline "blocked"). */
const LABELS: Record<string, string> = { success: 'passed' };
const ICONS: Record<string, string> = {
  success: '✓',
  failed: '✕',
  running: '◔',
  pending: '❚❚',
  canceled: '⊘',
  canceling: '⊘',
  skipped: '»',
  manual: '⚙',
  blocked: '⚙',
  created: '○',
};

/** What a page needs to know about the request to draw its frame. */
export interface PageFrame {
  instructor: boolean;
  /**
   * While something is still moving, the URL to load every two seconds, else null: normally the
   * page's own path and query, which browsers load as a reload that keeps the reader's scroll
   * offset. Never the URL with a fragment (`/#pipeline-3`, where a form's redirect lands): a
   * refresh to the URL a page was loaded at, fragment included, only scrolls to the fragment,
   * loads nothing, and so never refreshes again.
   */
  refresh: string | null;
  /** Which header link is current. */
  section?: 'pipelines' | 'runners';
}

export function send(
  res: ServerResponse,
  status: number,
  html: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    'Content-Security-Policy': CSP,
    'X-Frame-Options': 'DENY',
    ...headers,
  });
  res.end(html);
}

/** 303 to a page after an action, as a form post should end. */
export function redirect(
  res: ServerResponse,
  location: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(303, { Location: location, 'Cache-Control': 'no-store', ...headers });
  res.end();
}

export function page(title: string, body: string, frame: PageFrame): string {
  const nav = (href: string, label: string, key: PageFrame['section']) =>
    `<a href="${href}"${frame.section === key ? ' aria-current="page"' : ''}>${label}</a>`;
  const who = frame.instructor
    ? `<span class="who">Instructor</span>${button('/-/sign-out', 'Sign out', { kind: 'link' })}`
    : '<span class="who read-only" title="Open the sign-in link `npm start` printed to get the buttons">Read-only view</span>';
  return [
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    frame.refresh === null
      ? ''
      : `<meta http-equiv="refresh" content="2; url=${escapeHtml(frame.refresh)}">`,
    `<title>${escapeHtml(title)} · tabrunner emulator</title><style>${PAGE_STYLE}</style></head>`,
    '<body><header><a class="brand" href="/">tabrunner <span>GitLab emulator</span></a>',
    `<nav>${nav('/', 'Pipelines', 'pipelines')}${nav('/-/runners', 'Runners', 'runners')}</nav>`,
    `<div class="session">${who}</div></header><main>${body}</main></body></html>`,
  ].join('');
}

/** GitLab's status badge: icon and label. */
export function badge(status: string): string {
  const s = escapeHtml(status);
  return `<span class="ci-status status-${s}">${statusIcon(status)}${escapeHtml(LABELS[status] ?? status)}</span>`;
}

/** The status icon alone, as the pipeline graph shows it beside a job's name. */
export function statusIcon(status: string): string {
  return `<span class="ci-icon status-${escapeHtml(status)}" aria-hidden="true">${ICONS[status] ?? '○'}</span>`;
}

export interface ButtonOptions {
  /** `icon`: a round button in the graph; `link`: looks like a link; default a normal button. */
  kind?: 'icon' | 'link' | 'danger';
  /** Where to come back to after the action (a path on this page). */
  back?: string;
  /** Shown on hover and read by screen readers when the label is an icon. */
  title?: string;
}

/** A state-changing action: a one-button POST form. */
export function button(action: string, label: string, options: ButtonOptions = {}): string {
  const back = options.back
    ? `<input type="hidden" name="back" value="${escapeHtml(options.back)}">`
    : '';
  const title = options.title
    ? ` title="${escapeHtml(options.title)}" aria-label="${escapeHtml(options.title)}"`
    : '';
  return (
    `<form class="action" method="post" action="${escapeHtml(action)}">${back}` +
    `<button type="submit" class="btn${options.kind ? ` btn-${options.kind}` : ''}"${title}>${escapeHtml(label)}</button></form>`
  );
}

/** "12 s ago" for a past time, as GitLab's relative times read. */
export function timeAgo(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} days ago`;
}
