/**
 * The name a browser cache store files an archive under: a SHA-256 of the address, so any key
 * GitLab sends (slashes, dots, 255 characters, emoji) makes a safe, fixed-length name, and two
 * addresses never share one. The address itself is kept beside it in the store's index.
 */
import type { CacheAddress } from './cache-store.ts';

export async function cacheEntryId(address: CacheAddress): Promise<string> {
  // JSON keeps the three parts apart: no key can end in what looks like another project id.
  const text = JSON.stringify([address.gitlab, address.projectId, address.key]);
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}
