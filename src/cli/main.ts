/**
 * The headless CLI: `tabrunner run | register | unregister`. It runs the same runner core as
 * the tab, in Node, with the `shell` executor. Messages say what to do next; tokens are never
 * printed in full.
 */
import { parseArgs } from 'node:util';
import { isLogFormat } from './log-output.ts';
// bin/tabrunner.js loads this module only (compiled or through tsx), so it finds its io here.
export { createProcessIo } from './process-io.ts';
// The commands are imported when chosen: `--help` and a mistyped flag answer without loading
// the runner core (docs/cli.md, "How the CLI starts").

const USAGE = `Usage:
  tabrunner run --url URL --token TOKEN [--executor shell] [--once] [--check-interval S]
                [--name NAME] [--output-limit KIB] [--state-dir DIR] [--log-format raw|plain|json]
                [--cache-dir DIR] [--cache-size MIB]
  tabrunner register --url URL --token TOKEN [--description TEXT] [--tag-list a,b] [--run-untagged]
                [--state-dir DIR]
  tabrunner unregister --url URL --token TOKEN [--state-dir DIR]

  --url            GitLab instance URL, e.g. https://gitlab.example.com
  --token          runner authentication token (glrt-…) or, for register, a registration token
  --once           take one job, run it, report it, exit (0 if it was run and reported)
  --check-interval seconds between polls when GitLab cannot hold the request (default 3)
  --state-dir      where this runner keeps its system ID, git stores and caches
                   (default .tabrunner)
  --cache-dir      where jobs' \`cache:\` archives are kept (default STATE-DIR/cache); runners
                   given one directory share their caches
  --cache-size     MiB of caches kept before the least recently used go (default 4096)
  --log-format     job logs as raw (GitLab's trace, colours and all), plain text, or json
                   (one object per line); default raw on a terminal, plain otherwise
`;

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Whether `out` reaches a terminal, which picks the default `--log-format`. */
  outIsTerminal?: boolean;
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  // `tabrunner --help` has a flag where the command goes: parse it as a flag.
  const flagFirst = argv[0]?.startsWith('-') ?? false;
  const command = flagFirst ? undefined : argv[0];
  const rest = flagFirst ? argv : argv.slice(1);
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: {
        url: { type: 'string' },
        token: { type: 'string' },
        executor: { type: 'string', default: 'shell' },
        once: { type: 'boolean', default: false },
        'check-interval': { type: 'string' },
        name: { type: 'string' },
        'output-limit': { type: 'string' },
        'state-dir': { type: 'string', default: '.tabrunner' },
        description: { type: 'string' },
        'tag-list': { type: 'string' },
        'run-untagged': { type: 'boolean', default: false },
        'log-format': { type: 'string' },
        'cache-dir': { type: 'string' },
        'cache-size': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    });
  } catch (err) {
    io.err(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const v = parsed.values;
  if (v.help || command === 'help') {
    io.out(USAGE);
    return 0;
  }
  if (!command) {
    io.err(USAGE);
    return 2;
  }
  if (command !== 'run' && command !== 'register' && command !== 'unregister') {
    io.err(`tabrunner: unknown command "${command}".\n\n${USAGE}`);
    return 2;
  }
  if (!v.url || !v.token) {
    io.err(`tabrunner ${command}: --url and --token are required.\n\n${USAGE}`);
    return 2;
  }
  const common = { url: v.url, token: v.token, stateDir: v['state-dir'] ?? '.tabrunner', io };
  switch (command) {
    case 'run': {
      const interval = v['check-interval'] === undefined ? 3 : Number(v['check-interval']);
      const limitKib = v['output-limit'] === undefined ? 4096 : Number(v['output-limit']);
      if (!Number.isFinite(interval) || interval <= 0) {
        io.err('--check-interval takes a positive number of seconds, e.g. --check-interval 3');
        return 2;
      }
      if (!Number.isInteger(limitKib) || limitKib <= 0) {
        io.err('--output-limit takes a whole number of KiB, e.g. --output-limit 4096');
        return 2;
      }
      const cacheMib = v['cache-size'] === undefined ? 4096 : Number(v['cache-size']);
      if (!Number.isInteger(cacheMib) || cacheMib <= 0) {
        io.err('--cache-size takes a whole number of MiB, e.g. --cache-size 4096');
        return 2;
      }
      const logFormat = v['log-format'] ?? (io.outIsTerminal ? 'raw' : 'plain');
      if (!isLogFormat(logFormat)) {
        io.err('--log-format takes raw, plain or json, e.g. --log-format plain');
        return 2;
      }
      const { runCommand } = await import('./run-command.ts');
      return runCommand({
        ...common,
        executor: v.executor ?? 'shell',
        once: v.once ?? false,
        checkIntervalSeconds: interval,
        outputLimit: limitKib * 1024,
        name: v.name ?? 'tabrunner-cli',
        logFormat,
        cacheDir: v['cache-dir'] ?? null,
        cacheBudgetBytes: cacheMib * 1024 * 1024,
      });
    }
    case 'register': {
      const { registerCommand } = await import('./register-command.ts');
      return registerCommand({
        ...common,
        description: v.description ?? 'tabrunner',
        tagList: v['tag-list'] ?? '',
        runUntagged: v['run-untagged'] ?? false,
      });
    }
    case 'unregister': {
      const { unregisterCommand } = await import('./unregister-command.ts');
      return unregisterCommand(common);
    }
  }
}
