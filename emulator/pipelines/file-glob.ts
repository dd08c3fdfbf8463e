/**
 * Ruby's `File.fnmatch?(glob, path, File::FNM_PATHNAME | File::FNM_DOTMATCH | File::FNM_EXTGLOB)`,
 * which GitLab matches `rules: exists`, `rules: changes`, `only: changes` and wildcard
 * `include: local` paths with: `*` and `?` never cross a `/`, `**` before a `/` spans any number
 * of directories (none included), a leading dot needs no special pattern, `[a-z]`/`[!a]` classes,
 * `{a,b}` alternatives (nested too), and `\` escapes the next character.
 */

/** Whether `path` matches `glob` as GitLab's file clauses match them. */
export function fileGlobMatches(glob: string, path: string): boolean {
  return globRegExps(glob).some((re) => re.test(path));
}

const cache = new Map<string, RegExp[]>();

function globRegExps(glob: string): RegExp[] {
  let regExps = cache.get(glob);
  if (!regExps) {
    regExps = expandBraces(glob).map((one) => new RegExp(`^${translate(one)}$`, 's'));
    cache.set(glob, regExps);
  }
  return regExps;
}

/** `a{b,c{d,e}}f` → `abf`, `acdf`, `acef`; an unmatched `{` stays literal. */
function expandBraces(glob: string): string[] {
  let depth = 0;
  let open = -1;
  const commas: number[] = [];
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i];
    if (char === '\\') {
      i++;
    } else if (char === '{') {
      if (depth === 0) open = i;
      depth++;
    } else if (char === ',' && depth === 1) {
      commas.push(i);
    } else if (char === '}' && depth > 0) {
      depth--;
      if (depth === 0) {
        const head = glob.slice(0, open);
        const tail = glob.slice(i + 1);
        const cuts = [open, ...commas, i];
        const options = cuts.slice(1).map((cut, n) => glob.slice((cuts[n] ?? 0) + 1, cut));
        return options.flatMap((option) => expandBraces(`${head}${option}${tail}`));
      }
    }
  }
  return [glob];
}

function translate(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i] ?? '';
    if (char === '\\' && i + 1 < glob.length) {
      out += escape(glob[++i] ?? '');
    } else if (char === '*') {
      const atSegmentStart = i === 0 || glob[i - 1] === '/';
      if (glob[i + 1] === '*' && glob[i + 2] === '/' && atSegmentStart) {
        out += '(?:[^/]*/)*';
        i += 2;
      } else {
        while (glob[i + 1] === '*') i++;
        out += '[^/]*';
      }
    } else if (char === '?') {
      out += '[^/]';
    } else if (char === '[') {
      const close = classEnd(glob, i);
      if (close === -1) {
        out += '\\[';
      } else {
        let body = glob.slice(i + 1, close);
        const negated = body.startsWith('!') || body.startsWith('^');
        if (negated) body = body.slice(1);
        const escaped = body.replace(/\\(.)/g, '$1').replace(/[\]\\^]/g, '\\$&');
        out += negated ? `[^/${escaped}]` : `(?![/])[${escaped}]`;
        i = close;
      }
    } else {
      out += escape(char);
    }
  }
  return out;
}

/** The index of the `]` closing a class opened at `open`, or -1 when it is not a class. */
function classEnd(glob: string, open: number): number {
  let i = open + 1;
  if (glob[i] === '!' || glob[i] === '^') i++;
  if (glob[i] === ']') i++;
  for (; i < glob.length; i++) {
    if (glob[i] === '\\') i++;
    else if (glob[i] === ']') return i;
  }
  return -1;
}

function escape(char: string): string {
  return char.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}
