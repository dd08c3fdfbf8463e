/**
 * Creating runners and their managers in the emulator state: through the admin API and
 * `POST /user/runners` (`glrt-` tokens, docs/runner-protocol.md §2.2) or legacy registration (docs/runner-protocol.md §2.1).
 */
import type { EmulatorContext } from '../context.ts';
import type { Runner, RunnerManager } from '../model.ts';
import { newQueueVersion } from '../state.ts';
import { newAuthenticationToken, newLegacyToken } from './runner-tokens.ts';

/** Settings of a new runner; every field is optional. */
export interface RunnerSettings {
  /** Tags the runner picks jobs by. Default none. */
  tags?: string[];
  /** Whether it runs jobs without tags. Default true for `glrt-` runners, as GitLab's UI. */
  runUntagged?: boolean;
  /** Paused runners get no jobs (204). Default false. */
  paused?: boolean;
  description?: string;
  locked?: boolean;
  accessLevel?: 'not_protected' | 'ref_protected';
  /** Upper bound on job timeouts in seconds, or null. */
  maximumTimeout?: number | null;
  runnerType?: 'instance_type' | 'group_type' | 'project_type';
  /** Projects a project runner serves. */
  projectIds?: number[] | null;
  maintenanceNote?: string;
  /** `legacy` = 20-char token from `POST /runners`; default `authentication` (`glrt-`). */
  kind?: Runner['kind'];
}

/** Add a runner to the state and return it. */
export function createRunner(ctx: EmulatorContext, settings: RunnerSettings = {}): Runner {
  const kind = settings.kind ?? 'authentication';
  const runner: Runner = {
    id: ctx.state.nextId('runner'),
    token: kind === 'legacy' ? newLegacyToken() : newAuthenticationToken(),
    tokenExpiresAt: null,
    kind,
    description: settings.description ?? '',
    tags: normalizeTags(settings.tags ?? []),
    runUntagged: settings.runUntagged ?? true,
    paused: settings.paused ?? false,
    locked: settings.locked ?? false,
    accessLevel: settings.accessLevel ?? 'not_protected',
    maximumTimeout: settings.maximumTimeout ?? null,
    managers: new Map(),
    queueVersion: newQueueVersion(),
    runnerType: settings.runnerType ?? 'instance_type',
    projectIds: settings.projectIds ?? null,
    maintenanceNote: settings.maintenanceNote ?? '',
  };
  ctx.state.runners.set(runner.id, runner);
  return runner;
}

/** Tags as GitLab stores them: trimmed, no empties, no duplicates. */
export function normalizeTags(tags: readonly string[]): string[] {
  return [...new Set(tags.map((t) => t.trim()).filter((t) => t !== ''))];
}

/** `tag_list` as a comma-separated string (the Go runner's form) or an array. */
export function parseTagList(value: unknown): string[] | undefined {
  if (typeof value === 'string') return normalizeTags(value.split(','));
  if (Array.isArray(value)) return normalizeTags(value.map(String));
  return undefined;
}

/** Name of the manager used when a request carries no `system_id` (docs/runner-protocol.md §2.8). */
export const LEGACY_SYSTEM_ID = '<legacy>';

/**
 * Create or refresh the manager for `systemId`, storing `info` and its boolean features
 * (GitLab's `runtime_features`, docs/runner-protocol.md §3.1.1). Called on verify, jobs/request and PUT.
 */
export function touchManager(
  ctx: EmulatorContext,
  runner: Runner,
  systemId: string | undefined,
  info: Record<string, unknown> | undefined,
): RunnerManager {
  const key = systemId && systemId !== '' ? systemId : LEGACY_SYSTEM_ID;
  let manager = runner.managers.get(key);
  if (!manager) {
    manager = { systemId: key, info: {}, features: {}, contactedAt: ctx.clock.now() };
    runner.managers.set(key, manager);
  }
  manager.contactedAt = ctx.clock.now();
  if (info) {
    manager.info = info;
    manager.features = booleanFeatures(info['features']);
  }
  return manager;
}

function booleanFeatures(value: unknown): Record<string, boolean> {
  const features: Record<string, boolean> = {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return features;
  for (const [key, flag] of Object.entries(value)) features[key] = flag === true;
  return features;
}
