/**
 * Compares a job's `image:` with the container's Node. WebContainer has one Node (20 by
 * default, 22 opt-in through `engines.node` or `.nvmrc`; docs/architecture.md, "WebContainer facts"), so an
 * image is a wish the executor cannot grant: it warns and runs anyway. Pure.
 */

export type NodeImageCheck = { kind: 'ok' } | { kind: 'warning'; message: string };

/** The major version an image asks for: a number, 'any' (not a node image) or 'unpinned'. */
export function requestedNodeMajor(image: string): number | 'unpinned' | 'not-node' {
  const name = image.trim().split('@')[0] ?? '';
  const match = /^(?:(?:[^/]+\/)*)node(?::(.+))?$/.exec(name);
  if (!match) return 'not-node';
  const major = /^v?(\d+)(?:[.\-_].*)?$/.exec(match[1] ?? '');
  return major ? Number(major[1]) : 'unpinned';
}

/**
 * @param image the job's `image:` name, if any (e.g. `node:20`, `node:22-alpine`, `ruby:3`)
 * @param containerVersion what `node --version` printed in the container, e.g. `v20.19.1`
 */
export function checkNodeImage(
  image: string | undefined,
  containerVersion: string,
): NodeImageCheck {
  if (image === undefined || image.trim() === '') return { kind: 'ok' };
  const have = /v?(\d+)/.exec(containerVersion.trim());
  const haveMajor = have ? Number(have[1]) : undefined;
  const want = requestedNodeMajor(image);
  const running = `the WebContainer runs Node ${containerVersion.trim() || 'of an unknown version'}`;
  if (want === 'not-node') {
    return {
      kind: 'warning',
      message: `The job asks for image "${image}", but ${running}; the image is ignored.`,
    };
  }
  if (want === 'unpinned' || want === haveMajor) return { kind: 'ok' };
  return {
    kind: 'warning',
    message:
      `The job asks for Node ${want} (image "${image}"), but ${running}. ` +
      'Node 22 can be chosen with "engines.node" in package.json or a .nvmrc file; other versions are not available.',
  };
}
