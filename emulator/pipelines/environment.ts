/**
 * The `environment:` keyword (https://docs.gitlab.com/ci/yaml/#environment): a name, or a hash
 * with `name`, `url`, `action` and `deployment_tier`; other documented keys (`on_stop`,
 * `auto_stop_in`, `kubernetes`) are accepted and have no effect here, as the emulator keeps
 * no environments or deployments.
 */
import type { JobEnvironment } from '../model.ts';
import { CiConfigError } from './ci-config-error.ts';

export type EnvironmentKeyword =
  | string
  | {
      name: string;
      url?: string;
      action?: string;
      deployment_tier?: string;
      on_stop?: string;
      auto_stop_in?: string;
      kubernetes?: unknown;
    };

const KEYS = ['name', 'url', 'action', 'deployment_tier', 'on_stop', 'auto_stop_in', 'kubernetes'];
const ACTIONS = ['start', 'prepare', 'stop', 'verify', 'access'];
const TIERS = ['production', 'staging', 'testing', 'development', 'other'];

/** The job's environment, checked as GitLab's `Entry::Environment` checks it. */
export function jobEnvironment(value: unknown, path: string): JobEnvironment | null {
  if (value === undefined || value === null) return null;
  const at = `${path}:environment`;
  const hash: Record<string, unknown> =
    typeof value === 'string'
      ? { name: value }
      : typeof value === 'object' && !Array.isArray(value)
        ? (value as Record<string, unknown>)
        : fail(at, 'config should be a hash or a string');
  const unknown = Object.keys(hash).filter((key) => !KEYS.includes(key));
  if (unknown.length > 0) fail(at, `config contains unknown keys: ${unknown.join(', ')}`);
  const { name, url, action = 'start', deployment_tier: tier } = hash;
  if (typeof name !== 'string' || name.trim() === '') fail(at, "name can't be blank");
  // GitLab expands variables in the name when it creates the job; the emulator does not.
  if (name.includes('$')) {
    fail(at, 'name uses variables, which the emulator does not expand');
  }
  if (url !== undefined && typeof url !== 'string') fail(`${at}:url`, 'config should be a string');
  if (typeof action !== 'string' || !ACTIONS.includes(action)) {
    fail(at, 'action should be start, stop, prepare, verify, or access');
  }
  if (tier !== undefined && (typeof tier !== 'string' || !TIERS.includes(tier))) {
    fail(at, `deployment_tier must be one of ${TIERS.join(', ')}`);
  }
  return { name, url: url ?? null, action, tier: tier ?? guessTier(name) };
}

/** `Environment#guess_tier`: the tier GitLab infers from the name when none is given. */
function guessTier(name: string): string {
  if (/(dev|review|trunk)/i.test(name)) return 'development';
  if (/(test|tst|int|ac(ce|)pt|qa|qc|control|quality)/i.test(name)) return 'testing';
  if (/(st(a|)g|mod(e|)l|pre|demo|non)/i.test(name)) return 'staging';
  if (/(pr(o|)d|live)/i.test(name)) return 'production';
  return 'other';
}

function fail(path: string, message: string): never {
  throw new CiConfigError(path, message);
}
