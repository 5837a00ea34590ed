/**
 * The load HTML reporter (`load-report.html`): one self-contained page per load run, readable
 * without JavaScript (it has none) and printable.
 *
 * ```
 * header.page     script, target (credentials already removed), profile of the embedded server,
 *                 scenarios, run, generator saturation; verdict from the exit code (passed /
 *                 thresholds failed (99) / could not complete (3) / refused (2)); tiles
 * #thresholds     a tr.threshold per threshold, grouped by metric: pass/fail badge, expression,
 *                 observed value (or why it could not be evaluated)
 * #charts         over time, from the per-second timeline: requests/s, http_req_duration
 *                 p50/p90/p95/p99, VUs, failed requests per status
 * #distribution   HDR percentile plot of the latency: corrected (from the intended start) vs
 *                 uncorrected for arrival-rate runs; the points in a folded table
 * #checks         passes and fails per check, a tbody per group path
 * #metrics        the k6 metrics table grouped as the console summary groups it (CUSTOM, HTTP,
 *                 EXECUTION, NETWORK; sub-metrics under their parent): trend stats in columns,
 *                 counters (count, rate), rates (%, passes, fails) and gauges (value, min, max)
 * ```
 *
 * Every string from the document is escaped ({@linkcode escapeHtml}): script, check, group,
 * metric and tag names come from a user's script, statuses and errors from the target. Charts
 * are inline SVG from `_svg.ts` (each series a `path.series` with `data-points`), and the
 * Content-Security-Policy of {@linkcode htmlPage} allows no script and no request at all.
 *
 * @module
 */

import type { LoadResultDocument } from "../cli/load.ts";
import type { LatencyDistribution, PercentilePoint } from "../load/distribution.ts";
import {
  BUILTIN_METRICS,
  CHECKS,
  GROUP_SEPARATOR,
  type GroupResult,
  HTTP_REQ_DURATION,
  HTTP_REQ_FAILED,
  HTTP_REQ_LATENCY_INTENDED,
  HTTP_REQS,
  type TimelinePoint,
} from "../load/metrics.ts";
import {
  humanizeDuration,
  humanizeValue,
  metricParentOf,
  type MetricSummary,
  saturationAdvice,
  saturationLine,
  saturationProblems,
  sortMetricNames,
  SUMMARY_SECTIONS,
  summarySectionOf,
} from "../load/summary.ts";
import type { ThresholdResult } from "../load/thresholds.ts";
import { formatDuration, plural } from "./_format.ts";
import {
  anchorId,
  badge,
  type BadgeKind,
  escapeHtml as e,
  htmlPage,
  pageHeader,
  type Tile,
} from "./_html.ts";
import { lineChart, type LineSeries, PALETTE, percentileAxis, stackedBar } from "./_svg.ts";
import { formatTimestamp } from "./html.ts";

/** A load result document (`load-result.json`) with the optional latency distribution. */
export type LoadReportDocument = LoadResultDocument & { distribution?: LatencyDistribution };

/** One way of rendering a load result document to a file. */
export interface LoadReporter {
  /** Name used with `--reporter`. */
  name: string;
  /** One line for help output. */
  description: string;
  /** File written into the output directory. */
  fileName: string;
  /** Renders the document; pure, reads nothing but `doc`. */
  render(doc: LoadReportDocument): string;
}

/** The verdict of a load run, from its exit code: a badge kind, its label and one sentence. */
export function loadVerdict(
  doc: LoadReportDocument,
): { kind: BadgeKind; label: string; text: string } {
  const thresholds = doc.summary.thresholds;
  const failed = thresholds.filter((t) => !t.ok);
  const n = thresholds.length;
  switch (doc.exitCode) {
    case 0:
      return {
        kind: "pass",
        label: "passed",
        text: n > 0
          ? `${n === 1 ? "The threshold" : `All ${n} thresholds`} passed`
          : "The run completed (the script defines no thresholds)",
      };
    case 99: {
      const parts: string[] = [];
      if (failed.length > 0) {
        const metrics = [...new Set(failed.map((t) => t.metric))];
        parts.push(
          `${failed.length} of ${n} ${plural(n, "threshold")} failed (${metrics.join(", ")})`,
        );
      }
      if (doc.failReasons.length > 0) {
        parts.push(`the script marked the test failed: ${doc.failReasons.join("; ")}`);
      }
      return {
        kind: "fail",
        label: failed.length > 0 ? "thresholds failed" : "failed",
        text: `${parts.join("; ") || "The test failed"} (exit code 99)`,
      };
    }
    case 3:
      return {
        kind: "error",
        label: "could not complete",
        text: `${
          doc.unreachable ?? doc.error ??
            (doc.abortReason === null
              ? "The run did not complete"
              : `Stopped early: ${doc.abortReason}`)
        } (exit code 3)`,
      };
    case 2:
      return {
        kind: "error",
        label: "refused",
        text: `${doc.error ?? "The script tried to load a refused host"} (exit code 2)`,
      };
    default:
      return {
        kind: "fail",
        label: "failed",
        text: `The run ended with exit code ${doc.exitCode}`,
      };
  }
}

/** Renders a load result document as one self-contained HTML page. */
export function renderLoadHtml(doc: LoadReportDocument): string {
  const v = loadVerdict(doc);
  const body = [
    _header(doc, v),
    _thresholds(doc),
    _charts(doc),
    _distribution(doc),
    _checks(doc),
    _metrics(doc),
    `<footer>Generated by ${
      e(`${doc.tool.name} ${doc.tool.version}`)
    } from a load result document (schemaVersion ${doc.schemaVersion}) finished ${
      e(doc.finishedAt)
    }. Credentials are never recorded in it. Latencies are HDR-histogram values (within 0.1%).</footer>`,
  ].join("\n");
  return htmlPage({
    title: `${v.label.toUpperCase()}: load ${doc.script} on ${doc.target.url}`,
    body,
    css: LOAD_CSS,
  });
}

/** The load HTML reporter: `load-report.html` in the output directory. */
export const loadHtmlReporter: LoadReporter = {
  name: "html",
  description:
    "self-contained HTML page (load-report.html): thresholds, checks, metrics, charts over time, latency distribution",
  fileName: "load-report.html",
  render: (doc) => renderLoadHtml(doc),
};

// ---------------------------------------------------------------------------------------------
// Formatting
// ---------------------------------------------------------------------------------------------

const _parentOf = metricParentOf;
const _sectionOf = summarySectionOf;
const _sortNames = sortMetricNames;
const _SECTIONS = SUMMARY_SECTIONS;

/** An observed threshold value as the console summary prints it: `p(95)=13.47ms`, `rate=21.66%`. */
export function formatObserved(t: ThresholdResult, metric: MetricSummary | undefined): string {
  if (t.error !== undefined || !Number.isFinite(t.observed)) return t.error ?? "no value";
  return `${t.aggregation}=${_formatAggregation(t.aggregation, t.observed, metric)}`;
}

function _formatAggregation(
  aggregation: string,
  value: number,
  metric: MetricSummary | undefined,
): string {
  if (metric === undefined || aggregation === "count" && metric.type !== "counter") {
    return humanizeValue(value, "counter", "default");
  }
  if (metric.type === "counter") {
    const v = humanizeValue(value, "counter", metric.contains);
    return aggregation === "count" ? v : `${v}/s`;
  }
  return humanizeValue(value, metric.type, metric.contains);
}

function _groupLabel(path: string): string {
  return path === "" ? "(no group)" : path.split(GROUP_SEPARATOR).filter(Boolean).join(" › ");
}

function _checkTotals(doc: LoadReportDocument): { passes: number; fails: number } {
  let passes = 0;
  let fails = 0;
  const walk = (g: GroupResult) => {
    for (const c of g.checks) {
      passes += c.passes;
      fails += c.fails;
    }
    g.groups.forEach(walk);
  };
  walk(doc.summary.rootGroup);
  return { passes, fails };
}

function _value(doc: LoadReportDocument, metric: string, stat: string): number | undefined {
  const v = doc.summary.metrics[metric]?.values[stat];
  return v === undefined || !Number.isFinite(v) ? undefined : v;
}

function _rate(n: number): string {
  return String(Number(n.toFixed(n >= 100 ? 1 : 2)));
}

// ---------------------------------------------------------------------------------------------
// Header
// ---------------------------------------------------------------------------------------------

function _header(doc: LoadReportDocument, v: ReturnType<typeof loadVerdict>): string {
  const facts: [string, string][] = [];
  facts.push(["Script", `<code>${e(doc.script)}</code>`]);
  facts.push([
    "Target",
    `<code>${e(doc.target.url)}</code>${
      doc.target.embedded
        ? ` <span class="muted">(embedded reference server${
          doc.target.profile ? `, profile <strong>${e(doc.target.profile)}</strong>` : ""
        })</span>`
        : ""
    }`,
  ]);
  const scenarios = Object.entries(doc.scenarios);
  if (scenarios.length > 0) {
    facts.push([
      "Scenarios",
      scenarios.map(([name, s]) =>
        `<span class="scenario"><code>${e(name)}</code> ${s.iterations} ${
          plural(s.iterations, "iteration")
        }${s.dropped ? `, ${s.dropped} dropped` : ""}${
          s.interrupted ? `, ${s.interrupted} interrupted` : ""
        }</span>`
      ).join("; "),
    ]);
  }
  facts.push([
    "Run",
    `${e(formatDuration(doc.summary.durationMs))}, finished ${
      e(formatTimestamp(doc.finishedAt))
    } · ${e(`${doc.tool.name} ${doc.tool.version}`)} · exit code <strong>${doc.exitCode}</strong>`,
  ]);
  const s = doc.summary.saturation;
  if (s !== null) {
    const problems = saturationProblems(s);
    facts.push([
      "Generator",
      `${
        problems.length === 0
          ? badge("pass", "kept up", "the generator kept up with the planned load")
          : badge("fail", "saturated", problems.join("; "))
      } <span id="saturation">${e(saturationLine(s))}</span>${
        problems.length ? `<div class="why">${e(_capitalise(saturationAdvice(s) ?? ""))}</div>` : ""
      }`,
    ]);
  }
  if (doc.unreachable !== null) {
    facts.push(["Unreachable", `<span class="problem">${e(doc.unreachable)}</span>`]);
  }
  if (doc.error !== null) facts.push(["Error", `<span class="problem">${e(doc.error)}</span>`]);
  if (doc.abortReason !== null) {
    facts.push(["Stopped early", `<span class="problem">${e(doc.abortReason)}</span>`]);
  }
  if (doc.failReasons.length > 0) {
    facts.push([
      "Marked failed",
      `<ul class="reasons">${doc.failReasons.map((r) => `<li>${e(r)}</li>`).join("")}</ul>`,
    ]);
  }

  const tiles: Tile[] = [];
  const reqs = _value(doc, HTTP_REQS, "count") ?? 0;
  tiles.push({ value: reqs, label: plural(reqs, "request") });
  tiles.push({ value: _rate(_value(doc, HTTP_REQS, "rate") ?? 0), label: "requests/s" });
  const failedRate = _value(doc, HTTP_REQ_FAILED, "rate");
  if (failedRate !== undefined) {
    tiles.push({
      kind: failedRate > 0 ? "fail" : "pass",
      value: humanizeValue(failedRate, "rate", "default"),
      label: "failed requests",
    });
  }
  const p95 = _value(doc, HTTP_REQ_DURATION, "p(95)");
  if (p95 !== undefined) tiles.push({ value: humanizeDuration(p95), label: "p(95) latency" });
  const th = doc.summary.thresholds;
  if (th.length > 0) {
    const ok = th.filter((t) => t.ok).length;
    tiles.push({
      kind: ok === th.length ? "pass" : "fail",
      value: `${ok}/${th.length}`,
      label: "thresholds passed",
    });
  }
  const checks = _checkTotals(doc);
  if (checks.passes + checks.fails > 0) {
    tiles.push({
      kind: checks.fails === 0 ? "pass" : "fail",
      value: humanizeValue(checks.passes / (checks.passes + checks.fails), "rate", "default"),
      label: "checks passed",
    });
  }
  const dropped = doc.summary.saturation?.droppedIterations ?? 0;
  if (dropped > 0) tiles.push({ kind: "xfail", value: dropped, label: "dropped iterations" });

  const failedReqs = Math.round((failedRate ?? 0) * reqs);
  const bar = reqs > 0
    ? stackedBar([
      { label: "succeeded", value: reqs - failedReqs, color: "#2da44e" },
      { label: "failed", value: failedReqs, color: "#cf222e" },
    ], { title: "Requests by outcome", width: 600, height: 8 })
    : undefined;
  const toc = [
    ...(th.length ? ['<a href="#thresholds">thresholds</a>'] : []),
    '<a href="#charts">over time</a>',
    '<a href="#distribution">latency distribution</a>',
    ...(checks.passes + checks.fails ? ['<a href="#checks">checks</a>'] : []),
    '<a href="#metrics">metrics</a>',
  ].join(" · ");
  return pageHeader({
    title: "SMSGate load report",
    subtitle: doc.script.split(/[\\/]/).pop() ?? doc.script,
    verdict: v,
    tiles,
    bar,
    facts,
    toc,
  });
}

// ---------------------------------------------------------------------------------------------
// Thresholds
// ---------------------------------------------------------------------------------------------

function _thresholds(doc: LoadReportDocument): string {
  const all = doc.summary.thresholds;
  if (all.length === 0) return "";
  const byMetric = new Map<string, ThresholdResult[]>();
  for (const t of all) {
    const list = byMetric.get(t.metric) ?? [];
    list.push(t);
    byMetric.set(t.metric, list);
  }
  const rows: string[] = [];
  for (const metric of _sortNames([...byMetric.keys()])) {
    for (const t of byMetric.get(metric)!) {
      const observed = formatObserved(t, doc.summary.metrics[metric]);
      const evaluated = t.error === undefined && Number.isFinite(t.observed);
      rows.push(
        `<tr class="threshold ${t.ok ? "pass" : "fail"}" data-ok="${t.ok}" id="${
          e(anchorId("threshold", `${metric} ${t.source}`))
        }">
<td class="status">${badge(t.ok ? "pass" : "fail", t.ok ? "pass" : "fail")}</td>
<td><code class="metric">${e(metric)}</code></td>
<td><code class="expr">${e(t.source)}</code>${
          t.abortOnFail ? ' <span class="muted">(abortOnFail)</span>' : ""
        }</td>
<td class="observed${evaluated ? " num" : ""}">${e(observed)}</td>
</tr>`,
      );
    }
  }
  const failed = all.filter((t) => !t.ok).length;
  return `<section id="thresholds"><h2>Thresholds</h2>
<p class="section-summary">${all.length} ${plural(all.length, "threshold")}: ${
    all.length - failed
  } passed, ${failed} failed</p>
<table class="thresholds">
<thead><tr><th class="status">Status</th><th class="metric">Metric</th><th class="expr">Threshold</th><th class="num">Observed</th></tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table></section>`;
}

// ---------------------------------------------------------------------------------------------
// Charts over time
// ---------------------------------------------------------------------------------------------

/** Most points a time chart draws per series; longer runs are averaged into wider buckets. */
export const MAX_TIME_POINTS = 1200;

/** Consecutive seconds of the timeline drawn as one point. */
export interface TimeBucket {
  /** Start, seconds since the start of the run. */
  t: number;
  /** Seconds of the run it covers (less than its width at the end of the run). */
  seconds: number;
  /** Requests per second over the time covered. */
  reqs: number;
  /** Largest per-second median in the bucket (null without requests). */
  p50: number | null;
  /** Largest per-second p90 in the bucket. */
  p90: number | null;
  /** Largest per-second p95 in the bucket. */
  p95: number | null;
  /** Largest per-second p99 in the bucket. */
  p99: number | null;
  /** Largest VU count in the bucket. */
  vus: number;
  /** Failed requests per second over the time covered, by status. */
  errors: Record<string, number>;
}

/**
 * The timeline in buckets of `width` whole seconds, so that at most `maxPoints` remain. Counts
 * become rates over the time each bucket covers: the run's last second is usually partial
 * (`runSeconds` says where the run ended; without it every bucket counts as whole). A last
 * bucket covering less than a quarter of its width joins the one before, so a sliver of a
 * second at the end (teardown, say) does not read as a drop to a rate of zero.
 */
export function timelineBuckets(
  timeline: readonly TimelinePoint[],
  runSeconds = Infinity,
  maxPoints = MAX_TIME_POINTS,
): { width: number; buckets: TimeBucket[] } {
  const width = Math.max(1, Math.ceil(timeline.length / Math.max(1, maxPoints)));
  const slices: TimelinePoint[][] = [];
  for (let i = 0; i < timeline.length; i += width) slices.push(timeline.slice(i, i + width));
  const covers = (slice: TimelinePoint[]) =>
    Math.max(
      0,
      Math.min(slice.length, (Number.isFinite(runSeconds) ? runSeconds : Infinity) - slice[0].t),
    );
  if (slices.length > 1 && covers(slices.at(-1)!) < width / 4) {
    const last = slices.pop()!;
    slices[slices.length - 1] = [...slices.at(-1)!, ...last];
  }
  const buckets = slices.map((slice): TimeBucket => {
    const seconds = Math.max(covers(slice), 0.001);
    const maxOf = (key: "p50" | "p90" | "p95" | "p99") => {
      const values = slice.map((p) => p[key]).filter((v): v is number => v !== null);
      return values.length ? Math.max(...values) : null;
    };
    const errors: Record<string, number> = {};
    for (const p of slice) {
      for (const [status, n] of Object.entries(p.errorsByStatus)) {
        errors[status] = (errors[status] ?? 0) + n / seconds;
      }
    }
    return {
      t: slice[0].t,
      seconds,
      reqs: slice.reduce((n, p) => n + p.reqs, 0) / seconds,
      p50: maxOf("p50"),
      p90: maxOf("p90"),
      p95: maxOf("p95"),
      p99: maxOf("p99"),
      vus: Math.max(...slice.map((p) => p.vus)),
      errors,
    };
  });
  return { width, buckets };
}

function _statusLabel(status: string): string {
  if (status === "0") return "status 0 (no response)";
  if (status === "none") return "no status";
  return `status ${status}`;
}

function _figure(id: string, caption: string, chart: string, note?: string): string {
  return `<figure class="chart" id="${id}"><figcaption>${e(caption)}</figcaption>${chart}${
    note ? `<p class="note muted">${e(note)}</p>` : ""
  }</figure>`;
}

const _TIME_CHART = { width: 560, height: 220 } as const;

function _charts(doc: LoadReportDocument): string {
  const runS = doc.summary.durationMs / 1000;
  const { width, buckets } = timelineBuckets(doc.timeline, runS);
  const last = buckets.at(-1);
  const x = { label: "time (s)", min: 0, max: last ? last.t + Math.max(last.seconds, 0.5) : 1 };
  // Each point sits in the middle of the time it covers.
  const at = (b: TimeBucket) => b.t + b.seconds / 2;
  const per = width === 1 ? "each second" : `${width}-second buckets`;
  const note = width === 1
    ? "One point per second of the run (setup and teardown included), in the middle of the second; counts are rates over the part of the last second the run lasted."
    : `One point per ${width} seconds: requests and errors per second over the bucket, percentiles and VUs the bucket's largest.`;
  const requests = lineChart({
    ..._TIME_CHART,
    id: "chart-requests",
    title: "Requests per second",
    description: `http_reqs per second, ${per}`,
    series: [{ name: "requests/s", points: buckets.map((b) => [at(b), b.reqs]) }],
    x,
    y: { label: "requests/s" },
  });
  const latency = lineChart({
    ..._TIME_CHART,
    id: "chart-latency",
    title: "Latency percentiles (http_req_duration)",
    description: `p50, p90, p95 and p99 of http_req_duration in ms, ${per}`,
    series: (["p50", "p90", "p95", "p99"] as const).map((k) => ({
      name: k,
      points: buckets.map((b) => [at(b), b[k]] as const),
    })),
    x,
    y: { label: "ms" },
  });
  const vus = lineChart({
    ..._TIME_CHART,
    id: "chart-vus",
    title: "Virtual users",
    description: `the vus gauge, ${per}`,
    series: [{ name: "VUs", points: buckets.map((b) => [at(b), b.vus]) }],
    x,
    y: { label: "VUs" },
  });
  const statuses = [...new Set(buckets.flatMap((b) => Object.keys(b.errors)))].sort();
  const errorSeries: LineSeries[] = statuses.length > 0
    ? statuses.map((status, i) => ({
      name: _statusLabel(status),
      points: buckets.map((b) => [at(b), b.errors[status] ?? 0]),
      color: PALETTE[(i + 1) % PALETTE.length],
    }))
    : [{ name: "failed requests", points: buckets.map((b) => [at(b), 0]) }];
  const errors = lineChart({
    ..._TIME_CHART,
    id: "chart-errors",
    title: "Failed requests per second by status",
    description: `http_req_failed requests per second by response status, ${per}`,
    series: errorSeries,
    x,
    y: { label: "failed/s" },
  });
  const total = doc.timeline.reduce((n, p) => n + p.failed, 0);
  return `<section id="charts"><h2>Over time</h2>
<p class="section-summary muted">${e(note)}</p>
<div class="charts">
${_figure("fig-requests", "Requests per second", requests)}
${_figure("fig-latency", "Latency percentiles (http_req_duration)", latency)}
${_figure("fig-vus", "Virtual users", vus)}
${
    _figure(
      "fig-errors",
      "Failed requests per second, by status",
      errors,
      statuses.length
        ? `${total} failed ${plural(total, "request")}: ${
          statuses.map((s) =>
            `${doc.timeline.reduce((n, p) => n + (p.errorsByStatus[s] ?? 0), 0)} ${_statusLabel(s)}`
          ).join(", ")
        }`
        : "No request failed.",
    )
  }
</div></section>`;
}

// ---------------------------------------------------------------------------------------------
// Latency distribution
// ---------------------------------------------------------------------------------------------

/** Stats of the summary that are percentiles: `med` -> 50, `p(99.9)` -> 99.9, `min` -> 0. */
function _summaryPoints(metric: MetricSummary | undefined): PercentilePoint[] {
  if (metric === undefined || metric.type !== "trend") return [];
  const points: PercentilePoint[] = [];
  for (const [stat, value] of Object.entries(metric.values)) {
    if (!Number.isFinite(value)) continue;
    const m = /^p\((\d+(?:\.\d+)?)\)$/.exec(stat);
    const p = stat === "min"
      ? 0
      : stat === "med"
      ? 50
      : stat === "max"
      ? 100
      : m
      ? Number(m[1])
      : NaN;
    if (Number.isFinite(p) && p >= 0 && p <= 100) points.push([p, value]);
  }
  return points.sort((a, b) => a[0] - b[0]);
}

/** The x of a percentile on the percentile axis: `1 / (1 - p/100)` (infinite at 100). */
export function percentileX(p: number): number {
  return 100 / (100 - p);
}

/** A percentile axis wide enough for the largest percentile below 100 (at least 99). */
function _axisFor(series: PercentilePoint[][]): ReturnType<typeof percentileAxis> {
  let top = 99;
  for (const points of series) {
    for (const [p] of points) if (p < 100 && p > top) top = p;
  }
  const nines = Math.min(7, Math.ceil(-Math.log10(1 - top / 100) - 1e-9));
  const axis = percentileAxis(Number((100 - 100 * 10 ** -nines).toPrecision(12)));
  // A little room right of the last tick so its label is not cut at the edge.
  return { ...axis, max: axis.max! * 1.5 };
}

function _distribution(doc: LoadReportDocument): string {
  const d = doc.distribution;
  const fromSummary = d === undefined;
  const uncorrected = d?.http_req_duration ??
    _summaryPoints(doc.summary.metrics[HTTP_REQ_DURATION]);
  const corrected = d
    ? d.http_req_latency_intended ?? []
    : _summaryPoints(doc.summary.metrics[HTTP_REQ_LATENCY_INTENDED]);
  const both = corrected.length > 0;
  const named: { name: string; points: PercentilePoint[]; dashed?: boolean; color: string }[] = both
    ? [
      { name: "corrected (intended start)", points: corrected, color: PALETTE[1] },
      { name: "uncorrected", points: uncorrected, dashed: true, color: PALETTE[0] },
    ]
    : [{ name: "http_req_duration", points: uncorrected, color: PALETTE[0] }];
  const chart = lineChart({
    id: "chart-distribution",
    title: "Latency by percentile",
    description: both
      ? "HDR percentile plot: latency measured from each iteration's intended start (coordinated-omission corrected) and from when the request was sent (uncorrected)"
      : "HDR percentile plot of http_req_duration",
    width: 1120,
    height: 300,
    x: _axisFor(named.map((s) => s.points)),
    y: { label: "latency (ms)" },
    markers: false,
    series: named.map((s) => ({
      name: s.name,
      color: s.color,
      dashed: s.dashed,
      points: s.points.filter(([p]) => p < 100).map(([p, v]) => [percentileX(p), v] as const),
    })),
  });
  const maxes = named.map((s) => {
    const last = s.points.at(-1);
    return last && last[0] === 100 ? `${s.name} ${humanizeDuration(last[1])}` : null;
  }).filter((x) => x !== null);
  const notes = [
    uncorrected.length === 0 && !both
      ? "No request was made."
      : both
      ? "Corrected latency counts from when each arrival-rate iteration was scheduled to start (and includes waits of iterations dropped for want of a free VU), so it shows the queueing that uncorrected latency hides (coordinated omission)."
      : "The run had no arrival-rate scenario, so there is no coordinated-omission corrected latency: closed-model VUs wait for each answer before sending the next request.",
    fromSummary
      ? "This document has no recorded distribution: the points are the summary statistics only."
      : "",
    maxes.length ? `Largest: ${maxes.join(", ")} (at 100%, off the axis).` : "",
  ].filter(Boolean).join(" ");
  // The points as a table (folded): one row per percentile.
  const ps = [...new Set(named.flatMap((s) => s.points.map(([p]) => p)))].sort((a, b) => a - b);
  const lookup = named.map((s) => new Map(s.points.map(([p, v]) => [p, v])));
  const rows = ps.map((p) =>
    `<tr><td class="num">${e(String(Number(p.toPrecision(8))))}%</td>${
      lookup.map((m) => {
        const v = m.get(p);
        return `<td class="num">${v === undefined ? "" : e(humanizeDuration(v))}</td>`;
      }).join("")
    }</tr>`
  ).join("\n");
  const table = ps.length
    ? `<details class="points"><summary>The ${ps.length} points</summary><table class="distribution">
<thead><tr><th class="num">Percentile</th>${
      named.map((s) => `<th class="num">${e(s.name)}</th>`).join("")
    }</tr></thead>
<tbody>
${rows}
</tbody></table></details>`
    : "";
  return `<section id="distribution"><h2>Latency distribution</h2>
${_figure("fig-distribution", "Latency by percentile (HDR percentile plot)", chart, notes)}
${table}
</section>`;
}

// ---------------------------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------------------------

function _checks(doc: LoadReportDocument): string {
  const groups: GroupResult[] = [];
  const walk = (g: GroupResult) => {
    if (g.checks.length > 0) groups.push(g);
    g.groups.forEach(walk);
  };
  walk(doc.summary.rootGroup);
  if (groups.length === 0) return "";
  const totals = _checkTotals(doc);
  const total = totals.passes + totals.fails;
  const bodies = groups.map((g) => {
    const rows = g.checks.map((c) => {
      const n = c.passes + c.fails;
      const ok = c.fails === 0;
      return `<tr class="check ${ok ? "pass" : "fail"}" data-ok="${ok}">
<td class="status">${badge(ok ? "pass" : "fail", ok ? "pass" : "fail")}</td>
<td class="name">${e(c.name)}</td>
<td class="num">${c.passes}</td>
<td class="num">${c.fails}</td>
<td class="num">${n > 0 ? e(humanizeValue(c.passes / n, "rate", "default")) : "-"}</td>
</tr>`;
    }).join("\n");
    return `<tbody class="group" data-path="${e(g.path)}">
<tr class="group-head"><th colspan="5">${e(_groupLabel(g.path))}</th></tr>
${rows}
</tbody>`;
  }).join("\n");
  return `<section id="checks"><h2>Checks</h2>
<p class="section-summary">${total} ${
    plural(total, "check")
  }: ${totals.passes} passed, ${totals.fails} failed (${
    e(humanizeValue(total ? totals.passes / total : 0, "rate", "default"))
  } succeeded)</p>
<table class="checks">
<thead><tr><th class="status">Status</th><th>Check</th><th class="num">Passes</th><th class="num">Fails</th><th class="num">Succeeded</th></tr></thead>
${bodies}
</table></section>`;
}

// ---------------------------------------------------------------------------------------------
// Metrics
// ---------------------------------------------------------------------------------------------

const _DESCRIPTIONS = new Map(BUILTIN_METRICS.map((b) => [b.name, b.description]));

/** The trend statistics of the document (as configured by summaryTrendStats), in order. */
function _trendStats(doc: LoadReportDocument): string[] {
  for (const m of Object.values(doc.summary.metrics)) {
    if (m.type === "trend") return Object.keys(m.values);
  }
  return [];
}

function _otherCells(m: MetricSummary): string {
  const v = m.values;
  const cell = (label: string, value: string) =>
    `<span class="v"><span class="k">${e(label)}</span> <b>${e(value)}</b></span>`;
  switch (m.type) {
    case "counter":
      return cell("count", humanizeValue(v.count ?? 0, "counter", m.contains)) +
        cell("rate", `${humanizeValue(v.rate ?? 0, "counter", m.contains)}/s`);
    case "gauge":
      return cell("value", humanizeValue(v.value ?? 0, "gauge", m.contains)) +
        cell("min", humanizeValue(v.min ?? 0, "gauge", m.contains)) +
        cell("max", humanizeValue(v.max ?? 0, "gauge", m.contains));
    case "rate":
      return cell("rate", humanizeValue(v.rate ?? 0, "rate", m.contains)) +
        cell("✓", String(v.passes ?? 0)) + cell("✗", String(v.fails ?? 0));
    default:
      return "";
  }
}

function _metrics(doc: LoadReportDocument): string {
  const stats = _trendStats(doc);
  const names = Object.keys(doc.summary.metrics).filter((n) => _parentOf(n) !== CHECKS);
  const bySection = new Map<string, string[]>();
  for (const n of names) {
    const section = _sectionOf(n);
    bySection.set(section, [...(bySection.get(section) ?? []), n]);
  }
  const columns = 2 + stats.length;
  const bodies: string[] = [];
  for (const section of _SECTIONS) {
    const list = bySection.get(section);
    if (!list) continue;
    const rows = _sortNames(list).map((n) => {
      const m = doc.summary.metrics[n];
      const sub = n.includes("{");
      const label = sub
        ? `<code class="sub">{ ${e(n.slice(n.indexOf("{") + 1, -1))} }</code>`
        : `<code>${e(n)}</code>`;
      const description = _DESCRIPTIONS.get(n);
      const failed = m.thresholds && Object.values(m.thresholds).some((t) => !t.ok);
      const marks = m.thresholds
        ? ` <a class="th-mark ${failed ? "fail" : "pass"}" href="#thresholds" title="${
          e(
            Object.entries(m.thresholds).map(([s, t]) => `${t.ok ? "✓" : "✗"} ${s}`).join(", "),
          )
        }">${failed ? "✗" : "✓"}</a>`
        : "";
      const cells = m.type === "trend"
        ? stats.map((s) => {
          const v = m.values[s];
          return `<td class="num">${
            v === undefined
              ? ""
              : e(s === "count" ? String(v) : humanizeValue(v, "trend", m.contains))
          }</td>`;
        }).join("")
        : `<td class="values" colspan="${Math.max(1, stats.length)}">${_otherCells(m)}</td>`;
      return `<tr class="metric${sub ? " submetric" : ""}" data-metric="${e(n)}" data-type="${
        e(m.type)
      }"><th scope="row"${
        description ? ` title="${e(description)}"` : ""
      }>${label}${marks}</th><td class="type muted">${e(m.type)}</td>${cells}</tr>`;
    }).join("\n");
    bodies.push(`<tbody class="section" data-section="${section}">
<tr class="section-head"><th colspan="${columns}">${section}</th></tr>
${rows}
</tbody>`);
  }
  const head = `<thead><tr><th>Metric</th><th>Type</th>${
    stats.map((s) => `<th class="num">${e(s)}</th>`).join("")
  }</tr></thead>`;
  return `<section id="metrics"><h2>Metrics</h2>
<p class="section-summary muted">As the console summary: trends with their statistics, counters with count and rate per second, rates with the share of non-zero samples, gauges with their last, smallest and largest value.</p>
<table class="metrics">
${head}
${bodies.join("\n")}
</table></section>`;
}

/** Styles specific to the load page (added to the shared stylesheet). */
export const LOAD_CSS = `
.section-summary{margin:0 0 8px}
.problem{color:var(--fail);font-weight:600}
.why{font-size:12px;color:var(--xfail)}
ul.reasons{margin:0;padding-left:18px}
.scenario{white-space:nowrap}
table.thresholds th.status,table.checks th.status{width:84px}
table.thresholds th.metric{width:38%}table.thresholds th.expr{width:30%}
tr.threshold.fail,tr.check.fail{background:var(--fail-bg)}
tr.threshold.fail td.status,tr.check.fail td.status{box-shadow:inset 3px 0 var(--fail)}
tr.threshold.fail td.observed{color:var(--fail);font-weight:600}
td.observed{white-space:nowrap}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(440px,1fr));gap:4px 24px}
.charts figure.chart{margin:4px 0 8px}
figure.chart .note{font-size:12px;margin:2px 0 0}
details.points{margin:0 0 8px;font-size:12px}details.points table{width:auto;min-width:420px}
tr.group-head th{background:var(--panel);font-weight:600}
table.metrics th[scope=row]{font-weight:400;white-space:nowrap}
table.metrics tr.submetric th[scope=row]{padding-left:24px}
table.metrics code.sub{color:var(--muted)}
tr.section-head th{background:var(--panel);font-size:12px;letter-spacing:.05em}
table.metrics th,table.metrics td{vertical-align:baseline}td.type{font-size:12px}
td.values .v{display:inline-block;min-width:9em;margin-right:12px;font-variant-numeric:tabular-nums}
td.values .k{color:var(--muted)}
a.th-mark{font-weight:700;margin-left:4px}a.th-mark.pass{color:var(--pass)}a.th-mark.fail{color:var(--fail)}
@media print{tr.threshold.fail,tr.check.fail{background:none}.charts{display:block}}
`;

function _capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
