/**
 * Every one-bit corruption of a gzip report, as the archiver writes it, is either refused with
 * a coded error or extracts the exact original bytes: never wrong bytes, never a raw error.
 *
 * 1 case over all 488 one-bit flips of a 61-byte member (`junit.xml`, 45 bytes of XML, mtime
 * fixed). The tally is exact and reproducible: 366 refused; 50 extract the original bytes
 * under the original name (MTIME, XFL, OS, the FTEXT flag and the deflate stream's final
 * padding bit carry no data); 72 (every flip of a name byte) extract them under a name one bit
 * off, still inside the project: gzip has no checksum over its header unless FHCRC is set, and
 * the archiver (fflate) sets none.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { createArtifactArchive } from './archive.ts';
import { extractArtifactArchive } from './extract.ts';
import { createTempDirWorkspace } from './testing/temp-dir-workspace.ts';

const REPORT = new TextEncoder().encode('<testsuite tests="3"><testcase/></testsuite>\n');
const NAME = 'junit.xml';

async function member(): Promise<Uint8Array> {
  const stream = createArtifactArchive({
    workspace: { readFile: async () => REPORT },
    projectDir: '/builds/p',
    files: [{ path: NAME }],
    format: 'gzip',
    mtime: new Date(Date.UTC(2024, 0, 1)),
  });
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

type Outcome = 'refused' | 'intact' | 'renamed' | 'wrong bytes' | 'uncoded error';

/** What extracting `archive` into a fresh project does. */
async function outcomeOf(archive: Uint8Array): Promise<{ outcome: Outcome; detail: string }> {
  const ws = await createTempDirWorkspace();
  try {
    const result = await extractArtifactArchive({
      workspace: ws,
      projectDir: ws.projectDir,
      archive,
    });
    const [file] = result.files;
    if (result.files.length !== 1 || file === undefined || ws.outsideAttempts.length > 0) {
      return { outcome: 'wrong bytes', detail: JSON.stringify(result.files) };
    }
    const written = await readFile(ws.host(`${ws.projectDir}/${file}`));
    if (!written.equals(REPORT)) return { outcome: 'wrong bytes', detail: file };
    return { outcome: file === NAME ? 'intact' : 'renamed', detail: file };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (
      code === 'CorruptArchiveError' ||
      code === 'UnsafeArchiveEntryError' ||
      code === 'ArchiveLimitError'
    ) {
      return { outcome: 'refused', detail: String(code) };
    }
    return { outcome: 'uncoded error', detail: String(error) };
  } finally {
    await ws.dispose();
  }
}

describe('one-bit corruptions of a gzip member', () => {
  it('are refused or extract the exact original bytes, every one of them', async () => {
    const original = await member();
    expect(original.byteLength).toBe(61);
    expect((await outcomeOf(original)).outcome).toBe('intact');

    const tally: Record<Outcome, number> = {
      refused: 0,
      intact: 0,
      renamed: 0,
      'wrong bytes': 0,
      'uncoded error': 0,
    };
    const bad: string[] = [];
    const intactBytes = new Set<number>();
    const renamedBytes = new Set<number>();
    for (let bit = 0; bit < original.byteLength * 8; bit++) {
      const flipped = original.slice();
      flipped[bit >> 3]! ^= 1 << (bit & 7);
      const { outcome, detail } = await outcomeOf(flipped);
      tally[outcome] += 1;
      if (outcome === 'wrong bytes' || outcome === 'uncoded error') {
        bad.push(`bit ${bit}: ${outcome} ${detail}`);
      }
      if (outcome === 'intact') intactBytes.add(bit >> 3);
      if (outcome === 'renamed') renamedBytes.add(bit >> 3);
    }

    expect(bad).toEqual([]);
    expect(tally).toEqual({
      refused: 366,
      intact: 50,
      renamed: 72,
      'wrong bytes': 0,
      'uncoded error': 0,
    });
    // Only bytes that carry no data survive a flip unnoticed: FLG (FTEXT), MTIME, XFL, OS, and
    // the last deflate byte (its padding bits). A changed name is only ever a name byte.
    const lastDeflateByte = original.byteLength - 9;
    expect([...intactBytes].sort((a, b) => a - b)).toEqual([3, 4, 5, 6, 7, 8, 9, lastDeflateByte]);
    const nameBytes = [...renamedBytes].every((at) => at >= 10 && at < 10 + NAME.length);
    expect(nameBytes).toBe(true);
  });
});
