/**
 * `report`: re-render a saved result document with other reporters.
 *
 * @module
 */

import { Command } from "@commander-js/extra-typings";
import { readResultFile } from "../reports/json.ts";
import { parseReporterList, reporterNames, writeReports } from "../reports/registry.ts";
import { UsageError } from "./errors.ts";
import { useColor } from "./output.ts";

/** Builds the `report` command. */
export function reportCommand() {
  return new Command("report")
    .description("Re-render a saved result (result.json) with other reporters")
    .argument("<file>", "a result.json written by check --reporter json")
    .option("--reporter <names>", `comma-separated: ${reporterNames().join(", ")}`, "console")
    .option("--out <dir>", "directory for report files", "out")
    .action(async (file, opts) => {
      let names: string[];
      let doc;
      try {
        names = parseReporterList(opts.reporter);
        doc = await readResultFile(file);
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
