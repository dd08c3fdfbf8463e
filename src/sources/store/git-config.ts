/**
 * Reading and setting one value of a git config file (git-config(1), "CONFIGURATION FILE"),
 * enough for the store's `remote.origin.url`: `[section]` and `[section "subsection"]` headers,
 * `key = value` lines with double quotes, backslash escapes and `#`/`;` comments. The rest of the
 * file is kept as it is, so a config written by git, or by isomorphic-git in older stores, stays
 * intact. Continuation lines (a value ending in `\`) are not read: nothing this store writes has
 * them.
 */

/** `remote.origin.url` → section `remote`, subsection `origin`, key `url`. */
interface ConfigName {
  section: string;
  subsection: string | null;
  key: string;
}

type Line =
  | { kind: 'section'; section: string; subsection: string | null }
  | { kind: 'entry'; key: string; value: string }
  | { kind: 'other' };

function splitName(name: string): ConfigName {
  const first = name.indexOf('.');
  const last = name.lastIndexOf('.');
  if (first <= 0 || last === name.length - 1) throw new TypeError(`not a config name: ${name}`);
  return {
    // Section and key names are case-insensitive, subsection names are not.
    section: name.slice(0, first).toLowerCase(),
    subsection: first === last ? null : name.slice(first + 1, last),
    key: name.slice(last + 1).toLowerCase(),
  };
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', b: '\b', '"': '"', '\\': '\\' };

/** A value as git reads it: quotes removed, escapes applied, comment and outer blanks dropped. */
function parseValue(raw: string): string {
  let out = '';
  let quoted = false;
  // Blanks outside quotes are kept only between words; trailing ones are dropped at the end.
  let pendingBlanks = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string;
    if (c === '\\') {
      const next = raw[i + 1] ?? '';
      out += pendingBlanks + (ESCAPES[next] ?? next);
      pendingBlanks = '';
      i += 1;
    } else if (c === '"') {
      out += pendingBlanks;
      pendingBlanks = '';
      quoted = !quoted;
    } else if (!quoted && (c === '#' || c === ';')) {
      break;
    } else if (!quoted && (c === ' ' || c === '\t')) {
      if (out) pendingBlanks += c;
    } else {
      out += pendingBlanks + c;
      pendingBlanks = '';
    }
  }
  return out;
}

function parseLine(line: string): Line {
  const text = line.trim();
  const header = /^\[\s*([A-Za-z0-9.-]+)(?:\s+"((?:[^"\\]|\\.)*)")?\s*\]/.exec(text);
  if (header) {
    const name = header[1] as string;
    const quoted = header[2];
    if (quoted !== undefined) {
      return {
        kind: 'section',
        section: name.toLowerCase(),
        subsection: quoted.replace(/\\(.)/g, '$1'),
      };
    }
    // The old `[section.subsection]` form: the subsection is lowercased too.
    const dot = name.indexOf('.');
    return dot < 0
      ? { kind: 'section', section: name.toLowerCase(), subsection: null }
      : {
          kind: 'section',
          section: name.slice(0, dot).toLowerCase(),
          subsection: name.slice(dot + 1).toLowerCase(),
        };
  }
  const entry = /^([A-Za-z][A-Za-z0-9-]*)\s*(?:=(.*))?$/.exec(text);
  if (entry) {
    const raw = entry[2];
    // A key without `=` is a boolean true.
    return {
      kind: 'entry',
      key: (entry[1] as string).toLowerCase(),
      value: raw === undefined ? 'true' : parseValue(raw),
    };
  }
  return { kind: 'other' };
}

function inSection(line: Line, name: ConfigName): boolean {
  return (
    line.kind === 'section' && line.section === name.section && line.subsection === name.subsection
  );
}

/** The value as written: quoted when git would otherwise read it differently. */
function formatValue(value: string): string {
  if (!/^\s|\s$|[#;"\\\n\t\b]/.test(value)) return value;
  const escaped = value.replace(/[\\"\n\t\b]/g, (c) =>
    c === '\n' ? '\\n' : c === '\t' ? '\\t' : c === '\b' ? '\\b' : `\\${c}`,
  );
  return `"${escaped}"`;
}

function formatHeader(name: ConfigName): string {
  return name.subsection === null
    ? `[${name.section}]`
    : `[${name.section} "${name.subsection.replace(/[\\"]/g, (c) => `\\${c}`)}"]`;
}

/** The last value of `name` (`git config --get`), or undefined when the file has none. */
export function readConfigValue(text: string, name: string): string | undefined {
  const wanted = splitName(name);
  let inside = false;
  let value: string | undefined;
  for (const raw of text.split('\n')) {
    const line = parseLine(raw);
    if (line.kind === 'section') inside = inSection(line, wanted);
    else if (inside && line.kind === 'entry' && line.key === wanted.key) value = line.value;
  }
  return value;
}

/**
 * `text` with `name` set to `value` (`git config <name> <value>`): the last line that sets it is
 * replaced, else the line goes at the end of the last such section, else a section is added.
 */
export function setConfigValue(text: string, name: string, value: string): string {
  const wanted = splitName(name);
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
  const entry = `\t${wanted.key} = ${formatValue(value)}`;
  let inside = false;
  let lastEntry = -1;
  let sectionEnd = -1;
  for (const [i, raw] of lines.entries()) {
    const line = parseLine(raw);
    if (line.kind === 'section') inside = inSection(line, wanted);
    else if (inside && line.kind === 'entry' && line.key === wanted.key) lastEntry = i;
    if (inside && (line.kind !== 'other' || raw.trim() !== '')) sectionEnd = i;
  }
  if (lastEntry >= 0) lines[lastEntry] = entry;
  else if (sectionEnd >= 0) lines.splice(sectionEnd + 1, 0, entry);
  else lines.push(formatHeader(wanted), entry);
  return `${lines.join('\n')}\n`;
}
