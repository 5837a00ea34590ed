/**
 * The HTML reporter (`report.html`): one self-contained page per conformance run, readable
 * without JavaScript and printable.
 *
 * ```
 * header.page      target (credentials already removed), profile and how it was chosen, the
 *                  detection evidence, the run, the baseline; verdict; totals tiles and bar
 * #problems        failing checks (and baseline-listed checks that pass now), linked to their rows
 * #checks          one table: a tbody per suite, a tr.check per check (status label, id, title,
 *                  requirement ids linked to their sources, duration); failures expanded with
 *                  <details open>: message, expected vs actual, hint, redacted transcript
 * #requirements    coverage: failed, not exercised, passed, not applicable; sources linked
 * ```
 *
 * Everything from the document is escaped ({@linkcode escapeHtml}): the target is hostile by
 * definition, and its bodies may contain markup. The page's script only adds filtering, search
 * and expand/collapse-all; the Content-Security-Policy allows nothing else to run or load.
 *
 * @module
 */

import type { CheckResult, ConformanceResult, Exchange } from "../suites/result.ts";
import {
  anchorId,
  badge,
  type BadgeKind,
  escapeHtml as e,
  externalLink,
  htmlPage,
  pageHeader,
  type Tile,
} from "./_html.ts";
import {
  formatDuration,
  formatExchange,
  groupBySuite,
  plural,
  profileChoice,
  TRANSCRIPT_BODY_LIMIT,
  truncate,
} from "./_format.ts";
import { stackedBar } from "./_svg.ts";
import type { Reporter } from "./registry.ts";

/** How a check is shown: its status, refined by the baseline and by "not applicable". */
export type CheckKind = "pass" | "fail" | "error" | "skip" | "na" | "xfail" | "fixed";

/** The kind of a check for display (see {@linkcode CheckKind}). */
export function checkKind(check: CheckResult): CheckKind {
  if (check.status === "pass") return check.baselineReason === undefined ? "pass" : "fixed";
  if (check.status === "skip") {
    return (check.message ?? "").startsWith("Not applicable") ? "na" : "skip";
  }
  if (check.expectedFailure) return "xfail";
  return check.status;
}

/**
 * Per kind: badge colour, badge text, badge tooltip, and the words used in counts (nouns are
 * singular; {@linkcode plural} makes them plural).
 */
const KIND_LABEL: Record<CheckKind, [BadgeKind, string, string, string]> = {
  pass: ["pass", "pass", "passed", "passed"],
  fail: ["fail", "fail", "failed", "failed"],
  error: ["error", "error", "could not complete", "error"],
  skip: ["skip", "skip", "skipped", "skipped"],
  na: ["na", "n/a", "skipped: does not apply to this deployment", "not applicable"],
  xfail: ["xfail", "xfail", "expected failure: listed in the baseline", "expected failure"],
  fixed: [
    "fixed",
    "fixed",
    "passes, but the baseline lists it as an expected failure: remove it from the baseline",
    "listed, now passing",
  ],
};

/** The filter group of a kind, used by the page's status filter (`data-filter`). */
function _filter(kind: CheckKind): string {
  if (kind === "fail" || kind === "error" || kind === "fixed") return "problem";
  if (kind === "na") return "skip";
  return kind;
}

/** Counts by display kind. */
export function countKinds(doc: ConformanceResult): Record<CheckKind, number> {
  const counts: Record<CheckKind, number> = {
    pass: 0,
    fail: 0,
    error: 0,
    skip: 0,
    na: 0,
    xfail: 0,
    fixed: 0,
  };
  for (const check of doc.checks) counts[checkKind(check)]++;
  return counts;
}

/** The verdict of a run: a badge kind, its label and one sentence. */
export function verdict(doc: ConformanceResult): { kind: BadgeKind; label: string; text: string } {
  const k = countKinds(doc);
  const n = doc.checks.length;
  const extra = (k.xfail ? `; ${k.xfail} expected ${plural(k.xfail, "failure")} (baseline)` : "") +
    (k.fixed && (k.fail || k.error)
      ? `; ${k.fixed} listed ${plural(k.fixed, "check")} ${
        k.fixed === 1 ? "passes" : "pass"
      } now (remove ${k.fixed === 1 ? "it" : "them"} from the baseline)`
      : "");
  if (k.fail > 0) {
    const errors = k.error ? `, ${k.error} could not complete` : "";
    return {
      kind: "fail",
      label: "failed",
      text: `${k.fail} of ${n} ${plural(n, "check")} failed${errors}${extra}`,
    };
  }
  if (k.error > 0) {
    return {
      kind: "error",
      label: "incomplete",
      text: `${k.error} of ${n} ${plural(n, "check")} could not complete${extra}`,
    };
  }
  if (k.fixed > 0) {
    return {
      kind: "fail",
      label: "failed",
      text: `${k.fixed} ${plural(k.fixed, "check")} listed in the baseline ${
        k.fixed === 1 ? "passes" : "pass"
      } now: remove ${k.fixed === 1 ? "it" : "them"} from ${doc.baseline?.file ?? "the baseline"}`,
    };
  }
  const ran = k.pass + k.xfail;
  const skipped = k.skip + k.na;
  return {
    kind: "pass",
    label: "passed",
    text: `${k.pass} of ${ran} ${plural(ran, "check")} run passed${extra}` +
      (skipped ? `; ${skipped} skipped` : ""),
  };
}

/** An ISO timestamp for people: `2026-01-02 03:04:05 UTC` (unparsable text is kept as is). */
export function formatTimestamp(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return new Date(ms).toISOString().slice(0, 19).replace("T", " ") + " UTC";
}

/** Renders the conformance result as one self-contained HTML page. */
export function renderHtml(doc: ConformanceResult): string {
  const v = verdict(doc);
  const body = [
    _header(doc, v),
    _problems(doc),
    _checks(doc),
    _requirements(doc),
    `<footer>Generated by ${
      e(`${doc.tool.name} ${doc.tool.version}`)
    } from a result document (schemaVersion ${doc.schemaVersion}) finished ${
      e(doc.finishedAt)
    }. Passwords, Authorization headers and token signatures are redacted before they are recorded.</footer>`,
  ].join("\n");
  return htmlPage({
    title: `${v.label.toUpperCase()}: ${doc.target.profile} conformance of ${doc.target.url}`,
    body,
    css: CONFORMANCE_CSS,
    script: CONFORMANCE_SCRIPT,
  });
}

/** The HTML reporter: `report.html` in the output directory. */
export const htmlReporter: Reporter = {
  name: "html",
  description: "self-contained HTML page (report.html): checks, transcripts, requirement coverage",
  fileName: "report.html",
  render: (doc) => renderHtml(doc),
};

function _header(doc: ConformanceResult, v: ReturnType<typeof verdict>): string {
  const t = doc.target;
  const facts: [string, string][] = [];
  facts.push([
    "Target",
    `<code>${e(t.url)}</code>${
      t.embedded ? ' <span class="muted">(embedded reference server)</span>' : ""
    }`,
  ]);
  facts.push([
    "Profile",
    `<strong>${e(t.profile)}</strong> <span class="muted">(${e(profileChoice(doc))})</span>`,
  ]);
  if (t.detection) {
    const detected = t.detection.profile === null
      ? "inconclusive"
      : `detected <strong>${e(t.detection.profile)}</strong>`;
    const evidence = t.detection.evidence.map((line) => `<li>${e(line)}</li>`).join("");
    facts.push([
      "Detection",
      `${detected}${evidence ? `<ul class="evidence">${evidence}</ul>` : ""}`,
    ]);
  }
  facts.push([
    "Run",
    `${e(formatTimestamp(doc.startedAt))} · ${e(formatDuration(doc.durationMs))} · ${
      e(`${doc.tool.name} ${doc.tool.version}`)
    }`,
  ]);
  if (doc.baseline) {
    const b = doc.baseline;
    const parts = [
      `${b.expectedFailures.length} expected ${plural(b.expectedFailures.length, "failure")}`,
      `${b.fixed.length} listed ${plural(b.fixed.length, "check")} passing now`,
      `${b.unexpected.length} new ${plural(b.unexpected.length, "failure")}`,
    ];
    facts.push(["Baseline", `<code>${e(b.file)}</code>: ${e(parts.join(", "))}`]);
  }
  const k = countKinds(doc);
  const tiles: Tile[] = [
    { value: doc.checks.length, label: plural(doc.checks.length, "check") },
    { kind: "pass", value: k.pass, label: "passed" },
    { kind: "fail", value: k.fail, label: "failed" },
    { kind: "error", value: k.error, label: plural(k.error, "error") },
    { kind: "skip", value: k.skip + k.na, label: "skipped" },
  ];
  if (doc.baseline || k.xfail) {
    tiles.push({ kind: "xfail", value: k.xfail, label: "expected failures" });
  }
  if (k.fixed) tiles.push({ kind: "fixed", value: k.fixed, label: "listed, now passing" });
  const bar = stackedBar([
    { label: "passed", value: k.pass, color: "#2da44e" },
    { label: "listed, now passing", value: k.fixed, color: "#0969da" },
    { label: "failed", value: k.fail, color: "#cf222e" },
    { label: "errors", value: k.error, color: "#8250df" },
    { label: "expected failures", value: k.xfail, color: "#d4a72c" },
    { label: "skipped", value: k.skip + k.na, color: "#afb8c1" },
  ], { title: "Checks by outcome", width: 600, height: 8 });
  const suites = [...groupBySuite(doc.checks).keys()];
  const toc = [
    ...(_problemChecks(doc).length ? ['<a href="#problems">problems</a>'] : []),
    `<a href="#checks">checks</a> (${
      suites.map((s) => `<a href="#${e(anchorId("suite", s))}">${e(s)}</a>`).join(", ")
    })`,
    '<a href="#requirements">requirement coverage</a>',
  ].join(" · ");
  return pageHeader({
    title: "SMSGate conformance report",
    subtitle: `${t.profile} profile`,
    verdict: v,
    tiles,
    bar,
    facts,
    toc,
  });
}

function _problemChecks(doc: ConformanceResult): CheckResult[] {
  return doc.checks.filter((c) => {
    const kind = checkKind(c);
    return kind === "fail" || kind === "error" || kind === "fixed";
  });
}

function _problems(doc: ConformanceResult): string {
  const problems = _problemChecks(doc);
  if (problems.length === 0) return "";
  const items = problems.map((c) => {
    const kind = checkKind(c);
    const [bk, label, title] = KIND_LABEL[kind];
    const why = kind === "fixed"
      ? `passes now: remove it from the baseline${doc.baseline ? ` (${doc.baseline.file})` : ""}`
      : (c.message ?? "").split(/\r?\n/)[0];
    return `<li>${badge(bk, label, title)} <a href="#${e(anchorId("check", c.id))}"><code>${
      e(c.id)
    }</code></a> <span class="muted">${e(c.suite)}</span> ${e(why)}</li>`;
  }).join("\n");
  return `<section id="problems"><h2>Problems (${problems.length})</h2><ul class="problems">
${items}
</ul></section>`;
}

function _checks(doc: ConformanceResult): string {
  const reqs = new Map(doc.requirements.map((r) => [r.id, r]));
  const k = countKinds(doc);
  const filters: [string, string, number][] = [
    ["all", "all", doc.checks.length],
    ["problem", "problems", k.fail + k.error + k.fixed],
    ["pass", "passed", k.pass],
    ["skip", "skipped", k.skip + k.na],
  ];
  if (k.xfail) filters.push(["xfail", "expected failures", k.xfail]);
  const toolbar = `<div class="toolbar" id="toolbar" hidden>${
    filters.map(([value, label, n]) =>
      `<button type="button" data-filter="${value}" aria-pressed="${value === "all"}">${
        e(label)
      } <span class="n">${n}</span></button>`
    ).join("")
  }<input type="search" id="search" placeholder="filter by id, title or requirement" aria-label="Filter checks"><button type="button" id="expand">expand all</button><button type="button" id="collapse">collapse all</button><span class="muted" id="shown"></span></div>`;
  const bodies: string[] = [];
  for (const [suite, checks] of groupBySuite(doc.checks)) {
    const counts = new Map<string, number>();
    for (const c of checks) {
      const label = KIND_LABEL[checkKind(c)][3];
      counts.set(label, (counts.get(label) ?? 0) + 1);
    }
    const summary = [...counts].map(([label, n]) =>
      `${n} ${label === "error" || label === "expected failure" ? plural(n, label) : label}`
    ).join(", ");
    const rows = checks.map((c) => _checkRow(c, reqs)).join("\n");
    bodies.push(`<tbody class="suite" id="${e(anchorId("suite", suite))}">
<tr class="suite-head"><th colspan="4"><h3>${e(suite)} <span class="muted">${checks.length} ${
      plural(checks.length, "check")
    }: ${e(summary)}</span></h3></th></tr>
${rows}
</tbody>`);
  }
  return `<section id="checks"><h2>Checks</h2>
${toolbar}
<table class="checks">
<thead><tr><th class="status">Status</th><th>Check</th><th class="reqs">Requirements</th><th class="num">Time</th></tr></thead>
${bodies.join("\n")}
</table></section>`;
}

function _checkRow(
  c: CheckResult,
  reqs: Map<string, ConformanceResult["requirements"][number]>,
): string {
  const kind = checkKind(c);
  const [bk, label, title] = KIND_LABEL[kind];
  const requirementLinks = c.requirements.map((id) => {
    const r = reqs.get(id);
    return r
      ? externalLink(r.link, id, { class: "req", title: `${r.statement} (${r.source})` })
      : `<span class="req">${e(id)}</span>`;
  }).join(" ");
  const search = [c.id, c.title, c.suite, ...c.requirements].join(" ").toLowerCase();
  return `<tr class="check ${kind}" id="${e(anchorId("check", c.id))}" data-status="${
    e(c.status)
  }" data-kind="${kind}" data-filter="${_filter(kind)}" data-search="${e(search)}">
<td class="status">${badge(bk, label, title)}</td>
<td class="what">${_checkCell(c, kind)}</td>
<td class="reqs">${requirementLinks}</td>
<td class="num">${e(formatDuration(c.durationMs))}</td>
</tr>`;
}

/**
 * The check cell. With something to show, the check line itself is the `<summary>` of a
 * `<details>` (open for failures and errors): message, baseline note, expected vs actual, hint,
 * transcript. Skipped checks show their reason under the line.
 */
function _checkCell(c: CheckResult, kind: CheckKind): string {
  const line = `<code class="id">${e(c.id)}</code> <span class="title">${e(c.title)}</span>`;
  if (kind === "na") {
    // Not applicable to this deployment: one compact line, the reason after the title.
    const why = (c.message ?? "").replace(/^Not applicable:\s*/, "");
    return `<div class="line"${c.message ? ` title="${e(c.message)}"` : ""}>${line}${
      why ? ` <span class="why muted">${e(why)}</span>` : ""
    }</div>`;
  }
  if (kind === "skip") {
    return `<div class="line">${line}</div>${
      c.message ? `<div class="why muted">${e(c.message)}</div>` : ""
    }`;
  }
  const reason = c.baselineReason === undefined
    ? ""
    : `<span class="baseline-note">${
      kind === "fixed"
        ? "Listed in the baseline as an expected failure, but passes now: remove it from the baseline. Reason given there: "
        : "Expected failure (baseline): "
    }${e(c.baselineReason)}</span>`;
  const n = c.transcript.length;
  const count = `${n} ${plural(n, "exchange")}`;
  const transcript = n
    ? `<div class="transcript-head muted">Transcript (${count}, secrets redacted)</div>${
      _transcript(c.transcript, kind === "fail" || kind === "error" || kind === "xfail")
    }`
    : "";
  if (kind === "pass" || kind === "fixed") {
    if (!n) return `<div class="line">${line}</div>${reason}`;
    return `<details class="more"><summary>${line} <span class="count muted">${count}</span>${reason}</summary>${transcript}</details>`;
  }
  const [first, ...rest] = (c.message ?? (kind === "error" ? "check errored" : "check failed"))
    .split(/\r?\n/);
  const labelled: [string, string | undefined][] = [
    ["Expected", c.expected],
    ["Actual", c.actual],
    ["Hint", c.hint],
  ];
  const diff = labelled.filter(([, value]) => value !== undefined).map(([label, value]) =>
    `<dt>${label}</dt><dd><pre class="${label.toLowerCase()}">${e(value!)}</pre></dd>`
  ).join("");
  const more = rest.length ? `<pre class="message-rest">${e(rest.join("\n"))}</pre>` : "";
  const open = kind === "fail" || kind === "error" ? " open" : "";
  return `<details class="failure"${open}><summary>${line}<span class="message">${
    e(first)
  }</span>${reason}</summary>${more}${
    diff ? `<dl class="diff">${diff}</dl>` : ""
  }${transcript}</details>`;
}

/** JSON bodies longer than this are pretty-printed in transcripts (short ones stay on one line). */
const PRETTY_JSON_OVER = 100;

function _prettyBody(body: string | undefined): string | undefined {
  if (body === undefined || body.length <= PRETTY_JSON_OVER) return body;
  const trimmed = body.trim();
  if (!(trimmed.startsWith("{") || trimmed.startsWith("["))) return body;
  try {
    return JSON.stringify(JSON.parse(trimmed), null, 2);
  } catch {
    return body;
  }
}

function _exchange(exchange: Exchange, failing: boolean): string {
  const pretty: Exchange = {
    ...exchange,
    request: { ...exchange.request, body: _prettyBody(exchange.request.body) },
    ...(exchange.response
      ? { response: { ...exchange.response, body: _prettyBody(exchange.response.body) } }
      : {}),
  };
  const [label, ...lines] = formatExchange(pretty, TRANSCRIPT_BODY_LIMIT);
  const html = lines.map((line) => {
    const cls = line.startsWith(">") ? "req" : line.startsWith("!") ? "err" : "res";
    return `<span class="${cls}">${e(line)}</span>`;
  }).join("\n");
  return `<pre class="transcript${failing ? " failing" : ""}"><span class="step">${
    e(truncate(label, 300))
  }${failing ? " ← failing exchange" : ""}</span>\n${html}</pre>`;
}

/**
 * The exchanges in order. For a failure the last one is marked as failing and the earlier ones
 * are folded into a closed `<details>`, so the failing exchange is what one sees first.
 */
function _transcript(transcript: readonly Exchange[], failed: boolean): string {
  if (!failed || transcript.length === 1) {
    return transcript.map((x, i) => _exchange(x, failed && i === transcript.length - 1)).join("");
  }
  const earlier = transcript.slice(0, -1);
  return `<details class="earlier"><summary>${earlier.length} earlier ${
    plural(earlier.length, "exchange")
  }</summary>${earlier.map((x) => _exchange(x, false)).join("")}</details>${
    _exchange(transcript[transcript.length - 1], true)
  }`;
}

const COVERAGE_ORDER = ["fail", "uncovered", "pass", "not-applicable"] as const;
const COVERAGE_LABEL: Record<(typeof COVERAGE_ORDER)[number], [BadgeKind, string, string]> = {
  fail: ["fail", "fail", "failed"],
  uncovered: ["skip", "not run", "not exercised"],
  pass: ["pass", "pass", "passed"],
  "not-applicable": ["na", "n/a", "not applicable"],
};

function _requirements(doc: ConformanceResult): string {
  const reqs = doc.requirements;
  const failing = new Set(
    doc.checks.filter((c) => c.status === "fail" || c.status === "error").map((c) => c.id),
  );
  const count = (s: string) => reqs.filter((r) => r.status === s).length;
  const summary = `${reqs.length} ${plural(reqs.length, "requirement")}: ${count("pass")} passed, ${
    count("fail")
  } failed, ${count("uncovered")} not exercised, ${
    count("not-applicable")
  } not applicable to ${doc.target.profile}`;
  const rows = COVERAGE_ORDER.flatMap((status) => reqs.filter((r) => r.status === status)).map(
    (r) => {
      const [bk, label, title] = COVERAGE_LABEL[r.status];
      const checks = r.checks.length
        ? r.checks.map((id) =>
          `<span class="c"><a href="#${e(anchorId("check", id))}"${
            failing.has(id) ? ' class="bad"' : ""
          }>${e(id)}</a>${failing.has(id) ? " (failed)" : ""}</span>`
        ).join(", ")
        : '<span class="muted">none</span>';
      return `<tr class="requirement ${e(r.status)}" id="${
        e(anchorId("req", r.id))
      }" data-status="${e(r.status)}">
<td class="status">${badge(bk, label, title)}</td>
<td class="rid">${externalLink(r.link, r.id, { class: "req" })}</td>
<td>${e(r.statement)}<div class="source muted">${e(r.source)}</div></td>
<td class="rchecks">${checks}</td>
</tr>`;
    },
  ).join("\n");
  return `<section id="requirements"><h2>Requirement coverage</h2>
<p class="coverage-summary">${e(summary)}</p>
<table class="coverage">
<thead><tr><th class="status">Status</th><th>Requirement</th><th>Statement and source</th><th>Checks</th></tr></thead>
<tbody>
${rows}
</tbody>
</table></section>`;
}

/** Styles specific to the conformance page (added to the shared stylesheet). */
export const CONFORMANCE_CSS = `
ul.problems{margin:0;padding-left:0;list-style:none}ul.problems li{margin:3px 0;overflow-wrap:anywhere}
table.checks th.status,table.coverage th.status{width:84px}
table.checks th.reqs{width:230px}table.checks th.num{width:64px}
tr.suite-head th{background:var(--panel);padding-top:8px;border-bottom:1px solid var(--line)}
tr.suite-head .muted{font-weight:400;margin-left:6px;font-size:12px}
tbody.suite+tbody.suite tr.suite-head th{border-top:10px solid var(--bg)}
tr.check td.what code.id{font-weight:600}
tr.check td.reqs{font-size:12px}tr.check td.reqs .req{display:inline-block;margin-right:6px}
tr.check td.what>details>summary{list-style-position:outside;margin-left:14px}
tr.check td.what>div.line,tr.check td.what>div.why{margin-left:14px}
tr.check td.what .count{font-size:12px;margin-left:4px}
tr.check.na .title,tr.check.skip .title{color:var(--muted)}
tr.check.fail,tr.check.error,tr.check.fixed{background:var(--fail-bg)}
tr.check.fail td.status,tr.check.error td.status,tr.check.fixed td.status{box-shadow:inset 3px 0 var(--fail)}
tr.check.xfail td.status{box-shadow:inset 3px 0 var(--xfail)}
.why{font-size:12px}
tr.check.na td{padding-top:2px;padding-bottom:2px}tr.check.na .badge{opacity:.8}
tr.check.na td.what .line{margin-left:14px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
tr.check.na .why{margin-left:4px}
table.checks{table-layout:fixed}
summary .message{display:block;font-weight:600;color:var(--fail);overflow-wrap:anywhere}
tr.check.xfail summary .message{color:var(--xfail)}
dl.diff{display:grid;grid-template-columns:max-content 1fr;gap:2px 10px;margin:6px 0 6px 14px}
dl.diff dt{color:var(--muted);font-size:12px}dl.diff dd{margin:0}
dl.diff pre.expected{color:var(--pass)}dl.diff pre.actual{color:var(--fail)}dl.diff pre.hint{font-family:inherit;font-size:13px}
pre.message-rest{margin:4px 0 4px 14px}
.baseline-note{display:block;font-size:12px;color:var(--xfail)}tr.check.fixed .baseline-note{color:var(--fixed);font-weight:600}
.transcript-head{font-size:12px;margin:6px 0 0 14px}
tr.check pre.transcript{margin-left:14px}
details.earlier{margin:2px 0 0 14px;font-size:12px}details.earlier>summary{color:var(--muted)}
details.earlier pre.transcript{margin-left:0}
table.coverage td.rid{white-space:nowrap;font-family:ui-monospace,SFMono-Regular,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:12.5px}
table.coverage .source{font-size:12px}table.coverage td.rchecks{font-size:12px;width:30%}
table.coverage td.rchecks a,table.coverage td.rchecks .c{white-space:nowrap}
table.coverage a.bad{color:var(--fail);font-weight:600}
tr.requirement.fail{background:var(--fail-bg)}
@media (max-width:800px){table.checks th.reqs{width:130px}table.checks th.status,table.coverage th.status{width:64px}}
@media print{tr.check.na td.what .line{white-space:normal}tr.check.fail,tr.check.error,tr.requirement.fail{background:none}}
`;

/**
 * The page script (progressive enhancement only): reveals the toolbar, filters rows by status
 * and by text, expands or collapses every details element, and opens a check's details when
 * its anchor is the location hash.
 */
export const CONFORMANCE_SCRIPT = `(() => {
  "use strict";
  const bar = document.getElementById("toolbar");
  if (!bar) return;
  bar.hidden = false;
  const rows = Array.from(document.querySelectorAll("tr.check"));
  const suites = Array.from(document.querySelectorAll("tbody.suite"));
  const search = document.getElementById("search");
  const shown = document.getElementById("shown");
  const buttons = Array.from(bar.querySelectorAll("button[data-filter]"));
  let filter = "all";
  const apply = () => {
    const q = search.value.trim().toLowerCase();
    let n = 0;
    for (const row of rows) {
      const ok = (filter === "all" || row.dataset.filter === filter) &&
        (q === "" || row.dataset.search.includes(q));
      row.hidden = !ok;
      if (ok) n++;
    }
    for (const suite of suites) {
      suite.hidden = !suite.querySelector("tr.check:not([hidden])");
    }
    shown.textContent = n === rows.length ? "" : "showing " + n + " of " + rows.length;
  };
  for (const button of buttons) {
    button.addEventListener("click", () => {
      filter = button.dataset.filter;
      for (const b of buttons) b.setAttribute("aria-pressed", String(b === button));
      apply();
    });
  }
  search.addEventListener("input", apply);
  const setAll = (open) => {
    for (const d of document.querySelectorAll("tr.check:not([hidden]) details")) d.open = open;
  };
  document.getElementById("expand").addEventListener("click", () => setAll(true));
  document.getElementById("collapse").addEventListener("click", () => setAll(false));
  const openHash = () => {
    const id = decodeURIComponent(location.hash.slice(1));
    const target = id && document.getElementById(id);
    if (target && target.matches("tr.check")) {
      target.hidden = false;
      const d = target.querySelector("details");
      if (d) d.open = true;
    }
  };
  addEventListener("hashchange", openHash);
  openHash();
})();
`;
