/**
 * `TraceSender.likelyServerLength`: where a closing tab's last PATCH starts
 * (docs/runner-protocol.md §7.6), against a scripted GitLab job: the acknowledged length, the
 * end of a PATCH in flight, the smaller length while a failed PATCH leaves it in doubt, and
 * nothing once GitLab takes no more trace.
 */
import { crc32 } from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import { createGitLabClient } from './client.ts';
import { FakeClock } from './testing/fake-clock.ts';
import { FakeTraceJob, MemoryTrace } from './testing/fake-trace-job.ts';
import { useScriptedServers } from './testing/use-server.ts';
import { TraceSender } from './trace-sender.ts';
import { testRunnerInfo } from './testing/test-runner-info.ts';

const serve = useScriptedServers();
const info = testRunnerInfo({ headersReadable: true });
const waitFor = (check: () => void) => vi.waitFor(check, { timeout: 5000, interval: 2 });

/**
 * A sender whose `fetch` can be stepped into: `around` sees each PATCH's number (from 1) and
 * calls `send` when it wants the request to go on.
 */
async function setup(
  around: (patch: number, send: () => Promise<Response>) => Promise<Response> = (_, send) => send(),
) {
  const clock = new FakeClock();
  const job = new FakeTraceJob(clock);
  const server = await serve((req) => job.handle(req));
  let patches = 0;
  const stepped: typeof fetch = async (input, init) => {
    const send = async () => {
      const response = await fetch(input, init);
      return new Response(await response.arrayBuffer(), response);
    };
    return init?.method === 'PATCH' ? around(++patches, send) : send();
  };
  // One attempt per call: a 502 is the sender's to judge, not the retry layer's.
  const client = createGitLabClient({ url: server.url, clock, fetch: stepped, maxAttempts: 1 });
  const source = new MemoryTrace(crc32);
  const sender = new TraceSender({ client, jobId: 10, jobToken: 'job-token', source, clock, info });
  sender.start();
  const write = (text: string) => {
    source.write(text);
    sender.notify();
  };
  write('hello ');
  await waitFor(() => expect(sender.sentOffset).toBe(6));
  return { clock, job, source, sender, write };
}

describe('TraceSender.likelyServerLength', () => {
  it('is the acknowledged length, with or without bytes after it', async () => {
    const { sender, source, job } = await setup();
    expect(sender.likelyServerLength).toBe(6);
    source.write('unsent');
    expect(sender.likelyServerLength).toBe(6);
    expect(job.trace.toString()).toBe('hello ');
    await sender.stop();
  });

  it('is the end of a PATCH in flight: it left first and most likely lands', async () => {
    let release = () => {};
    let reached = false;
    const { sender, write, job } = await setup(async (patch, send) => {
      if (patch === 2) {
        reached = true;
        await new Promise<void>((resolve) => (release = resolve));
      }
      return send();
    });
    write('world');
    await waitFor(() => expect(reached).toBe(true));
    expect(sender.sentOffset).toBe(6);
    expect(sender.likelyServerLength).toBe(11);
    release();
    await waitFor(() => expect(job.trace.toString()).toBe('hello world'));
    expect(sender.likelyServerLength).toBe(11);
    await sender.stop();
  });

  it('is the smaller length while a failed PATCH leaves it in doubt, as the next probe would be', async () => {
    let thaw = () => {};
    const { sender, write, job, clock } = await setup(async (patch, send) => {
      const response = await send();
      // Keep the sender in doubt: its retry waits on virtual time, frozen here.
      if (patch === 2) thaw = clock.hold();
      return response;
    });
    job.patchFaults = ['error-after'];
    write('world');
    await waitFor(() => expect(sender.sentOffset).toBe(null));
    // GitLab stored the bytes (a proxy lost its answer), which the sender cannot know.
    expect(job.trace.toString()).toBe('hello world');
    expect(sender.likelyServerLength).toBe(6);
    thaw();
    await waitFor(() => expect(sender.sentOffset).toBe(11));
    await sender.stop();
  });

  it('is null once GitLab takes no more trace (403)', async () => {
    const { sender, write, job } = await setup();
    job.status = 'canceled';
    write('world');
    // The 403's `Job-Status: canceled` names the reason; the 403 stops the trace.
    await waitFor(() => expect(sender.abortReason).toBe('canceled'));
    expect(job.patches.at(-1)?.contentRange).toBe('6-10');
    expect(sender.likelyServerLength).toBe(null);
    await sender.stop();
  });
});
