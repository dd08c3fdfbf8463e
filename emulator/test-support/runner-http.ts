/**
 * Plain-HTTP helpers for emulator tests: the requests a runner sends, built with `fetch` and
 * nothing of ours, so the tests check the wire and not a client.
 */

/** `info` with the given features on, as a runner sends it (docs/runner-protocol.md §3.1). */
export function runnerInfo(features: Record<string, boolean> = {}): Record<string, unknown> {
  return { name: 'gitlab-runner', version: '19.4.0', platform: 'linux', features };
}

/** POST/PUT/DELETE a JSON body. */
export function sendJson(
  url: string,
  method: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(url, {
    method,
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

/** `POST /jobs/request` with a token, system id, optional features and `last_update`. */
export function requestJob(
  base: string,
  token: string,
  options: { features?: Record<string, boolean>; lastUpdate?: string; systemId?: string } = {},
): Promise<Response> {
  return sendJson(`${base}/api/v4/jobs/request`, 'POST', {
    token,
    system_id: options.systemId ?? 's_000000000001',
    info: runnerInfo(options.features ?? {}),
    ...(options.lastUpdate === undefined ? {} : { last_update: options.lastUpdate }),
  });
}

/** `PATCH /jobs/:id/trace` with the runner's non-RFC `Content-Range` (docs/runner-protocol.md §6.1). */
export function patchTrace(
  base: string,
  jobId: number,
  token: string,
  start: number,
  text: string,
): Promise<Response> {
  const body = new TextEncoder().encode(text);
  return fetch(`${base}/api/v4/jobs/${jobId}/trace?debug_trace=false`, {
    method: 'PATCH',
    headers: {
      'JOB-TOKEN': token,
      'Content-Type': 'text/plain',
      'Content-Range': `${start}-${start + body.length - 1}`,
    },
    body,
  });
}

/** `PUT /jobs/:id` with the job token in body and header (docs/runner-protocol.md §7.1). */
export function updateJob(
  base: string,
  jobId: number,
  token: string,
  body: Record<string, unknown>,
): Promise<Response> {
  return sendJson(
    `${base}/api/v4/jobs/${jobId}`,
    'PUT',
    { token, info: runnerInfo(), ...body },
    {
      'JOB-TOKEN': token,
    },
  );
}
