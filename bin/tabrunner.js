#!/usr/bin/env node
// Starts the compiled CLI that `npm install` builds (src/cli/build.ts), so a start costs plain
// Node's time; when that build is missing or older than the sources, runs the TypeScript through
// tsx instead and says so. docs/cli.md, "How the CLI starts".
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// Tests and `npm run bench` point this at a build of their own, leaving the shared one alone.
const buildDir = process.env.TABRUNNER_CLI_BUILD
  ? resolve(process.env.TABRUNNER_CLI_BUILD)
  : join(root, 'node_modules', '.cache', 'tabrunner-cli');

/** The compiled entry's path, or why it cannot be used (a sentence for the user). */
function compiledEntry() {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(buildDir, 'manifest.json'), 'utf8'));
  } catch {
    return { why: `the compiled CLI is missing from ${relative(process.cwd(), buildDir)}` };
  }
  if (manifest.version !== 1 || typeof manifest.entry !== 'string') {
    return { why: 'the compiled CLI was built by another version of tabrunner' };
  }
  // Every source compiled in, as it was then: an edit, a checkout or a deleted file shows here.
  for (const [input, then] of Object.entries(manifest.inputs)) {
    let now;
    try {
      now = statSync(join(root, input));
    } catch {
      return { why: `${input} is gone since the CLI was compiled` };
    }
    if (now.mtimeMs !== then.mtimeMs || now.size !== then.size) {
      return { why: `${input} changed since the CLI was compiled` };
    }
  }
  return { path: join(buildDir, manifest.entry) };
}

const compiled = compiledEntry();
let main, createProcessIo;
if (compiled.path) {
  ({ main, createProcessIo } = await import(pathToFileURL(compiled.path).href));
} else {
  process.stderr.write(
    `tabrunner: ${compiled.why}, so this run compiles the sources through tsx and starts ` +
      'slower. Run "npm run build:cli" to compile it.\n',
  );
  let tsx;
  try {
    tsx = await import('tsx/esm/api');
  } catch (err) {
    if (err?.code !== 'ERR_MODULE_NOT_FOUND') throw err;
    process.stderr.write(
      `tabrunner: its dependencies are not installed. Run "npm install" in ${root}, then try again.\n`,
    );
    process.exit(1);
  }
  tsx.register();
  ({ main, createProcessIo } = await import('../src/cli/main.ts'));
}

const code = await main(process.argv.slice(2), createProcessIo(process.stdout, process.stderr));
process.exitCode = code;
