/**
 * Whether the browser may clear this origin's storage (git objects, caches, job logs) when the
 * disk runs short: by default it may, least recently visited sites first. A page can ask to be
 * kept (`navigator.storage.persist()`); Chromium decides by itself (a site bookmarked,
 * installed or used often), Firefox asks the person. Once granted it cannot be given back
 * from the page, only from the browser's site settings.
 */

/** `null`: the browser has no StorageManager (an insecure origin). */
export async function storagePersisted(): Promise<boolean | null> {
  if (typeof navigator.storage?.persisted !== 'function') return null;
  return navigator.storage.persisted();
}

/** Ask the browser to keep this origin's storage; whether it does now. */
export async function requestPersistentStorage(): Promise<boolean | null> {
  if (typeof navigator.storage?.persist !== 'function') return null;
  return navigator.storage.persist();
}
