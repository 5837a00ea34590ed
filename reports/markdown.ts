/**
 * The Markdown reporter (`summary.md`): a short summary for `$GITHUB_STEP_SUMMARY` (GitHub
 * Flavored Markdown). A heading with the verdict and profile, the target and totals, a table of
 * failing checks (id, requirement ids, message), baseline notes, and requirement coverage counts.
 * `check` appends it to the file named by `GITHUB_STEP_SUMMARY` when that variable is set.
 *
 * Text from the document is escaped: Markdown punctuation gets a backslash, `<`, `>` and `&`
 * become entities (GitHub renders some HTML), and table cells stay on one line.
 *
 * @module
 */

import type { CheckResult, ConformanceResult } from "../suites/result.ts";
import { formatDuration, plural, profileChoice, truncate } from "./_format.ts";
import { checkKind, countKinds, verdict } from "./html.ts";
import { visible } from "./console.ts";
import type { Reporter } from "./registry.ts";

/** At most this many rows in the failing-checks table; the rest are counted. */
export const MAX_ROWS = 30;

/** Messages in the table are cut to this many characters. */
export const MESSAGE_LIMIT = 200;

/** Escapes text for Markdown inline content (and table cells: one line, `|` escaped). */
export function escapeMarkdown(text: string): string {
  return visible(text)
    .replace(/\s*\n\s*/g, " ")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/[\\`*_[\]|~]/g, (ch) => `\\${ch}`);
}

/**
 * Inline code for identifiers and URLs; escaped text when the value could break out of a code
 * span or a table cell (a backtick, `|`, a line break, leading or trailing space, or nothing).
 */
export function codeOrText(text: string): string {
  const shown = visible(text);
  return /^[^\s`|]([^`|\r\n]*[^\s`|])?$/.test(shown) ? `\`${shown}\`` : escapeMarkdown(text);
}

const ICON: Record<string, string> = {
  pass: "✅",
  fail: "❌",
  error: "⚠️",
};

/** Renders the Markdown summary; ends with a newline. */
export function renderMarkdown(doc: ConformanceResult): string {
  const v = verdict(doc);
  const k = countKinds(doc);
  const s = doc.summary;
  const lines: string[] = [];
  lines.push(
    `### ${ICON[v.kind]} Conformance ${v.label}: ${escapeMarkdown(doc.target.profile)}`,
  );
  lines.push("");
  lines.push(
    `${escapeMarkdown(v.text)}.`,
    "",
    `**Target** ${codeOrText(doc.target.url)}${
      doc.target.embedded ? " (embedded reference server)" : ""
    } · **profile** ${codeOrText(doc.target.profile)} (${escapeMarkdown(profileChoice(doc))}) · ${
      escapeMarkdown(doc.tool.name)
    } ${escapeMarkdown(doc.tool.version)}`,
    "",
    `**${s.total}** ${plural(s.total, "check")}: **${
      k.pass + k.fixed
    }** passed, **${k.fail}** failed, ` +
      `**${k.error}** ${plural(k.error, "error")}, **${k.skip + k.na}** skipped` +
      (doc.baseline || k.xfail ? `, **${k.xfail}** expected ${plural(k.xfail, "failure")}` : "") +
      ` in ${formatDuration(doc.durationMs)}`,
  );
  const failing = doc.checks.filter((c) => {
    const kind = checkKind(c);
    return kind === "fail" || kind === "error";
  });
  if (failing.length) {
    lines.push("", "| | Failing check | Requirements | Message |", "|---|---|---|---|");
    for (const c of failing.slice(0, MAX_ROWS)) lines.push(_row(c));
    if (failing.length > MAX_ROWS) {
      const more = failing.length - MAX_ROWS;
      lines.push("", `…and ${more} more failing ${plural(more, "check")} (see the full report).`);
    }
  }
  if (doc.baseline) {
    const b = doc.baseline;
    const file = codeOrText(b.file);
    if (b.fixed.length) {
      lines.push(
        "",
        `**Listed in the baseline ${file} but passing now** (remove ${
          b.fixed.length === 1 ? "it" : "them"
        } from the baseline): ${b.fixed.map(codeOrText).join(", ")}`,
      );
    }
    if (b.expectedFailures.length) {
      lines.push(
        "",
        `Expected failures (baseline ${file}, not counted): ${
          b.expectedFailures.map(codeOrText).join(", ")
        }`,
      );
    }
  }
  const reqs = doc.requirements;
  const count = (status: string) => reqs.filter((r) => r.status === status).length;
  lines.push(
    "",
    `**Requirements** ${reqs.length}: ${count("pass")} passed, ${count("fail")} failed, ` +
      `${count("uncovered")} not exercised, ${count("not-applicable")} not applicable`,
  );
  const failedReqs = reqs.filter((r) => r.status === "fail");
  if (failedReqs.length) {
    lines.push(`(failed: ${failedReqs.map((r) => codeOrText(r.id)).join(", ")})`);
  }
  return lines.join("\n") + "\n";
}

function _row(c: CheckResult): string {
  const icon = c.status === "error" ? "⚠️ error" : "❌ fail";
  const message = escapeMarkdown(truncate(c.message ?? "", MESSAGE_LIMIT));
  const reqs = c.requirements.map(codeOrText).join(", ");
  return `| ${icon} | ${codeOrText(c.id)} | ${reqs} | ${message} |`;
}

/** The Markdown reporter: `summary.md` in the output directory. */
export const markdownReporter: Reporter = {
  name: "markdown",
  description: "short Markdown summary (summary.md) for $GITHUB_STEP_SUMMARY",
  fileName: "summary.md",
  render: (doc) => renderMarkdown(doc),
};
