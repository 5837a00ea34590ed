/**
 * The console reporter: what a person reads after `check`. A header (target, profile and how it
 * was chosen), checks grouped by suite one line each, failure details with the failing exchange,
 * the requirement coverage summary, and the totals line. Colors only when asked for.
 *
 * Text from the document (titles, messages, headers, bodies a server sent) is printed with
 * terminal control characters made visible, so a hostile response cannot drive the terminal.
 *
 * @module
 */

import pc from "picocolors";
import type { CheckResult, CheckStatus, ConformanceResult } from "../suites/result.ts";
import {
  failingExchange,
  FAILURE_BODY_LIMIT,
  failureDetails,
  formatDuration,
  formatExchange,
  formatTranscript,
  groupBySuite,
  plural,
  profileChoice,
  totalsLine,
  TRANSCRIPT_BODY_LIMIT,
} from "./_format.ts";
import type { RenderOptions, Reporter } from "./registry.ts";

/** Status marks: pass ✓, fail ✗, skip -, error !. */
export const STATUS_MARKS: Readonly<Record<CheckStatus, string>> = {
  pass: "✓",
  fail: "✗",
  skip: "-",
  error: "!",
};

type Colors = ReturnType<typeof pc.createColors>;

const ID_WIDTH_MAX = 32;
const DETAIL_INDENT = "      ";
const TRANSCRIPT_INDENT = "        ";

/** Renders the console report; ends with a newline. */
export function renderConsole(doc: ConformanceResult, opts: RenderOptions): string {
  const c = pc.createColors(opts.color);
  const safe = _visibleDeep(doc);
  const lines: string[] = [];
  lines.push(..._header(safe, c), "");
  lines.push(..._checks(safe, c, opts.verbose ?? false));
  lines.push(..._coverage(safe, c), "");
  if (safe.baseline) lines.push(..._baseline(safe, c), "");
  const s = safe.summary;
  const expected = safe.baseline?.expectedFailures.length ?? 0;
  const totals = totalsLine(safe) +
    (expected ? ` (${expected} expected ${plural(expected, "failure")}, baseline)` : "");
  const failing = safe.baseline
    ? safe.baseline.unexpected.length + safe.baseline.fixed.length
    : s.failed + s.errors;
  lines.push(failing > 0 ? c.bold(c.red(totals)) : c.bold(c.green(totals)));
  return lines.join("\n") + "\n";
}

/** The console reporter: printed by the caller, never written to a file. */
export const consoleReporter: Reporter = {
  name: "console",
  description: "human-readable summary on standard output (colors on a TTY unless NO_COLOR)",
  render: renderConsole,
};

function _header(doc: ConformanceResult, c: Colors): string[] {
  const { target } = doc;
  const where = target.embedded ? c.dim(" (embedded reference server)") : "";
  const lines = [
    c.bold(`${doc.tool.name} ${doc.tool.version}`) + c.dim(" conformance check"),
    `${c.dim("target ")}  ${target.url}${where}`,
    `${c.dim("profile")}  ${c.bold(target.profile)} ${c.dim(`(${profileChoice(doc)})`)}`,
  ];
  if (target.profileSource === "auto" && target.detection) {
    for (const evidence of target.detection.evidence) {
      lines.push(`           ${c.dim("·")} ${evidence}`);
    }
  }
  lines.push(`${c.dim("started")}  ${doc.startedAt}`);
  return lines;
}

function _checks(doc: ConformanceResult, c: Colors, verbose: boolean): string[] {
  const idWidth = Math.min(
    ID_WIDTH_MAX,
    doc.checks.reduce((w, check) => Math.max(w, Array.from(check.id).length), 0),
  );
  const lines: string[] = [];
  for (const [suite, checks] of groupBySuite(doc.checks)) {
    // Checks that do not apply to this deployment are folded into one line unless verbose.
    const folded = verbose ? [] : checks.filter(_notApplicable);
    const shown = checks.filter((check) => !folded.includes(check));
    const count = c.dim(` (${checks.length} ${plural(checks.length, "check")})`);
    if (shown.length === 0) {
      lines.push(c.bold(suite) + count + c.dim(` not applicable to ${doc.target.profile}`));
      continue;
    }
    lines.push(c.bold(suite) + count);
    for (const check of shown) {
      lines.push(_checkLine(check, c, idWidth, verbose));
      lines.push(..._checkDetails(check, c, verbose));
    }
    if (folded.length) {
      lines.push(
        c.dim(
          `  - ${folded.length} not applicable to ${doc.target.profile}: ${
            folded.map((f) => f.id).join(", ")
          }`,
        ),
      );
    }
    lines.push("");
  }
  return lines;
}

function _notApplicable(check: CheckResult): boolean {
  return check.status === "skip" && (check.message ?? "").startsWith("Not applicable");
}

function _checkLine(check: CheckResult, c: Colors, idWidth: number, verbose: boolean): string {
  const mark = _mark(check.status, c);
  const id = check.id + " ".repeat(Math.max(0, idWidth - Array.from(check.id).length));
  let line = `  ${mark} ${id}  ${check.title}  ${c.dim(formatDuration(check.durationMs))}`;
  if (verbose && check.status === "pass" && check.requirements.length) {
    line += c.dim(`  [${check.requirements.join(", ")}]`);
  }
  if (check.expectedFailure) line += `  ${c.yellow("expected failure (baseline)")}`;
  else if (check.baselineReason !== undefined && check.status === "pass") {
    line += `  ${c.red("listed in the baseline: remove it")}`;
  }
  return line;
}

function _checkDetails(check: CheckResult, c: Colors, verbose: boolean): string[] {
  if (check.status === "pass") return [];
  if (check.status === "skip") {
    return [DETAIL_INDENT + c.dim(`skipped: ${check.message ?? "no reason given"}`)];
  }
  const lines: string[] = [];
  const [first, ...rest] = failureDetails(check);
  if (first !== undefined) lines.push(DETAIL_INDENT + c.red(first));
  for (const line of rest) {
    const label = /^(expected|actual|hint|requirements): */.exec(line);
    lines.push(
      line === "" ? "" : DETAIL_INDENT +
        (label ? c.dim(label[0]) + line.slice(label[0].length) : line),
    );
  }
  const last = failingExchange(check);
  const transcript = verbose
    ? formatTranscript(check.transcript, TRANSCRIPT_BODY_LIMIT)
    : last
    ? formatExchange(last, FAILURE_BODY_LIMIT)
    : [];
  if (transcript.length && !verbose && check.transcript.length > 1) {
    const earlier = check.transcript.length - 1;
    lines.push(
      DETAIL_INDENT +
        c.dim(`last exchange (${earlier} earlier ${plural(earlier, "exchange")} not shown)`),
    );
  }
  for (const line of transcript) {
    lines.push(line === "" ? "" : TRANSCRIPT_INDENT + _transcriptLine(line, c));
  }
  return lines;
}

function _transcriptLine(line: string, c: Colors): string {
  const prefix = line[0];
  if ((prefix === ">" || prefix === "<") && (line.length === 1 || line[1] === " ")) {
    return c.dim(prefix) + line.slice(1);
  }
  if (prefix === "!" && line[1] === " ") return c.red(line);
  return c.cyan(line);
}

function _coverage(doc: ConformanceResult, c: Colors): string[] {
  const reqs = doc.requirements;
  const failed = reqs.filter((r) => r.status === "fail");
  const uncovered = reqs.filter((r) => r.status === "uncovered");
  const notApplicable = reqs.filter((r) => r.status === "not-applicable").length;
  const passed = reqs.length - failed.length - uncovered.length - notApplicable;
  const lines = [
    c.bold("requirements") +
    `  ${reqs.length} ${plural(reqs.length, "requirement")}: ${passed} passed, ` +
    `${failed.length} failed, ${uncovered.length} not exercised` +
    (notApplicable ? `, ${notApplicable} not applicable to ${doc.target.profile}` : ""),
  ];
  const width = Math.min(
    ID_WIDTH_MAX,
    [...failed, ...uncovered].reduce((w, r) => Math.max(w, Array.from(r.id).length), 0),
  );
  if (failed.length) {
    lines.push(`  ${c.red("failed:")}`);
    for (const r of failed) {
      const by = r.checks.length ? c.dim(`  (${r.checks.join(", ")})`) : "";
      lines.push(`    ${c.red(STATUS_MARKS.fail)} ${r.id.padEnd(width)}  ${r.statement}${by}`);
    }
  }
  if (uncovered.length) {
    lines.push(`  ${c.yellow("not exercised:")}`);
    for (const r of uncovered) {
      lines.push(`    ${c.yellow(STATUS_MARKS.skip)} ${r.id.padEnd(width)}  ${r.statement}`);
    }
  }
  return lines;
}

function _baseline(doc: ConformanceResult, c: Colors): string[] {
  const b = doc.baseline!;
  const reason = (id: string) => doc.checks.find((check) => check.id === id)?.baselineReason ?? "";
  const width = Math.min(
    ID_WIDTH_MAX,
    [...b.expectedFailures, ...b.fixed].reduce((w, id) => Math.max(w, Array.from(id).length), 0),
  );
  const lines = [
    c.bold("baseline") +
    `  ${b.file}: ${b.expectedFailures.length} expected ${
      plural(b.expectedFailures.length, "failure")
    }, ${b.fixed.length} listed ${plural(b.fixed.length, "check")} passing now, ` +
    `${b.unexpected.length} new ${plural(b.unexpected.length, "failure")}`,
  ];
  if (b.expectedFailures.length) {
    lines.push(`  ${c.yellow("expected failures (not counted):")}`);
    for (const id of b.expectedFailures) {
      lines.push(`    ${c.yellow(STATUS_MARKS.fail)} ${id.padEnd(width)}  ${c.dim(reason(id))}`);
    }
  }
  if (b.fixed.length) {
    lines.push(`  ${c.red(`passing now: remove from ${b.file}:`)}`);
    for (const id of b.fixed) {
      lines.push(`    ${c.green(STATUS_MARKS.pass)} ${id.padEnd(width)}  ${c.dim(reason(id))}`);
    }
  }
  return lines;
}

function _mark(status: CheckStatus, c: Colors): string {
  const mark = STATUS_MARKS[status];
  if (status === "pass") return c.green(mark);
  if (status === "fail") return c.red(mark);
  if (status === "error") return c.magenta(mark);
  return c.yellow(mark);
}

// C0 controls except tab and newline, DEL, C1 controls, and bidirectional overrides/isolates.
// deno-lint-ignore no-control-regex
const _CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** Makes terminal control characters visible (`\x1b`, `\u202e`); CRLF becomes LF. */
export function visible(text: string): string {
  return text.replace(/\r\n/g, "\n").replace(_CONTROL, (ch) => {
    const code = ch.charCodeAt(0);
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, "0")}`
      : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

function _visibleDeep<T>(value: T): T {
  if (typeof value === "string") return visible(value) as T;
  if (Array.isArray(value)) return value.map(_visibleDeep) as T;
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [visible(k), _visibleDeep(v)]),
    ) as T;
  }
  return value;
}
