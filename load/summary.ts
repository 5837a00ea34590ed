/**
 * End-of-test output: the k6-like text summary printed after a load run, and the k6
 * `--summary-export` JSON document.
 *
 * Both read a {@linkcode SummaryData}: plain data (JSON friendly), built from a registry with
 * {@linkcode buildSummaryData}, so a saved result can be rendered again later.
 *
 * The text summary follows k6 v1's compact layout: a THRESHOLDS block (✓/✗ with the observed
 * value), TOTAL RESULTS with the checks (totals, then each check, failing ones with their pass
 * percentage), the metrics grouped as k6 groups them (CUSTOM, HTTP, EXECUTION, NETWORK; sub-metrics
 * under their parent), and a GENERATOR block with the generator's own saturation: achieved vs
 * intended iteration rate, dropped iterations and event-loop lag p99.
 *
 * @module
 */

import { createHash } from "node:crypto";
import pc from "picocolors";
import {
  CHECKS,
  DATA_RECEIVED,
  DATA_SENT,
  DEFAULT_TREND_STATS,
  DROPPED_ITERATIONS,
  EVENT_LOOP_LAG,
  GROUP_DURATION,
  GROUP_SEPARATOR,
  type GroupResult,
  ITERATION_DURATION,
  ITERATIONS,
  type MetricsRegistry,
  type MetricType,
  type ValueType,
  VUS,
  VUS_MAX,
} from "./metrics.ts";
import type { ThresholdResult } from "./thresholds.ts";

/** Aggregated values of one metric or sub-metric, as in k6's `handleSummary` data. */
export interface MetricSummary {
  /** Metric type. */
  type: MetricType;
  /** Value type. */
  contains: ValueType;
  /**
   * Values: counter `count`, `rate`; gauge `value`, `min`, `max`; rate `rate`, `passes`,
   * `fails`; trend the configured stats (`avg`, `min`, `med`, `max`, `p(90)`, `p(95)` by default).
   */
  values: Record<string, number>;
  /** Threshold outcomes keyed by expression, as k6: `{ "p(95)<200": { ok: true } }`. */
  thresholds?: Record<string, { ok: boolean }>;
}

/** The load generator's own saturation over the run. */
export interface SaturationStats {
  /** Completed iterations per second over the run. */
  achievedIterationRate: number;
  /**
   * The iteration rate the arrival-rate executors scheduled, averaged over the run (scheduled
   * iterations / duration); null when no arrival-rate executor ran.
   */
  intendedIterationRate: number | null;
  /** Iterations that could not start (k6 `dropped_iterations`). */
  droppedIterations: number;
  /** p99 of the generator's event-loop lag, in ms; null when not measured. */
  eventLoopLagP99Ms: number | null;
}

/** Everything the end-of-test outputs need. */
export interface SummaryData {
  /** Observed metrics and sub-metrics by full name, in registry order. */
  metrics: Record<string, MetricSummary>;
  /** Threshold outcomes; `metric` is the canonical metric or sub-metric name. */
  thresholds: ThresholdResult[];
  /** Check results by group. */
  rootGroup: GroupResult;
  /** Run duration in ms. */
  durationMs: number;
  /** The generator's saturation, or null when unknown. */
  saturation: SaturationStats | null;
}

/** Options of {@linkcode buildSummaryData}. */
export interface BuildSummaryOptions {
  /** Threshold outcomes from `ThresholdSet.evaluate`. */
  thresholds?: readonly ThresholdResult[];
  /** See {@linkcode SaturationStats.intendedIterationRate}. */
  intendedIterationRate?: number | null;
  /** Trend statistics to compute (k6 `summaryTrendStats`). */
  trendStats?: readonly string[];
}

/**
 * Collects a registry's observed metrics (those with samples, or marked observed by a
 * threshold), its check tree, duration and saturation, and attaches the threshold outcomes.
 */
export function buildSummaryData(
  registry: MetricsRegistry,
  options: BuildSummaryOptions = {},
): SummaryData {
  const durationMs = registry.durationMs();
  const trendStats = options.trendStats ?? DEFAULT_TREND_STATS;
  const metrics: Record<string, MetricSummary> = {};
  for (const m of registry.metrics()) {
    if (m.observed) {
      metrics[m.name] = {
        type: m.type,
        contains: m.contains,
        values: m.values(durationMs, trendStats),
      };
    }
    for (const s of m.submetrics) {
      if (!s.observed) continue;
      metrics[s.name] = {
        type: s.type,
        contains: s.contains,
        values: s.values(durationMs, trendStats),
      };
    }
  }
  const thresholds = (options.thresholds ?? []).map((r) => ({
    ...r,
    metric: registry.find(r.metric)?.name ?? r.metric,
  }));
  for (const r of thresholds) {
    const m = metrics[r.metric];
    if (m === undefined) continue;
    (m.thresholds ??= {})[r.source] = { ok: r.ok };
  }
  const iterations = registry.get(ITERATIONS);
  const dropped = registry.get(DROPPED_ITERATIONS);
  const lag = registry.get(EVENT_LOOP_LAG);
  const saturation: SaturationStats = {
    achievedIterationRate: iterations ? iterations.aggregate("rate", 0, durationMs) : 0,
    intendedIterationRate: options.intendedIterationRate ?? null,
    droppedIterations: dropped ? dropped.aggregate("count", 0, durationMs) : 0,
    eventLoopLagP99Ms: lag && !lag.isEmpty() ? lag.aggregate("p", 99, durationMs) : null,
  };
  return { metrics, thresholds, rootGroup: registry.checkResults(), durationMs, saturation };
}

// ---------------------------------------------------------------------------------------------
// Value formatting (k6 js/summary.js)
// ---------------------------------------------------------------------------------------------

function _toFixedNoTrailingZeros(val: number, prec: number): string {
  return String(parseFloat(val.toFixed(prec)));
}

function _toFixedNoTrailingZerosTrunc(val: number, prec: number): string {
  const mult = 10 ** prec;
  return _toFixedNoTrailingZeros(Math.trunc(mult * val) / mult, prec);
}

/** Formats milliseconds as k6 does: `0s`, `350ns`, `12.5µs`, `148.21ms`, `2.5s`, `1m30s`, `1h2m3s`. */
export function humanizeDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms === 0) return "0s";
  if (ms < 0) return `-${humanizeDuration(-ms)}`;
  if (ms < 0.001) return `${Math.trunc(ms * 1_000_000)}ns`;
  if (ms < 1) return `${_toFixedNoTrailingZerosTrunc(ms * 1000, 2)}µs`;
  if (ms < 1000) return `${_toFixedNoTrailingZerosTrunc(ms, 2)}ms`;
  let fixed = `${_toFixedNoTrailingZerosTrunc((ms % 60000) / 1000, ms > 60000 ? 0 : 2)}s`;
  let rest = Math.trunc(ms / 60000);
  if (rest < 1) return fixed;
  fixed = `${rest % 60}m${fixed}`;
  rest = Math.trunc(rest / 60);
  if (rest < 1) return fixed;
  return `${rest}h${fixed}`;
}

/** Formats bytes as k6 does (powers of 1000): `8 B`, `81 kB`, `1.3 MB`. */
export function humanizeBytes(bytes: number): string {
  const units = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];
  if (!Number.isFinite(bytes)) return `${bytes} B`;
  if (bytes < 10) return `${_toFixedNoTrailingZeros(bytes, 2)} B`;
  const e = Math.min(units.length - 1, Math.floor(Math.log(bytes) / Math.log(1000)));
  const val = Math.floor((bytes / 1000 ** e) * 10 + 0.5) / 10;
  return `${val.toFixed(val < 10 ? 1 : 0)} ${units[e]}`;
}

/**
 * Formats a metric value as k6 does: rates as percentages (truncated to 2 decimals), data as
 * bytes, time as durations, anything else with up to 6 decimals.
 */
export function humanizeValue(value: number, type: MetricType, contains: ValueType): string {
  if (type === "rate") return `${(Math.trunc(value * 100 * 100) / 100).toFixed(2)}%`;
  if (contains === "data") return humanizeBytes(value);
  if (contains === "time") return humanizeDuration(value);
  return _toFixedNoTrailingZeros(value, 6);
}

function _humanizeAggregation(
  aggregation: string,
  value: number,
  metric: MetricSummary | undefined,
): string {
  if (metric === undefined) return _toFixedNoTrailingZeros(value, 6);
  if (metric.type === "counter") {
    if (aggregation === "count") return humanizeValue(value, "counter", metric.contains);
    return `${humanizeValue(value, "counter", metric.contains)}/s`;
  }
  return humanizeValue(value, metric.type, metric.contains);
}

// ---------------------------------------------------------------------------------------------
// Text summary
// ---------------------------------------------------------------------------------------------

/** Options of {@linkcode renderSummary}. */
export interface RenderSummaryOptions {
  /** Use ANSI colors (picocolors). */
  color: boolean;
}

type _Colors = ReturnType<typeof pc.createColors>;

/** The summary's metric sections, in k6's order. */
export const SUMMARY_SECTIONS = ["CUSTOM", "HTTP", "EXECUTION", "NETWORK"] as const;
const _SECTIONS = SUMMARY_SECTIONS;
const _EXECUTION = new Set([
  ITERATIONS,
  ITERATION_DURATION,
  DROPPED_ITERATIONS,
  VUS,
  VUS_MAX,
  GROUP_DURATION,
  EVENT_LOOP_LAG,
]);
const _NETWORK = new Set([DATA_SENT, DATA_RECEIVED]);

/** A failing generator: achieved below this share of the intended rate. */
export const SATURATION_RATE_RATIO = 0.95;
/** A failing generator: event-loop lag p99 above this many ms. */
export const SATURATION_LAG_MS = 50;

/** The summary section of a metric or sub-metric (by its parent name). */
export function summarySectionOf(name: string): (typeof SUMMARY_SECTIONS)[number] {
  const parent = metricParentOf(name);
  if (parent.startsWith("http_")) return "HTTP";
  if (_EXECUTION.has(parent)) return "EXECUTION";
  if (_NETWORK.has(parent)) return "NETWORK";
  return "CUSTOM";
}
const _sectionOf = summarySectionOf;

/** The parent metric of a name: `http_req_duration{name:x}` is `http_req_duration`. */
export function metricParentOf(name: string): string {
  const i = name.indexOf("{");
  return i < 0 ? name : name.slice(0, i);
}
const _parentOf = metricParentOf;

function _width(s: string): number {
  // deno-lint-ignore no-control-regex
  return [...s.replace(/\x1b\[[0-9;]*m/g, "")].length;
}

function _pad(s: string, width: number): string {
  return s + " ".repeat(Math.max(0, width - _width(s)));
}

interface _Line {
  label: string;
  cells: string[];
  trend: boolean;
}

function _metricCells(m: MetricSummary, trendStats: string[]): string[] {
  const v = m.values;
  switch (m.type) {
    case "counter":
      return [
        humanizeValue(v.count ?? 0, "counter", m.contains),
        `${humanizeValue(v.rate ?? 0, "counter", m.contains)}/s`,
      ];
    case "gauge":
      return [
        humanizeValue(v.value ?? 0, "gauge", m.contains),
        `min=${humanizeValue(v.min ?? 0, "gauge", m.contains)}`,
        `max=${humanizeValue(v.max ?? 0, "gauge", m.contains)}`,
      ];
    case "rate":
      return [
        humanizeValue(v.rate ?? 0, "rate", m.contains),
        `✓ ${v.passes ?? 0}`,
        `✗ ${v.fails ?? 0}`,
      ];
    case "trend":
      return trendStats.map((stat) =>
        `${stat}=${
          stat === "count" ? String(v[stat] ?? 0) : humanizeValue(v[stat] ?? 0, "trend", m.contains)
        }`
      );
  }
}

function _renderTable(lines: _Line[], indent: string, c: _Colors): string[] {
  const labelWidth = Math.max(0, ...lines.map((l) => _width(l.label)));
  const trendWidths: number[] = [];
  const otherWidths: number[] = [];
  for (const l of lines) {
    const widths = l.trend ? trendWidths : otherWidths;
    l.cells.forEach((cell, i) => widths[i] = Math.max(widths[i] ?? 0, _width(cell)));
  }
  return lines.map((l) => {
    const dots = ".".repeat(labelWidth - _width(l.label) + 3);
    const widths = l.trend ? trendWidths : otherWidths;
    const cells = l.cells.map((cell, i) => {
      const padded = i === l.cells.length - 1 ? cell : _pad(cell, widths[i]);
      if (l.trend) {
        const eq = padded.indexOf("=");
        return padded.slice(0, eq + 1) + c.cyan(padded.slice(eq + 1));
      }
      return i === 0 ? c.cyan(padded) : c.dim(c.cyan(padded));
    });
    return `${indent}${l.label}${c.dim(`${dots}:`)} ${cells.join(" ")}`.trimEnd();
  });
}

/** Sorts names as the summary does: parents by name, each followed by its sub-metrics. */
export function sortMetricNames(names: string[]): string[] {
  return names.sort((a, b) => {
    const pa = _parentOf(a);
    const pb = _parentOf(b);
    if (pa !== pb) return pa < pb ? -1 : 1;
    const sa = a.slice(pa.length);
    const sb = b.slice(pb.length);
    return sa === sb ? 0 : sa < sb ? -1 : 1;
  });
}

function _checkTotals(data: SummaryData): { passes: number; fails: number } | null {
  const m = data.metrics[CHECKS];
  if (m !== undefined && m.type === "rate") {
    return { passes: m.values.passes ?? 0, fails: m.values.fails ?? 0 };
  }
  let passes = 0;
  let fails = 0;
  let any = false;
  const walk = (g: GroupResult) => {
    for (const ch of g.checks) {
      any = true;
      passes += ch.passes;
      fails += ch.fails;
    }
    g.groups.forEach(walk);
  };
  walk(data.rootGroup);
  return any ? { passes, fails } : null;
}

function _renderChecks(group: GroupResult, indent: string, c: _Colors, out: string[]): void {
  for (const ch of group.checks) {
    if (ch.fails === 0) {
      out.push(`${indent}${c.green(`✓ ${ch.name}`)}`);
    } else {
      const total = ch.passes + ch.fails;
      const pct = Math.floor((100 * ch.passes) / total);
      out.push(`${indent}${c.red(`✗ ${ch.name}`)}`);
      out.push(`${indent}  ${c.red(`↳  ${pct}% — ✓ ${ch.passes} / ✗ ${ch.fails}`)}`);
    }
  }
  for (const g of group.groups) {
    out.push(`${indent}${c.bold(`█ ${g.name}`)}`);
    _renderChecks(g, `${indent}  `, c, out);
  }
}

function _formatRate(n: number): string {
  return _toFixedNoTrailingZeros(n, n >= 100 ? 1 : 2);
}

/** Whether the generator was saturated, and why (empty when it kept up or nothing is known). */
export function saturationProblems(s: SaturationStats): string[] {
  const problems: string[] = [];
  if (
    s.intendedIterationRate !== null && s.intendedIterationRate > 0 &&
    s.achievedIterationRate < SATURATION_RATE_RATIO * s.intendedIterationRate
  ) {
    problems.push(
      `achieved ${
        _toFixedNoTrailingZeros((100 * s.achievedIterationRate) / s.intendedIterationRate, 1)
      }% of the intended iteration rate`,
    );
  }
  if (s.droppedIterations > 0) problems.push(`dropped ${s.droppedIterations} iterations`);
  if (s.eventLoopLagP99Ms !== null && s.eventLoopLagP99Ms > SATURATION_LAG_MS) {
    problems.push(`event-loop lag p99 was ${humanizeDuration(s.eventLoopLagP99Ms)}`);
  }
  return problems;
}

/**
 * What the saturation problems mean and what to do, or null when the generator kept up. A busy
 * event loop means the generator's CPU is the limit; otherwise iterations were late or dropped
 * because every VU was waiting on the target: too few VUs for its latency, or a slow target.
 */
export function saturationAdvice(s: SaturationStats): string | null {
  const problems = saturationProblems(s);
  if (problems.length === 0) return null;
  const cpuBound = s.eventLoopLagP99Ms !== null && s.eventLoopLagP99Ms > SATURATION_LAG_MS;
  return cpuBound
    ? `the generator was saturated (${
      problems.join("; ")
    }): results understate what the target can take; run fewer VUs per worker or more workers`
    : `the planned rate was not reached (${
      problems.join("; ")
    }) while the generator's event loop was idle: every VU was waiting on the target; raise preAllocatedVUs/maxVUs, or the target is too slow for this rate`;
}

/** The one-line saturation statement shown in the summary's GENERATOR block. */
export function saturationLine(s: SaturationStats): string {
  const parts = [`achieved ${_formatRate(s.achievedIterationRate)} iterations/s`];
  if (s.intendedIterationRate !== null && s.intendedIterationRate > 0) {
    const pct = (100 * s.achievedIterationRate) / s.intendedIterationRate;
    parts[0] += ` of ${_formatRate(s.intendedIterationRate)} intended (${
      _toFixedNoTrailingZeros(pct, 1)
    }%)`;
  }
  parts.push(`${s.droppedIterations} dropped`);
  parts.push(
    s.eventLoopLagP99Ms === null
      ? "event-loop lag not measured"
      : `event-loop lag p99=${humanizeDuration(s.eventLoopLagP99Ms)}`,
  );
  return parts.join(", ");
}

/** Renders the end-of-test summary as k6 prints it (compact mode), plus the GENERATOR block. */
export function renderSummary(data: SummaryData, options: RenderSummaryOptions): string {
  const c = pc.createColors(options.color);
  const out: string[] = [];
  const title = (t: string) => {
    out.push(`  ${c.bold(`█ ${t}`)}`, "");
  };
  const trendStats = _trendStatsOf(data);

  // THRESHOLDS
  if (data.thresholds.length > 0) {
    title("THRESHOLDS");
    const byMetric = new Map<string, ThresholdResult[]>();
    for (const r of data.thresholds) {
      const list = byMetric.get(r.metric) ?? [];
      list.push(r);
      byMetric.set(r.metric, list);
    }
    for (const name of sortMetricNames([...byMetric.keys()])) {
      out.push(`    ${name}`);
      for (const r of byMetric.get(name)!) {
        const observed = r.error !== undefined || Number.isNaN(r.observed)
          ? `(${r.error ?? "no value"})`
          : `${r.aggregation}=${
            _humanizeAggregation(r.aggregation, r.observed, data.metrics[name])
          }`;
        const line = `${r.ok ? "✓" : "✗"} '${r.source}' ${observed}`;
        out.push(`    ${r.ok ? c.green(line) : c.red(line)}`);
      }
      out.push("");
    }
    out.push("");
  }

  // TOTAL RESULTS
  title("TOTAL RESULTS");
  const totals = _checkTotals(data);
  if (totals !== null) {
    const total = totals.passes + totals.fails;
    const seconds = data.durationMs / 1000;
    const pctOf = (n: number) =>
      `${(total > 0 ? Math.trunc((n / total) * 10000) / 100 : 0).toFixed(2)}%`;
    out.push(
      ..._renderTable(
        [
          {
            label: "checks_total",
            cells: [
              String(total),
              `${_toFixedNoTrailingZeros(seconds > 0 ? total / seconds : 0, 6)}/s`,
            ],
            trend: false,
          },
          {
            label: "checks_succeeded",
            cells: [pctOf(totals.passes), `${totals.passes} out of ${total}`],
            trend: false,
          },
          {
            label: "checks_failed",
            cells: [pctOf(totals.fails), `${totals.fails} out of ${total}`],
            trend: false,
          },
        ],
        "    ",
        c,
      ),
      "",
    );
    const checkLines: string[] = [];
    _renderChecks(data.rootGroup, "    ", c, checkLines);
    if (checkLines.length > 0) out.push(...checkLines, "");
  }

  const names = Object.keys(data.metrics).filter((n) => _parentOf(n) !== CHECKS);
  const bySection = new Map<string, string[]>();
  for (const n of names) {
    const section = _sectionOf(_parentOf(n));
    const list = bySection.get(section) ?? [];
    list.push(n);
    bySection.set(section, list);
  }
  const lines: Array<{ section: string; line: _Line }> = [];
  for (const section of _SECTIONS) {
    for (const n of sortMetricNames(bySection.get(section) ?? [])) {
      const m = data.metrics[n];
      const isSub = n.includes("{");
      const label = isSub ? `  { ${n.slice(n.indexOf("{") + 1, -1)} }` : n;
      lines.push({
        section,
        line: { label, cells: _metricCells(m, trendStats), trend: m.type === "trend" },
      });
    }
  }
  // Render all sections as one table so the columns line up across sections.
  const rendered = _renderTable(lines.map((l) => l.line), "    ", c);
  let current = "";
  rendered.forEach((text, i) => {
    if (lines[i].section !== current) {
      if (current !== "") out.push("");
      current = lines[i].section;
      out.push(`    ${c.bold(current)}`);
    }
    out.push(text);
  });
  if (lines.length > 0) out.push("");
  out.push("");

  // GENERATOR
  if (data.saturation !== null) {
    title("GENERATOR");
    out.push(`    ${saturationLine(data.saturation)}`);
    const advice = saturationAdvice(data.saturation);
    if (advice === null) out.push(`    ${c.green("✓ the generator kept up")}`);
    else out.push(`    ${c.yellow(`✗ ${advice}`)}`);
    out.push("");
  }
  return out.join("\n").replace(/\n+$/, "\n");
}

function _trendStatsOf(data: SummaryData): string[] {
  for (const m of Object.values(data.metrics)) {
    if (m.type === "trend") return Object.keys(m.values);
  }
  return [...DEFAULT_TREND_STATS];
}

// ---------------------------------------------------------------------------------------------
// --summary-export
// ---------------------------------------------------------------------------------------------

/** A check in k6's `--summary-export` document. */
export interface SummaryExportCheck {
  /** Check name. */
  name: string;
  /** Group path + `::` + name. */
  path: string;
  /** Hex MD5 of the path. */
  id: string;
  /** Times it passed. */
  passes: number;
  /** Times it failed. */
  fails: number;
}

/** A group in k6's `--summary-export` document. */
export interface SummaryExportGroup {
  /** Group name (`""` for the root). */
  name: string;
  /** Group path (`""` for the root). */
  path: string;
  /** Hex MD5 of the path (`d41d8cd98f00b204e9800998ecf8427e` for the root). */
  id: string;
  /** Sub-groups by name. */
  groups: Record<string, SummaryExportGroup>;
  /** Checks by name. */
  checks: Record<string, SummaryExportCheck>;
}

/** k6's `--summary-export` document. */
export interface SummaryExport {
  /** The root group with its checks and sub-groups. */
  root_group: SummaryExportGroup;
  /**
   * Metrics by full name: their values flattened (rates report `passes`, `fails` and `value`),
   * plus `thresholds` mapping each expression to **true when it failed** (k6's inverted
   * booleans, kept for compatibility).
   */
  metrics: Record<string, Record<string, number | Record<string, boolean>>>;
}

function _md5(s: string): string {
  return createHash("md5").update(s).digest("hex");
}

function _exportGroup(g: GroupResult): SummaryExportGroup {
  const groups: Record<string, SummaryExportGroup> = {};
  for (const child of g.groups) groups[child.name] = _exportGroup(child);
  const checks: Record<string, SummaryExportCheck> = {};
  for (const ch of g.checks) {
    const path = `${g.path}${GROUP_SEPARATOR}${ch.name}`;
    checks[ch.name] = { name: ch.name, path, id: _md5(path), passes: ch.passes, fails: ch.fails };
  }
  return { name: g.name, path: g.path, id: _md5(g.path), groups, checks };
}

/**
 * Builds exactly k6's `--summary-export` JSON object (the legacy format k6 still writes): the
 * root group with checks and groups keyed by name, and each metric's values with rates'
 * `rate` renamed `value`, and `thresholds` whose booleans are true when the threshold
 * **failed** (k6 issue #1498: inverted, preserved by k6 for backward compatibility).
 */
export function summaryExport(data: SummaryData): SummaryExport {
  const metrics: SummaryExport["metrics"] = {};
  for (const [name, m] of Object.entries(data.metrics)) {
    const values: Record<string, number | Record<string, boolean>> = {};
    if (m.type === "rate") {
      values.passes = m.values.passes ?? 0;
      values.fails = m.values.fails ?? 0;
      values.value = m.values.rate ?? 0;
    } else {
      Object.assign(values, m.values);
    }
    if (m.thresholds !== undefined && Object.keys(m.thresholds).length > 0) {
      const th: Record<string, boolean> = {};
      for (const [source, t] of Object.entries(m.thresholds)) th[source] = !t.ok;
      values.thresholds = th;
    }
    metrics[name] = values;
  }
  return { root_group: _exportGroup(data.rootGroup), metrics };
}
