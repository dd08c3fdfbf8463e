/**
 * File errors as just-bash's own file systems raise them (`ENOENT: no such file or directory,
 * open '/x'` with `code`), because its commands read them; whatever shape WebContainer's errors
 * have, their code is recognised and the error rewritten.
 */

const MESSAGES = {
  ENOENT: 'no such file or directory',
  EEXIST: 'file already exists',
  ENOTDIR: 'not a directory',
  EISDIR: 'illegal operation on a directory',
  ENOTEMPTY: 'directory not empty',
  EINVAL: 'invalid argument',
  ENOTSUP: "operation not supported: WebContainer's file API cannot make links",
} as const;

type FileErrorCode = keyof typeof MESSAGES;

const CODES = Object.keys(MESSAGES) as FileErrorCode[];

export function fileError(code: FileErrorCode, syscall: string, path: string): Error {
  return Object.assign(new Error(`${code}: ${MESSAGES[code]}, ${syscall} '${path}'`), { code });
}

/**
 * The code a container error carries, if it is one of ours: from its `code` (Node's, or one
 * like `ERR_FS_EISDIR`), else the first one its message names, so a path that spells a code
 * further on does not count.
 */
export function fileErrorCode(err: unknown): FileErrorCode | null {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    const known = CODES.find((c) => code.includes(c));
    if (known) return known;
  }
  const message = err instanceof Error ? err.message : String(err);
  let first: { code: FileErrorCode; at: number } | null = null;
  for (const c of CODES) {
    const at = message.indexOf(c);
    if (at !== -1 && (first === null || at < first.at)) first = { code: c, at };
  }
  return first?.code ?? null;
}

/** A container error in just-bash's shape, when its code can be recognised. */
export function translateFileError(err: unknown, syscall: string, path: string): Error {
  const code = fileErrorCode(err);
  if (code) return fileError(code, syscall, path);
  return err instanceof Error ? err : new Error(String(err));
}
