/**
 * `check`: run the conformance suites against a deployment (or the embedded reference server)
 * and write reports.
 *
 * @module
 */

import { Command, Option } from "@commander-js/extra-typings";
import pc from "picocolors";
import { renderMarkdown } from "../reports/markdown.ts";
import { parseReporterList, reporterNames, writeReports } from "../reports/registry.ts";
import { getProfile, PROFILE_NAMES, type ProfileName } from "../smsgate/profiles.ts";
import { detectProfile, UnreachableError } from "../suites/detect.ts";
import {
  applyBaseline,
  type Baseline,
  BaselineError,
  baselineFromResults,
  countedFailures,
  loadBaseline,
  renderBaseline,
} from "../suites/baseline.ts";
import type { Check } from "../suites/model.ts";
import { ALL_CHECKS, selectChecks } from "../suites/registry.ts";
import type { ConformanceResult, Detection } from "../suites/result.ts";
import { runConformance, unreachableResult } from "../suites/runner.ts";
import { loadSuiteFile, SuiteFileError } from "../suites/suite_file.ts";
import { DEFAULT_MAX_BODY_BYTES } from "../suites/engine.ts";
import { ExitCode, UsageError } from "./errors.ts";
import { z } from "zod";
import { byteSize, durationMs, e164, parseFlags, parseList, wholeNumber } from "./options.ts";
import { useColor, warn } from "./output.ts";
import {
  embeddedTarget,
  type ResolvedTarget,
  resolveExplicitTarget,
  withTargetOptions,
} from "./target.ts";

/** The flags of `check`, validated with zod (commander only collects the strings). */
export const CheckFlags = z.object({
  target: z.string().optional(),
  username: z.string().min(1, "expected a user name").optional(),
  password: z.string().optional(),
  passwordFile: z.string().min(1, "expected a file path").optional(),
  profile: z.enum(["auto", "all", ...PROFILE_NAMES]).optional(),
  suite: z.array(z.string()),
  suiteFile: z.array(z.string().min(1, "expected a file path")),
  reporter: z.string(),
  out: z.string().min(1, "expected a directory"),
  allowSend: z.boolean().optional(),
  phone: e164.optional(),
  jwtSecret: z.string().optional(),
  timeout: durationMs,
  maxBody: byteSize.default(DEFAULT_MAX_BODY_BYTES),
  concurrency: wholeNumber(1, 256).default(16),
  /** Baseline of expected failures to compare the run with. */
  baseline: z.string().min(1, "expected a file path").optional(),
  /** Write the run's failures as a baseline to this file (exit 0). */
  writeBaseline: z.string().min(1, "expected a file path").optional(),
  /** Reason of every entry written by --write-baseline. */
  baselineReason: z.string().min(1, "expected a reason").optional(),
});

/** Options of one check run, validated. */
export type CheckRunOptions = z.output<typeof CheckFlags>;

/** The checks to run, and every check that exists (built-in and suite files). */
async function _checks(o: CheckRunOptions): Promise<{ selected: Check[]; known: Check[] }> {
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
    if (o.suiteFile.length && o.suite.length === 0) return { selected: extra, known: all };
    return { selected: selectChecks(o.suite, all), known: all };
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
  const timeoutMs = o.timeout;
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
    if (e instanceof UnreachableError) {
      // Reports are still written: every check is an error naming the cause (exit 3).
      return unreachableResult({
        url: t.url,
        profile: auto ? "unknown" : getProfile(profileArg!).name,
        checks,
        profileSource: auto ? "auto" : "explicit",
        embedded: !!t.embedded,
      }, e.message);
    }
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
      maxBodyBytes: o.maxBody,
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
  if (o.profile !== undefined && o.profile !== "auto" && o.profile !== "all") getProfile(o.profile);
  if (o.baselineReason !== undefined && o.writeBaseline === undefined) {
    throw new UsageError(
      "Cannot use --baseline-reason without --write-baseline: it sets the reason of the entries written",
    );
  }
  const { selected: checks, known } = await _checks(o);
  const baseline = o.baseline === undefined
    ? undefined
    : await _loadBaseline(o.baseline, known.map((c) => c.id));
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
    for (const [i, raw] of results.entries()) {
      const doc = baseline ? applyBaseline(raw, baseline, o.baseline!) : raw;
      docs.push(doc);
      const written = await writeReports(doc, reporters, runs[i].dir, { color });
      for (const w of written) {
        // An unreachable target gets one clear line (below), not a report full of errors.
        if (w.text !== undefined && doc.unreachable === undefined) console.log(w.text);
      }
      const files = written.filter((w) => w.path).map((w) => w.path);
      if (files.length) console.log(pc.dim(`reports: ${files.join(", ")}`));
      await _appendStepSummary(doc);
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
  if (o.writeBaseline !== undefined) {
    await _writeBaseline(o.writeBaseline, docs, o.baselineReason, baseline);
    return ExitCode.ok;
  }
  const unreachable = docs.find((d) => d.unreachable !== undefined);
  if (unreachable) {
    console.error(`error: ${unreachable.unreachable}`);
    return ExitCode.unreachable;
  }
  return exitCodeOf(docs);
}

/**
 * The exit code of finished runs: 1 when a check failed that no baseline lists, or a listed
 * check passes now (printing which to remove); else 3 when a check could not complete and no
 * baseline lists it; else 0.
 */
export function exitCodeOf(docs: readonly ConformanceResult[]): number {
  const multi = docs.length > 1;
  for (const doc of docs) {
    for (const id of doc.baseline?.fixed ?? []) {
      console.error(
        `baseline: ${id} passes now${multi ? ` on ${doc.target.profile}` : ""} but ${
          doc.baseline!.file
        } lists it as an expected failure: remove it from the baseline`,
      );
    }
  }
  const counted = docs.flatMap(countedFailures);
  if (counted.some((c) => c.status === "fail")) return ExitCode.checkFailed;
  if (docs.some((d) => (d.baseline?.fixed.length ?? 0) > 0)) return ExitCode.checkFailed;
  if (counted.length > 0) return ExitCode.unreachable;
  return ExitCode.ok;
}

async function _loadBaseline(file: string, knownIds: string[]): Promise<Baseline> {
  try {
    return await loadBaseline(file, { knownIds });
  } catch (e) {
    if (e instanceof BaselineError) throw new UsageError(e.message);
    throw e;
  }
}

async function _writeBaseline(
  file: string,
  docs: readonly ConformanceResult[],
  reason: string | undefined,
  previous: Baseline | undefined,
): Promise<void> {
  const written = baselineFromResults(docs, { reason, previous });
  try {
    await Deno.writeTextFile(file, renderBaseline(written, file));
  } catch (e) {
    throw new UsageError(`Cannot write baseline file ${file}: ${(e as Error).message}`);
  }
  const n = written.expectedFailures.length;
  console.log(
    `wrote baseline ${file}: ${n} expected ${n === 1 ? "failure" : "failures"}` +
      (n && reason === undefined
        ? " (reasons are the failure messages: edit them to say why)"
        : ""),
  );
}

/** Appends the Markdown summary to `$GITHUB_STEP_SUMMARY` when set (GitHub Actions). */
async function _appendStepSummary(doc: ConformanceResult): Promise<void> {
  const file = Deno.env.get("GITHUB_STEP_SUMMARY");
  if (!file) return;
  try {
    await Deno.writeTextFile(file, renderMarkdown(doc) + "\n", { append: true, create: true });
  } catch (e) {
    warn(`cannot append the summary to GITHUB_STEP_SUMMARY (${file}): ${(e as Error).message}`);
  }
}

/** Builds the `check` command; `onExit` receives the exit code. */
export function checkCommand(onExit: (code: number) => void) {
  return withTargetOptions(
    new Command("check")
      .description(
        "Run the conformance suites against a deployment (default: the embedded reference server)",
      ),
    "check",
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
    .option("--reporter <names>", `comma-separated: ${reporterNames().join(", ")}`, "console")
    .option("--out <dir>", "directory for report files", "out")
    .option("--allow-send", "run checks with side effects (real sends); needs --phone")
    .option("--phone <e164>", "test recipient for --allow-send, e.g. +15550001234")
    .option(
      "--jwt-secret <secret>",
      "the deployment's JWT secret (env SMSGATE_JWT_SECRET): enables signed-token checks",
    )
    .option(
      "--baseline <file>",
      "YAML/JSON list of expected failures: those do not fail the run; new failures and listed checks that pass do",
    )
    .option(
      "--write-baseline <file>",
      "write this run's failures as a baseline (YAML, or JSON for .json) and exit 0",
    )
    .option(
      "--baseline-reason <text>",
      "reason of every entry --write-baseline writes (default: each failure's message)",
    )
    .option("--timeout <duration>", "per-request timeout, response body included", "10s")
    .option("--max-body <size>", "largest response body read, e.g. 1MiB (default 1MiB)")
    .option("--concurrency <n>", "checks in flight at once (default 16)")
    .addHelpText(
      "after",
      `
Examples:
  npm start -- check                                   # embedded server, every profile
  SMSGATE_PASSWORD=... npm start -- check --target https://api.sms-gate.app/3rdparty/v1 --username ABCDEF
  npm start -- check --target http://phone:8080 --username sms --profile local --reporter console,junit --out out
  npm start -- check --suite revocation,refresh --suite-file my-checks.yaml
  npm start -- check --target URL --username U --write-baseline ci/baseline.yaml   # record known failures
  npm start -- check --target URL --username U --baseline ci/baseline.yaml --reporter console,html,markdown

With GITHUB_STEP_SUMMARY set (GitHub Actions), the Markdown summary is appended to that file.

Exit codes: 0 all passed, 1 a check failed (with --baseline: a new failure, or a listed check passes), 2 usage error, 3 target unreachable or a check could not complete.`,
    )
    .action(async (opts) => {
      onExit(await runCheck(parseFlags(CheckFlags, opts)));
    });
}
