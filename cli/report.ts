/**
 * `report`: re-render a saved result (a conformance `result.json` or a load `load-result.json`)
 * with other reporters.
 *
 * @module
 */

import { Command } from "@commander-js/extra-typings";
import { join } from "node:path";
import { parseResult } from "../reports/json.ts";
import { loadHtmlReporter, type LoadReportDocument } from "../reports/load_html.ts";
import { parseReporterList, reporterNames, writeReports } from "../reports/registry.ts";
import { UsageError } from "./errors.ts";
import { useColor } from "./output.ts";

async function _read(file: string): Promise<string> {
  try {
    return await Deno.readTextFile(file);
  } catch (e) {
    const why = e instanceof Deno.errors.NotFound ? "no such file" : (e as Error).message;
    throw new UsageError(`Cannot read result file ${file}: ${why}`);
  }
}

/** Whether a parsed JSON value is a load result document (version 1). */
function _isLoadDocument(v: unknown): v is LoadReportDocument {
  const d = v as Record<string, unknown> | null;
  return d !== null && typeof d === "object" && d.kind === "load" && d.schemaVersion === 1 &&
    typeof d.summary === "object" && Array.isArray(d.timeline);
}

/** Builds the `report` command. */
export function reportCommand() {
  return new Command("report")
    .description("Re-render a saved result (result.json or load-result.json) with other reporters")
    .argument("<file>", "a result.json written by check, or a load-result.json written by load")
    .option(
      "--reporter <names>",
      `comma-separated: ${reporterNames().join(", ")} (load results: html)`,
      "console",
    )
    .option("--out <dir>", "directory for report files", "out")
    .action(async (file, opts) => {
      const text = await _read(file);
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (e) {
        throw new UsageError(
          `Cannot read result file ${file}: invalid JSON: ${(e as Error).message}`,
        );
      }
      if ((parsed as { kind?: unknown } | null)?.kind === "load") {
        if (!_isLoadDocument(parsed)) {
          throw new UsageError(
            `Cannot read result file ${file}: not a version 1 load result (kind, schemaVersion, summary, timeline)`,
          );
        }
        if (opts.reporter.split(",").map((r) => r.trim()).some((r) => r !== "html")) {
          throw new UsageError(
            `Cannot render a load result with reporter "${opts.reporter}": expected html`,
          );
        }
        await Deno.mkdir(opts.out, { recursive: true });
        const path = join(opts.out, loadHtmlReporter.fileName);
        await Deno.writeTextFile(path, loadHtmlReporter.render(parsed));
        console.log(`wrote ${path}`);
        return;
      }
      let names: string[];
      let doc;
      try {
        names = parseReporterList(opts.reporter);
        doc = parseResult(text, file);
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      const written = await writeReports(doc, names, opts.out, { color: useColor() });
      for (const w of written) {
        if (w.text !== undefined) console.log(w.text);
        else console.log(`wrote ${w.path}`);
      }
    });
}
