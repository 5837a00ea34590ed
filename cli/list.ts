/**
 * `list`: every check with its requirement ids, the profiles it applies to and its sources.
 *
 * @module
 */

import { Command, Option } from "@commander-js/extra-typings";
import Table from "cli-table3";
import { PROFILE_NAMES, PROFILES } from "../smsgate/profiles.ts";
import { Engine } from "../suites/engine.ts";
import type { Check } from "../suites/model.ts";
import { ALL_CHECKS, selectChecks } from "../suites/registry.ts";
import { findRequirement } from "../suites/requirements.ts";
import { UsageError } from "./errors.ts";
import { parseList } from "./options.ts";

/** One row of the listing. */
export interface CheckListing {
  id: string;
  suite: string;
  title: string;
  requirements: { id: string; statement: string; source: string; link: string }[];
  profiles: string[];
  needs: string[];
}

/** Lists checks with the profiles they apply to. */
export function listChecks(checks: readonly Check[]): CheckListing[] {
  const engines = PROFILE_NAMES.map((p) =>
    [
      p,
      new Engine({
        url: "http://127.0.0.1",
        username: "",
        password: "",
        profile: PROFILES[p],
        allowSend: true,
        timeoutMs: 1,
      }),
    ] as const
  );
  return checks.map((c) => ({
    id: c.id,
    suite: c.suite,
    title: c.title,
    requirements: c.requirements.map((id) => {
      const r = findRequirement(id)!;
      return { id, statement: r.statement, source: r.source, link: r.link };
    }),
    profiles: engines.filter(([, e]) => e.applies(c) === null).map(([p]) => p),
    needs: [
      ...(c.needsSecret ? ["--jwt-secret"] : []),
      ...(c.sideEffect ? ["--allow-send"] : []),
    ],
  }));
}

/** Builds the `list` command. */
export function listCommand() {
  return new Command("list")
    .description("List checks with requirement ids, the profiles they apply to and their sources")
    .option("--suite <names>", "comma-separated suites (default: all)", parseList, [] as string[])
    .addOption(
      new Option("--format <format>", "output format").choices(["table", "json"]).default("table"),
    )
    .action((opts) => {
      let checks: Check[];
      try {
        checks = selectChecks(opts.suite, ALL_CHECKS);
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      const rows = listChecks(checks);
      if (opts.format === "json") {
        console.log(JSON.stringify(rows, null, 2));
        return;
      }
      const tty = Deno.stdout.isTerminal();
      const table = new Table({
        head: ["check", "suite", "requirements", "profiles", "title"],
        style: tty ? {} : { head: [], border: [] },
        ...(tty ? {} : {
          chars: {
            "top": "",
            "top-mid": "",
            "top-left": "",
            "top-right": "",
            "bottom": "",
            "bottom-mid": "",
            "bottom-left": "",
            "bottom-right": "",
            "left": "",
            "left-mid": "",
            "mid": "",
            "mid-mid": "",
            "right": "",
            "right-mid": "",
            "middle": "  ",
          },
        }),
      });
      for (const r of rows) {
        table.push([
          r.id,
          r.suite,
          r.requirements.map((q) => q.id).join(" "),
          r.profiles.join(" ") + (r.needs.length ? ` (needs ${r.needs.join(", ")})` : ""),
          r.title,
        ]);
      }
      console.log(table.toString());
      const reqs = new Map(rows.flatMap((r) => r.requirements.map((q) => [q.id, q] as const)));
      console.log(`\n${rows.length} checks covering ${reqs.size} requirements:`);
      for (const q of [...reqs.values()].sort((a, b) => a.id.localeCompare(b.id))) {
        console.log(`  ${q.id}  ${q.statement}\n      source: ${q.source}\n      ${q.link}`);
      }
    });
}
