/**
 * Test support: a registered runner as `buildJobPayload` reads it (authentication token, not
 * locked, runs untagged jobs), for tests that build payloads without a runner polling.
 */
import type { Runner } from '../model.ts';

/** A runner with GitLab's defaults for a new instance runner; `overrides` win. */
export function testRunner(overrides: Partial<Runner> = {}): Runner {
  return {
    id: 1,
    token: 'glrt-runner-token',
    tokenExpiresAt: null,
    kind: 'authentication',
    description: 'tab',
    tags: [],
    runUntagged: true,
    paused: false,
    locked: false,
    accessLevel: 'not_protected',
    maximumTimeout: null,
    managers: new Map(),
    queueVersion: 'v1',
    ...overrides,
  };
}
