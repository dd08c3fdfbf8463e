/**
 * Archive throughput and memory: about 5,000 files / 50 MB in a temp dir, collected and zipped
 * through the same code path as a job's artifacts (`collectArtifactFiles` →
 * `createArtifactArchive`), optionally uploaded to the emulator with `uploadArtifacts`.
 * A benchmark, not a test: it reports, it does not assert.
 */
import { startEmulator } from '../emulator/index.ts';
import {
  insertJob,
  insertPipeline,
  insertProject,
  requestJob,
} from '../emulator/test-support/index.ts';
import { createGitLabClient } from '../src/gitlab/index.ts';
import {
  collectArtifactFiles,
  createArtifactArchive,
  planArtifactUploads,
  uploadArtifacts,
} from '../src/artifacts/index.ts';
import { createTempDirWorkspace } from '../src/artifacts/testing/temp-dir-workspace.ts';

export interface ArtifactsBenchResult {
  files: number;
  /** Input bytes archived. */
  bytes: number;
  /** Archive size. */
  archiveBytes: number;
  /** Collect + archive, wall time. */
  ms: number;
  mbPerSecond: number;
  /** Resident set size after the files were written, before archiving. */
  baselineRssMb: number;
  /** Highest resident set size seen while collecting and archiving. */
  peakRssMb: number;
  /** Highest resident set size seen during the upload (emulator in the same process). */
  uploadPeakRssMb: number | null;
  /** Upload of the same files to the emulator (collect + archive + POST), when asked. */
  uploadMs: number | null;
}

export interface ArtifactsBenchOptions {
  files?: number;
  totalBytes?: number;
  /** Also upload through `uploadArtifacts` to a local emulator. @default false */
  upload?: boolean;
}

/** Build-output-like content: half text (compresses well), half noise (does not). */
function fileContent(index: number, size: number): Uint8Array {
  const data = new Uint8Array(size);
  const text = new TextEncoder().encode(
    `export function component${index}() { return "rendered ${index}"; }\n`,
  );
  let seed = index * 2654435761;
  for (let i = 0; i < size; i++) {
    if (i < size / 2) data[i] = text[i % text.length] ?? 0;
    else {
      seed = (seed * 1103515245 + 12345) >>> 0;
      data[i] = seed >>> 24;
    }
  }
  return data;
}

export async function benchArtifacts(
  options: ArtifactsBenchOptions = {},
): Promise<ArtifactsBenchResult> {
  const count = options.files ?? 5000;
  const size = Math.floor((options.totalBytes ?? 50 * 1024 * 1024) / count);
  const workspace = await createTempDirWorkspace('/builds/bench/project');
  const projectDir = workspace.projectDir;
  let peak = process.memoryUsage.rss();
  const sample = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 5);
  try {
    for (let i = 0; i < count; i++) {
      const dir = `dist/chunk-${Math.floor(i / 100)}`;
      await workspace.writeFile(`${projectDir}/${dir}/file-${i}.js`, fileContent(i, size));
    }
    const baseline = process.memoryUsage.rss();
    peak = baseline;
    const artifact = { paths: ['dist/'], exclude: [], untracked: false };
    const expand = (value: string): string => value;

    const started = performance.now();
    const { files } = await collectArtifactFiles({ workspace, projectDir, artifact, expand });
    const stream = createArtifactArchive({ workspace, projectDir, files, format: 'zip' });
    let archiveBytes = 0;
    const reader = stream.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      archiveBytes += value.byteLength;
      peak = Math.max(peak, process.memoryUsage.rss());
    }
    const ms = performance.now() - started;
    const bytes = files.reduce((sum, file) => sum + file.size, 0);

    const archivePeak = peak;
    let uploadMs: number | null = null;
    let uploadPeak: number | null = null;
    if (options.upload) {
      peak = process.memoryUsage.rss();
      const emulator = await startEmulator({ longPollSeconds: 0, artifactSizeLimit: 1024 ** 3 });
      try {
        const project = insertProject(emulator.state);
        const pipeline = insertPipeline(emulator.state, project.id);
        const job = insertJob(emulator.state, pipeline, { name: 'build' });
        await requestJob(emulator.url, emulator.createRunner().token);
        const artifacts = [
          {
            name: '',
            ...artifact,
            when: '',
            artifact_type: 'archive',
            artifact_format: 'zip',
            expire_in: '',
          },
        ];
        const uploadStarted = performance.now();
        const result = await uploadArtifacts({
          client: createGitLabClient({ url: emulator.url }),
          jobId: job.id,
          jobToken: job.token,
          entries: planArtifactUploads(artifacts, 'success', expand)?.uploads ?? [],
          workspace,
          projectDir,
          expand,
          line: () => undefined,
        });
        uploadMs = performance.now() - uploadStarted;
        uploadPeak = peak;
        if (result.failure) throw result.failure;
      } finally {
        await emulator.close();
      }
    }

    return {
      files: files.length,
      bytes,
      archiveBytes,
      ms,
      mbPerSecond: bytes / 1024 / 1024 / (ms / 1000),
      baselineRssMb: baseline / 1024 / 1024,
      peakRssMb: archivePeak / 1024 / 1024,
      uploadPeakRssMb: uploadPeak === null ? null : uploadPeak / 1024 / 1024,
      uploadMs,
    };
  } finally {
    clearInterval(sample);
    await workspace.dispose();
  }
}
