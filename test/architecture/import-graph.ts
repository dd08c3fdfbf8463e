/**
 * Every relative import of the app's own files under src, read with TypeScript's parser: static
 * imports and re-exports, dynamic `import()`, and `new URL('…', import.meta.url)` (how a Worker
 * or an asset is named). Svelte components count by their `<script>` blocks. Test files are not
 * the app and are left out; testing/ helpers are in, as part of their folder.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

export interface ImportLine {
  /** The specifier as written, e.g. `../gitlab/index.ts`. */
  specifier: string;
  /** Whether it brings in types only (`import type`, `export type`, or only `type` names). */
  typeOnly: boolean;
}

export interface ImportEdge extends ImportLine {
  /** The importing file, relative to the repository root with `/`, e.g. `src/job/plan.ts`. */
  from: string;
  /** The imported file, the same way. */
  to: string;
}

const SCRIPT_BLOCK = /<script\b[^>]*>([\s\S]*?)<\/script>/g;

/** The code TypeScript should parse: a component's script blocks, or the whole file. */
function scriptOf(path: string, text: string): string {
  if (!path.endsWith('.svelte')) return text;
  return [...text.matchAll(SCRIPT_BLOCK)].map((match) => match[1] ?? '').join('\n');
}

function isImportMetaUrl(node: ts.Node): boolean {
  return (
    ts.isPropertyAccessExpression(node) &&
    node.name.text === 'url' &&
    ts.isMetaProperty(node.expression) &&
    node.expression.keywordToken === ts.SyntaxKind.ImportKeyword
  );
}

function importIsTypeOnly(node: ts.ImportDeclaration): boolean {
  const clause = node.importClause;
  if (!clause) return false;
  if (clause.isTypeOnly) return true;
  if (clause.name) return false;
  const bindings = clause.namedBindings;
  return (
    bindings !== undefined &&
    ts.isNamedImports(bindings) &&
    bindings.elements.length > 0 &&
    bindings.elements.every((element) => element.isTypeOnly)
  );
}

function exportIsTypeOnly(node: ts.ExportDeclaration): boolean {
  if (node.isTypeOnly) return true;
  const clause = node.exportClause;
  return (
    clause !== undefined &&
    ts.isNamedExports(clause) &&
    clause.elements.length > 0 &&
    clause.elements.every((element) => element.isTypeOnly)
  );
}

/** The imports in one file's code (`path` tells a Svelte component by its name). */
export function importsIn(path: string, text: string): ImportLine[] {
  const source = ts.createSourceFile(path, scriptOf(path, text), ts.ScriptTarget.Latest, true);
  const found: ImportLine[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ specifier: node.moduleSpecifier.text, typeOnly: importIsTypeOnly(node) });
    } else if (
      ts.isExportDeclaration(node) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      found.push({ specifier: node.moduleSpecifier.text, typeOnly: exportIsTypeOnly(node) });
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      found.push({ specifier: node.arguments[0].text, typeOnly: false });
    } else if (
      ts.isNewExpression(node) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === 'URL' &&
      node.arguments?.[0] &&
      ts.isStringLiteralLike(node.arguments[0]) &&
      node.arguments[1] &&
      isImportMetaUrl(node.arguments[1])
    ) {
      found.push({ specifier: node.arguments[0].text, typeOnly: false });
    } else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    ) {
      // `typeof import('…')` in a type position.
      found.push({ specifier: node.argument.literal.text, typeOnly: true });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function isAppFile(name: string): boolean {
  if (name.endsWith('.d.ts') || /\.test\.ts$/.test(name)) return false;
  return name.endsWith('.ts') || name.endsWith('.svelte');
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(path);
    return isAppFile(entry.name) ? [path] : [];
  });
}

const toPosix = (path: string) => path.split(sep).join('/');

/**
 * Every relative import between files under `<root>/src`, as repository paths. Imports of
 * packages and of files outside src (the package.json the version comes from) are left out.
 */
export function srcImportEdges(root: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of filesUnder(join(root, 'src'))) {
    for (const line of importsIn(file, readFileSync(file, 'utf8'))) {
      if (!line.specifier.startsWith('.')) continue;
      const target = resolve(dirname(file), line.specifier.replace(/\?.*$/, ''));
      const to = toPosix(relative(root, target));
      if (!to.startsWith('src/')) continue;
      edges.push({ ...line, from: toPosix(relative(root, file)), to });
    }
  }
  return edges;
}
