/**
 * The sandbox `npm start` runs (scripts/start.ts): the GitLab emulator with the sample project
 * (or the local repositories given with `--project`, scripts/sandbox-projects.ts), a pipeline and
 * two runners, and the relay serving the app, with `/sandbox.json` telling the page the runner
 * tokens. The emulator binds the relay's interface, so with `--host 0.0.0.0` a room can push to
 * it with the workshop password and watch its pipelines page (docs/workshop.md). Then the
 * room's URL for the emulator (the LAN address or first `--public-url` name, with its port) is
 * its external URL: the tabs are offered it as `gitlabUrl`, the relay forwards to it, and the
 * job links and clone URLs the emulator hands out are on it, so they work on every laptop.
 *
 * Restarting must not break a tab left open: the tab holds the relay's URL, the emulator's URL
 * and a runner token. So the state folder (default `.tabrunner-sandbox/` in the repo) keeps
 * both ports, the admin and registration tokens, the sample project's repository and the
 * emulator's whole state (runners with their tokens and managers, projects, pipelines, jobs with
 * logs and artifacts, emulator/persist.ts), which folders became which projects, and the
 * workshop password, saved every couple of seconds and on stop. A
 * restart serves the same runners on the same ports, and a job that was running when it stopped
 * can still report to the same job id with its token. `fresh` starts over.
 */
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { createProject } from '../emulator/git/index.ts';
import { startEmulator, type Emulator } from '../emulator/index.ts';
import { canPick } from '../emulator/jobs/index.ts';
import type { Pipeline, Project, Runner } from '../emulator/model.ts';
import {
  restoreEmulatorState,
  saveEmulatorState,
  savedEmulatorStateSchema,
} from '../emulator/persist.ts';
import { createPipeline } from '../emulator/pipelines/index.ts';
import { startRelay, type RunningRelay } from '../proxy/node.ts';
import { freePort } from './free-port.ts';
import { roomAddress, roomEmulatorUrl } from './room-urls.ts';
import {
  firstPipeline,
  importProject,
  planProjects,
  SANDBOX_NAMESPACE,
  type ProjectSource,
  type SavedProjectSource,
} from './sandbox-projects.ts';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
/** Where `npm start` keeps its state unless told otherwise; in .gitignore. */
export const DEFAULT_STATE_DIR = join(ROOT, '.tabrunner-sandbox');
/** The relay's port on a first start, when nothing else is asked for. */
export const DEFAULT_RELAY_PORT = 8787;
const SAMPLE_DIR = join(ROOT, 'emulator/sample');
const STATE_FILE = 'state.json';
/** The emulator's data folder (repositories) inside the state folder. */
const DATA_DIR = 'data';

const savedSandboxSchema = z.object({
  version: z.literal(1),
  relayPort: z.number().int().min(1).max(65535),
  emulatorPort: z.number().int().min(1).max(65535),
  adminToken: z.string().min(1),
  registrationToken: z.string().min(1),
  // Absent in state saved before workshops: a new one is made and saved.
  workshopPassword: z.string().min(1).optional(),
  /** The project the page is offered. */
  projectId: z.number().int().positive(),
  /** `--project` folders imported so far, and their projects; absent or empty: the sample. */
  sources: z
    .array(z.object({ dir: z.string().min(1), projectId: z.number().int().positive() }))
    .optional(),
  runnerId: z.number().int().positive(),
  webContainerRunnerId: z.number().int().positive(),
  emulator: savedEmulatorStateSchema,
});

export type SavedSandbox = z.infer<typeof savedSandboxSchema>;

/** Something wrong with the saved state, said so a person knows what to do. */
export class SandboxStateError extends Error {
  override name = 'SandboxStateError';
}

/** The state file of a state folder. */
export function stateFileOf(stateDir: string): string {
  return join(stateDir, STATE_FILE);
}

function startOverHint(stateDir: string): string {
  return (
    `Start over with \`npm start -- --fresh\` (it deletes the saved sandbox in ${stateDir}; ` +
    'an open tab then has to connect again).'
  );
}

/**
 * The saved sandbox of `stateDir`, or null when there is none. With `fresh`, the saved sandbox
 * is deleted first. A file that is not a saved sandbox is an error naming it and `--fresh`.
 */
export async function loadSandbox(stateDir: string, fresh: boolean): Promise<SavedSandbox | null> {
  const file = stateFileOf(stateDir);
  if (fresh) {
    // Only what this module writes: the folder may have been pointed somewhere shared.
    await rm(file, { force: true });
    await rm(`${file}.tmp`, { force: true });
    await rm(join(stateDir, DATA_DIR), { recursive: true, force: true });
    return null;
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return null;
    throw error;
  }
  let reason: string;
  try {
    const parsed = savedSandboxSchema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    reason = issue
      ? `${issue.path.length > 0 ? issue.path.join('.') : 'the file'}: ${issue.message}`
      : 'unknown shape';
  } catch (error) {
    reason = error instanceof Error ? error.message : String(error);
  }
  throw new SandboxStateError(
    `The saved sandbox state ${file} cannot be read (${reason}). ${startOverHint(stateDir)}`,
  );
}

export interface SandboxOptions {
  /** Where the state lives. */
  stateDir: string;
  /** Delete the saved state and start over. */
  fresh: boolean;
  /** Relay port asked for (`--port`); otherwise the saved one, or 8787 (a free one if taken). */
  port?: number;
  /** Emulator port asked for (`--emulator-port`); otherwise the saved one, or a free one. */
  emulatorPort?: number;
  /** Interface the relay binds. */
  host: string;
  /** Names the page is opened by other than the listen address (docs/relay.md). */
  publicUrls: string[];
  /** The built app the relay serves; `sandbox.json` is written into it. */
  appDir: string;
  /** Relay access log on stdout. */
  verbose: boolean;
  /** The saved sandbox when the caller already loaded it (to fail before building the app). */
  saved?: SavedSandbox | null;
  /** Absolute folders of local repositories to serve instead of the sample (`--project`). */
  projects?: string[];
  /** Workshop password (`--password`); otherwise the saved one, or a new one. */
  password?: string;
  /** PEM certificate and key for the relay (`--tls-cert`, `--tls-key`). */
  tls?: { cert: string; key: string };
  /** How often the state is saved while running. Default 2000 ms. */
  saveEveryMs?: number;
}

/** What `/sandbox.json` holds; the page's `SandboxOffer` (src/ui/state/app-view.svelte.ts). */
export interface SandboxOffer {
  gitlabUrl: string;
  token: string;
  projectUrl: string;
  webContainerToken: string;
  waiting: { name: string; tags: string[] }[];
}

export interface Sandbox {
  relay: RunningRelay;
  emulator: Emulator;
  offer: SandboxOffer;
  /** The offered project's current pipeline; null when it has none (no `.gitlab-ci.yml`). */
  pipeline: Pipeline | null;
  /** Every hosted project, by id. */
  projects: Project[];
  /** Projects imported from `--project` folders on this start (not on an earlier one). */
  imported: Project[];
  /** Whether a saved sandbox was resumed (false on a first or `--fresh` start). */
  resumed: boolean;
  /** Relay port the sandbox fell back to because 8787 was taken, if it did. */
  fellBackFrom: number | null;
  /** Save the state now (also done periodically and on close). */
  save(): Promise<void>;
  /** Save, then stop the relay and the emulator. */
  close(): Promise<void>;
}

function isPortTaken(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === 'EADDRINUSE';
}

function portTakenError(
  what: string,
  port: number,
  origin: 'flag' | 'saved',
  flag: string,
  stateDir: string,
): SandboxStateError {
  const advice =
    origin === 'flag'
      ? `It was asked for with ${flag}: free it or choose another port.`
      : `It was saved in ${stateFileOf(stateDir)} so that an open tab keeps working across ` +
        `restarts. Is another \`npm start\` still running? Stop it or free the port, choose one ` +
        `with ${flag}, or ${startOverHint(stateDir).replace(/^Start/, 'start')}`;
  return new SandboxStateError(`Port ${port} for the ${what} is taken. ${advice}`);
}

function probe(port: number, host: string): Promise<boolean> {
  return new Promise((answer) => {
    const server = createServer();
    server.once('error', () => answer(false));
    server.listen(port, host, () => server.close(() => answer(true)));
  });
}

/**
 * Fail at once when a port the sandbox must use (asked for, or saved) is taken: before the
 * app is built, which takes a while and would rewrite the app folder another `npm start`
 * may be serving. `startSandbox` still handles a port taken in between.
 */
export async function checkPorts(
  options: Pick<SandboxOptions, 'stateDir' | 'port' | 'emulatorPort' | 'host'>,
  saved: SavedSandbox | null,
): Promise<void> {
  const emulatorPort = options.emulatorPort ?? saved?.emulatorPort ?? 0;
  if (emulatorPort !== 0 && !(await probe(emulatorPort, options.host))) {
    const origin = options.emulatorPort !== undefined ? 'flag' : 'saved';
    throw portTakenError(
      'GitLab emulator',
      emulatorPort,
      origin,
      '--emulator-port',
      options.stateDir,
    );
  }
  const relayPort = options.port ?? saved?.relayPort ?? 0;
  if (relayPort !== 0 && !(await probe(relayPort, options.host))) {
    const origin = options.port !== undefined ? 'flag' : 'saved';
    throw portTakenError('relay (the page)', relayPort, origin, '--port', options.stateDir);
  }
}

/** Start the sandbox, resuming the saved one in `stateDir` unless `fresh` or there is none. */
export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const { stateDir } = options;
  const saved =
    options.saved !== undefined && !options.fresh
      ? options.saved
      : await loadSandbox(stateDir, options.fresh);
  const dataDir = join(stateDir, DATA_DIR);
  const savedSources = saved?.sources ?? [];
  // Before anything starts: a bad folder is said at once and leaves the saved state as it was.
  const toImport = await planProjects(options.projects ?? [], {
    sources: savedSources,
    projectPaths: saved?.emulator.projects.map((project) => project.fullPath) ?? [],
  });
  // A data folder without a state file is a start that never saved: its repositories are not
  // known to any state, and creating the sample project again must not meet them.
  if (!saved) await rm(dataDir, { recursive: true, force: true });
  await mkdir(dataDir, { recursive: true });

  const emulatorPort = options.emulatorPort ?? saved?.emulatorPort ?? 0;
  // Reachable by a room, the emulator's external URL is the room's: it has the port in it, so a
  // free port is picked first.
  const port =
    emulatorPort === 0 && roomEmulatorUrl(options, 0) !== undefined
      ? await freePort(options.host)
      : emulatorPort;
  const externalUrl = roomEmulatorUrl(options, port);
  let emulator: Emulator;
  try {
    const workshopPassword = options.password ?? saved?.workshopPassword;
    emulator = await startEmulator({
      port,
      host: options.host,
      dataDir,
      ...(externalUrl ? { externalUrl } : {}),
      ...(saved
        ? { adminToken: saved.adminToken, registrationToken: saved.registrationToken }
        : {}),
      ...(workshopPassword ? { workshopPassword } : {}),
    });
  } catch (error) {
    // A port picked here and taken in between is no port a person chose: said as it is.
    if (!isPortTaken(error) || emulatorPort === 0) throw error;
    const origin = options.emulatorPort !== undefined ? 'flag' : 'saved';
    throw portTakenError('GitLab emulator', emulatorPort, origin, '--emulator-port', stateDir);
  }

  try {
    const withProjects = (options.projects ?? []).length > 0;
    const ids = saved
      ? await resume(emulator, saved, dataDir, stateDir)
      : withProjects
        ? { projectId: 0, ...createSandboxRunners(emulator) }
        : await createSample(emulator);
    const { sources, imported } = await importProjects(emulator, savedSources, toImport);
    const runner = runnerOf(emulator, ids.runnerId);
    const webContainerRunner = runnerOf(emulator, ids.webContainerRunnerId);
    const projectId = withProjects
      ? (sources.find((source) => source.dir === options.projects?.[0])?.projectId ?? 0)
      : ids.projectId;
    let pipeline: Pipeline | null = null;
    for (const { projectId: id } of sources) {
      const created = await firstPipeline(emulator, projectOf(emulator, id));
      if (id === projectId) pipeline = created ?? latestPipeline(emulator, id);
    }
    if (!sources.some((source) => source.projectId === projectId)) {
      pipeline = await currentPipeline(emulator, projectId, runner);
    }

    // The tab is offered the external URL; a tab connected by the loopback URL on an earlier
    // start keeps working. Both are this machine, a private address the relay must be told of.
    const upstreams = [...new Set([emulator.externalUrl, emulator.url])];
    const relayOptions = {
      host: options.host,
      upstreams,
      allowPrivate: upstreams.map((url) => new URL(url).host),
      publicUrls: options.publicUrls,
      appDir: options.appDir,
      ...(options.tls ? { tls: options.tls } : {}),
      ...(options.verbose ? {} : { log: () => undefined }),
    };
    const wantedPort = options.port ?? saved?.relayPort ?? DEFAULT_RELAY_PORT;
    // Bound to every interface with no --public-url, the relay must still answer to the LAN
    // address the room is told (it refuses other Host names), so it is named for it; that
    // needs the port before binding.
    const lan = options.publicUrls.length === 0 ? roomAddress(options.host) : undefined;
    const startRelayOn = async (port: number) => {
      if (!lan) return startRelay({ ...relayOptions, port });
      const chosen = port === 0 ? await freePort(options.host) : port;
      const scheme = options.tls ? 'https' : 'http';
      const publicUrls = [`${scheme}://${lan.includes(':') ? `[${lan}]` : lan}:${chosen}`];
      return startRelay({ ...relayOptions, port: chosen, publicUrls });
    };
    let relay: RunningRelay;
    let fellBackFrom: number | null = null;
    try {
      relay = await startRelayOn(wantedPort);
    } catch (error) {
      if (!isPortTaken(error)) throw error;
      if (options.port !== undefined || saved) {
        const origin = options.port !== undefined ? 'flag' : 'saved';
        throw portTakenError('relay (the page)', wantedPort, origin, '--port', stateDir);
      }
      // Nothing depends on the port yet: a first start may take any.
      fellBackFrom = wantedPort;
      relay = await startRelayOn(0);
    }

    const project = emulator.state.projects.get(projectId);
    const offer: SandboxOffer = {
      gitlabUrl: emulator.externalUrl,
      token: runner.token,
      projectUrl: `${emulator.externalUrl}/${project?.fullPath ?? ''}`,
      webContainerToken: webContainerRunner.token,
      waiting: (pipeline?.jobIds ?? [])
        .map((id) => emulator.state.jobs.get(id))
        .filter((job) => job !== undefined && !canPick(runner, job))
        .map((job) => ({ name: job?.name ?? '', tags: job?.tags ?? [] })),
    };
    await mkdir(options.appDir, { recursive: true });
    await writeFile(join(options.appDir, 'sandbox.json'), JSON.stringify(offer));

    const file = stateFileOf(stateDir);
    const header = {
      version: 1 as const,
      relayPort: Number(new URL(relay.url).port),
      emulatorPort: Number(new URL(emulator.url).port),
      adminToken: emulator.adminToken,
      registrationToken: emulator.registrationToken,
      workshopPassword: emulator.workshopPassword,
      ...ids,
      projectId,
      sources,
    };
    let written = '';
    let saving: Promise<void> = Promise.resolve();
    const save = (): Promise<void> => {
      // Chained so two saves never write the temp file at once.
      saving = saving.then(async () => {
        const saved: SavedSandbox = {
          ...header,
          emulator: saveEmulatorState(emulator.state, dataDir),
        };
        const text = JSON.stringify(saved);
        if (text === written) return;
        // Written aside and renamed, so a stop mid-write never leaves half a file.
        await writeFile(`${file}.tmp`, text);
        await rename(`${file}.tmp`, file);
        written = text;
      });
      return saving;
    };
    await save();
    const timer = setInterval(() => {
      save().catch((error: unknown) => {
        console.error(`Could not save the sandbox state to ${file}: ${String(error)}`);
      });
    }, options.saveEveryMs ?? 2000);
    timer.unref();

    return {
      relay,
      emulator,
      offer,
      pipeline,
      projects: [...emulator.state.projects.values()],
      imported,
      resumed: saved !== null,
      fellBackFrom,
      save,
      close: async () => {
        clearInterval(timer);
        try {
          await save();
        } finally {
          await Promise.all([relay.close(), emulator.close()]);
        }
      },
    };
  } catch (error) {
    await emulator.close();
    throw error;
  }
}

interface SandboxIds {
  projectId: number;
  runnerId: number;
  webContainerRunnerId: number;
}

/**
 * The sample project and the two runners the sandbox offers, as two donated tabs would be: the
 * shell one takes the untagged jobs; the sample's `node`-tagged jobs wait for a tab that
 * connects the WebContainer one (it needs stackblitz.com), and the page says so. The e2e
 * stack (test/e2e/stack.ts) sets up the same.
 */
export async function createSampleProject(
  emulator: Emulator,
  description = 'tabrunner sandbox',
): Promise<{ project: Project; runner: Runner; webContainerRunner: Runner }> {
  const project = await createProject(emulator.context, {
    path: 'sample',
    namespace: SANDBOX_NAMESPACE,
    name: 'Sample',
    sourceDir: SAMPLE_DIR,
  });
  const runner = emulator.createRunner({ description, runUntagged: true });
  const webContainerRunner = emulator.createRunner({
    description: `${description} (WebContainer)`,
    tags: ['node'],
    runUntagged: false,
  });
  return { project, runner, webContainerRunner };
}

/** The sandbox's two runners (see `createSampleProject`), for a sandbox without the sample. */
function createSandboxRunners(emulator: Emulator): Omit<SandboxIds, 'projectId'> {
  const runner = emulator.createRunner({ description: 'tabrunner sandbox', runUntagged: true });
  const webContainerRunner = emulator.createRunner({
    description: 'tabrunner sandbox (WebContainer)',
    tags: ['node'],
    runUntagged: false,
  });
  return { runnerId: runner.id, webContainerRunnerId: webContainerRunner.id };
}

/** Import the planned folders; returns every imported folder so far, and the new projects. */
async function importProjects(
  emulator: Emulator,
  saved: readonly SavedProjectSource[],
  planned: readonly ProjectSource[],
): Promise<{ sources: SavedProjectSource[]; imported: Project[] }> {
  const sources = [...saved];
  const imported: Project[] = [];
  for (const source of planned) {
    const project = await importProject(emulator, source);
    sources.push({ dir: source.dir, projectId: project.id });
    imported.push(project);
  }
  return { sources, imported };
}

async function createSample(emulator: Emulator): Promise<SandboxIds> {
  const { project, runner, webContainerRunner } = await createSampleProject(emulator);
  return {
    projectId: project.id,
    runnerId: runner.id,
    webContainerRunnerId: webContainerRunner.id,
  };
}

async function resume(
  emulator: Emulator,
  saved: SavedSandbox,
  dataDir: string,
  stateDir: string,
): Promise<SandboxIds> {
  const file = stateFileOf(stateDir);
  try {
    restoreEmulatorState(emulator.state, saved.emulator, dataDir);
  } catch (error) {
    throw new SandboxStateError(
      `The saved sandbox state ${file} is inconsistent (${error instanceof Error ? error.message : String(error)}). ${startOverHint(stateDir)}`,
    );
  }
  for (const id of [saved.projectId, ...(saved.sources ?? []).map((s) => s.projectId)]) {
    if (!emulator.state.projects.has(id)) {
      throw new SandboxStateError(
        `The saved sandbox state ${file} has no project ${id}. ${startOverHint(stateDir)}`,
      );
    }
  }
  for (const { gitDir, fullPath } of emulator.state.projects.values()) {
    if (!(await stat(gitDir).catch(() => null))?.isDirectory()) {
      throw new SandboxStateError(
        `The repository of ${fullPath} (${gitDir}) is missing from the saved sandbox. ${startOverHint(stateDir)}`,
      );
    }
  }
  // A tab may have deleted a sandbox runner (DELETE /runners); its token is gone for good, so
  // the page is offered a new runner like it, as a person would create one in GitLab.
  const runnerId = emulator.state.runners.has(saved.runnerId)
    ? saved.runnerId
    : emulator.createRunner({ description: 'tabrunner sandbox', runUntagged: true }).id;
  const webContainerRunnerId = emulator.state.runners.has(saved.webContainerRunnerId)
    ? saved.webContainerRunnerId
    : emulator.createRunner({
        description: 'tabrunner sandbox (WebContainer)',
        tags: ['node'],
        runUntagged: false,
      }).id;
  return { projectId: saved.projectId, runnerId, webContainerRunnerId };
}

function projectOf(emulator: Emulator, id: number): Project {
  const project = emulator.state.projects.get(id);
  if (!project) throw new Error(`the sandbox has no project ${id}`);
  return project;
}

function latestPipeline(emulator: Emulator, projectId: number): Pipeline | null {
  const pipelines = [...emulator.state.pipelines.values()].filter((p) => p.projectId === projectId);
  return pipelines.sort((a, b) => b.id - a.id)[0] ?? null;
}

function runnerOf(emulator: Emulator, id: number): Runner {
  const runner = emulator.state.runners.get(id);
  if (!runner) throw new Error(`the sandbox has no runner ${id}`);
  return runner;
}

const UNFINISHED = new Set(['created', 'pending', 'running', 'canceling', 'manual']);

/**
 * The pipeline the page is told about. The latest sample pipeline while it still has work for
 * the shell runner or a job running (a restart must not pull work from under an open tab);
 * otherwise a new one, so restarting still gives the tab something to run, as before state was
 * kept. Jobs of older pipelines are left as they are, as GitLab leaves them.
 */
async function currentPipeline(
  emulator: Emulator,
  projectId: number,
  runner: Runner,
): Promise<Pipeline> {
  const latest = [...emulator.state.pipelines.values()]
    .filter((pipeline) => pipeline.projectId === projectId)
    .sort((a, b) => b.id - a.id)[0];
  const busy = latest?.jobIds.some((id) => {
    const job = emulator.state.jobs.get(id);
    if (!job) return false;
    if (job.status === 'running' || job.status === 'canceling') return true;
    return UNFINISHED.has(job.status) && job.status !== 'manual' && canPick(runner, job);
  });
  if (latest && busy) return latest;
  return createPipeline(emulator.context, projectId, { ref: 'main' });
}
