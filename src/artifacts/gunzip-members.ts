/**
 * Decodes a gzip file (RFC 1952) and proves every member of it: a well-formed header (reserved
 * flags clear, fields inside the file, `FHCRC` when present), a trailer whose CRC-32 and ISIZE
 * match the bytes inflated, and nothing after the last member. fflate's Gunzip checks none of
 * that: a damaged trailer or stray bytes pass, and a flipped bit can come out as wrong bytes.
 * It still does the inflating; its `onmember` offsets say where each member ends, since the
 * next one starts right after the 8-byte trailer.
 */
import { Gunzip } from 'fflate';
import { hasErrorCode } from '../errors/index.ts';
import { crc32 } from '../bytes/index.ts';
import { CorruptArchiveError } from './errors.ts';

export interface GzipHeader {
  /** `FNAME` decoded as UTF-8, or null when the member names no file. */
  name: string | null;
}

const FHCRC = 2;
const FEXTRA = 4;
const FNAME = 8;
const FCOMMENT = 16;
const RESERVED = 0xe0;
const TRAILER = 8;
/** Compressed bytes per push, so inflated output reaches the caller's bounds in small steps. */
const STEP = 16 * 1024;
/**
 * An empty member appended after the file: fflate reports where it starts, which is exactly
 * where the file's last member ended. No offset at the file's end means a truncated last member
 * or bytes after it.
 */
const SENTINEL = Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0);
const decoder = new TextDecoder();

/** The header of the member at `at`. Throws `CorruptArchiveError` when it is damaged. */
export function readGzipHeader(bytes: Uint8Array, at: number): GzipHeader {
  const byte = (i: number): number => {
    if (i >= bytes.byteLength) throw new CorruptArchiveError('a gzip header is cut off');
    return bytes[i] ?? 0;
  };
  if (byte(at) !== 0x1f || byte(at + 1) !== 0x8b) {
    throw new CorruptArchiveError(`no gzip member starts at byte ${at}`);
  }
  if (byte(at + 2) !== 8) throw new CorruptArchiveError('a gzip member is not deflate-compressed');
  const flags = byte(at + 3);
  if (flags & RESERVED) throw new CorruptArchiveError('a gzip header sets reserved flags');
  let next = at + 10;
  if (flags & FEXTRA) next += 2 + (byte(next) | (byte(next + 1) << 8));
  const terminated = (from: number): number => {
    byte(from); // the field starts inside the file
    const end = bytes.indexOf(0, from);
    if (end < 0) throw new CorruptArchiveError('a gzip header field is not terminated');
    return end;
  };
  let name: string | null = null;
  if (flags & FNAME) {
    const end = terminated(next);
    name = decoder.decode(bytes.subarray(next, end));
    next = end + 1;
  }
  if (flags & FCOMMENT) next = terminated(next) + 1;
  if (flags & FHCRC) {
    const stated = byte(next) | (byte(next + 1) << 8);
    if (stated !== (crc32(bytes.subarray(at, next)) & 0xffff)) {
      throw new CorruptArchiveError('a gzip header fails its CRC check');
    }
    next += 2;
  }
  byte(next); // the deflate data starts inside the file
  return { name };
}

/**
 * Inflate every member of `archive`, handing the bytes to `onData` as they come, and return
 * how many members there were. `onData` sees bytes before their member's trailer is checked:
 * act on them (write them) only once this returns. Throws `CorruptArchiveError` for any damage
 * (every fflate error included); what `onData` throws passes through unchanged.
 */
export function gunzipMembers(archive: Uint8Array, onData: (chunk: Uint8Array) => void): number {
  readGzipHeader(archive, 0);
  const view = new DataView(archive.buffer, archive.byteOffset, archive.byteLength);
  let members = 0;
  let crc = 0;
  let size = 0;
  let ended = false;
  /** What `onData` threw, to pass on as it is rather than as a damaged archive. */
  const callerErrors: unknown[] = [];

  const gunzip = new Gunzip((chunk) => {
    crc = crc32(chunk, crc);
    size += chunk.byteLength;
    try {
      onData(chunk);
    } catch (error) {
      callerErrors.push(error);
      throw error;
    }
  });
  gunzip.onmember = (offset) => {
    // The member before ends with its trailer right before `offset`.
    if (offset > archive.byteLength) {
      throw new CorruptArchiveError(`gzip member ${members + 1} is cut off`);
    }
    members += 1;
    if (view.getUint32(offset - TRAILER, true) !== crc >>> 0) {
      throw new CorruptArchiveError(`gzip member ${members} fails its CRC-32 check`);
    }
    if (view.getUint32(offset - TRAILER + 4, true) !== size % 0x1_0000_0000) {
      throw new CorruptArchiveError(`gzip member ${members} does not have the length it states`);
    }
    if (offset === archive.byteLength) {
      ended = true;
      return;
    }
    readGzipHeader(archive, offset);
    crc = 0;
    size = 0;
  };

  try {
    for (let at = 0; at < archive.byteLength; at += STEP) {
      gunzip.push(archive.subarray(at, Math.min(at + STEP, archive.byteLength)));
    }
    gunzip.push(SENTINEL, true);
  } catch (error) {
    if (callerErrors.length > 0) throw callerErrors[0];
    if (hasErrorCode(error, 'CorruptArchiveError')) throw error;
    const message = error instanceof Error ? error.message : String(error);
    // fflate's code 6 is a member header where there is none: what follows a member is neither
    // a trailer and another member nor the end.
    if ((error as { code?: unknown }).code === 6) {
      throw new CorruptArchiveError(
        `gzip member ${members + 1} is cut off or followed by bytes that are no gzip member (${message})`,
      );
    }
    throw new CorruptArchiveError(`the gzip data does not inflate (${message})`);
  }
  if (!ended) {
    throw new CorruptArchiveError('the gzip archive is cut off or has bytes after its last member');
  }
  return members;
}
