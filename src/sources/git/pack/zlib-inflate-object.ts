/**
 * node:zlib's `ObjectInflater` (object-inflater.ts), for packs indexed in Node. Node only.
 * bench/sources-pack.bench.ts, every stream of a pack of 5,417 source files: zlib 87-91 ms,
 * ours 134-154 ms. Ours wins only where a stream costs little to decode (stored binaries, tiny
 * deltas: 11-15 ms against 29-35 ms for its generated pack), as each call to zlib builds an
 * engine; source code is the common case.
 *
 * The stream is inflated raw, after our own check of its 2-byte zlib header, so it accepts and
 * refuses what ours does: inflated with its header, zlib would also check the Adler-32 trailer,
 * which ours leaves to the pack's SHA-1 and the object ids (object-inflater.ts).
 * zlib stops at the end of the final block and `bytesWritten` says how much input it took; the
 * trailer's 4 bytes follow. The output is bounded by `maxOutputLength`, so a stream that
 * inflates to more than the stated size is stopped after one byte more.
 */
import { inflateRawSync } from 'node:zlib';
import {
  checkInflatable,
  inflateError,
  MAX_OBJECT_BYTES,
  type ObjectInflater,
  type ObjectInflaterOptions,
} from './object-inflater.ts';

/** What `inflateRawSync` returns with `info: true`; @types/node types only the Buffer. */
interface InflateInfo {
  buffer: Buffer;
  engine: { bytesWritten: number };
}

/** zlib's inflate.c messages in the words of `inflate-object.ts`, so a reason reads the same. */
const REASONS: Record<string, string> = {
  'unexpected end of file': 'is cut off',
  'invalid block type': 'has an invalid deflate block type',
  'invalid stored block lengths': 'has invalid stored block lengths',
  'too many length or distance symbols': 'has too many length or distance codes',
  'invalid code lengths set': 'has an invalid code length code',
  'invalid bit length repeat': 'has too many code lengths',
  'invalid code -- missing end-of-block': 'has no end-of-block code',
  'invalid literal/lengths set': 'has an invalid literal/length code set',
  'invalid distances set': 'has an invalid distance code set',
  'invalid literal/length code': 'has an invalid literal/length code',
  'invalid distance code': 'has an invalid distance code',
  'invalid distance too far back': 'refers back before its start',
};

/** zlib refuses output past `maxOutputLength` with this code (Node's errors.md). */
const TOO_LARGE = 'ERR_BUFFER_TOO_LARGE';

export function createZlibObjectInflater(options: ObjectInflaterOptions = {}): ObjectInflater {
  const maxSize = options.maxObjectBytes ?? MAX_OBJECT_BYTES;
  return (pack, at, size) => {
    checkInflatable(pack, at, size, maxSize);
    let result: InflateInfo;
    try {
      result = inflateRawSync(pack.subarray(at + 2), {
        info: true,
        // One output chunk with a byte to spare holds the whole object, and shows one too many.
        chunkSize: Math.max(64, size + 1),
        maxOutputLength: Math.max(1, size),
      }) as unknown as InflateInfo;
    } catch (err) {
      const { code, message } = err as { code?: unknown; message?: unknown };
      if (code === TOO_LARGE) {
        throw inflateError(at, `inflates to more than the ${size} bytes its header states`);
      }
      const text = String(message);
      throw inflateError(at, REASONS[text] ?? `is no valid deflate stream (${text})`);
    }
    const { buffer, engine } = result;
    if (buffer.length > size) {
      throw inflateError(at, `inflates to more than the ${size} bytes its header states`);
    }
    if (buffer.length !== size) {
      throw inflateError(
        at,
        `inflates to ${buffer.length} bytes, not the ${size} its header states`,
      );
    }
    const end = at + 2 + engine.bytesWritten + 4;
    if (end > pack.length) throw inflateError(at, 'is cut off');
    return { data: new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length), end };
  };
}
