/**
 * Baselines of expected failures (`check --baseline FILE`, `check --write-baseline FILE`).
 *
 * A baseline lists the checks known to fail on a target, each with a reason, optionally only for
 * one profile:
 *
 * ```yaml
 * version: 1
 * expectedFailures:
 *   - id: REVOKE-PAIRED-REFRESH
 *     reason: "Refresh tokens survive revocation until 2.3 (issue #123)"
 *     profile: server            # optional: only when the run's profile is server
 * ```
 *
 * Semantics (design brief section 3), per run and only for entries that apply to its profile:
 * a listed check that fails (or errors) is an expected failure and does not fail the run; a
 * failing check that is not listed is a new failure and fails the run; a listed check that
 * passes fails the run too, so the list shrinks as fixes land (remove it from the file). Listed
 * checks that were skipped or not selected count as neither. An id that names no check at all is
 * a configuration error. Files are YAML or JSON (YAML is a superset of JSON); every problem
 * points at `file:line:col` and the path in the file.
 *
 * @module
 */

import { stringify } from "yaml";
import { z } from "zod";
import { PROFILE_NAMES } from "../smsgate/profiles.ts";
import type { BaselineOutcome, CheckResult, ConformanceResult } from "./result.ts";
import { formatPath, readYamlFile } from "./_yaml_file.ts";

/** One expected failure. */
export const BaselineEntrySchema = z.strictObject({
  /** The check id, e.g. `REVOKE-PAIRED-REFRESH`. */
  id: z.string().min(1, "expected a check id"),
  /** Why it is expected to fail (an issue link, a version, a decision). */
  reason: z.string().trim().min(1, "expected a reason: say why this check is expected to fail"),
  /** Only when the run's profile is this one; absent: every profile. */
  profile: z.enum(PROFILE_NAMES).optional(),
});
/** One expected failure. */
export type BaselineEntry = z.infer<typeof BaselineEntrySchema>;

/** A baseline file. */
export const BaselineSchema = z.strictObject({
  version: z.literal(1),
  expectedFailures: z.array(BaselineEntrySchema),
});
/** A baseline file. */
export type Baseline = z.infer<typeof BaselineSchema>;

/** A baseline file that cannot be used; `problems` are `file:line:col: path: message` lines. */
export class BaselineError extends Error {
  /** Each problem on its own line. */
  readonly problems: string[];
  /** Creates the error. */
  constructor(file: string, problems: string[]) {
    super(`Invalid baseline file ${file}:\n  ${problems.join("\n  ")}`);
    this.name = "BaselineError";
    this.problems = problems;
  }
}

/** Options of {@linkcode parseBaselineText} and {@linkcode loadBaseline}. */
export interface BaselineParseOptions {
  /** Every check id that exists (built-in and suite files); listed ids must be among them. */
  knownIds?: Iterable<string>;
}

/**
 * Parses and validates baseline text; `file` names it in errors. Also refuses an entry listed
 * twice (same id and profile) and, with `knownIds`, ids that name no check.
 */
export function parseBaselineText(
  text: string,
  file: string,
  options: BaselineParseOptions = {},
): Baseline {
  const yaml = readYamlFile(text, file);
  if (yaml.problems.length) throw new BaselineError(file, yaml.problems);
  const at = yaml.at;
  const parsed = BaselineSchema.safeParse(yaml.data);
  if (!parsed.success) {
    throw new BaselineError(
      file,
      parsed.error.issues.map((issue) => {
        const path = issue.path as (string | number)[];
        return `${at(path)}: ${formatPath(path)}: ${_message(issue)}`;
      }),
    );
  }
  const problems: string[] = [];
  const known = options.knownIds ? new Set(options.knownIds) : undefined;
  const seen = new Map<string, number>();
  parsed.data.expectedFailures.forEach((entry, i) => {
    const path = ["expectedFailures", i, "id"];
    if (known && !known.has(entry.id)) {
      problems.push(
        `${at(path)}: ${formatPath(path)}: no check has the id "${entry.id}": ` +
          "fix the id or remove the entry (run `list` to see every check)",
      );
    }
    const key = `${entry.id}\u0000${entry.profile ?? ""}`;
    const first = seen.get(key);
    if (first !== undefined) {
      problems.push(
        `${at(path)}: ${formatPath(path)}: "${entry.id}"${
          entry.profile ? ` (profile ${entry.profile})` : ""
        } is already listed at expectedFailures[${first}]: remove one of them`,
      );
    } else seen.set(key, i);
  });
  if (problems.length) throw new BaselineError(file, problems);
  return parsed.data;
}

function _message(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_value": {
      const values = issue.values.map(String);
      return values.length === 1 ? `expected ${values[0]}` : `expected one of ${values.join(", ")}`;
    }
    case "unrecognized_keys":
      return `unknown ${issue.keys.length === 1 ? "key" : "keys"} ${
        issue.keys.map((k) => `"${k}"`).join(", ")
      }: expected version and expectedFailures (entries: id, reason, profile)`;
    case "invalid_type":
      return /received undefined/.test(issue.message)
        ? `missing (expected ${issue.expected})`
        : `expected ${issue.expected}`;
    default:
      return issue.message.replace(/^Invalid input: /, "");
  }
}

/** Reads and validates a baseline file (see {@linkcode parseBaselineText}). */
export async function loadBaseline(
  path: string,
  options: BaselineParseOptions = {},
): Promise<Baseline> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    const why = e instanceof Deno.errors.NotFound
      ? "no such file"
      : e instanceof Deno.errors.IsADirectory
      ? "it is a directory"
      : (e as Error).message;
    throw new BaselineError(path, [`${path}: cannot read: ${why}`]);
  }
  return parseBaselineText(text, path, options);
}

/** The entries of `baseline` that apply to a run on `profile`. */
export function entriesFor(baseline: Baseline, profile: string): BaselineEntry[] {
  return baseline.expectedFailures.filter((e) => e.profile === undefined || e.profile === profile);
}

function _failing(check: CheckResult): boolean {
  return check.status === "fail" || check.status === "error";
}

/**
 * The document compared with the baseline: a copy with `baseline` (expected failures, fixed,
 * unexpected) set, `expectedFailure: true` on listed failing checks, and `baselineReason` on
 * every listed check that ran. Statuses and summary counts are left as they were observed.
 */
export function applyBaseline(
  doc: ConformanceResult,
  baseline: Baseline,
  file: string,
): ConformanceResult {
  const out = structuredClone(doc);
  const listed = new Map<string, string>();
  // A profile-specific entry wins over a general one for its reason.
  for (const entry of entriesFor(baseline, doc.target.profile)) {
    if (!listed.has(entry.id) || entry.profile !== undefined) listed.set(entry.id, entry.reason);
  }
  const outcome: BaselineOutcome = { file, expectedFailures: [], fixed: [], unexpected: [] };
  for (const check of out.checks) {
    delete check.expectedFailure;
    delete check.baselineReason;
    const reason = listed.get(check.id);
    if (reason === undefined) {
      if (_failing(check)) outcome.unexpected.push(check.id);
      continue;
    }
    if (_failing(check)) {
      check.expectedFailure = true;
      check.baselineReason = reason;
      outcome.expectedFailures.push(check.id);
    } else if (check.status === "pass") {
      check.baselineReason = reason;
      outcome.fixed.push(check.id);
    }
  }
  out.baseline = outcome;
  return out;
}

/** Failing checks that count against the run: with a baseline, only those it does not list. */
export function countedFailures(doc: ConformanceResult): CheckResult[] {
  return doc.checks.filter((c) => _failing(c) && !c.expectedFailure);
}

/** Options of {@linkcode baselineFromResults}. */
export interface WriteBaselineOptions {
  /** The reason of every entry; default: the earlier baseline's reason, else the failure message. */
  reason?: string;
  /** An earlier baseline whose reasons are kept for checks still failing. */
  previous?: Baseline;
}

const REASON_LIMIT = 200;

function _reasonFrom(check: CheckResult): string {
  const first = (check.message ?? "").split(/\r?\n/)[0].trim() ||
    (check.status === "error" ? "the check could not complete" : "the check failed");
  const chars = Array.from(first);
  return chars.length > REASON_LIMIT ? `${chars.slice(0, REASON_LIMIT - 1).join("")}…` : first;
}

/**
 * A baseline listing the failing (and erroring) checks of the given runs. With one run the
 * entries carry no profile. With several (e.g. every embedded profile) a check failing on every
 * run where it ran gets one entry without profile, otherwise one entry per profile it failed on.
 */
export function baselineFromResults(
  docs: readonly ConformanceResult[],
  options: WriteBaselineOptions = {},
): Baseline {
  const previousReason = (id: string, profile?: string) => {
    const entries = options.previous?.expectedFailures ?? [];
    return (entries.find((e) => e.id === id && e.profile === profile) ??
      entries.find((e) => e.id === id && e.profile === undefined) ??
      entries.find((e) => e.id === id))?.reason;
  };
  const reasonFor = (check: CheckResult, profile?: string) =>
    options.reason ?? previousReason(check.id, profile ?? check.profile) ?? _reasonFrom(check);
  const entries: BaselineEntry[] = [];
  const ids: string[] = [];
  for (const doc of docs) {
    for (const check of doc.checks) {
      if (_failing(check) && !ids.includes(check.id)) ids.push(check.id);
    }
  }
  for (const id of ids) {
    const runs = docs.map((doc) => ({ doc, check: doc.checks.find((c) => c.id === id) }))
      .filter((r) => r.check !== undefined && r.check.status !== "skip");
    const failing = runs.filter((r) => _failing(r.check!));
    if (failing.length === runs.length) {
      entries.push({ id, reason: reasonFor(failing[0].check!) });
      continue;
    }
    for (const r of failing) {
      const profile = r.doc.target.profile as BaselineEntry["profile"];
      entries.push({ id, reason: reasonFor(r.check!, profile), profile });
    }
  }
  return { version: 1, expectedFailures: entries };
}

/** Whether `path` should be written as JSON (a `.json` name) rather than YAML. */
export function isJsonPath(path: string): boolean {
  return /\.json$/i.test(path);
}

/** The text of a baseline file: JSON for `.json` paths, else YAML with an explanatory header. */
export function renderBaseline(baseline: Baseline, path: string): string {
  if (isJsonPath(path)) return JSON.stringify(baseline, null, 2) + "\n";
  const header = [
    "# Expected failures for smsgate-testkit `check --baseline`.",
    "# A listed check that fails does not fail the run; one that passes again does: remove it.",
    "# Each entry: id, reason (why it is expected to fail), optional profile.",
  ].join("\n");
  return `${header}\n${stringify(baseline, { lineWidth: 0 })}`;
}
