/**
 * Server-side expansion of `$VAR` / `${VAR}` in variable values, as GitLab's
 * `sort_and_expand_all(keep_undefined: true, expand_file_refs: false, expand_raw_refs: false)`
 * does before sending `variables[]` (docs/runner-protocol.md §4.5): references to unknown variables stay as written,
 * `raw` values are never expanded, and references to file or raw variables are kept for the
 * runner to resolve.
 */
import type { JobVariableSpec } from '../model.ts';

const REFERENCE = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))|\$\$/g;

/** Expand references in every non-raw value; the list keeps its order and duplicates. */
export function expandVariables(variables: JobVariableSpec[]): JobVariableSpec[] {
  const last = new Map<string, JobVariableSpec>();
  for (const variable of variables) last.set(variable.key, variable);

  const resolved = new Map<string, string>();
  const expand = (value: string, seen: Set<string>): string =>
    value.replace(REFERENCE, (match, braced: string | undefined, bare: string | undefined) => {
      const name = braced ?? bare;
      if (name === undefined) return match; // `$$` escapes a dollar; the runner handles it
      const target = last.get(name);
      if (!target || target.file || target.raw || seen.has(name)) return match;
      return valueOf(target, new Set([...seen, name]));
    });
  const valueOf = (variable: JobVariableSpec, seen: Set<string>): string => {
    const cached = resolved.get(variable.key);
    if (cached !== undefined) return cached;
    const value = expand(variable.value, seen);
    resolved.set(variable.key, value);
    return value;
  };

  return variables.map((variable) => {
    if (variable.raw || !variable.value.includes('$')) return variable;
    // Earlier duplicates expand against the final collection too, as GitLab's sort does.
    const value =
      last.get(variable.key) === variable
        ? valueOf(variable, new Set([variable.key]))
        : expand(variable.value, new Set([variable.key]));
    return { ...variable, value };
  });
}
