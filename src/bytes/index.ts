/**
 * Byte helpers every layer may use (the trace buffer, artifact archives, the git wire and pack
 * code): no imports, no platform.
 */
export { concat as concatBytes } from './concat-bytes.ts';
export { crc32, formatChecksum } from './crc32.ts';
