/**
 * The layer rules of docs/architecture.md ("Layers"), checked on every relative import under
 * src: each area imports only the areas below it, and no folders import each other in a
 * circle. A failure names the file and the import that break the rule.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cyclicGroups } from './cycles.ts';
import { importsIn, srcImportEdges, type ImportEdge } from './import-graph.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Layer {
  /** Areas this one may import anything from. */
  may: readonly string[];
  /** Areas this one may import types from, and nothing else: their shapes, not their code. */
  typesFrom?: readonly string[];
}

const BOTTOM = ['bytes', 'errors', 'platform'] as const;

/**
 * What each folder of src may import. `tab` and `cli` are the only places that pick concrete
 * parts (executors, the sources Worker); only `ui` sits above `tab`, and nothing imports `ui`
 * or `cli`. A new folder under src needs its row here and its line in docs/architecture.md.
 */
const LAYERS: Record<string, Layer> = {
  bytes: { may: [] },
  errors: { may: [] },
  // Clock, timers, wake lock, byte encoding: the environment's seams, below everything else.
  platform: { may: ['bytes', 'errors'] },
  gitlab: { may: BOTTOM },
  // Pure: it knows the job payload's shape, parsed at the gitlab edge, not the client; time
  // comes in as a `Clock`, never from the platform's own.
  job: { may: ['bytes', 'errors'], typesFrom: ['gitlab', 'platform'] },
  executors: { may: BOTTOM },
  // A checkout is a `FileTree` (executors/port.ts); sources never runs an executor.
  sources: { may: BOTTOM, typesFrom: ['gitlab', 'executors'] },
  artifacts: { may: [...BOTTOM, 'gitlab', 'job'], typesFrom: ['executors'] },
  // GitLab's `cache:` archives with the artifacts' zip and globs; which store keeps them is
  // tab's or cli's choice.
  cache: { may: [...BOTTOM, 'gitlab', 'job', 'artifacts'], typesFrom: ['executors'] },
  // The runner codes against the executor port; which executor runs is tab's or cli's choice.
  runner: {
    may: [...BOTTOM, 'gitlab', 'job', 'sources', 'artifacts', 'cache'],
    typesFrom: ['executors'],
  },
  tab: {
    may: [...BOTTOM, 'gitlab', 'job', 'sources', 'artifacts', 'cache', 'executors', 'runner'],
  },
  cli: {
    may: [...BOTTOM, 'gitlab', 'job', 'sources', 'artifacts', 'cache', 'executors', 'runner'],
  },
  // The page renders runner state; it never talks to GitLab or executors itself.
  ui: { may: [...BOTTOM, 'job', 'runner', 'tab'] },
};

/** `src/job/plan.ts` → `job`. */
function areaOf(path: string): string {
  return path.split('/')[1] ?? path;
}

/** Like `areaOf`, with src/sources split by its folders: `src/sources/git/…` → `sources/git`. */
function folderOf(path: string): string {
  const parts = path.split('/');
  return parts[1] === 'sources' && parts.length > 3 ? `sources/${parts[2]}` : areaOf(path);
}

const describeEdge = (edge: ImportEdge) => `${edge.from} imports '${edge.specifier}'`;

/** Why an import breaks the table, or null when it keeps to it. */
function breach(edge: ImportEdge): string | null {
  const from = areaOf(edge.from);
  const to = areaOf(edge.to);
  if (from === to) return null;
  const layer = LAYERS[from];
  if (!layer) return `${edge.from}: src/${from} has no row in LAYERS (test/architecture)`;
  if (layer.may.includes(to)) return null;
  if (layer.typesFrom?.includes(to)) {
    return edge.typeOnly
      ? null
      : `${describeEdge(edge)}: ${from} may take only types from ${to} (use \`import type\`)`;
  }
  const allowed = [...layer.may, ...(layer.typesFrom ?? []).map((a) => `types of ${a}`)];
  return `${describeEdge(edge)}: ${from} may import ${allowed.join(', ') || 'no other area'}, not ${to}`;
}

/** Each cycle with the imports that close it: every crossing between its members, first import. */
function cycleReport(between: ReadonlyMap<string, readonly ImportEdge[]>): string[] {
  const groups = cyclicGroups(
    [...between.keys()].map((key) => key.split(' → ') as [string, string]),
  );
  return groups.map((group) => {
    const lines = [...between.entries()]
      .filter(([key]) => key.split(' → ').every((folder) => group.includes(folder)))
      .map(([key, list]) => {
        const more = list.length > 1 ? ` (and ${list.length - 1} more)` : '';
        return `${key}: ${list[0] ? describeEdge(list[0]) : ''}${more}`;
      });
    return `${group.join(', ')} import each other:\n  ${lines.join('\n  ')}`;
  });
}

const edge = (from: string, to: string, typeOnly = false): ImportEdge => ({
  from,
  to,
  specifier: `./${to.split('/').slice(2).join('/')}`,
  typeOnly,
});

describe('the layer check', () => {
  it('refuses an import upwards, and code from an area that lends only types, naming the file', () => {
    expect(breach(edge('src/job/plan.ts', 'src/job/settings.ts'))).toBeNull();
    expect(breach(edge('src/job/plan.ts', 'src/gitlab/job-payload.ts', true))).toBeNull();
    expect(breach(edge('src/job/plan.ts', 'src/gitlab/job-payload.ts'))).toBe(
      "src/job/plan.ts imports './job-payload.ts': job may take only types from gitlab (use `import type`)",
    );
    expect(breach(edge('src/platform/clock.ts', 'src/runner/runner.ts', true))).toBe(
      "src/platform/clock.ts imports './runner.ts': platform may import bytes, errors, not runner",
    );
    expect(breach(edge('src/novel/x.ts', 'src/job/plan.ts'))).toBe(
      'src/novel/x.ts: src/novel has no row in LAYERS (test/architecture)',
    );
  });

  it('reports a cycle with the imports that close it, and nothing for a chain', () => {
    const crossing = (from: string, to: string) =>
      [`${from} → ${to}`, [edge(`src/${from}/a.ts`, `src/${to}/b.ts`)]] as const;
    expect(cycleReport(new Map([crossing('ui', 'tab'), crossing('tab', 'runner')]))).toEqual([]);
    expect(
      cycleReport(
        new Map([crossing('ui', 'tab'), crossing('tab', 'runner'), crossing('runner', 'ui')]),
      ),
    ).toEqual([
      [
        'runner, tab, ui import each other:',
        "  ui → tab: src/ui/a.ts imports './b.ts'",
        "  tab → runner: src/tab/a.ts imports './b.ts'",
        "  runner → ui: src/runner/a.ts imports './b.ts'",
      ].join('\n'),
    ]);
  });
});

describe('the import scan', () => {
  it('finds static, type-only, dynamic and import.meta.url imports, in .ts and .svelte files', () => {
    const code = [
      "import { a } from './a.ts';",
      "import type { B } from './b.ts';",
      "import { type C, type D } from './c.ts';",
      "import './side-effect.css';",
      "export { e } from './e.ts';",
      "export type { F } from './f.ts';",
      "const g = await import('./g.ts');",
      "const worker = new URL('./worker.ts', import.meta.url);",
      "const page = new URL('./not-a-module.ts', location.href);",
      "// import { h } from './in-a-comment.ts';",
      "type I = typeof import('./i.ts');",
    ].join('\n');
    expect(importsIn('x.ts', code)).toEqual([
      { specifier: './a.ts', typeOnly: false },
      { specifier: './b.ts', typeOnly: true },
      { specifier: './c.ts', typeOnly: true },
      { specifier: './side-effect.css', typeOnly: false },
      { specifier: './e.ts', typeOnly: false },
      { specifier: './f.ts', typeOnly: true },
      { specifier: './g.ts', typeOnly: false },
      { specifier: './worker.ts', typeOnly: false },
      { specifier: './i.ts', typeOnly: true },
    ]);
    const component = `<script module lang="ts">import { m } from './m.ts';</script>
<script lang="ts">import type { P } from './p.ts'; const l = import('./l.ts');</script>
<p>import { x } from './markup.ts';</p>`;
    expect(importsIn('X.svelte', component)).toEqual([
      { specifier: './m.ts', typeOnly: false },
      { specifier: './p.ts', typeOnly: true },
      { specifier: './l.ts', typeOnly: false },
    ]);
  });
});

describe('the layers of src', () => {
  const edges = srcImportEdges(ROOT);

  it('has a row for every folder of src, and every row names a folder that exists', () => {
    const seen = new Set(edges.flatMap((edge) => [areaOf(edge.from), areaOf(edge.to)]));
    expect([...seen].sort()).toEqual(Object.keys(LAYERS).sort());
  });

  it('imports only from the layers below each area', () => {
    const breaches = edges.map(breach).filter((line): line is string => line !== null);
    expect(breaches, `imports that break the layers:\n${breaches.join('\n')}`).toEqual([]);
  });

  /** Every import from one folder to another, grouped by the pair: `tab → runner`. */
  function crossings(folder: (path: string) => string): Map<string, ImportEdge[]> {
    const between = new Map<string, ImportEdge[]>();
    for (const edge of edges) {
      const [from, to] = [folder(edge.from), folder(edge.to)];
      if (from === to) continue;
      const key = `${from} → ${to}`;
      between.set(key, [...(between.get(key) ?? []), edge]);
    }
    return between;
  }

  it('has no cycle between the areas of src', () => {
    const cycles = cycleReport(crossings(areaOf));
    expect(cycles, cycles.join('\n')).toEqual([]);
  });

  it('has no cycle between the folders of src/sources', () => {
    const sources = new Map(
      [...crossings(folderOf)].filter(([key]) =>
        key.split(' → ').every((f) => f.startsWith('sources')),
      ),
    );
    const cycles = cycleReport(sources);
    expect(cycles, cycles.join('\n')).toEqual([]);
  });
});
