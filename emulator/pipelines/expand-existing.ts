/**
 * GitLab's `ExpandVariables.expand_existing`, which include locations and the globs of
 * `rules: exists` and `rules: changes` go through: `$VAR` and `${VAR}` of defined variables are
 * replaced, anything else stays as written.
 */

/** `text` with the defined variables it names replaced by their values. */
export function expandExisting(text: string, variables: Readonly<Record<string, string>>): string {
  return text.replace(
    /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g,
    (whole, braced: string | undefined, bare: string | undefined) =>
      variables[braced ?? bare ?? ''] ?? whole,
  );
}
