/**
 * Part of the WebContainer test double: reads a binary snapshot (binary-snapshot.ts) back into
 * files, with just enough msgpack (maps, str, bin) for that shape.
 */
export function decodeSnapshot(buf: Uint8Array): unknown {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let at = 0;
  const take = (n: number) => buf.subarray(at, (at += n));
  const read = (): unknown => {
    const tag = buf[at++] as number;
    const map = (n: number) =>
      Object.fromEntries(Array.from({ length: n }, () => [read(), read()]));
    const str = (n: number) => new TextDecoder().decode(take(n));
    if (tag >= 0x80 && tag <= 0x8f) return map(tag & 0x0f);
    if (tag >= 0xa0 && tag <= 0xbf) return str(tag & 0x1f);
    const u8 = () => buf[at++] as number;
    const u16 = () => ((at += 2), view.getUint16(at - 2));
    const u32 = () => ((at += 4), view.getUint32(at - 4));
    switch (tag) {
      case 0xde:
        return map(u16());
      case 0xdf:
        return map(u32());
      case 0xd9:
        return str(u8());
      case 0xda:
        return str(u16());
      case 0xc4:
        return take(u8()).slice();
      case 0xc5:
        return take(u16()).slice();
      case 0xc6:
        return take(u32()).slice();
    }
    throw new Error(`unexpected msgpack tag ${tag.toString(16)}`);
  };
  return read();
}

type SnapshotNode = { d: Record<string, SnapshotNode> } | { f: { c: Uint8Array } };

/** The files of a snapshot, as `path → bytes` relative to where it is mounted. */
export function snapshotFiles(buf: Uint8Array): { files: Map<string, Uint8Array>; dirs: string[] } {
  const files = new Map<string, Uint8Array>();
  const dirs: string[] = [];
  const walk = (node: SnapshotNode, path: string): void => {
    if ('f' in node) {
      files.set(path, node.f.c);
      return;
    }
    if (path !== '') dirs.push(path);
    for (const [name, child] of Object.entries(node.d))
      walk(child, path === '' ? name : `${path}/${name}`);
  };
  walk(decodeSnapshot(buf) as SnapshotNode, '');
  return { files, dirs };
}
