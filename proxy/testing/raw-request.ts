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

/** Sends `head` (request line and headers, CRLF-separated, without the blank line), then `body`. */
export function rawRequest(baseUrl: string, head: string, body = ''): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let text = '';
    socket.setEncoding('utf8');
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
