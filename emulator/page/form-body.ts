/**
 * Reading an HTML form's body for the page's actions: urlencoded only, and at most
 * `FORM_LIMIT` bytes, so a large body is refused rather than held in memory.
 */
import type { IncomingMessage } from 'node:http';

export const FORM_LIMIT = 64 * 1024;

export type FormBody =
  { ok: true; fields: URLSearchParams } | { ok: false; status: 413 | 415; message: string };

/** The form's fields, or why the body was refused. */
export async function readForm(req: IncomingMessage, limit = FORM_LIMIT): Promise<FormBody> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    // Keep reading past the limit so the browser gets our answer instead of a reset.
    if (size <= limit) chunks.push(chunk);
  }
  if (size > limit) {
    return { ok: false, status: 413, message: `The form is larger than ${limit} bytes.` };
  }
  if (size > 0 && type !== 'application/x-www-form-urlencoded') {
    return {
      ok: false,
      status: 415,
      message: 'Send the form as application/x-www-form-urlencoded, as a browser does.',
    };
  }
  return { ok: true, fields: new URLSearchParams(Buffer.concat(chunks).toString('utf8')) };
}
