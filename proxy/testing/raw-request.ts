/**
 * Sends bytes to a server exactly as written, for request targets and headers that `fetch`
 * and node:http would normalise or refuse to send (absolute-form targets, `%2e%2e`, a spoofed
 * `Host`). Resolves with the status and the raw response once the server closes or answers.
 */
import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  text: string;
}

/** Longest silence from the server before the request fails, well inside a test's timeout. */
const SILENCE_MS = 5_000;

/** Sends `head` (request line and headers, CRLF-separated, without the blank line), then `body`. */
export function rawRequest(baseUrl: string, head: string, body = ''): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  const requestLine = head.split('\r\n', 1)[0] ?? head;
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let text = '';
    socket.setEncoding('utf8');
    // A server that never answers fails here, naming the request, not as a bare test timeout.
    socket.setTimeout(SILENCE_MS, () => {
      socket.destroy(
        new Error(`no answer to ${JSON.stringify(requestLine)} in ${SILENCE_MS / 1000} s`),
      );
    });
    socket.on('connect', () => socket.write(`${head}\r\nConnection: close\r\n\r\n${body}`));
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    socket.on('error', reject);
    socket.on('close', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ status, text });
    });
  });
}

/** The relay's JSON refusal `{ error, message }` in a raw response, or null for any other body. */
export function refusalOf(response: RawResponse): { error: string; message: string } | null {
  const { text } = response;
  try {
    const body = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as {
      error?: unknown;
      message?: unknown;
    };
    return typeof body.error === 'string' && typeof body.message === 'string'
      ? { error: body.error, message: body.message }
      : null;
  } catch {
    return null;
  }
}

/** The `error` of the relay's JSON refusal in a raw response, or null when there is none. */
export function errorOf(response: RawResponse): string | null {
  return refusalOf(response)?.error ?? null;
}
