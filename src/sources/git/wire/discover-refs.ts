/**
 * Ref discovery, git smart HTTP protocol v0/v1 (gitprotocol-http "Smart Clients"):
 * `GET <repo>/info/refs?service=git-upload-pack` answers with every advertised ref, its id and
 * the server's capabilities. One request per job: each candidate ref of the fetch plan is looked
 * up here instead of discovering again per candidate.
 */
import { gitRequest, type GitHttpTarget } from './git-http.ts';
import { PktLineReader } from './pkt-line.ts';
import { formatLimit, SourcesFetchError } from '../../errors/sources-errors.ts';

export interface AdvertisedRefs {
  /** Full ref name → the id it points at (for an annotated tag, the tag object). */
  refs: Map<string, string>;
  capabilities: Set<string>;
}

const decoder = new TextDecoder();

/**
 * The most refs one advertisement may list. Only a fallback reads it (the job's commit is asked
 * for by id first); a bigger one is a server trying to fill the tab's memory.
 */
export const MAX_ADVERTISED_REFS = 250_000;

/**
 * The most bytes one advertisement may take, packet lengths included. The ref count alone does
 * not bound memory, since each name may fill a 65,516-byte packet; this leaves the 250,000 refs
 * about 268 bytes a line, several times what real ref names take.
 */
export const MAX_ADVERTISEMENT_BYTES = 64 * 1024 * 1024;

/** The four hex digits of length every packet starts with (a flush is nothing else). */
const PKT_LENGTH = 4;

export async function discoverRefs(target: GitHttpTarget): Promise<AdvertisedRefs> {
  const response = await gitRequest(target, {
    method: 'GET',
    path: 'info/refs?service=git-upload-pack',
  });
  const url = target.remote.url;
  const type = response.headers?.['content-type'] ?? '';
  if (type !== 'application/x-git-upload-pack-advertisement') {
    throw new SourcesFetchError({
      url,
      reason: `the server answered with ${type || 'no content type'}, not a git smart HTTP ref advertisement (is the URL a git repository?)`,
    });
  }
  const reader = new PktLineReader(response.body, url);
  const refs = new Map<string, string>();
  const capabilities = new Set<string>();
  let first = true;
  let received = 0;
  for (;;) {
    const packet = await reader.read();
    if (packet === undefined) break;
    received += PKT_LENGTH + (packet?.length ?? 0);
    if (received > MAX_ADVERTISEMENT_BYTES) {
      throw new SourcesFetchError({
        url,
        reason: `the server's ref advertisement is larger than ${formatLimit(MAX_ADVERTISEMENT_BYTES)}`,
      });
    }
    if (packet === null) continue;
    let line = decoder.decode(packet).replace(/\n$/, '');
    if (line.startsWith('# service=') || line.startsWith('version ')) continue;
    if (first) {
      first = false;
      const nul = line.indexOf('\0');
      if (nul >= 0) {
        for (const cap of line.slice(nul + 1).split(' ')) if (cap) capabilities.add(cap);
        line = line.slice(0, nul);
      }
    }
    const match = /^([0-9a-f]{40}) (.+)$/.exec(line);
    if (!match) throw new SourcesFetchError({ url, reason: 'the ref advertisement is malformed' });
    const [, oid, name] = match as unknown as [string, string, string];
    // `capabilities^{}` stands in for the refs of an empty repository; `^{}` lines are peeled tags.
    if (name === 'capabilities^{}' || name.endsWith('^{}')) continue;
    if (refs.size >= MAX_ADVERTISED_REFS) {
      throw new SourcesFetchError({
        url,
        reason: `the server advertised more than ${MAX_ADVERTISED_REFS} refs`,
      });
    }
    refs.set(name, oid);
  }
  return { refs, capabilities };
}
