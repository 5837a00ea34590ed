/**
 * Loads user-written suites from YAML or JSON (`check --suite-file`). The file is validated
 * with the same schema as the built-in checks; every error points at the offending path and,
 * for YAML and JSON alike, at its line and column in the file (`file:line:col`).
 *
 * @module
 */

import { isMap, isSeq, LineCounter, parseDocument, type Range, visit } from "yaml";
import type { Check } from "./model.ts";
import { SuiteFileSchema } from "./model.ts";
import { validateChecks } from "./registry.ts";

/** A suite file that failed to load; `problems` are `file:line:col: path: message` lines. */
export class SuiteFileError extends Error {
  /** Each problem on its own line. */
  readonly problems: string[];
  /** Creates the error. */
  constructor(file: string, problems: string[]) {
    super(`Invalid suite file ${file}:\n  ${problems.join("\n  ")}`);
    this.problems = problems;
  }
}

function _formatPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i ? "." : ""}${String(p)}`))
    .join("") || "(root)";
}

/** Parses suite text (YAML is a superset of JSON); `file` names it in errors. */
export function parseSuiteText(text: string, file: string): Check[] {
  const lineCounter = new LineCounter();
  // logLevel "error": the library prints its warnings (a non-string key made a string...) on
  // stderr, which is not the place for a suite file's problems; those are reported below.
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
  if (doc.errors.length) {
    throw new SuiteFileError(
      file,
      doc.errors.map((e) => `${where(e.pos[0])}: ${e.message.split("\n")[0]}`),
    );
  }
  // A mapping or list as a key (`? [a, b]: v`) has no JSON form: the yaml library would turn it
  // into a string. It is a file error instead.
  const collectionKeys: string[] = [];
  visit(doc, {
    Pair(_, pair) {
      if (isCollection(pair.key)) {
        const range = (pair.key as { range?: Range | null }).range;
        collectionKeys.push(
          `${where(range?.[0])}: a key must be a plain value, not a mapping or a list`,
        );
      }
    },
  });
  if (collectionKeys.length) throw new SuiteFileError(file, collectionKeys);
  let data: unknown;
  try {
    // Aliases are resolved here: an unresolved one or an alias bomb is a file error too.
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw new SuiteFileError(file, [`${file}: ${(e as Error).message}`]);
  }
  const parsed = SuiteFileSchema.safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      // Point at the deepest node of the path that exists in the document.
      let path = issue.path as (string | number)[];
      let node: unknown = undefined;
      while (path.length) {
        node = doc.getIn(path, true);
        if (node) break;
        path = path.slice(0, -1);
      }
      const range = (node as { range?: [number, number, number] } | undefined)?.range;
      return `${where(range?.[0])}: ${_formatPath(issue.path)}: ${issue.message}`;
    });
    throw new SuiteFileError(file, problems);
  }
  try {
    return validateChecks(parsed.data.checks, file);
  } catch (e) {
    // Duplicate ids and unknown requirements: locate the check.
    const lines = (e as Error).message.split("\n").slice(1).map((l) => l.trim());
    throw new SuiteFileError(
      file,
      lines.map((l) => {
        const m = /^checks\[(\d+)\]\.(\w+)/.exec(l);
        const node = m ? doc.getIn(["checks", Number(m[1]), m[2]], true) : undefined;
        const range = (node as { range?: [number, number, number] } | undefined)?.range;
        return `${where(range?.[0])}: ${l}`;
      }),
    );
  }
}

/** Reads and parses a suite file. */
export async function loadSuiteFile(path: string): Promise<Check[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    const why = e instanceof Deno.errors.NotFound ? "no such file" : (e as Error).message;
    throw new SuiteFileError(path, [`${path}: cannot read: ${why}`]);
  }
  return parseSuiteText(text, path);
}

/** Whether a YAML node is a collection (exported for tests of error locations). */
export const isCollection = (n: unknown): boolean => isMap(n) || isSeq(n);
