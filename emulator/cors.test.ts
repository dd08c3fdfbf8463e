import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  GITLAB_EXPOSED_HEADERS,
  RELAY_EXPOSED_HEADERS,
  startEmulator,
  type Emulator,
} from './index.ts';
import { requestJob } from './test-support/index.ts';

let emulator: Emulator;
const origin = 'http://tab.example';

beforeEach(async () => {
  emulator = await startEmulator({ longPollSeconds: 1, corsMode: 'gitlab' });
});
afterEach(() => emulator.close());

function preflight(path: string): Promise<Response> {
  return fetch(`${emulator.url}${path}`, {
    method: 'OPTIONS',
    headers: {
      Origin: origin,
      'Access-Control-Request-Method': 'PATCH',
      'Access-Control-Request-Headers': 'job-token, content-range',
    },
  });
}

function withOrigin(token: string, lastUpdate?: string): Promise<Response> {
  return fetch(`${emulator.url}/api/v4/jobs/request`, {
    method: 'POST',
    headers: { Origin: origin, 'Content-Type': 'application/json' },
    body: JSON.stringify({ token, ...(lastUpdate ? { last_update: lastUpdate } : {}) }),
  });
}

describe('CORS (docs/runner-protocol.md §13, §14)', () => {
  it('gitlab mode: answers API preflights and exposes only GitLab pagination headers', async () => {
    const pre = await preflight('/api/v4/jobs/1/trace');
    expect(pre.status).toBe(200);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    expect(pre.headers.get('access-control-allow-headers')).toBe('job-token, content-range');
    expect(pre.headers.get('access-control-allow-methods')).toContain('PATCH');

    const runner = emulator.createRunner();
    const res = await withOrigin(runner.token);
    expect(res.status).toBe(204);
    const exposed = res.headers.get('access-control-expose-headers') ?? '';
    expect(exposed.split(', ')).toEqual([...GITLAB_EXPOSED_HEADERS]);
    expect(exposed).not.toContain('X-GitLab-Last-Update');
  });

  it('gitlab mode: no CORS on git paths, nor on Workhorse long-poll answers', async () => {
    const pre = await preflight('/group/project.git/info/refs');
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    const runner = emulator.createRunner();
    const first = await requestJob(emulator.url, runner.token);
    const lastUpdate = first.headers.get('x-gitlab-last-update') ?? '';
    const held = await withOrigin(runner.token, lastUpdate);
    expect(held.status).toBe(204);
    expect(held.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('relay mode: exposes the runner headers on API and git paths', async () => {
    emulator.setCorsMode('relay');
    const runner = emulator.createRunner();
    const res = await withOrigin(runner.token);
    expect(res.headers.get('access-control-expose-headers')?.split(', ')).toEqual([
      ...RELAY_EXPOSED_HEADERS,
    ]);
    const pre = await preflight('/group/project.git/git-upload-pack');
    expect(pre.status).toBe(200);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('off mode: no CORS headers, and a preflight gets 405 like any unrouted method', async () => {
    emulator.setCorsMode('off');
    const pre = await preflight('/api/v4/jobs/request');
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    expect(pre.status).toBe(405);
    const runner = emulator.createRunner();
    const res = await withOrigin(runner.token);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('adds no CORS headers to requests without Origin', async () => {
    const runner = emulator.createRunner();
    const res = await requestJob(emulator.url, runner.token);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('routing outside the API', () => {
  it('serves the page at / and logs it; unknown paths get 404', async () => {
    const page = await fetch(`${emulator.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const unknown = await fetch(`${emulator.url}/nothing/here`);
    expect(unknown.status).toBe(404);
    await page.text();
    await unknown.text();
    await vi.waitFor(() =>
      expect(emulator.requests().map((r) => `${r.path} ${r.status}`)).toEqual([
        '/ 200',
        '/nothing/here 404',
      ]),
    );
  });
});
