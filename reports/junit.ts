/**
 * The JUnit XML reporter (`junit.xml`) for CI test views (GitLab, Jenkins, GitHub test
 * reporters). Structure follows the Jenkins/Ant `junit-4.xsd`:
 *
 * ```
 * testsuites(name, tests, failures, errors, time)
 *   testsuite(name, tests, failures, errors, skipped, time, timestamp)   one per suite
 *     properties > property(name, value)                                  target, profile, tool
 *     testcase(classname="smsgate.<suite>", name="<id>: <title>", time)   one per check
 *       properties > property(name="requirement" | "profile", value)
 *       skipped(message) | error(message, type) | failure(message, type)
 *       system-out                                                        redacted transcript
 * ```
 *
 * The one addition to junit-4.xsd is `properties` as the first child of `testcase` (as pytest,
 * Jenkins' JUnit plugin and Testmo use it); lenient parsers ignore it, and everything else
 * validates against the schema (see `testdata/junit-4.xsd` and the test).
 *
 * Characters XML 1.0 does not allow (most C0 controls, lone surrogates, U+FFFE/U+FFFF) are
 * stripped; in attributes, tab, newline and carriage return are written as character references
 * so parsers keep them.
 *
 * @module
 */

import type { CheckResult, ConformanceResult } from "../suites/result.ts";
import {
  countStatuses,
  failingExchange,
  FAILURE_BODY_LIMIT,
  failureDetails,
  formatExchange,
  formatSeconds,
  formatTranscript,
  groupBySuite,
  TRANSCRIPT_BODY_LIMIT,
} from "./_format.ts";
import type { Reporter } from "./registry.ts";

/** `type` attribute of a `<failure>`: the target answered, but not as required. */
export const FAILURE_TYPE = "ConformanceFailure";
/** `type` attribute of an `<error>`: the check could not complete. */
export const ERROR_TYPE = "CheckError";

/** Renders the document as JUnit XML; ends with a newline. */
export function renderJunit(doc: ConformanceResult): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const all = countStatuses(doc.checks);
  out.push(
    `<testsuites${
      _attrs({
        name: `${doc.tool.name} conformance`,
        tests: all.total,
        failures: all.failed,
        errors: all.errors,
        time: formatSeconds(doc.durationMs),
      })
    }>`,
  );
  const timestamp = _timestamp(doc.startedAt);
  for (const [suite, checks] of groupBySuite(doc.checks)) {
    const counts = countStatuses(checks);
    const expected = checks.filter((c) =>
      c.expectedFailure && (c.status === "fail" || c.status === "error")
    );
    const expectedFails = expected.filter((c) => c.status === "fail").length;
    const expectedErrors = expected.length - expectedFails;
    out.push(
      `  <testsuite${
        _attrs({
          name: suite,
          tests: counts.total,
          failures: counts.failed - expectedFails,
          errors: counts.errors - expectedErrors,
          skipped: counts.skipped + expected.length,
          time: formatSeconds(counts.durationMs),
          ...(timestamp === undefined ? {} : { timestamp }),
        })
      }>`,
    );
    out.push("    <properties>");
    for (
      const [name, value] of [
        ["target", doc.target.url],
        ["embedded", String(doc.target.embedded)],
        ["profile", doc.target.profile],
        ["profileSource", doc.target.profileSource],
        ["tool", `${doc.tool.name} ${doc.tool.version}`],
      ]
    ) {
      out.push(`      <property${_attrs({ name, value })}/>`);
    }
    out.push("    </properties>");
    for (const check of checks) out.push(..._testcase(check, suite));
    out.push("  </testsuite>");
  }
  out.push("</testsuites>");
  return out.join("\n") + "\n";
}

/** The JUnit reporter: `junit.xml` in the output directory. */
export const junitReporter: Reporter = {
  name: "junit",
  description: "JUnit XML (junit.xml) for CI test views: GitLab, Jenkins, GitHub test reporters",
  fileName: "junit.xml",
  render: (doc) => renderJunit(doc),
};

function _testcase(check: CheckResult, suite: string): string[] {
  const out = [
    `    <testcase${
      _attrs({
        classname: `smsgate.${suite}`,
        name: `${check.id}: ${check.title}`,
        time: formatSeconds(check.durationMs),
      })
    }>`,
    "      <properties>",
  ];
  for (const requirement of check.requirements) {
    out.push(`        <property${_attrs({ name: "requirement", value: requirement })}/>`);
  }
  out.push(`        <property${_attrs({ name: "profile", value: check.profile })}/>`);
  out.push("      </properties>");
  if (check.status === "skip") {
    out.push(`      <skipped${_attrs({ message: check.message ?? "skipped" })}/>`);
  } else if (check.expectedFailure && (check.status === "fail" || check.status === "error")) {
    // Listed in the baseline: shown as skipped so CI test views stay green when the run passes.
    const why = check.baselineReason ?? "listed in the baseline";
    const message = `expected failure (baseline): ${why}; observed: ${
      check.message ?? check.status
    }`;
    out.push(`      <skipped${_attrs({ message })}/>`);
  } else if (check.status === "fail" || check.status === "error") {
    const element = check.status === "fail" ? "failure" : "error";
    const type = check.status === "fail" ? FAILURE_TYPE : ERROR_TYPE;
    const message = check.message ?? (check.status === "fail" ? "check failed" : "check errored");
    const text = failureDetails(check);
    const last = failingExchange(check);
    if (last) text.push("", ...formatExchange(last, FAILURE_BODY_LIMIT));
    out.push(
      `      <${element}${_attrs({ message, type })}>${
        escapeXmlText(text.join("\n"))
      }</${element}>`,
    );
  }
  if (check.transcript.length) {
    const transcript = formatTranscript(check.transcript, TRANSCRIPT_BODY_LIMIT).join("\n");
    out.push(`      <system-out>${escapeXmlText(transcript)}</system-out>`);
  }
  out.push("    </testcase>");
  return out;
}

// Everything outside XML 1.0's Char production: C0 controls other than tab, LF and CR, lone
// surrogates (the u flag makes them single code points), U+FFFE and U+FFFF.
const _NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Removes characters XML 1.0 does not allow in a document. */
export function stripInvalidXmlChars(text: string): string {
  return text.replace(_NOT_XML_CHAR, "");
}

/**
 * Escapes text for element content: `&`, `<`, the `>` of `]]>`, and CR (kept as a reference so
 * parsers do not fold it); invalid characters stripped. Other `>` stay readable in transcripts.
 */
export function escapeXmlText(text: string): string {
  return stripInvalidXmlChars(text)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/]]>/g, "]]&gt;")
    .replace(/\r/g, "&#13;");
}

/** Escapes text for a double-quoted attribute value; keeps tab, LF and CR as references. */
export function escapeXmlAttr(text: string): string {
  return escapeXmlText(text)
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;")
    .replace(/\t/g, "&#9;")
    .replace(/\n/g, "&#10;");
}

function _attrs(attrs: Record<string, string | number>): string {
  return Object.entries(attrs).map(([k, v]) => ` ${k}="${escapeXmlAttr(String(v))}"`).join("");
}

/** ISO 8601 without zone or fraction, as Ant writes it (`2026-01-02T03:04:05`), in UTC. */
function _timestamp(iso: string): string | undefined {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return undefined;
  return new Date(ms).toISOString().slice(0, 19);
}
