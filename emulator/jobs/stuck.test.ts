import { describe, expect, it } from 'vitest';
import type { EmulatorContext } from '../context.ts';
import { createRunner, touchManager } from '../runners/index.ts';
import { EmulatorState } from '../state.ts';
import { insertSimpleJob, TestClock } from '../test-support/index.ts';
import { ONLINE_CONTACT_MS, stuckMessage } from './stuck.ts';

function context(): { ctx: EmulatorContext; clock: TestClock } {
  const clock = new TestClock();
  const ctx = { state: new EmulatorState(), clock } as unknown as EmulatorContext;
  return { ctx, clock };
}

describe('stuckMessage', () => {
  it('says the project has no runner online when none contacted GitLab', () => {
    const { ctx } = context();
    createRunner(ctx, { runUntagged: true });
    const job = insertSimpleJob(ctx.state, { status: 'pending' });
    expect(stuckMessage(ctx, job)).toBe(
      "This job is stuck because the project doesn't have any runners online assigned to it.",
    );
  });

  it('names the tags when the online runners lack them, as GitLab says it', () => {
    const { ctx } = context();
    touchManager(ctx, createRunner(ctx, { runUntagged: true }), 'r_shelltab0001', undefined);
    const job = insertSimpleJob(ctx.state, { status: 'pending', tags: ['node'] });
    expect(stuckMessage(ctx, job)).toBe(
      "This job is stuck because you don't have any active runners online or available with any of these tags assigned to them: node",
    );
  });

  it('is not stuck when an online runner can pick the job, or when the job is not pending', () => {
    const { ctx } = context();
    touchManager(ctx, createRunner(ctx, { tags: ['node'] }), 'r_wctab000001', undefined);
    const job = insertSimpleJob(ctx.state, { status: 'pending', tags: ['node'] });
    expect(stuckMessage(ctx, job)).toBeNull();
    expect(stuckMessage(ctx, { ...job, status: 'running' })).toBeNull();
  });

  it('counts a runner offline two hours after its last contact, and a paused one never online', () => {
    const { ctx, clock } = context();
    const runner = createRunner(ctx, { runUntagged: true });
    touchManager(ctx, runner, 'r_shelltab0001', undefined);
    const job = insertSimpleJob(ctx.state, { status: 'pending' });
    expect(stuckMessage(ctx, job)).toBeNull();
    clock.advance(ONLINE_CONTACT_MS + 1);
    expect(stuckMessage(ctx, job)).toMatch(/doesn't have any runners online/);
    touchManager(ctx, runner, 'r_shelltab0001', undefined);
    runner.paused = true;
    expect(stuckMessage(ctx, job)).toMatch(/doesn't have any runners online/);
  });

  it('says no active runner can run an untagged job that only tagged-only runners could see', () => {
    const { ctx } = context();
    touchManager(
      ctx,
      createRunner(ctx, { tags: ['node'], runUntagged: false }),
      'r_wctab000001',
      undefined,
    );
    const job = insertSimpleJob(ctx.state, { status: 'pending' });
    expect(stuckMessage(ctx, job)).toBe(
      "This job is stuck because you don't have any active runners that can run this job.",
    );
  });
});
