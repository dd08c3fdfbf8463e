/**
 * Turns a checkout (`FileTree`) into WebContainer's `FileSystemTree` for `mount()`. This shape
 * has no mode field, so executable bits are lost; symlinks survive.
 */
import { TabrunnerError } from '../../errors/index.ts';
import type { FileTree } from '../port.ts';
import type { FileSystemTree } from './container.ts';

/** git's mode for a symbolic link. */
export const SYMLINK_MODE = 0o120000;

/** Split a tree path into safe segments; a `..` or absolute path would escape the mount point. */
export function pathSegments(path: string): string[] {
  const segments = path.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.length === 0 || segments.includes('..')) {
    throw new TabrunnerError(
      'InvalidTreePath',
      `Refusing to place "${path}" outside the project directory.`,
      {
        path,
      },
    );
  }
  return segments;
}

export function toFileSystemTree(tree: FileTree): FileSystemTree {
  const root: FileSystemTree = {};
  const dirFor = (segments: string[]): FileSystemTree => {
    let dir = root;
    for (const name of segments) {
      const node = (dir[name] ??= { directory: {} });
      if (!('directory' in node)) {
        throw new TabrunnerError('InvalidTreePath', `"${name}" is both a file and a directory.`, {
          path: name,
        });
      }
      dir = node.directory;
    }
    return dir;
  };
  for (const dir of tree.directories ?? []) dirFor(pathSegments(dir));
  const decoder = new TextDecoder();
  for (const file of tree.files) {
    const segments = pathSegments(file.path);
    const name = segments.pop() as string;
    dirFor(segments)[name] =
      file.mode === SYMLINK_MODE
        ? { file: { symlink: decoder.decode(file.data) } }
        : { file: { contents: file.data } };
  }
  return root;
}
