/** Byte-array joining shared by streaming code: trace pipeline, git wire, artifact archives. */

const EMPTY = new Uint8Array(0);

/** Join byte arrays; returns the only part itself when there is one. */
export function concat(parts: Uint8Array[]): Uint8Array {
  let total = 0;
  let only: Uint8Array = EMPTY;
  let nonEmpty = 0;
  for (const p of parts) {
    if (p.length === 0) continue;
    total += p.length;
    only = p;
    nonEmpty++;
  }
  if (nonEmpty <= 1) return only;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
