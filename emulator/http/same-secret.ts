/**
 * Comparing a credential a request carries with the emulator's own (admin token, workshop
 * password, the instructor's session): the emulator may listen on a room's network, so a
 * comparison must not let a guesser learn from the clock how much of a guess was right.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether `given` equals `secret`, both non-empty. Compares SHA-256 digests in constant time,
 * so neither a length nor a matching prefix shows in the time taken.
 */
export function sameSecret(given: string | undefined, secret: string): boolean {
  if (!given || !secret) return false;
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(secret));
}
