/**
 * File errors as just-bash's own file systems raise them (`ENOENT: no such file or directory,
 * open '/x'` with `code`), because its commands read them; whatever shape WebContainer's errors
 * have, their code is recognised and the error rewritten.
 */

const MESSAGES: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EEXIST: 'file already exists',
  ENOTDIR: 'not a directory',
  EISDIR: 'illegal operation on a directory',
  ENOTEMPTY: 'directory not empty',
  EINVAL: 'invalid argument',
  ENOTSUP: "operation not supported: WebContainer's file API cannot make links",
};

export type FileErrorCode = keyof typeof MESSAGES;

export function fileError(code: FileErrorCode, syscall: string, path: string): Error {
  return Object.assign(new Error(`${code}: ${MESSAGES[code] ?? code}, ${syscall} '${path}'`), {
    code,
  });
}

/** The code a container error carries, if it is one of ours. */
export function fileErrorCode(err: unknown): FileErrorCode | null {
  const text = `${(err as { code?: unknown } | null)?.code ?? ''} ${err instanceof Error ? err.message : String(err)}`;
  return Object.keys(MESSAGES).find((code) => text.includes(code)) ?? null;
}

/** A container error in just-bash's shape, when its code can be recognised. */
export function translateFileError(err: unknown, syscall: string, path: string): Error {
  const code = fileErrorCode(err);
  if (code) return fileError(code, syscall, path);
  return err instanceof Error ? err : new Error(String(err));
}
