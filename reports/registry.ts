/**
 * The reporter registry: every way a conformance result can be rendered, by name. A reporter is
 * one file exporting a {@linkcode Reporter} plus one entry in {@linkcode REPORTERS}; the CLI's
 * `--reporter` list, the error for an unknown name and {@linkcode writeReports} follow from it.
 *
 * @module
 */

import { join } from "node:path";
import type { ConformanceResult } from "../suites/result.ts";
import { consoleReporter } from "./console.ts";
import { htmlReporter } from "./html.ts";
import { jsonReporter } from "./json.ts";
import { junitReporter } from "./junit.ts";
import { markdownReporter } from "./markdown.ts";

/** Options every reporter accepts. */
export interface RenderOptions {
  /** Emit ANSI colors (console only; file reporters are always rendered without). */
  color: boolean;
  /** More detail: full transcripts of failing checks, requirement ids on passing lines. */
  verbose?: boolean;
}

/** One way of rendering a conformance result. */
export interface Reporter {
  /** Name used with `--reporter`, e.g. `junit`. */
  name: string;
  /** One line for help output. */
  description: string;
  /** File written into the output directory, e.g. `junit.xml`; absent for console output. */
  fileName?: string;
  /** Renders the document; pure, reads nothing but `doc`. */
  render(doc: ConformanceResult, opts: RenderOptions): string;
}

/** Every reporter, in the order they are listed to users. Add a reporter here. */
export const REPORTERS: readonly Reporter[] = [
  consoleReporter,
  junitReporter,
  jsonReporter,
  htmlReporter,
  markdownReporter,
];

/** The names of every reporter, in registry order. */
export function reporterNames(): string[] {
  return REPORTERS.map((reporter) => reporter.name);
}

/** The reporter called `name`; throws the unknown-reporter error when there is none. */
export function getReporter(name: string): Reporter {
  const reporter = REPORTERS.find((r) => r.name === name);
  if (!reporter) {
    throw new Error(`Unknown reporter "${name}": expected one of ${reporterNames().join(", ")}`);
  }
  return reporter;
}

/**
 * Parses a comma-separated reporter list such as `console,junit`: trims names, drops empty
 * items and duplicates, keeps the given order. Throws on an unknown name or an empty list.
 */
export function parseReporterList(list: string): string[] {
  const names: string[] = [];
  for (const raw of list.split(",")) {
    const name = raw.trim();
    if (name === "" || names.includes(name)) continue;
    getReporter(name);
    names.push(name);
  }
  if (names.length === 0) {
    throw new Error(
      `Cannot parse reporter list "${list}": expected one or more of ${reporterNames().join(", ")}`,
    );
  }
  return names;
}

/** What {@linkcode writeReports} produced for one reporter. */
export interface WrittenReport {
  /** Reporter name. */
  name: string;
  /** The file written, for file reporters. */
  path?: string;
  /** The rendered text, for reporters without a file (console): the caller prints it. */
  text?: string;
}

/**
 * Renders each named reporter once, in the given order. File reporters are written into `outDir`
 * (created if missing, only when a file reporter is requested) and rendered without color;
 * console output is returned as text for the caller to print. Throws on an unknown name before
 * writing anything.
 */
export async function writeReports(
  doc: ConformanceResult,
  names: readonly string[],
  outDir: string,
  opts: RenderOptions,
): Promise<WrittenReport[]> {
  const reporters = [...new Set(names)].map(getReporter);
  const results: WrittenReport[] = [];
  if (reporters.some((r) => r.fileName !== undefined)) {
    await Deno.mkdir(outDir, { recursive: true });
  }
  for (const reporter of reporters) {
    if (reporter.fileName === undefined) {
      results.push({ name: reporter.name, text: reporter.render(doc, opts) });
      continue;
    }
    const path = join(outDir, reporter.fileName);
    await Deno.writeTextFile(path, reporter.render(doc, { ...opts, color: false }));
    results.push({ name: reporter.name, path });
  }
  return results;
}
