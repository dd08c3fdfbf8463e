/**
 * HTML escaping and secret masking for the emulator's page: every string that reaches the page
 * goes through `escapeHtml`, and every trace through `maskSecrets` first, so no token shows.
 */
import type { EmulatorContext } from '../context.ts';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escape text for HTML element content and quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** Token-shaped strings (job, runner and personal tokens), masked even when unknown here. */
const TOKEN_SHAPES = /\b(?:glcbt|glrt|glrtr|glpat|gldt)-[A-Za-z0-9_.-]{8,}/g;

/** Replace every token and masked variable value the emulator knows with `[MASKED]` (docs/runner-protocol.md §9.8). */
export function maskSecrets(ctx: EmulatorContext, text: string): string {
  const secrets = new Set<string>([
    ctx.options.adminToken,
    ctx.options.registrationToken,
    ctx.options.workshopPassword,
  ]);
  for (const job of ctx.state.jobs.values()) secrets.add(job.token);
  for (const runner of ctx.state.runners.values()) secrets.add(runner.token);
  for (const project of ctx.state.projects.values()) {
    for (const variable of project.variables) if (variable.masked) secrets.add(variable.value);
  }
  for (const pipeline of ctx.state.pipelines.values()) {
    for (const variable of pipeline.variables) if (variable.masked) secrets.add(variable.value);
  }
  let masked = text;
  // Longest first, so a secret containing another is masked whole.
  for (const secret of [...secrets]
    .filter((s) => s.length >= 4)
    .sort((a, b) => b.length - a.length)) {
    masked = masked.split(secret).join('[MASKED]');
  }
  return masked.replace(TOKEN_SHAPES, '[MASKED]');
}

/** `1m 05s` style duration, or an empty string when it has not started. */
export function formatDuration(ms: number | null): string {
  if (ms === null || ms < 0) return '';
  const seconds = Math.round(ms / 1000);
  const minutes = Math.floor(seconds / 60);
  const rest = String(seconds % 60).padStart(2, '0');
  return minutes > 0 ? `${minutes}m ${rest}s` : `${seconds}s`;
}
