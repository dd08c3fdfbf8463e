/**
 * The runner manager's `system_id` (docs/runner-protocol.md §2.8). A browser has no machine id,
 * so tabrunner always uses the random shape `r_` + 12 alphanumerics. Persisting it is the
 * caller's job: generate once, store, reuse.
 */

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** `r_` + 12 alphanumerics, or the Go runner's `s_` + 12 hex. */
const SYSTEM_ID = /^(r_[A-Za-z0-9]{12}|s_[0-9a-f]{12})$/;

/**
 * Make a new system id.
 * @param random a source of numbers in [0, 1) (tests pass a seeded one); defaults to
 *   `crypto.getRandomValues` with rejection sampling, so every character is equally likely.
 */
export function generateSystemId(random?: () => number): string {
  let id = 'r_';
  if (random) {
    for (let i = 0; i < 12; i++) id += ALPHABET[Math.floor(random() * ALPHABET.length)] ?? 'a';
    return id;
  }
  const limit = 256 - (256 % ALPHABET.length); // 248: reject bytes that would bias the draw
  while (id.length < 14) {
    for (const byte of crypto.getRandomValues(new Uint8Array(16))) {
      if (byte < limit && id.length < 14) id += ALPHABET[byte % ALPHABET.length];
    }
  }
  return id;
}

/** Whether `id` has one of the two shapes GitLab runners use (14 characters in all). */
export function isValidSystemId(id: string): boolean {
  return SYSTEM_ID.test(id);
}
