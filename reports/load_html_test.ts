// Tests of the load HTML reporter on a real load document (a short constant-arrival-rate run
// against a loopback server answering some requests 401 and 500, reports/testdata/load_run.ts)
// and on crafted variants (hostile names, other exit codes, older documents). The DOM as a
// browser builds it is asserted in load_browser_test.ts.
import assert from "node:assert/strict";
import type { TimelinePoint } from "../load/metrics.ts";
import type { ThresholdResult } from "../load/thresholds.ts";
import {
  formatObserved,
  loadHtmlReporter,
  loadVerdict,
  MAX_TIME_POINTS,
  percentileX,
  renderLoadHtml,
  timelineBuckets,
} from "./load_html.ts";
import {
  flakyStatus,
  HOSTILE,
  hostileLoadCopy,
  type LoadRunDocument,
  runFlakyLoad,
} from "./testdata/load_run.ts";

let flakyRun: LoadRunDocument | undefined;
async function flaky(): Promise<LoadRunDocument> {
  flakyRun ??= (await runFlakyLoad()).doc;
  return structuredClone(flakyRun);
}

function count(html: string, re: RegExp): number {
  return html.match(new RegExp(re.source, "g"))?.length ?? 0;
}

/** The `<svg id="...">` element, up to its `</svg>`. */
function svg(html: string, id: string): string {
  const start = html.indexOf(`<svg xmlns="http://www.w3.org/2000/svg" id="${id}"`);
  assert.ok(start >= 0, `chart ${id}`);
  return html.slice(start, html.indexOf("</svg>", start));
}

/** `[data-series, data-points]` of each series of a chart. */
function series(chart: string): [string, number][] {
  return [...chart.matchAll(/<path class="series" data-series="([^"]*)" data-points="(\d+)"/g)]
    .map((m) => [m[1], Number(m[2])]);
}

Deno.test("renderLoadHtml() shows a row per threshold with the failing one marked failed", async () => {
  const doc = await flaky();
  assert.equal(doc.exitCode, 99);
  const html = renderLoadHtml(doc);
  const rows = [...html.matchAll(/<tr class="threshold (pass|fail)" data-ok="(true|false)"/g)];
  assert.equal(rows.length, doc.summary.thresholds.length);
  assert.equal(rows.length, 4);
  assert.deepEqual(rows.filter((r) => r[1] === "fail").length, 1);
  const failing = html.slice(html.indexOf('<tr class="threshold fail"'));
  const row = failing.slice(0, failing.indexOf("</tr>"));
  assert.match(row, /<span class="badge fail">fail<\/span>/);
  assert.match(row, /<code class="metric">http_req_failed<\/code>/);
  assert.match(row, /<code class="expr">rate&lt;0\.05<\/code>/);
  assert.match(row, /rate=\d+\.\d\d%/);
  assert.match(
    html,
    /<span class="badge fail">thresholds failed<\/span> 1 of 4 thresholds failed \(http_req_failed\) \(exit code 99\)/,
  );
});

Deno.test("renderLoadHtml() draws the time charts with a point per second and a series per status", async () => {
  const doc = await flaky();
  const html = renderLoadHtml(doc);
  const seconds = timelineBuckets(doc.timeline, doc.summary.durationMs / 1000).buckets.length;
  assert.ok(seconds >= 2 && seconds >= doc.timeline.length - 1, `${seconds} points`);
  assert.deepEqual(series(svg(html, "chart-requests")), [["requests/s", seconds]]);
  assert.deepEqual(series(svg(html, "chart-latency")), [
    ["p50", seconds],
    ["p90", seconds],
    ["p95", seconds],
    ["p99", seconds],
  ]);
  assert.deepEqual(series(svg(html, "chart-vus")), [["VUs", seconds]]);
  // The server answers 401 and 500 (flakyStatus): one line per status seen.
  const statuses = [...new Set(doc.timeline.flatMap((p) => Object.keys(p.errorsByStatus)))].sort();
  assert.deepEqual(statuses, ["401", "500"]);
  assert.deepEqual(series(svg(html, "chart-errors")), [
    ["status 401", seconds],
    ["status 500", seconds],
  ]);
  const failed = doc.timeline.reduce((n, p) => n + p.failed, 0);
  assert.ok(html.includes(`${failed} failed requests:`), "the errors are counted under the chart");
  assert.equal(flakyStatus(6), 401);
});

Deno.test("renderLoadHtml() plots corrected and uncorrected latency for an arrival-rate run", async () => {
  const doc = await flaky();
  const d = doc.distribution!;
  assert.ok(d.http_req_latency_intended!.length > 10);
  const html = renderLoadHtml(doc);
  const chart = svg(html, "chart-distribution");
  assert.deepEqual(series(chart), [
    ["corrected (intended start)", d.http_req_latency_intended!.filter(([p]) => p < 100).length],
    ["uncorrected", d.http_req_duration.filter(([p]) => p < 100).length],
  ]);
  assert.match(chart, /stroke-dasharray="5 4"/, "uncorrected is dashed");
  for (const label of ["0%", "90%", "99%"]) assert.ok(chart.includes(`>${label}</text>`), label);
  assert.equal(count(chart, /<circle class="point"/), 0, "no markers on the distribution");
  // The points are also a table, one row per percentile.
  const table = html.slice(html.indexOf('<table class="distribution">'));
  assert.equal(
    count(table.slice(0, table.indexOf("</table>")), /<tr><td class="num">/),
    new Set([...d.http_req_duration, ...d.http_req_latency_intended!].map(([p]) => p)).size,
  );
  assert.equal(percentileX(99), 100);
});

Deno.test("renderLoadHtml() lists the checks by group and the metrics by section", async () => {
  const doc = await flaky();
  const html = renderLoadHtml(doc);
  const checks = [...html.matchAll(/<tr class="check (pass|fail)"/g)].map((m) => m[1]);
  assert.deepEqual(checks, ["fail", "pass"]);
  assert.match(
    html,
    /<tbody class="group" data-path="::api">\n<tr class="group-head"><th colspan="5">api<\/th>/,
  );
  const metrics = Object.keys(doc.summary.metrics).filter((n) => !n.startsWith("checks"));
  assert.equal(count(html, /<tr class="metric/), metrics.length);
  const sections = [...html.matchAll(/<tbody class="section" data-section="(\w+)">/g)].map((m) =>
    m[1]
  );
  assert.deepEqual(sections, ["CUSTOM", "HTTP", "EXECUTION", "NETWORK"]);
  // Trend statistics in columns, sub-metrics under their parent, counters with their rate.
  assert.match(
    html,
    /<th class="num">avg<\/th><th class="num">min<\/th><th class="num">med<\/th><th class="num">max<\/th><th class="num">p\(90\)<\/th><th class="num">p\(95\)<\/th>/,
  );
  const order = [...html.matchAll(/data-metric="([^"]+)"/g)].map((m) => m[1]);
  assert.ok(
    order.indexOf("http_req_duration{name:item}") === order.indexOf("http_req_duration") + 2,
  );
  assert.match(
    html,
    /data-metric="items_received" data-type="counter">.*<span class="k">rate<\/span> <b>[\d.]+\/s<\/b>/,
  );
  assert.match(html, /data-metric="vus" data-type="gauge">.*<span class="k">max<\/span> <b>3<\/b>/);
  // The generator's saturation line, as the console prints it.
  assert.match(html, /<span id="saturation">achieved [\d.]+ iterations\/s of [\d.]+ intended/);
});

Deno.test("renderLoadHtml() escapes hostile names and loads nothing", async () => {
  const doc = hostileLoadCopy(await flaky());
  const html = renderLoadHtml(doc);
  assert.ok(!html.includes(HOSTILE), "the markup is not there as markup");
  assert.equal(count(html, /<script/), 0, "no script at all");
  assert.equal(count(html, /<img/), 0);
  assert.equal(count(html, / onerror="/), 0);
  const escaped = "&lt;script&gt;window.__pwned=1&lt;/script&gt;";
  // script (title, subtitle, fact), check, group, sub-metric (threshold + metrics table), status,
  // abort reason, error, fail reason (fact and verdict).
  assert.ok(count(html, new RegExp(escaped.replace(/[()[\]]/g, "\\$&"))) >= 10);
  assert.ok(html.includes("\\u202e"), "the bidi override is made visible");
  assert.ok(html.includes(`status &lt;/td&gt;`), "a hostile status is a legend text");
  assert.match(html, /script-src &#39;none&#39;/, "the CSP lets no script run");
  assert.equal(count(html, /(src|href)="(?!#)/), 0, "no link or source other than fragments");
});

Deno.test("loadVerdict() reads the exit code: passed, thresholds failed, could not complete, refused", async () => {
  const doc = await flaky();
  assert.deepEqual(loadVerdict(doc).label, "thresholds failed");
  const passed = structuredClone(doc);
  passed.exitCode = 0;
  passed.summary.thresholds = passed.summary.thresholds.filter((t) => t.ok);
  assert.deepEqual(loadVerdict(passed), {
    kind: "pass",
    label: "passed",
    text: "All 3 thresholds passed",
  });
  passed.summary.thresholds = [];
  assert.equal(loadVerdict(passed).text, "The run completed (the script defines no thresholds)");
  const marked = structuredClone(passed);
  marked.exitCode = 99;
  marked.failReasons = ["quota exceeded"];
  assert.deepEqual(loadVerdict(marked), {
    kind: "fail",
    label: "failed",
    text: "the script marked the test failed: quota exceeded (exit code 99)",
  });
  const unreachable = structuredClone(doc);
  unreachable.exitCode = 3;
  unreachable.unreachable = "Cannot reach the target http://127.0.0.1:9: connection refused";
  assert.deepEqual(loadVerdict(unreachable), {
    kind: "error",
    label: "could not complete",
    text: "Cannot reach the target http://127.0.0.1:9: connection refused (exit code 3)",
  });
  const stopped = structuredClone(doc);
  stopped.exitCode = 3;
  stopped.abortReason = "stopped by the user (interrupt)";
  assert.equal(
    loadVerdict(stopped).text,
    "Stopped early: stopped by the user (interrupt) (exit code 3)",
  );
  const html = renderLoadHtml(stopped);
  assert.match(
    html,
    /<dt>Stopped early<\/dt><dd><span class="problem">stopped by the user \(interrupt\)<\/span>/,
  );
  const refused = structuredClone(doc);
  refused.exitCode = 2;
  assert.equal(loadVerdict(refused).label, "refused");
});

Deno.test("renderLoadHtml() falls back to the summary statistics for a document without a distribution", async () => {
  const doc = await flaky();
  delete doc.distribution;
  const html = renderLoadHtml(doc);
  const chart = svg(html, "chart-distribution");
  // min, med, p(90), p(95) (max is at 100%, off the axis).
  assert.deepEqual(series(chart), [["corrected (intended start)", 4], ["uncorrected", 4]]);
  assert.ok(html.includes("no recorded distribution: the points are the summary statistics only"));

  const closed = await flaky();
  delete closed.distribution!.http_req_latency_intended;
  const single = svg(renderLoadHtml(closed), "chart-distribution");
  assert.deepEqual(series(single).map(([name]) => name), ["http_req_duration"]);
});

Deno.test("renderLoadHtml() renders a run that made no request", async () => {
  const doc = await flaky();
  doc.summary.metrics = {};
  doc.summary.thresholds = [];
  doc.summary.rootGroup = { name: "", path: "", groups: [], checks: [] };
  doc.timeline = [];
  doc.distribution = { http_req_duration: [] };
  doc.exitCode = 3;
  doc.unreachable = "the target could not be reached: no request got a response";
  const html = renderLoadHtml(doc);
  assert.equal(count(html, /<tr class="threshold/), 0);
  assert.ok(!html.includes('id="checks"'));
  assert.ok(count(html, /class="no-data"/) >= 4, "empty charts say so");
  assert.match(html, /could not complete<\/span> the target could not be reached/);
  assert.ok(html.includes("No request was made."));
});

function second(
  t: number,
  reqs: number,
  p99: number | null,
  errors: Record<string, number> = {},
): TimelinePoint {
  const failed = Object.values(errors).reduce((a, b) => a + b, 0);
  return {
    t,
    time: t * 1000,
    reqs,
    p50: p99,
    p90: p99,
    p95: p99,
    p99,
    vus: t % 7,
    failed,
    errorsByStatus: errors,
  };
}

Deno.test("timelineBuckets() keeps long runs to a bounded number of points", () => {
  const long = Array.from(
    { length: 5000 },
    (_, t) => second(t, 10, t === 4321 ? 900 : 5, t % 2 ? { 500: 2 } : {}),
  );
  const { width, buckets } = timelineBuckets(long);
  assert.equal(width, 5);
  assert.equal(buckets.length, 1000);
  assert.ok(buckets.length <= MAX_TIME_POINTS);
  assert.equal(buckets[0].reqs, 10, "requests per second over the bucket");
  assert.equal(buckets[864].p99, 900, "a spike keeps its height");
  assert.equal(buckets[0].vus, 4, "the largest VU count of the bucket");
  assert.equal(buckets[0].errors["500"], 4 / 5);
});

Deno.test("timelineBuckets() makes rates over the part of the last second the run lasted", () => {
  const run = [second(0, 40, 2), second(1, 20, 3, { 401: 2 }), second(2, 0, null)];
  // The run lasted 2.04 s: the third second is a sliver (teardown) and joins the second.
  const { width, buckets } = timelineBuckets(run, 2.04);
  assert.equal(width, 1);
  assert.deepEqual(buckets.map((b) => [b.t, b.p99]), [[0, 2], [1, 3]]);
  assert.equal(buckets[0].reqs, 40);
  assert.ok(Math.abs(buckets[1].seconds - 1.04) < 1e-9);
  assert.ok(Math.abs(buckets[1].reqs - 20 / 1.04) < 1e-9);
  // Ended at 1.5 s: 20 requests in half a second are 40 per second.
  const half = timelineBuckets(run.slice(0, 2), 1.5).buckets;
  assert.deepEqual(half.map((b) => [b.seconds, b.reqs, b.errors["401"] ?? 0]), [
    [1, 40, 0],
    [0.5, 40, 4],
  ]);
  // Without the run's end every second counts as whole.
  assert.deepEqual(timelineBuckets(run).buckets.map((b) => b.reqs), [40, 20, 0]);
});

Deno.test("formatObserved() formats as the console summary does", () => {
  const t = (aggregation: string, observed: number, error?: string): ThresholdResult => ({
    metric: "m",
    source: "x",
    aggregation,
    observed,
    ok: true,
    abortOnFail: false,
    ...(error ? { error } : {}),
  });
  assert.equal(
    formatObserved(t("p(95)", 12.3456), { type: "trend", contains: "time", values: {} }),
    "p(95)=12.34ms",
  );
  assert.equal(
    formatObserved(t("rate", 0.2166), { type: "rate", contains: "default", values: {} }),
    "rate=21.66%",
  );
  assert.equal(
    formatObserved(t("count", 3), { type: "counter", contains: "default", values: {} }),
    "count=3",
  );
  assert.equal(
    formatObserved(t("rate", 2.5), { type: "counter", contains: "data", values: {} }),
    "rate=2.5 B/s",
  );
  assert.equal(
    formatObserved(t("count", 40), { type: "trend", contains: "time", values: {} }),
    "count=40",
  );
  assert.equal(formatObserved(t("p(95)", NaN, "no samples"), undefined), "no samples");
  assert.equal(formatObserved(t("p(95)", NaN), undefined), "no value");
});

Deno.test("loadHtmlReporter writes load-report.html", async () => {
  assert.equal(loadHtmlReporter.name, "html");
  assert.equal(loadHtmlReporter.fileName, "load-report.html");
  const doc = await flaky();
  assert.equal(loadHtmlReporter.render(doc), renderLoadHtml(doc));
});
