/**
 * The JSON reporter (`result.json`): the result document itself, validated against
 * {@linkcode ConformanceResultSchema} before it is written, and {@linkcode readResultFile} to load
 * a saved one back (`report FILE.json`).
 *
 * @module
 */

import type { z } from "zod";
import { type ConformanceResult, ConformanceResultSchema } from "../suites/result.ts";
import type { Reporter } from "./registry.ts";

/** Renders the document as pretty JSON (two-space indent, trailing newline) after validating it. */
export function renderJson(doc: ConformanceResult): string {
  const parsed = ConformanceResultSchema.safeParse(doc);
  if (!parsed.success) {
    throw new Error(`Cannot write the result document: ${formatFirstIssue(parsed.error)}`);
  }
  return JSON.stringify(parsed.data, null, 2) + "\n";
}

/** The JSON reporter: `result.json` in the output directory. */
export const jsonReporter: Reporter = {
  name: "json",
  description: "the result document (result.json, schemaVersion 1); re-render it with `report`",
  fileName: "result.json",
  render: (doc) => renderJson(doc),
};

/**
 * Reads and validates a saved result document. Throws an Error naming the file and the first
 * problem, e.g. `Cannot read result file out/result.json: checks[3].status: expected one of
 * pass, fail, skip, error`.
 */
export async function readResultFile(path: string): Promise<ConformanceResult> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    const reason = e instanceof Deno.errors.NotFound
      ? "no such file"
      : e instanceof Deno.errors.PermissionDenied
      ? "permission denied"
      : e instanceof Deno.errors.IsADirectory
      ? "it is a directory"
      : (e as Error).message;
    throw new Error(`Cannot read result file ${path}: ${reason}`);
  }
  return parseResult(text, path);
}

/** Parses and validates the text of a result document; `source` names it in errors. */
export function parseResult(text: string, source: string): ConformanceResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`Cannot read result file ${source}: invalid JSON: ${(e as Error).message}`);
  }
  const parsed = ConformanceResultSchema.safeParse(data);
  if (!parsed.success) {
    throw new Error(`Cannot read result file ${source}: ${formatFirstIssue(parsed.error)}`);
  }
  return parsed.data;
}

/**
 * Formats the first issue of a zod error as `path: problem`, with the path written as in
 * JavaScript (`checks[3].status`) and the problem in plain words (`expected one of pass, fail`).
 */
export function formatFirstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "invalid document";
  const path = formatIssuePath(issue.path);
  const problem = _problem(issue);
  return path === "" ? problem : `${path}: ${problem}`;
}

/** Writes a zod issue path as a JavaScript accessor: `checks[3].transcript[0].request`. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else if (typeof key === "string" && /^[A-Za-z_$][\w$]*$/.test(key)) {
      out += out === "" ? key : `.${key}`;
    } else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

function _problem(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_value": {
      const values = issue.values.map((v) => typeof v === "string" ? v : String(v));
      return values.length === 1 ? `expected ${values[0]}` : `expected one of ${values.join(", ")}`;
    }
    case "invalid_type": {
      const received = /received (\w+)/.exec(issue.message)?.[1];
      if (received === "undefined") return `missing (expected ${issue.expected})`;
      return received
        ? `expected ${issue.expected}, received ${received}`
        : `expected ${issue.expected}`;
    }
    default:
      return issue.message.replace(/^Invalid input: /, "");
  }
}
