/**
 * Reading an HTML form's body for the page's actions: urlencoded only, and at most
 * `FORM_LIMIT` bytes, so a large body is refused rather than held in memory. Past the limit
 * the rest is read and dropped up to `DISCARD_LIMIT` bytes, so a browser that finishes sending
 * a slightly large form reads our 413 instead of a reset; a body larger still is not read any
 * further, and the answer closes the connection.
 */
import type { IncomingMessage } from 'node:http';

export const FORM_LIMIT = 64 * 1024;
export const DISCARD_LIMIT = 1024 * 1024;

export type FormBody =
  { ok: true; fields: URLSearchParams } | { ok: false; status: 400 | 413 | 415; message: string };

/** The form's fields, or why the body was refused. */
export async function readForm(req: IncomingMessage, limit = FORM_LIMIT): Promise<FormBody> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  const body = await readBounded(req, limit);
  if (body === 'too large') {
    return { ok: false, status: 413, message: `The form is larger than ${limit} bytes.` };
  }
  if (body === 'cut') {
    return { ok: false, status: 400, message: 'The connection closed before the form ended.' };
  }
  if (body.length > 0 && type !== 'application/x-www-form-urlencoded') {
    return {
      ok: false,
      status: 415,
      message: 'Send the form as application/x-www-form-urlencoded, as a browser does.',
    };
  }
  return { ok: true, fields: new URLSearchParams(body.toString('utf8')) };
}

/**
 * The body; 'too large' past `limit`, 'cut' when the client went away before its end.
 * Listeners rather than `for await`, because leaving an async iteration early destroys the
 * request and with it the socket our 413 is written to.
 */
function readBounded(req: IncomingMessage, limit: number): Promise<Buffer | 'too large' | 'cut'> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit + DISCARD_LIMIT) return Promise.resolve('too large');
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (body: Buffer | 'too large' | 'cut') => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onCut);
      req.off('close', onCut);
      // Nothing reads on: the answer's `Connection: close` ends the socket with the rest unread.
      req.pause();
      resolve(body);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else if (size > limit + DISCARD_LIMIT) settle('too large');
    };
    const onEnd = () => settle(size > limit ? 'too large' : Buffer.concat(chunks));
    const onCut = () => settle('cut');
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', onCut);
    req.once('close', onCut);
  });
}
