import { describe, expect, it, vi } from 'vitest';
import { bootWebContainer } from './boot.ts';
import { FakeApi, FakeContainer } from './testing/fake-container.ts';
import { ManualClock } from './testing/manual-clock.ts';

const supported = () => ({ ok: true }) as const;

describe('bootWebContainer', () => {
  it('configures the API key before booting, with the page COEP', async () => {
    const api = new FakeApi();
    await bootWebContainer({
      api,
      clock: new ManualClock(),
      apiKey: 'wc_api_123',
      support: supported,
    });
    expect(api.calls).toEqual(['configureAPIKey:wc_api_123', 'boot']);
    expect(api.bootOptions[0]).toMatchObject({ coep: 'require-corp' });
  });

  it('configures the key once per page and refuses a different key later', async () => {
    const api = new FakeApi();
    const clock = new ManualClock();
    await bootWebContainer({ api, clock, apiKey: 'k1', support: supported });
    await bootWebContainer({ api, clock, apiKey: 'k1', support: supported });
    expect(api.calls).toEqual(['configureAPIKey:k1', 'boot', 'boot']);
    await expect(
      bootWebContainer({ api, clock, apiKey: 'k2', support: supported }),
    ).rejects.toMatchObject({
      code: 'WebContainerApiKeyChanged',
    });
  });

  it('does not boot on an unsupported page and says why', async () => {
    const api = new FakeApi();
    const support = () =>
      ({ ok: false, reason: 'This page is not cross-origin isolated.' }) as const;
    await expect(
      bootWebContainer({ api, clock: new ManualClock(), support }),
    ).rejects.toMatchObject({
      code: 'WebContainerUnsupported',
      message: 'This page is not cross-origin isolated.',
    });
    expect(api.calls).toEqual([]);
  });

  it('gives up after the timeout and tears down a boot that finishes late', async () => {
    const api = new FakeApi();
    const clock = new ManualClock();
    let finish!: (c: FakeContainer) => void;
    api.nextBoot = () => new Promise((resolve) => (finish = resolve));
    const booting = bootWebContainer({ api, clock, bootTimeoutMs: 45_000, support: supported });
    await clock.elapse(45_000);
    await expect(booting).rejects.toMatchObject({
      code: 'WebContainerBootTimeout',
      data: { timeoutMs: 45_000 },
    });
    const late = new FakeContainer();
    finish(late);
    await vi.waitFor(() => expect(late.tornDown).toBe(true));
  });

  it('wraps a failed boot in a coded error', async () => {
    const api = new FakeApi();
    api.nextBoot = () =>
      Promise.reject(new Error('Only a single WebContainer instance can be booted'));
    await expect(
      bootWebContainer({ api, clock: new ManualClock(), support: supported }),
    ).rejects.toMatchObject({
      code: 'WebContainerBootFailed',
      data: { detail: 'Only a single WebContainer instance can be booted' },
    });
  });

  it('forwards internal error events', async () => {
    const api = new FakeApi();
    const seen: string[] = [];
    const container = (await bootWebContainer({
      api,
      clock: new ManualClock(),
      support: supported,
      onError: (m) => seen.push(m),
    })) as unknown as FakeContainer;
    for (const listener of container.errorListeners) listener({ message: 'storage blocked' });
    expect(seen).toEqual(['storage blocked']);
  });
});
