import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, isErrorCode } from './error-codes.ts';

const repoRoot = join(import.meta.dirname, '..', '..');

/** The source (not test) files of the areas that raise tabrunner errors. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|svelte)$/.test(e.name) && !/\.test\.ts$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

describe('ERROR_CODES', () => {
  it('lists only codes some error is raised with: a code nobody raises is dead', () => {
    const text = ['src', 'emulator', 'proxy']
      .flatMap((area) => sourceFiles(join(repoRoot, area)))
      .filter((file) => !file.endsWith('error-codes.ts'))
      .map((file) => readFileSync(file, 'utf8'))
      .join('\n');
    const unused = ERROR_CODES.filter((code) => !text.includes(`'${code}'`));
    expect(unused).toEqual([]);
  });

  it('has no code twice', () => {
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
  });

  it('recognises its codes and nothing else at a boundary', () => {
    expect(isErrorCode('SourcesPackError')).toBe(true);
    expect(isErrorCode('sourcespackerror')).toBe(false);
    expect(isErrorCode('TypeError')).toBe(false);
    expect(isErrorCode(42)).toBe(false);
  });
});
