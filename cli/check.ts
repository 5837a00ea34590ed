/**
 * `check`: run the conformance suites against a deployment (or the embedded reference server)
 * and write reports.
 *
 * @module
 */

import { Command, Option } from "@commander-js/extra-typings";
import pc from "picocolors";
import { parseReporterList, writeReports } from "../reports/registry.ts";
import { getProfile, PROFILE_NAMES, type ProfileName } from "../smsgate/profiles.ts";
import { detectProfile, UnreachableError } from "../suites/detect.ts";
import type { Check } from "../suites/model.ts";
import { ALL_CHECKS, selectChecks } from "../suites/registry.ts";
import type { ConformanceResult, Detection } from "../suites/result.ts";
import { runConformance } from "../suites/runner.ts";
import { loadSuiteFile, SuiteFileError } from "../suites/suite_file.ts";
import { parseDuration } from "../load/duration.ts";
import { ExitCode, UsageError } from "./errors.ts";
import { parseList } from "./options.ts";
import { useColor } from "./output.ts";
import { embeddedTarget, type ResolvedTarget, resolveExplicitTarget } from "./target.ts";

/** Options of one check run (what the command parsed). */
export interface CheckRunOptions {
  target?: string;
  username?: string;
  password?: string;
  profile?: string;
  suite: string[];
  suiteFile: string[];
  reporter: string;
  out: string;
  allowSend?: boolean;
  phone?: string;
  jwtSecret?: string;
  timeout: string;
  concurrency: number;
}

function _timeoutMs(value: string): number {
  try {
    const ms = parseDuration(value);
    if (ms > 0) return ms;
  } catch {
    // reported below
  }
  throw new UsageError(
    `Cannot parse --timeout "${value}": expected a duration such as 10s or 500ms`,
  );
}

async function _checks(o: CheckRunOptions): Promise<Check[]> {
  const extra: Check[] = [];
  for (const f of o.suiteFile) {
    try {
      extra.push(...await loadSuiteFile(f));
    } catch (e) {
      if (e instanceof SuiteFileError) throw new UsageError(e.message);
      throw e;
    }
  }
  const all = [...ALL_CHECKS, ...extra];
  const dup = extra.find((c) => ALL_CHECKS.some((b) => b.id === c.id));
  if (dup) {
    throw new UsageError(`Cannot load check "${dup.id}": a built-in check has that id; rename it`);
  }
  try {
    // Only user checks when just suite files are given; else the named suites.
    if (o.suiteFile.length && o.suite.length === 0) return extra;
    return selectChecks(o.suite, all);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** Runs one target (one profile) and returns its result document. */
async function _runOne(
  o: CheckRunOptions,
  checks: Check[],
  t: ResolvedTarget,
  profileArg: string | undefined,
): Promise<ConformanceResult> {
  const timeoutMs = _timeoutMs(o.timeout);
  let detection: Detection | undefined;
  let profile: ProfileName;
  const auto = profileArg === undefined || profileArg === "auto";
  try {
    const found = await detectProfile(t.url, t.username, t.password, { timeoutMs });
    detection = { profile: found.profile, evidence: found.evidence };
    if (found.credentialsRefused) {
      throw new UsageError(
        `The target refused the credentials (${
          found.evidence.at(-1)
        }): check --username and SMSGATE_PASSWORD`,
      );
    }
    if (auto) {
      if (!found.profile) {
        throw new UsageError(
          `Cannot detect the deployment profile:\n  ${
            found.evidence.join("\n  ")
          }\nPass --profile ${PROFILE_NAMES.join("|")}`,
        );
      }
      profile = found.profile;
    } else {
      profile = getProfile(profileArg).name;
    }
  } catch (e) {
    if (e instanceof UnreachableError) throw e;
    if (e instanceof UsageError) throw e;
    throw new UsageError((e as Error).message);
  }
  return await runConformance({
    target: {
      url: t.url,
      username: t.username,
      password: t.password,
      profile: getProfile(profile),
      jwtSecret: o.jwtSecret || Deno.env.get("SMSGATE_JWT_SECRET") ||
        t.embedded?.app.tokens.secretText,
      allowSend: !!o.allowSend,
      phone: o.phone,
      timeoutMs,
    },
    checks,
    profileSource: auto ? "auto" : "explicit",
    detection,
    embedded: !!t.embedded,
    concurrency: o.concurrency,
  });
}

/** Runs the command; returns the exit code. */
export async function runCheck(o: CheckRunOptions): Promise<number> {
  const reporters = (() => {
    try {
      return parseReporterList(o.reporter);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  })();
  if (o.allowSend && !o.phone) {
    throw new UsageError(
      "Cannot use --allow-send without --phone: give the test recipient in E.164, e.g. +15550001234",
    );
  }
  if (o.phone && !/^\+[1-9][0-9]{6,14}$/.test(o.phone)) {
    throw new UsageError(`Cannot parse --phone "${o.phone}": expected E.164, e.g. +15550001234`);
  }
  if (o.profile !== undefined && o.profile !== "auto" && o.profile !== "all") getProfile(o.profile);
  const checks = await _checks(o);
  const explicit = resolveExplicitTarget(o);
  if (explicit && o.profile === "all") {
    throw new UsageError(
      "Cannot use --profile all with --target: it checks the embedded server in every profile",
    );
  }
  const embeddedProfiles: string[] = explicit
    ? []
    : o.profile === undefined || o.profile === "all"
    ? [...PROFILE_NAMES]
    : [o.profile === "auto" ? "server" : o.profile];
  const color = useColor();
  const docs: ConformanceResult[] = [];
  const runs = explicit
    ? [{ target: { ...explicit } as ResolvedTarget, profile: o.profile, dir: o.out }]
    : await Promise.all(embeddedProfiles.map(async (p) => ({
      target: await embeddedTarget(p),
      profile: o.profile === "auto" ? "auto" : p,
      dir: embeddedProfiles.length > 1 ? `${o.out}/${p}` : o.out,
    })));
  try {
    const results = await Promise.all(runs.map((r) => _runOne(o, checks, r.target, r.profile)));
    for (const [i, doc] of results.entries()) {
      docs.push(doc);
      const written = await writeReports(doc, reporters, runs[i].dir, { color });
      for (const w of written) {
        if (w.text !== undefined) console.log(w.text);
      }
      const files = written.filter((w) => w.path).map((w) => w.path);
      if (files.length) console.log(pc.dim(`reports: ${files.join(", ")}`));
    }
  } finally {
    await Promise.all(runs.map((r) => r.target.embedded?.close()));
  }
  if (docs.length > 1) {
    const sum = (k: keyof ConformanceResult["summary"]) =>
      docs.reduce((n, d) => n + d.summary[k], 0);
    console.log(
      `\nall profiles (${docs.map((d) => d.target.profile).join(", ")}): ${sum("total")} checks, ${
        sum("passed")
      } passed, ${sum("failed")} failed, ${sum("skipped")} skipped, ${sum("errors")} errors`,
    );
  }
  if (docs.some((d) => d.summary.failed > 0)) return ExitCode.checkFailed;
  if (docs.some((d) => d.summary.errors > 0)) return ExitCode.unreachable;
  return ExitCode.ok;
}

/** Builds the `check` command; `onExit` receives the exit code. */
export function checkCommand(onExit: (code: number) => void) {
  return new Command("check")
    .description(
      "Run the conformance suites against a deployment (default: the embedded reference server)",
    )
    .option(
      "--target <url>",
      "API root of the deployment (env SMSGATE_URL); omit to check the embedded server",
    )
    .option("--username <user>", "Basic username (env SMSGATE_USERNAME)")
    .option(
      "--password <password>",
      "Basic password (prefer env SMSGATE_PASSWORD: flags are visible in ps)",
    )
    .addOption(
      new Option(
        "--profile <name>",
        "auto (probe the target), a profile, or all (embedded only; the default without --target)",
      ).choices(["auto", "all", ...PROFILE_NAMES]),
    )
    .option(
      "--suite <names>",
      "comma-separated suites to run (default: all)",
      parseList,
      [] as string[],
    )
    .option(
      "--suite-file <file>",
      "YAML/JSON file of extra checks (repeatable; alone, runs only these)",
      (v: string, prev: string[]) => [...prev, v],
      [] as string[],
    )
    .option("--reporter <names>", "comma-separated: console, junit, json", "console")
    .option("--out <dir>", "directory for report files", "out")
    .option("--allow-send", "run checks with side effects (real sends); needs --phone")
    .option("--phone <e164>", "test recipient for --allow-send, e.g. +15550001234")
    .option(
      "--jwt-secret <secret>",
      "the deployment's JWT secret (env SMSGATE_JWT_SECRET): enables signed-token checks",
    )
    .option("--timeout <duration>", "per-request timeout", "10s")
    .option("--concurrency <n>", "checks in flight at once", (v: string) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 256) {
        throw new UsageError(
          `Cannot parse --concurrency "${v}": expected a whole number from 1 to 256`,
        );
      }
      return n;
    }, 16)
    .addHelpText(
      "after",
      `
Examples:
  npm start -- check                                   # embedded server, every profile
  SMSGATE_PASSWORD=... npm start -- check --target https://api.sms-gate.app/3rdparty/v1 --username ABCDEF
  npm start -- check --target http://phone:8080 --username sms --profile local --reporter console,junit --out out
  npm start -- check --suite revocation,refresh --suite-file my-checks.yaml

Exit codes: 0 all passed, 1 a check failed, 2 usage error, 3 target unreachable or a check could not complete.`,
    )
    .action(async (opts) => {
      onExit(await runCheck(opts as CheckRunOptions));
    });
}
