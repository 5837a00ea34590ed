/**
 * Loads user-written suites from YAML or JSON (`check --suite-file`). The file is validated
 * with the same schema as the built-in checks; every error points at the offending path and,
 * for YAML and JSON alike, at its line and column in the file (`file:line:col`).
 *
 * @module
 */

import { formatPath, readYamlFile } from "./_yaml_file.ts";
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

/** Parses suite text (YAML is a superset of JSON); `file` names it in errors. */
export function parseSuiteText(text: string, file: string): Check[] {
  const yaml = readYamlFile(text, file);
  if (yaml.problems.length) throw new SuiteFileError(file, yaml.problems);
  const parsed = SuiteFileSchema.safeParse(yaml.data);
  if (!parsed.success) {
    throw new SuiteFileError(
      file,
      parsed.error.issues.map((issue) => {
        const path = issue.path as (string | number)[];
        return `${yaml.at(path)}: ${formatPath(path)}: ${issue.message}`;
      }),
    );
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
        return `${m ? yaml.at(["checks", Number(m[1]), m[2]]) : file}: ${l}`;
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
