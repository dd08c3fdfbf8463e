/** Contract tests of artifact upload and download (docs/runner-protocol.md §8), after TestArtifactsUpload/Download. */
import { describe, expect, it } from 'vitest';
import { downloadArtifact, uploadArtifact } from './artifacts.ts';
import { createGitLabClient } from './client.ts';
import { FakeClock } from './testing/fake-clock.ts';
import type { Reply } from './testing/scripted-server.ts';
import { useScriptedServers } from './testing/use-server.ts';

const serve = useScriptedServers();
const zip = new Blob([new Uint8Array([0x50, 0x4b, 3, 4, 1, 2, 3])]);

describe('uploadArtifact', () => {
  it('posts one multipart part named file, options in the query string, JOB-TOKEN', async () => {
    const server = await serve(() => ({ status: 201, body: '201' }));
    const result = await uploadArtifact(createGitLabClient({ url: server.url }), {
      jobId: 10,
      jobToken: 'job-token',
      file: zip,
      filename: 'junit.xml.gz',
      artifactType: 'junit',
      artifactFormat: 'gzip',
      expireIn: '7d',
    });
    expect(result).toEqual({ kind: 'created' });
    const req = server.requests[0];
    expect(req?.method).toBe('POST');
    expect(req?.path).toBe('/api/v4/jobs/10/artifacts');
    expect(req?.headers['job-token']).toBe('job-token');
    expect(Object.fromEntries(req?.query ?? [])).toEqual({
      expire_in: '7d',
      artifact_format: 'gzip',
      artifact_type: 'junit',
    });
    const contentType = String(req?.headers['content-type']);
    expect(contentType).toMatch(/^multipart\/form-data; boundary=/);
    const form = await new Response(new Uint8Array(req?.body ?? []), {
      headers: { 'Content-Type': contentType },
    }).formData();
    expect([...form.keys()]).toEqual(['file']);
    const file = form.get('file') as File;
    expect(file.name).toBe('junit.xml.gz');
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(
      new Uint8Array([0x50, 0x4b, 3, 4, 1, 2, 3]),
    );
  });

  it('omits empty query parameters', async () => {
    const server = await serve(() => ({ status: 201 }));
    await uploadArtifact(createGitLabClient({ url: server.url }), {
      jobId: 1,
      jobToken: 't',
      file: zip,
      filename: 'default.zip',
    });
    expect([...(server.requests[0]?.query.keys() ?? [])]).toEqual([]);
  });

  it('follows a 307 redirect, sending the file again', async () => {
    const target = await serve(() => ({ status: 201 }));
    const origin = await serve(() => ({
      status: 307,
      headers: { Location: `${target.url}/api/v4/jobs/1/artifacts` },
    }));
    const result = await uploadArtifact(createGitLabClient({ url: origin.url }), {
      jobId: 1,
      jobToken: 't',
      file: zip,
      filename: 'default.zip',
    });
    expect(result).toEqual({ kind: 'created' });
    expect(target.requests[0]?.body.includes(Buffer.from([0x50, 0x4b, 3, 4]))).toBe(true);
  });

  it.each<[Reply, object]>([
    [
      { status: 403, body: { message: '403 Forbidden' } },
      { kind: 'forbidden', message: '403 Forbidden' },
    ],
    [
      { status: 413, body: { message: 'too large' } },
      { kind: 'too-large', message: '413 Request Entity Too Large (too large)' },
    ],
    [{ status: 503 }, { kind: 'failed', status: 503, retryable: true, maxAttempts: 6 }],
    [
      { status: 400, body: { message: 'missing file' } },
      {
        kind: 'failed',
        status: 400,
        message: '400 Bad Request (missing file)',
        retryable: true,
        maxAttempts: 3,
      },
    ],
    [
      { status: 400, body: 'plain' },
      { kind: 'failed', status: 400, message: '400 Bad Request', retryable: true },
    ],
    [{ status: 405 }, { kind: 'failed', status: 405, retryable: false }],
  ])('maps %j', async (reply, expected) => {
    const server = await serve(() => reply);
    const client = createGitLabClient({ url: server.url, clock: new FakeClock() });
    const result = await uploadArtifact(client, {
      jobId: 1,
      jobToken: 't',
      file: zip,
      filename: 'default.zip',
    });
    expect(result).toMatchObject(expected);
  });
});

describe('downloadArtifact', () => {
  it('streams the archive with JOB-TOKEN and never asks for a direct download', async () => {
    const server = await serve(() => ({
      status: 200,
      body: Buffer.from('PK\x03\x04archive'),
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': '11' },
    }));
    const result = await downloadArtifact(createGitLabClient({ url: server.url }), {
      jobId: 7,
      token: 'dep-token',
    });
    expect(result.kind).toBe('ok');
    if (result.kind !== 'ok') return;
    expect(result.size).toBe(11);
    expect(await new Response(result.body).text()).toBe('PK\x03\x04archive');
    const req = server.requests[0];
    expect(req?.method).toBe('GET');
    expect(req?.path).toBe('/api/v4/jobs/7/artifacts');
    expect(req?.headers['job-token']).toBe('dep-token');
    expect(req?.query.has('direct_download')).toBe(false);
  });

  it('counts body bytes as they are read, against Content-Length when the response has one', async () => {
    const archive = Buffer.alloc(300_000, 7);
    const server = await serve(() => ({
      status: 200,
      body: archive,
      headers: { 'Content-Length': String(archive.length) },
    }));
    const seen: { loaded: number; total: number | null }[] = [];
    const result = await downloadArtifact(createGitLabClient({ url: server.url }), {
      jobId: 7,
      token: 'dep-token',
      onProgress: (progress) => seen.push(progress),
    });
    expect(result.kind).toBe('ok');
    if (result.kind !== 'ok') return;
    expect(seen).toEqual([{ loaded: 0, total: archive.length }]);
    const body = new Uint8Array(await new Response(result.body).arrayBuffer());
    expect(body.length).toBe(archive.length);
    // Node hands a 300 kB body over in several chunks: one report per chunk, in order.
    expect(seen.length).toBeGreaterThan(2);
    expect(seen.every((p) => p.total === archive.length)).toBe(true);
    const loaded = seen.map((p) => p.loaded);
    expect(loaded).toEqual([...loaded].sort((a, b) => a - b));
    expect(loaded.at(-1)).toBe(archive.length);
  });

  it('reports a null total without Content-Length, and nothing for an error answer', async () => {
    const chunked = await serve(() => ({ status: 200, body: Buffer.from('PK\x03\x04chunked') }));
    const seen: { loaded: number; total: number | null }[] = [];
    const result = await downloadArtifact(createGitLabClient({ url: chunked.url }), {
      jobId: 7,
      token: 't',
      onProgress: (progress) => seen.push(progress),
    });
    if (result.kind !== 'ok') throw new Error(result.kind);
    expect(result.size).toBeNull();
    await new Response(result.body).arrayBuffer();
    expect(seen[0]).toEqual({ loaded: 0, total: null });
    expect(seen.at(-1)).toEqual({ loaded: 11, total: null });

    const missing = await serve(() => ({ status: 404, body: { message: '404 Not Found' } }));
    const none: unknown[] = [];
    await downloadArtifact(createGitLabClient({ url: missing.url }), {
      jobId: 7,
      token: 't',
      onProgress: (progress) => none.push(progress),
    });
    expect(none).toEqual([]);
  });

  it.each<[Reply, object]>([
    [{ status: 401 }, { kind: 'unauthorized', message: '401 Unauthorized' }],
    [
      { status: 403, body: { message: '403 Forbidden' } },
      { kind: 'forbidden', message: '403 Forbidden' },
    ],
    [
      {
        status: 403,
        body: '<?xml version="1.0"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>',
        headers: { 'Content-Type': 'application/xml' },
      },
      { kind: 'forbidden', message: '403 Forbidden (AccessDenied: Access Denied)' },
    ],
    [
      { status: 404, body: { message: '404 Not Found' } },
      { kind: 'not-found', message: '404 Not Found' },
    ],
    [{ status: 400 }, { kind: 'failed', status: 400 }],
  ])('maps %j', async (reply, expected) => {
    const server = await serve(() => reply);
    const result = await downloadArtifact(createGitLabClient({ url: server.url }), {
      jobId: 7,
      token: 't',
    });
    expect(result).toMatchObject(expected);
  });
});
