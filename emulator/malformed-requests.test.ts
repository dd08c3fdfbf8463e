/**
 * Every route of the emulator, the git endpoints and the page, sent malformed requests: path
 * parameters that are no number or no valid percent-encoding, bodies that are no JSON object,
 * queries with broken escapes. GitLab answers such requests with 4xx (Rack refuses bad
 * percent-encoding with 400; Grape answers 400 for bad parameters and 404 for unknown ids),
 * never 500, so a runner tested against the emulator sees what it would see from GitLab.
 *
 * 842 requests: the API and admin routes × their malformations, plus git and page paths.
 * All inputs are fixed; the count is asserted so it stays true.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_ROUTES } from './admin/routes.ts';
import { API_ROUTES } from './api/routes.ts';
import { createProject } from './git/index.ts';
import { startEmulator, type Emulator } from './index.ts';
import { insertSimpleJob, requestJob } from './test-support/index.ts';

interface Probe {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

/** Path segments a client could send in place of an id. */
const BAD_SEGMENTS = [
  '%ZZ',
  '%',
  '%4',
  '%E0%A4%A',
  '%C0%AF',
  '%FF',
  '%00',
  '%2e%2e',
  '-1',
  '0x10',
  '1e3',
  '1.5',
  '99999999999999999999999',
  'abc',
  '%20%31',
  '%u0041',
  '1%',
  '%F0%9F',
  '1;x',
];

/** Bodies for a JSON endpoint that are not the object it expects. */
const BAD_BODIES: { headers: Record<string, string>; body: string }[] = [
  { headers: { 'content-type': 'application/json' }, body: '{' },
  { headers: { 'content-type': 'application/json' }, body: '[]' },
  { headers: { 'content-type': 'application/json' }, body: 'null' },
  { headers: { 'content-type': 'application/json' }, body: '"token"' },
  { headers: { 'content-type': 'application/json' }, body: '{"token":["a"],"info":7}' },
  { headers: { 'content-type': 'application/json' }, body: '{"token":{"$ne":1},"state":[]}' },
  { headers: { 'content-type': 'application/json' }, body: '\u00ff\u00fe' },
  { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'token=%ZZ&a=%' },
  { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'token[]=a&&=' },
  { headers: { 'content-type': 'text/plain' }, body: 'token=abc' },
];

const BAD_QUERIES = ['?token=%ZZ', '?%=1', '?token[]=a&token[]=b', '?token=%C0%AF', '?&&&=&'];

function probes(projectPath: string, jobId: number): Probe[] {
  const out: Probe[] = [];
  for (const route of [...API_ROUTES, ...ADMIN_ROUTES]) {
    const headers: Record<string, string> = route.pattern.startsWith('/admin/')
      ? { 'private-token': 'wrong' }
      : {};
    if (route.pattern.includes(':')) {
      for (const segment of BAD_SEGMENTS) {
        out.push({ method: route.method, path: route.pattern.replace(/:\w+/g, segment), headers });
      }
    }
    const concrete = route.pattern.replace(/:\w+/g, String(jobId));
    for (const query of BAD_QUERIES) {
      out.push({ method: route.method, path: `${concrete}${query}`, headers });
    }
    if (route.method !== 'GET') {
      for (const bad of BAD_BODIES) {
        out.push({
          method: route.method,
          path: concrete,
          headers: { ...headers, ...bad.headers },
          body: bad.body,
        });
      }
    }
  }
  const git = `/${projectPath}.git`;
  for (const segment of BAD_SEGMENTS) {
    out.push({ method: 'GET', path: `/${segment}.git/info/refs?service=git-upload-pack` });
    out.push({ method: 'GET', path: `${git}/info/refs?service=${segment}` });
    out.push({
      method: 'POST',
      path: `/${projectPath}${segment}.git/git-upload-pack`,
      body: '0000',
    });
    out.push({ method: 'GET', path: `/-/jobs/${segment}` });
    // `/%2e%2e/-/jobs/1` is `/-/jobs/1` by the URL standard, which browsers apply too.
    if (segment !== '%2e%2e') out.push({ method: 'GET', path: `/${segment}/-/jobs/${jobId}` });
    out.push({ method: 'GET', path: `/-/jobs/${jobId}/artifacts/${segment}` });
    out.push({ method: 'GET', path: `/api/v4/${segment}` });
  }
  out.push({
    method: 'POST',
    path: `${git}/git-upload-pack`,
    headers: { 'content-type': 'application/x-git-upload-pack-request' },
    body: 'zzzz',
  });
  return out;
}

/** Longest a probe may take, body included; the emulator answers each in milliseconds. */
const PROBE_MS = 2_000;

/**
 * The status, or what went wrong (a reset is as wrong as a 500). Settles on every way the
 * exchange can end: once the answer has started, a transport failure is reported on the
 * response, not the request, so both are watched, and a timer covers a body that stalls.
 */
function send(url: string, probe: Probe): Promise<number | string> {
  const name = `${probe.method} ${probe.path}`;
  return new Promise((resolve) => {
    let settled = false;
    const settle = (result: number | string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const target = new URL(url);
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        method: probe.method,
        path: probe.path,
        // Node sends a DELETE's body unframed unless told its length.
        headers: {
          ...probe.headers,
          ...(probe.body === undefined
            ? {}
            : { 'content-length': String(Buffer.byteLength(probe.body)) }),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => settle(res.statusCode ?? 0));
        res.on('error', (error) => settle(`${name}: ${error.message}`));
        res.on('aborted', () => settle(`${name}: the answer was cut off`));
        res.on('close', () =>
          settle(res.complete ? (res.statusCode ?? 0) : `${name}: closed before the answer ended`),
        );
      },
    );
    const timer = setTimeout(() => {
      settle(`${name}: no complete answer within ${PROBE_MS / 1000} s`);
      req.destroy();
    }, PROBE_MS);
    req.on('error', (error) => settle(`${name}: ${error.message}`));
    req.end(probe.body);
  });
}

describe('malformed requests', () => {
  let emulator: Emulator;
  let all: Probe[];

  beforeAll(async () => {
    emulator = await startEmulator({ longPollSeconds: 0 });
    const project = await createProject(emulator.context, { path: 'sample', namespace: 'demo' });
    const job = insertSimpleJob(emulator.state, { projectId: project.id });
    expect((await requestJob(emulator.url, emulator.createRunner().token)).status).toBe(201);
    all = probes(project.fullPath, job.id);
  });
  afterAll(() => emulator.close());

  // 842 probes in a row take about a second; the timeout leaves room for some to hit PROBE_MS.
  it('answers every one with 4xx, never 5xx, and keeps serving', async () => {
    expect(all.length).toBe(842);
    const wrong: string[] = [];
    for (const probe of all) {
      const status = await send(emulator.url, probe);
      if (typeof status !== 'number' || status < 400 || status >= 500) {
        wrong.push(`${probe.method} ${probe.path} ${probe.body ?? ''} → ${status}`);
      }
    }
    expect(wrong).toEqual([]);
    const healthy = await fetch(`${emulator.url}/api/v4/runners/verify`, { method: 'POST' });
    expect(healthy.status).toBe(400);
  }, 120_000);

  it('refuses a path parameter that is no valid percent-encoding with 400', async () => {
    for (const path of ['/api/v4/jobs/%ZZ', '/api/v4/jobs/%E0%A4%A/trace', '/admin/api/jobs/%']) {
      const status = await send(emulator.url, {
        method: path.endsWith('trace') ? 'PATCH' : 'PUT',
        path,
        ...(path.startsWith('/admin/')
          ? { headers: { 'private-token': emulator.adminToken } }
          : {}),
      });
      expect(status, path).toBe(400);
    }
  });
});
