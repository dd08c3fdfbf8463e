/**
 * One `git-upload-pack` exchange, git smart HTTP protocol v0/v1 (gitprotocol-pack "Packfile
 * Negotiation"), stateless: wants, the store's shallow boundary and depth, the store's HEAD as
 * the one `have`, then `done`. The answer is the shallow update, an ACK or NAK, and the pack
 * over side-band-64k (progress on band 2, a fatal error on band 3). A want the server refuses
 * (`ERR upload-pack: not our ref`) comes back as `refused`, not as an error: the caller tries
 * its next candidate.
 */
import { concatBytes } from '../../../bytes/index.ts';
import { gitRequest, type GitHttpTarget } from './git-http.ts';
import { FLUSH_PKT, PktLineReader, pktLine } from './pkt-line.ts';
import { formatLimit, SourcesFetchError, SourcesLimitError } from '../../errors/sources-errors.ts';

export interface UploadPackRequest {
  wants: string[];
  haves: string[];
  /** The store's shallow commits (its `shallow` file). */
  shallows: string[];
  /** Commits of history to fetch; 0 for all. */
  depth: number;
  /** What the server advertised. */
  capabilities: Set<string>;
  /** git's progress lines (`Counting objects:  50% (1/2)`). */
  onProgress?: (text: string) => void;
  /** The largest pack accepted (default 1 GiB): a bigger one fails before it is buffered. */
  maxPackBytes?: number;
}

export interface UploadPackResult {
  /** The pack, or null when the server sent none. */
  pack: Uint8Array | null;
  shallow: string[];
  unshallow: string[];
  /** The server's refusal (`ERR …` line), when it refused. */
  refused?: string;
}

export const DEFAULT_MAX_PACK_BYTES = 1024 * 1024 * 1024;

/**
 * Shallow and unshallow lines one fetch may bring: one per commit at the depth boundary, so a
 * few per branch that meets there; a server sending many more is not describing history.
 */
export const MAX_SHALLOW_LINES = 10_000;
const OID = /^[0-9a-f]{40}$/;
const decoder = new TextDecoder();

export async function uploadPack(
  target: GitHttpTarget,
  request: UploadPackRequest,
): Promise<UploadPackResult> {
  const url = target.remote.url;
  const caps = request.capabilities;
  const band = caps.has('side-band-64k')
    ? 'side-band-64k'
    : caps.has('side-band')
      ? 'side-band'
      : '';
  if (request.depth && !caps.has('shallow')) {
    throw new SourcesFetchError({
      url,
      reason: 'the server cannot send shallow history (GIT_DEPTH)',
    });
  }
  const wanted = [band, 'ofs-delta', 'agent=git/tabrunner'];
  if (request.depth || request.shallows.length) wanted.push('shallow');
  const capabilities = wanted.filter((c) => c && (caps.has(c) || c.startsWith('agent=')));
  const lines: Uint8Array[] = [];
  request.wants.forEach((oid, i) =>
    lines.push(pktLine(`want ${oid}${i === 0 ? ` ${capabilities.join(' ')}` : ''}\n`)),
  );
  for (const oid of request.shallows) lines.push(pktLine(`shallow ${oid}\n`));
  if (request.depth) lines.push(pktLine(`deepen ${request.depth}\n`));
  lines.push(FLUSH_PKT);
  for (const oid of request.haves) lines.push(pktLine(`have ${oid}\n`));
  lines.push(pktLine('done\n'));

  const response = await gitRequest(target, {
    method: 'POST',
    path: 'git-upload-pack',
    headers: {
      'content-type': 'application/x-git-upload-pack-request',
      accept: 'application/x-git-upload-pack-result',
    },
    body: concatBytes(lines),
  });
  const reader = new PktLineReader(response.body, url);
  const result: UploadPackResult = { pack: null, shallow: [], unshallow: [] };
  const maxPackBytes = request.maxPackBytes ?? DEFAULT_MAX_PACK_BYTES;
  const chunks: Uint8Array[] = [];
  let size = 0;
  const receive = (chunk: Uint8Array): void => {
    size += chunk.length;
    if (size > maxPackBytes) {
      throw new SourcesLimitError({
        reason: `the pack is larger than ${formatLimit(maxPackBytes)}, the limit of one fetch (GIT_DEPTH fetches less history)`,
      });
    }
    chunks.push(chunk);
  };
  // The server's shallow boundary is written into the store's `shallow` file: ids only.
  const shallowId = (line: string, id: string): string => {
    if (result.shallow.length + result.unshallow.length >= MAX_SHALLOW_LINES) {
      throw new SourcesFetchError({
        url,
        reason: `the server sent more than ${MAX_SHALLOW_LINES} shallow lines`,
      });
    }
    if (OID.test(id)) return id;
    throw new SourcesFetchError({
      url,
      reason: `the server sent a malformed shallow line ${JSON.stringify(line.slice(0, 60))}`,
    });
  };

  // Shallow update and ACK/NAK: text lines until the pack starts.
  for (;;) {
    const parts = await reader.readParts();
    if (parts === undefined) return result;
    if (parts === null) continue;
    const first = parts[0]?.[0];
    if (band && (first === 1 || first === 2 || first === 3)) {
      handleBand(parts);
      break;
    }
    const line = decoder.decode(concatBytes(parts)).trim();
    if (line.startsWith('ERR ')) return { ...result, refused: line.slice(4) };
    if (line.startsWith('shallow ')) result.shallow.push(shallowId(line, line.slice(8)));
    else if (line.startsWith('unshallow ')) result.unshallow.push(shallowId(line, line.slice(10)));
    else if (line === 'NAK' || line.startsWith('ACK ')) {
      if (!band) {
        for await (const chunk of reader.rest()) receive(chunk);
        break;
      }
    } else throw new SourcesFetchError({ url, reason: `unexpected negotiation line "${line}"` });
  }
  if (band) {
    for (;;) {
      const parts = await reader.readParts();
      if (parts === undefined) break;
      if (parts !== null) handleBand(parts);
    }
  }
  if (size) result.pack = concatBytes(chunks);
  return result;

  /** One side-band packet: pack data, progress, or the server's fatal error. */
  function handleBand(parts: Uint8Array[]): void {
    const channel = parts[0]?.[0];
    const payload = [(parts[0] as Uint8Array).subarray(1), ...parts.slice(1)];
    if (channel === 1) {
      for (const part of payload) receive(part);
    } else if (channel === 2 || channel === 3) {
      const text = decoder.decode(concatBytes(payload));
      if (channel === 2) request.onProgress?.(text);
      else {
        throw new SourcesFetchError({
          url,
          reason: target.remote.redact(`the git server failed: ${text.trim()}`),
        });
      }
    } else {
      throw new SourcesFetchError({ url, reason: 'the pack stream has an unknown side-band' });
    }
  }
}
