/**
 * `POST /api/v4/jobs/:id/artifacts` (docs/runner-protocol.md §8.1): multipart with a `file` part; `artifact_type`
 * (default `archive`), `artifact_format` (default `zip`) and `expire_in` from the query or the
 * form. 201 with body `201`; 400 without `file`; 413 over the size limit; 403 + `Job-Status`
 * when the job is not running. A second upload of the same type replaces the first.
 */
import { json, message, paramError } from '../http/reply.ts';
import { BodyTooLargeError } from '../http/request.ts';
import type { StoredArtifact } from '../model.ts';
import type { ApiRoute } from './api-env.ts';
import { DEFAULT_ARTIFACT_LIFETIME_MS, parseExpireIn } from './artifact-expiry.ts';
import { authenticateJob } from './job-auth.ts';

/** Room for multipart boundaries and text fields around the file. */
const MULTIPART_OVERHEAD = 1024 * 1024;

export const uploadArtifacts: ApiRoute = {
  method: 'POST',
  pattern: '/api/v4/jobs/:id/artifacts',
  endpoint: 'artifacts/upload',
  async handle({ ctx }, req) {
    const limit = ctx.options.artifactSizeLimit;
    let body: Uint8Array;
    try {
      body = await req.bytes(limit + MULTIPART_OVERHEAD);
    } catch (error) {
      if (error instanceof BodyTooLargeError) return message(413, 'Request Entity Too Large');
      throw error;
    }
    let form: FormData | null = null;
    if (req.mediaType() === 'multipart/form-data') {
      try {
        form = await new Request('http://emulator.invalid/', {
          method: 'POST',
          headers: { 'content-type': req.header('content-type') ?? '' },
          body: new Blob([body as Uint8Array<ArrayBuffer>]),
        }).formData();
      } catch {
        form = null;
      }
    }
    const formToken = form?.get('token');
    const auth = authenticateJob(
      ctx,
      req,
      typeof formToken === 'string' ? { token: formToken } : {},
    );
    if ('reply' in auth) return auth.reply;
    const { job } = auth;

    const file = form?.get('file');
    if (!(file instanceof File)) return message(400, 'Bad request - Missing artifacts file!');
    if (file.size > limit) return message(413, 'Request Entity Too Large');
    const field = (name: string): string | undefined => {
      const fromForm = form?.get(name);
      return req.query.get(name) ?? (typeof fromForm === 'string' ? fromForm : undefined);
    };
    const expireIn = field('expire_in');
    const lifetime =
      expireIn === undefined ? DEFAULT_ARTIFACT_LIFETIME_MS : parseExpireIn(expireIn);
    if (lifetime === undefined) return paramError('expire_in is invalid');
    const now = ctx.clock.now();
    const artifact: StoredArtifact = {
      artifactType: field('artifact_type') ?? 'archive',
      artifactFormat: field('artifact_format') ?? 'zip',
      filename: file.name,
      data: new Uint8Array(await file.arrayBuffer()),
      expiresAt: lifetime === null ? null : now + lifetime,
      uploadedAt: now,
    };
    job.artifactsStored = [
      ...job.artifactsStored.filter((a) => a.artifactType !== artifact.artifactType),
      artifact,
    ];
    return json(201, 201);
  },
};
