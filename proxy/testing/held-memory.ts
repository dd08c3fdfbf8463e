/**
 * Measures memory a test really holds: a full garbage collection before each reading, so
 * chunks already freed but not yet collected do not look like buffering.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** Heap plus buffers held by this process after a full collection, in bytes. */
export function heldMemory(): number {
  collectGarbage();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}
