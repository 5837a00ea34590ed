/**
 * Reads the YAML (or JSON: YAML is a superset) files users write, suite files and baselines, for
 * validation: syntax errors, keys with no JSON form (a mapping or a list as a key) and alias
 * problems become `file:line:col: message` lines, the yaml library's own warnings stay off
 * stderr, and a schema problem is located by its path. Private to `suites/`.
 *
 * @module
 */

import { isMap, isSeq, LineCounter, parseDocument, type Range, visit } from "yaml";

/** A YAML file read for validation; see the module documentation. */
export interface YamlFile {
  /** Problems that keep the file from being read, as `file:line:col: message` lines. */
  problems: string[];
  /** The file's data as JSON-compatible values (undefined when there are problems). */
  data: unknown;
  /**
   * `file:line:col` of the deepest node of `path` that exists in the file (the document's start,
   * or the file name alone, when none does).
   */
  at(path: readonly (string | number)[]): string;
}

/** A schema path as users read it: `checks[2].expect.status`, `(root)` for the empty path. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i ? "." : ""}${String(p)}`))
    .join("") || "(root)";
}

/** Reads `text` (from `file`, the name used in positions). */
export function readYamlFile(text: string, file: string): YamlFile {
  const lineCounter = new LineCounter();
  // logLevel "error": the library would print its warnings (a key it turns into a string...) on
  // stderr, which is not the place for a file's problems; those are reported here.
  const doc = parseDocument(text, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true,
    logLevel: "error",
  });
  const where = (offset: number | undefined) => {
    if (offset === undefined) return file;
    const { line, col } = lineCounter.linePos(offset);
    return `${file}:${line}:${col}`;
  };
  const at = (path: readonly (string | number)[]) => {
    for (let p = [...path]; p.length; p = p.slice(0, -1)) {
      const node = doc.getIn(p, true) as { range?: Range | null } | undefined;
      if (node?.range) return where(node.range[0]);
    }
    return where((doc.contents as { range?: Range | null } | null)?.range?.[0]);
  };
  const problems = doc.errors.map((e) => `${where(e.pos[0])}: ${e.message.split("\n")[0]}`);
  if (problems.length === 0) {
    // A mapping or list as a key (`? [a, b]: v`) has no JSON form (the library would make it a
    // string): a problem of the file.
    visit(doc, {
      Pair(_, pair) {
        if (isMap(pair.key) || isSeq(pair.key)) {
          problems.push(
            `${where(pair.key.range?.[0])}: a key must be a plain value, not a mapping or a list`,
          );
        }
      },
    });
  }
  let data: unknown = undefined;
  if (problems.length === 0) {
    try {
      // Aliases are resolved here: an unresolved one or an alias bomb is a problem too.
      data = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      problems.push(`${file}: ${(e as Error).message}`);
    }
  }
  return { problems, data, at };
}
