/**
 * Plain-text building blocks shared by the reporters: durations, grouping by suite, body
 * truncation, and the curl-style rendering of a recorded (already redacted) exchange. Nothing
 * here reads anything outside the result document it is given.
 *
 * @module
 */

import type { CheckResult, ConformanceResult, Exchange } from "../suites/result.ts";

/** Bodies longer than this are cut in failure details (console and JUnit failure text). */
export const FAILURE_BODY_LIMIT = 500;

/** Bodies longer than this are cut in full transcripts (JUnit system-out, verbose console). */
export const TRANSCRIPT_BODY_LIMIT = 4000;

/** Formats a duration for people: `0ms`, `<1ms`, `12ms`, `3.2s`, `2m 5.0s`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "?";
  if (ms === 0) return "0ms";
  if (ms < 1) return "<1ms";
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes}m ${((ms - minutes * 60_000) / 1000).toFixed(1)}s`;
}

/** Formats milliseconds as seconds with millisecond precision, as JUnit `time` wants: `0.012`. */
export function formatSeconds(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "0.000";
  return (ms / 1000).toFixed(3);
}

/** Checks grouped by suite, suites in order of first appearance, checks in document order. */
export function groupBySuite(checks: readonly CheckResult[]): Map<string, CheckResult[]> {
  const groups = new Map<string, CheckResult[]>();
  for (const check of checks) {
    const group = groups.get(check.suite);
    if (group) group.push(check);
    else groups.set(check.suite, [check]);
  }
  return groups;
}

/** Per-status counts of a list of checks. */
export interface StatusCounts {
  /** Number of checks. */
  total: number;
  /** Checks that passed. */
  passed: number;
  /** Checks that failed. */
  failed: number;
  /** Checks that were skipped. */
  skipped: number;
  /** Checks that could not complete. */
  errors: number;
  /** Sum of the checks' durations in milliseconds. */
  durationMs: number;
}

/** Counts the checks by status and sums their durations. */
export function countStatuses(checks: readonly CheckResult[]): StatusCounts {
  const counts: StatusCounts = {
    total: 0,
    passed: 0,
    failed: 0,
    skipped: 0,
    errors: 0,
    durationMs: 0,
  };
  for (const check of checks) {
    counts.total++;
    counts.durationMs += check.durationMs;
    if (check.status === "pass") counts.passed++;
    else if (check.status === "fail") counts.failed++;
    else if (check.status === "skip") counts.skipped++;
    else counts.errors++;
  }
  return counts;
}

/** The one-line totals: `42 checks: 40 passed, 1 failed, 1 skipped, 0 errors in 3.2s`. */
export function totalsLine(doc: ConformanceResult): string {
  const s = doc.summary;
  return `${s.total} ${plural(s.total, "check")}: ${s.passed} passed, ${s.failed} failed, ` +
    `${s.skipped} skipped, ${s.errors} ${plural(s.errors, "error")} in ` +
    formatDuration(doc.durationMs);
}

/** How the profile was chosen, in words: `explicit (--profile)` or `auto-detected`. */
export function profileChoice(doc: ConformanceResult): string {
  const { profile, profileSource, detection } = doc.target;
  if (profileSource === "explicit") return "explicit (--profile)";
  if (!detection) return "auto-detected";
  if (detection.profile === null) return "auto: detection inconclusive, fell back to this profile";
  if (detection.profile !== profile) {
    return `auto: detected ${detection.profile}, ran as ${profile}`;
  }
  return "auto-detected";
}

/** `word` or `words`. */
export function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}

/** The exchange a failure is about: the last one recorded, if any. */
export function failingExchange(check: CheckResult): Exchange | undefined {
  return check.transcript.at(-1);
}

/** Cuts `text` to `limit` characters, saying how much was left out. */
export function truncate(text: string, limit: number): string {
  const chars = Array.from(text);
  if (chars.length <= limit) return text;
  const rest = chars.length - limit;
  return `${chars.slice(0, limit).join("")}… (${rest} more ${plural(rest, "character")})`;
}

/** Prefixes every line of `text` with `indent`. */
export function indentLines(text: string, indent: string): string[] {
  return text.split(/\r?\n/).map((line) => line === "" ? indent.trimEnd() : indent + line);
}

/**
 * Renders one exchange curl-style: a label line, `> ` request lines (request line, headers,
 * body) and `< ` response lines (status, headers, body), or `! ` and the transport error.
 * Bodies are cut to `bodyLimit` characters.
 */
export function formatExchange(exchange: Exchange, bodyLimit: number): string[] {
  const lines = [`${exchange.step} (${formatDuration(exchange.durationMs)})`];
  const { request, response } = exchange;
  lines.push(`> ${request.method} ${request.url}`);
  for (const [name, value] of Object.entries(request.headers)) lines.push(`> ${name}: ${value}`);
  if (request.body !== undefined && request.body !== "") {
    lines.push(">");
    lines.push(...indentLines(truncate(request.body, bodyLimit), "> "));
  }
  if (response) {
    lines.push(`< ${response.status}`);
    for (const [name, value] of Object.entries(response.headers)) {
      lines.push(`< ${name}: ${value}`);
    }
    if (response.body !== undefined && response.body !== "") {
      lines.push("<");
      lines.push(...indentLines(truncate(response.body, bodyLimit), "< "));
    }
  }
  if (exchange.error !== undefined) lines.push(`! ${exchange.error}`);
  if (!response && exchange.error === undefined) lines.push("! no response recorded");
  return lines;
}

/** Renders a whole transcript, exchanges separated by a blank line. */
export function formatTranscript(transcript: readonly Exchange[], bodyLimit: number): string[] {
  const lines: string[] = [];
  transcript.forEach((exchange, i) => {
    if (i > 0) lines.push("");
    lines.push(...formatExchange(exchange, bodyLimit));
  });
  return lines;
}

/**
 * The plain-text details of a failed or errored check: message, expected, actual, hint and
 * requirement ids, one item per line (multi-line values indented under their label).
 */
export function failureDetails(check: CheckResult): string[] {
  const lines: string[] = [];
  if (check.message !== undefined) lines.push(...check.message.split(/\r?\n/));
  const labelled: [string, string | undefined][] = [
    ["expected", check.expected],
    ["actual", check.actual],
    ["hint", check.hint],
    ["requirements", check.requirements.length ? check.requirements.join(", ") : undefined],
  ];
  const width = "requirements: ".length;
  for (const [label, value] of labelled) {
    if (value === undefined) continue;
    const [first, ...rest] = value.split(/\r?\n/);
    const pad = " ".repeat(width);
    lines.push(`${label}: `.padEnd(width) + first, ...rest.map((l) => l === "" ? "" : pad + l));
  }
  return lines;
}
