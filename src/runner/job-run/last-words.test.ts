/**
 * The last words of a closing tab (docs/runner-protocol.md §7.6): which keepalive requests leave,
 * in which order, and what they carry. The client is the real one; its `fetch` only records, so
 * the order seen is the order the requests left in.
 */
import { describe, expect, it } from 'vitest';
import { createGitLabClient } from '../../gitlab/index.ts';
import { LAST_PATCH_LIMIT, sendLastWords } from './last-words.ts';
import { testRunnerInfo } from '../../gitlab/testing/test-runner-info.ts';

interface Sent {
  method: string;
  path: string;
  keepalive: boolean;
  contentRange: string | null;
  body: Uint8Array;
}

function recordingClient() {
  const sent: Sent[] = [];
  const pending: Promise<void>[] = [];
  const fetch: typeof globalThis.fetch = (input, init) => {
    const headers = new Headers(init?.headers);
    const entry: Sent = {
      method: init?.method ?? 'GET',
      path: new URL(String(input)).pathname,
      keepalive: init?.keepalive === true,
      contentRange: headers.get('content-range'),
      body: new Uint8Array(),
    };
    sent.push(entry);
    // Recorded at the call, in the caller's order; the body is read after.
    pending.push(
      new Response(init?.body ?? null).arrayBuffer().then((b) => {
        entry.body = new Uint8Array(b);
      }),
    );
    return Promise.resolve(new Response(null, { status: init?.method === 'PATCH' ? 202 : 200 }));
  };
  const client = createGitLabClient({ url: 'https://gitlab.example.com', fetch });
  return { client, sent, bodies: () => Promise.all(pending) };
}

const info = testRunnerInfo({ headersReadable: true });
const job = { id: 7, token: 'job-token', failureReasons: ['script_failure'] };

function tail(offset: number, length: number) {
  return { offset, bytes: new Uint8Array(length).fill(0x61), debugTrace: false };
}

describe('sendLastWords', () => {
  it('sends the tail in one keepalive PATCH at its offset, then the keepalive PUT, synchronously', async () => {
    const { client, sent, bodies } = recordingClient();
    const result = sendLastWords({ client, info, job, unsent: tail(100, LAST_PATCH_LIMIT) });
    // Both requests left before sendLastWords returned: a `pagehide` handler waits for nothing.
    expect(sent.map((s) => [s.method, s.path, s.keepalive])).toEqual([
      ['PATCH', '/api/v4/jobs/7/trace', true],
      ['PUT', '/api/v4/jobs/7', true],
    ]);
    expect(result).toEqual({ tailSent: true });
    expect(sent[0]?.contentRange).toBe(`100-${100 + LAST_PATCH_LIMIT - 1}`);
    await bodies();
    expect(sent[0]?.body.length).toBe(LAST_PATCH_LIMIT);
    // No output summary: a checksum could earn a 202 that nobody is left to follow up.
    expect(JSON.parse(new TextDecoder().decode(sent[1]?.body))).toMatchObject({
      token: 'job-token',
      state: 'failed',
      // Mapped for this GitLab (docs/runner-protocol.md §12.3): runner_system_failure is always known.
      failure_reason: 'runner_system_failure',
      output: {},
    });
  });

  it('sends no PATCH for a tail over 48 KiB (its start cannot be skipped), but still the PUT', () => {
    const { client, sent } = recordingClient();
    const result = sendLastWords({ client, info, job, unsent: tail(0, LAST_PATCH_LIMIT + 1) });
    expect(LAST_PATCH_LIMIT).toBe(48 * 1024);
    expect(result).toEqual({ tailSent: false });
    expect(sent.map((s) => [s.method, s.keepalive])).toEqual([['PUT', true]]);
  });

  it('sends only the PUT when nothing is unsent or the job has no trace to send', () => {
    for (const unsent of [null, tail(12, 0)]) {
      const { client, sent } = recordingClient();
      expect(sendLastWords({ client, info, job, unsent })).toEqual({ tailSent: false });
      expect(sent.map((s) => s.method)).toEqual(['PUT']);
    }
  });
});
