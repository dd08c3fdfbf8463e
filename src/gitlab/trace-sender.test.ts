/**
 * The trace sender end to end against a scripted GitLab job (docs/runner-protocol.md §5–§7), after the Go tests
 * TestJobIncrementalPatchSend, TestJobMaxTracePatchSize, TestJobFinishTraceUpdateRetry,
 * TestJobDelayedTraceProcessingWithRejection, TestJobFinishStatusUpdateRetry,
 * TestJobIncrementalStatusRefresh, TestTouchJobAbort/Cancel, TestSendPatchAbort.
 */
import { crc32 } from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import { createGitLabClient } from './client.ts';
import { FakeClock } from './testing/fake-clock.ts';
import { FakeTraceJob, MemoryTrace, type TraceFault } from './testing/fake-trace-job.ts';
import { useScriptedServers } from './testing/use-server.ts';
import { TraceSender, type TraceSenderOptions } from './trace-sender.ts';
import { testRunnerInfo } from './testing/test-runner-info.ts';

const serve = useScriptedServers();
const info = testRunnerInfo({ headersReadable: true });

async function setup(options: Partial<TraceSenderOptions> & { exposeHeaders?: boolean } = {}) {
  const clock = new FakeClock();
  const job = new FakeTraceJob(clock);
  job.exposeHeaders = options.exposeHeaders ?? true;
  const server = await serve((req) => job.handle(req));
  const client = createGitLabClient({ url: server.url, clock, random: () => 0 });
  const source = new MemoryTrace(crc32);
  const sender = new TraceSender({
    client,
    jobId: 10,
    jobToken: 'job-token',
    source,
    clock,
    info,
    ...options,
  });
  return { clock, job, source, sender, client };
}

const waitFor = (check: () => void) => vi.waitFor(check, { timeout: 5000, interval: 2 });

describe('TraceSender: incremental trace', () => {
  it('sends new output with exact Content-Range, one request at a time, and reports the final state', async () => {
    const { job, source, sender } = await setup();
    sender.start();
    source.write('hello ');
    sender.notify();
    await waitFor(() => expect(job.trace.toString()).toBe('hello '));
    source.write('world');
    sender.notify();
    await waitFor(() => expect(job.trace.toString()).toBe('hello world'));
    const outcome = await sender.finish({ state: 'success' });
    expect(outcome).toEqual({
      kind: 'accepted',
      jobStatus: 'success',
      traceComplete: true,
      traceProblem: null,
    });
    expect(job.patches.map((p) => p.contentRange)).toEqual(['0-5', '6-10']);
    expect(job.puts.at(-1)?.json).toMatchObject({
      state: 'success',
      output: { checksum: source.checksum(), bytesize: 11 },
      checksum: source.checksum(),
    });
    expect(job.maxInFlight).toBe(1);
    expect(sender.sentOffset).toBe(11);
  });

  it('sends new output within 1 s of notify() while output flows', async () => {
    const { job, source, sender, clock } = await setup();
    sender.start();
    for (const line of ['one\n', 'two\n', 'three\n']) {
      const before = clock.now();
      const count = job.patches.length;
      source.write(line);
      sender.notify();
      await waitFor(() => expect(job.patches.length).toBe(count + 1));
      expect((job.patches.at(-1)?.at ?? Infinity) - before).toBeLessThanOrEqual(1000);
    }
    expect(job.trace.toString()).toBe('one\ntwo\nthree\n');
    await sender.stop();
  });

  it('splits a large backlog into patches of at most 1 MiB (TestJobMaxTracePatchSize)', async () => {
    const { job, source, sender } = await setup();
    const data = Buffer.alloc(2.5 * 1024 * 1024, 'x');
    data.write('start', 0);
    data.write('end', data.length - 3);
    source.write(data);
    const outcome = await sender.finish({ state: 'success' });
    expect(outcome.kind).toBe('accepted');
    expect(job.patches.map((p) => p.contentRange)).toEqual([
      '0-1048575',
      '1048576-2097151',
      '2097152-2621439',
    ]);
    expect(job.trace.equals(data)).toBe(true);
  });

  it('never exceeds the request budget per minute while output flows', async () => {
    const clock = new FakeClock();
    const job = new FakeTraceJob(clock);
    const server = await serve((req) => job.handle(req));
    // Requests take no virtual time, so arrival times are send times despite the writer's sleeps.
    const frozen: typeof fetch = async (input, init) => {
      const release = clock.hold();
      try {
        const response = await fetch(input, init);
        return new Response(await response.arrayBuffer(), response);
      } finally {
        release();
      }
    };
    const client = createGitLabClient({ url: server.url, clock, fetch: frozen });
    const source = new MemoryTrace(crc32);
    const sender = new TraceSender({
      client,
      jobId: 10,
      jobToken: 'job-token',
      source,
      clock,
      info,
      liveIntervalMs: 0,
      maxRequestsPerMinute: 20,
    });
    sender.start();
    for (let i = 0; i < 720; i++) {
      source.write(`line ${i}\n`);
      sender.notify();
      await clock.sleep(250);
    }
    const outcome = await sender.finish({ state: 'success' });
    expect(outcome.kind).toBe('accepted');
    expect(job.trace.equals(source.bytes)).toBe(true);
    const times = job.arrivals.map((a) => a.at);
    for (const t of times)
      expect(times.filter((u) => u >= t && u < t + 60_000).length).toBeLessThanOrEqual(20);
    expect(job.patches.length).toBeGreaterThan(50);
  });
});

describe('TraceSender: no byte lost or doubled', () => {
  const faults: TraceFault[] = [
    'error-before',
    'error-after',
    'drop-before',
    'lost-response',
    'spurious-416',
    'slow',
  ];

  for (const exposeHeaders of [true, false]) {
    for (const fault of faults) {
      it(`survives ${fault} on every other PATCH (headers ${exposeHeaders ? 'readable' : 'hidden'})`, async () => {
        const { job, source, sender } = await setup({ exposeHeaders });
        sender.start();
        for (let i = 0; i < 6; i++) {
          if (i % 2 === 0) job.patchFaults.push(fault);
          const before = job.patches.length;
          source.write(`step ${i}: ${'ü'.repeat(i)}\n`);
          sender.notify();
          await waitFor(() => expect(job.patches.length).toBeGreaterThan(before));
        }
        job.patchFaults.push(fault);
        source.write('last line\n');
        const outcome = await sender.finish({ state: 'success' });
        expect(outcome).toMatchObject({ kind: 'accepted', traceComplete: true });
        expect(job.trace.toString()).toBe(source.bytes.toString());
        expect(job.maxInFlight).toBe(1);
      });
    }
  }

  it('recovers from a lost response in the final flush without Range (probe by elimination)', async () => {
    const { job, source, sender } = await setup({ exposeHeaders: false });
    source.write('all of it\n');
    job.patchFaults.push('lost-response');
    const outcome = await sender.finish({ state: 'success' });
    expect(outcome).toMatchObject({ kind: 'accepted', traceComplete: true });
    expect(job.trace.toString()).toBe('all of it\n');
    // The PATCH at 0 stored the bytes but its answer was lost; the second PATCH at 0 got 416,
    // which leaves 10 as the only possible length: nothing is sent twice.
    expect(job.patches.map((p) => p.contentRange)).toEqual(['0-9', '0-9']);
  });

  it('resyncs to Range after a 416 (TestRangeMismatchPatchTrace)', async () => {
    const { job, source, sender } = await setup();
    job.trace = Buffer.from('0123'); // e.g. an earlier runner process sent these
    source.write('0123456789');
    const outcome = await sender.finish({ state: 'success' });
    expect(outcome.kind).toBe('accepted');
    expect(job.patches.map((p) => p.contentRange)).toEqual(['0-9', '4-9']);
    expect(job.trace.toString()).toBe('0123456789');
  });

  it('declares the offset lost when 416s without Range contradict everything, and still reports', async () => {
    const onTraceLost = vi.fn();
    const { job, source, sender } = await setup({
      exposeHeaders: false,
      onTraceLost,
      maxUnexplainedMismatches: 3,
    });
    job.trace = Buffer.from('somebody else wrote this');
    sender.start();
    source.write('mine\n');
    sender.notify();
    await waitFor(() => expect(onTraceLost).toHaveBeenCalledTimes(1));
    expect(String(onTraceLost.mock.calls[0]?.[0])).toMatch(
      /rejected the trace offset 0 3 times.*Range header/,
    );
    const patches = job.patches.length;
    const outcome = await sender.finish({
      state: 'failed',
      failureReason: 'runner_system_failure',
    });
    expect(outcome).toMatchObject({ kind: 'accepted', traceComplete: false });
    expect(outcome.traceProblem).toMatch(/may be incomplete/);
    expect(job.patches.length).toBe(patches);
    expect(job.trace.toString()).toBe('somebody else wrote this');
  });
});

describe('TraceSender: Job-Status and keep-alive', () => {
  it('sends a keep-alive PUT with checksum and bytesize after 30 s of silence (TestJobIncrementalStatusRefresh)', async () => {
    const { job, source, sender } = await setup();
    job.interval = '60';
    sender.start();
    source.write('abc');
    sender.notify();
    await waitFor(() => expect(job.puts.length).toBeGreaterThan(0));
    await sender.stop();
    const [patch] = job.patches;
    const [put] = job.puts;
    expect((put?.at ?? 0) - (patch?.at ?? Infinity)).toBeGreaterThanOrEqual(30_000);
    expect(put?.json).toMatchObject({
      state: 'running',
      output: { checksum: source.checksum(), bytesize: 3 },
    });
  });

  it('asks for the job status at the server interval while the script is silent, so a cancel lands promptly', async () => {
    const onCancelRequested = vi.fn();
    const { job, source, sender } = await setup({ onCancelRequested });
    sender.start();
    source.write('abc');
    sender.notify();
    await waitFor(() => expect(job.patches.length).toBe(1));
    job.status = 'canceling';
    await waitFor(() => expect(onCancelRequested).toHaveBeenCalledTimes(1));
    await sender.stop();
    const [patch] = job.patches;
    const [put] = job.puts;
    // The server asked for 3 s (watched job page): the status check comes then, not after 30 s.
    expect((put?.at ?? Infinity) - (patch?.at ?? 0)).toBeLessThan(30_000);
    expect((put?.at ?? 0) - (patch?.at ?? Infinity)).toBeGreaterThanOrEqual(3_000);
  });

  it('asks for a graceful cancel once on canceling and keeps sending (TestTouchJobCancel)', async () => {
    const onCancelRequested = vi.fn();
    const onAbort = vi.fn();
    const { job, source, sender } = await setup({ onCancelRequested, onAbort });
    sender.start();
    job.status = 'canceling';
    source.write('a');
    sender.notify();
    await waitFor(() => expect(onCancelRequested).toHaveBeenCalledTimes(1));
    source.write('b');
    sender.notify();
    await waitFor(() => expect(job.trace.toString()).toBe('ab'));
    const outcome = await sender.finish({ state: 'failed', failureReason: 'unknown_failure' });
    expect(outcome).toMatchObject({ kind: 'accepted', jobStatus: 'canceled', traceComplete: true });
    expect(onCancelRequested).toHaveBeenCalledTimes(1);
    expect(onAbort).not.toHaveBeenCalled();
  });

  it.each([
    ['canceled', 'canceled'],
    ['failed', 'failed'],
  ])('aborts on Job-Status %s from a keep-alive (TestTouchJobAbort)', async (status, reason) => {
    const onAbort = vi.fn();
    const { job, sender } = await setup({ onAbort });
    job.runningReplies.push({ status: 200, headers: { 'Job-Status': status } });
    sender.start();
    await waitFor(() => expect(onAbort).toHaveBeenCalledWith(reason));
    await sender.stop();
    expect(sender.abortReason).toBe(reason);
  });

  it('aborts on 403 and stops sending trace (TestSendPatchAbort)', async () => {
    const onAbort = vi.fn();
    const { job, source, sender } = await setup({ onAbort, exposeHeaders: false });
    sender.start();
    job.status = 'canceled';
    source.write('x');
    sender.notify();
    await waitFor(() => expect(onAbort).toHaveBeenCalledWith('forbidden'));
    const count = job.arrivals.length;
    source.write('y');
    sender.notify();
    const outcome = await sender.finish({ state: 'success' });
    expect(outcome).toMatchObject({ kind: 'aborted', reason: 'forbidden', traceComplete: false });
    expect(job.patches.length).toBe(1);
    expect(job.arrivals.length).toBe(count + 1); // only the final PUT
  });

  it('adopts the server update interval for waits in the final update', async () => {
    const { job, clock, sender, source } = await setup();
    job.interval = '7';
    source.write('x');
    job.finalReplies.push({ status: 202, headers: { 'X-GitLab-Trace-Update-Interval': '5' } });
    const outcome = await sender.finish({ state: 'success' });
    expect(outcome.kind).toBe('accepted');
    expect(clock.sleeps).toContain(5000);
  });
});

describe('TraceSender: final update (docs/runner-protocol.md §7.4)', () => {
  it('keeps sending while 202, resends everything after 412 (TestJobDelayedTraceProcessingWithRejection)', async () => {
    const { job, source, sender, clock } = await setup();
    source.write('the whole trace\n');
    job.finalReplies.push(
      { status: 202, headers: { 'X-GitLab-Trace-Update-Interval': '1' } },
      { status: 202, headers: { 'X-GitLab-Trace-Update-Interval': '2' } },
      { status: 412 },
    );
    let reset = false;
    const original = job.handle.bind(job);
    job.handle = async (req) => {
      const reply = await original(req);
      if (reply.status === 412 && !reset) {
        reset = true;
        job.trace = Buffer.alloc(0); // GitLab dropped its copy: trace_reset
      }
      return reply;
    };
    const outcome = await sender.finish({ state: 'success' });
    expect(outcome).toMatchObject({ kind: 'accepted', traceComplete: true });
    expect(job.arrivals.map((a) => `${a.method} ${a.contentRange ?? ''}`.trim())).toEqual([
      'PATCH 0-15',
      'PUT',
      'PUT',
      'PUT',
      'PATCH 0-15',
      'PUT',
    ]);
    expect(job.trace.toString()).toBe('the whole trace\n');
    expect(clock.sleeps).toEqual(expect.arrayContaining([1000, 2000]));
  });

  it('retries failed updates with backoff and succeeds (TestJobFinishStatusUpdateRetry)', async () => {
    const { job, source, sender, clock } = await setup();
    source.write('x');
    for (let i = 0; i < 5; i++) job.finalReplies.push({ status: 400, body: { message: 'nope' } });
    const outcome = await sender.finish({
      state: 'failed',
      failureReason: 'script_failure',
      exitCode: 2,
    });
    expect(outcome.kind).toBe('accepted');
    expect(job.puts).toHaveLength(6);
    expect(job.puts[0]?.json).toMatchObject({
      state: 'failed',
      failure_reason: 'script_failure',
      exit_code: 2,
    });
    expect(clock.sleeps).toEqual(expect.arrayContaining([1000, 2000, 4000, 8000, 16000]));
  });

  it('gives up after 10 failed attempts with the last message', async () => {
    const { job, source, sender } = await setup();
    source.write('x');
    for (let i = 0; i < 20; i++)
      job.finalReplies.push({ status: 400, body: { message: 'state is invalid' } });
    const outcome = await sender.finish({ state: 'success' });
    expect(outcome).toEqual({
      kind: 'gave-up',
      attempts: 10,
      message: '400 Bad Request (state is invalid)',
      traceComplete: true,
      traceProblem: null,
    });
    expect(job.puts).toHaveLength(10);
  });

  it('keeps flushing through failures before the final PUT (TestJobFinishTraceUpdateRetry)', async () => {
    const { job, source, sender } = await setup({ exposeHeaders: false });
    source.write(Buffer.alloc(1024 * 1024 + 10, 'a'));
    job.patchFaults.push(
      'error-after',
      'error-before',
      'error-before',
      'error-before',
      'error-before',
      'error-before',
    );
    const outcome = await sender.finish({ state: 'success' });
    expect(outcome).toMatchObject({ kind: 'accepted', traceComplete: true });
    expect(job.trace.equals(source.bytes)).toBe(true);
  });
});
