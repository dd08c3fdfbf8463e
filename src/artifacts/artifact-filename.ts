/** The multipart file name of an upload (docs/runner-protocol.md §8.1), as the Go helper's `artifactFilename` builds it. */

/**
 * `<base name of name>.<ext>`: `.zip` for zip (and the default empty format), `.gz` for gzip,
 * `.tar.zst` for tarzstd, nothing for raw. `name` is already expanded; a name that is empty
 * after expansion or a bare `.` becomes `default`, e.g. `junit.xml` + gzip → `junit.xml.gz`.
 */
export function artifactFilename(name: string, format: string): string {
  const trimmed = name.replace(/\/+$/, '');
  let base = trimmed.slice(trimmed.lastIndexOf('/') + 1);
  if (trimmed === '' && name.startsWith('/')) base = '/';
  if (base === '' || base === '.') base = 'default';
  switch (format) {
    case '':
    case 'zip':
    case 'zipzstd':
      return `${base}.zip`;
    case 'gzip':
      return `${base}.gz`;
    case 'tarzstd':
      return `${base}.tar.zst`;
    default:
      return base;
  }
}
