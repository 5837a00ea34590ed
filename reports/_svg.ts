/**
 * Small inline-SVG charts for the HTML reports: a line chart with several series, axes, ticks,
 * grid, legend and optional point markers ({@linkcode lineChart}), and a horizontal stacked bar
 * for proportions ({@linkcode stackedBar}). Pure functions from data to markup: no script, no
 * `style` attributes (the report's Content-Security-Policy forbids them), colours as SVG
 * presentation attributes, text in `currentColor` so the page's colour scheme applies.
 *
 * Reused by the load report: requests/s, latency percentiles and VUs over time are line charts
 * with a linear x axis in seconds; an HDR percentile plot is a line chart with a log x axis over
 * `1 / (1 - p)` and explicit ticks labelled `90%`, `99%`, `99.9%` (see {@linkcode percentileAxis}).
 *
 * @module
 */

import { escapeHtml } from "./_html.ts";

/** Colour-blind-safe series colours (Okabe-Ito, without the yellow that vanishes on white). */
export const PALETTE: readonly string[] = [
  "#0072b2",
  "#d55e00",
  "#009e73",
  "#cc79a7",
  "#e69f00",
  "#56b4e9",
  "#6e6e6e",
];

/** One line of a chart: `[x, y]` points in x order; a `null` y breaks the line (no data). */
export interface LineSeries {
  /** Legend text. */
  name: string;
  /** The points. Points with a non-finite coordinate are left out. */
  points: readonly (readonly [number, number | null])[];
  /** Stroke colour; default: the palette colour of the series' index. */
  color?: string;
  /** Draw dashed (e.g. an uncorrected latency next to the corrected one). */
  dashed?: boolean;
}

/** An axis: range, scale, ticks and their labels. */
export interface ChartAxis {
  /** Axis title, e.g. `time (s)` or `latency (ms)`. */
  label?: string;
  /** Lower bound; default: the data minimum (y: 0 on a linear scale, unless data go below). */
  min?: number;
  /** Upper bound; default: the data maximum (rounded up to a tick on a linear scale). */
  max?: number;
  /** `linear` (default) or `log` (base 10; values <= 0 are left out). */
  scale?: "linear" | "log";
  /** Explicit tick positions; default: about five "nice" values. */
  ticks?: readonly number[];
  /** Tick label for a value; default: {@linkcode formatTick}. */
  format?: (value: number) => string;
}

/** What {@linkcode lineChart} draws. */
export interface LineChartOptions {
  /** Accessible name of the chart (`<title>`; shown by the caller as a caption if wanted). */
  title: string;
  /** Longer accessible description (`<desc>`). */
  description?: string;
  /** The lines. */
  series: readonly LineSeries[];
  /** Horizontal axis. */
  x?: ChartAxis;
  /** Vertical axis. */
  y?: ChartAxis;
  /** Width in px (the SVG scales down with its container). Default 640. */
  width?: number;
  /** Height in px. Default 240. */
  height?: number;
  /** Circles at the points: `true`, `false`, or default: when no series has more than 60 points. */
  markers?: boolean;
  /** `id` attribute of the `<svg>`. */
  id?: string;
}

const CHAR_WIDTH = 6.2; // approximate advance of an 11px system-ui glyph
const FONT = 'font-family="system-ui,sans-serif" font-size="11"';

/** Formats a tick value compactly: `0`, `0.25`, `12`, `1.5k`, `2M`. */
export function formatTick(value: number): string {
  const abs = Math.abs(value);
  const trim = (n: number, digits: number) => String(Number(n.toFixed(digits)));
  if (abs >= 1e9) return `${trim(value / 1e9, 2)}G`;
  if (abs >= 1e6) return `${trim(value / 1e6, 2)}M`;
  if (abs >= 1e4) return `${trim(value / 1e3, 1)}k`;
  if (abs >= 100 || abs === 0) return trim(value, 0);
  if (abs >= 1) return trim(value, 2);
  return String(Number(value.toPrecision(2)));
}

/**
 * About `count` evenly spaced "nice" values (steps of 1, 2, 2.5 or 5 times a power of ten)
 * covering `[min, max]`: the first is at or below `min`, the last at or above `max`.
 */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (max < min) [min, max] = [max, min];
  if (max === min) {
    if (min === 0) return [0, 1];
    const pad = Math.abs(min) * 0.5;
    return niceTicks(min - pad, max + pad, count);
  }
  const raw = (max - min) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw * 0.999) ??
    10 * power;
  const first = Math.floor(min / step + 1e-9);
  const last = Math.ceil(max / step - 1e-9);
  const ticks: number[] = [];
  for (let i = first; i <= last && ticks.length <= 100; i++) {
    ticks.push(Number((i * step).toPrecision(12)));
  }
  return ticks;
}

/** Powers of ten covering `[min, max]` (both > 0). */
export function logTicks(min: number, max: number): number[] {
  if (!(min > 0) || !(max > 0)) return [];
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) {
    ticks.push(Number((10 ** e).toPrecision(12)));
  }
  return ticks;
}

/**
 * The x axis of an HDR-style percentile plot: plot each point at `x = 1 / (1 - p)` (p as a
 * fraction, below 1) on this log axis; ticks read `0%`, `90%`, `99%`, ... up to `maxPercentile`.
 */
export function percentileAxis(maxPercentile = 99.999, label = "percentile"): ChartAxis {
  const ticks: number[] = [1];
  for (let nines = 1; 1 - 10 ** -nines <= maxPercentile / 100 + 1e-12; nines++) {
    ticks.push(10 ** nines);
  }
  return {
    label,
    scale: "log",
    min: 1,
    max: ticks[ticks.length - 1],
    ticks,
    format: (x) => `${Number((100 * (1 - 1 / x)).toPrecision(6))}%`,
  };
}

interface _Scale {
  min: number;
  max: number;
  ticks: number[];
  log: boolean;
  format: (value: number) => string;
}

function _scale(axis: ChartAxis, values: number[], zeroBased: boolean): _Scale {
  const log = axis.scale === "log";
  const usable = log ? values.filter((v) => v > 0) : values;
  let lo = axis.min ?? (usable.length ? Math.min(...usable) : log ? 1 : 0);
  let hi = axis.max ?? (usable.length ? Math.max(...usable) : log ? 10 : 1);
  if (!log && zeroBased && axis.min === undefined) lo = Math.min(0, lo);
  let ticks: number[];
  if (axis.ticks) {
    ticks = [...axis.ticks];
  } else if (log) {
    ticks = logTicks(lo, hi);
    if (axis.min === undefined) lo = ticks[0] ?? lo;
    if (axis.max === undefined) hi = ticks[ticks.length - 1] ?? hi;
  } else {
    ticks = niceTicks(lo, hi);
    if (axis.min === undefined && ticks.length) lo = Math.min(lo, ticks[0]);
    if (axis.max === undefined && ticks.length) hi = Math.max(hi, ticks[ticks.length - 1]);
  }
  if (hi === lo) hi = lo + (log ? lo * 9 || 1 : 1);
  return {
    min: lo,
    max: hi,
    ticks: ticks.filter((t) =>
      t >= lo - 1e-9 * Math.abs(hi - lo) && t <= hi + 1e-9 * Math.abs(hi - lo)
    ),
    log,
    format: axis.format ?? formatTick,
  };
}

function _position(s: _Scale, value: number, from: number, to: number): number {
  const t = s.log
    ? (Math.log10(value) - Math.log10(s.min)) / (Math.log10(s.max) - Math.log10(s.min))
    : (value - s.min) / (s.max - s.min);
  return from + t * (to - from);
}

function _n(value: number): string {
  return String(Math.round(value * 10) / 10);
}

function _usable(s: _Scale, v: number | null): v is number {
  return v !== null && Number.isFinite(v) && (!s.log || v > 0);
}

/**
 * Renders a line chart as an `<svg>` element (`role="img"`, `<title>`, `<desc>`): y grid lines
 * with tick labels, x ticks, axis titles, a legend row per series, one `<path class="series">`
 * per series (attribute `data-points` = number of points drawn, `data-series` = name) and,
 * when enabled, `<circle class="point">` markers. With no drawable point it says "no data".
 */
export function lineChart(o: LineChartOptions): string {
  const width = o.width ?? 640;
  const height = o.height ?? 240;
  const xAxis = o.x ?? {};
  const yAxis = o.y ?? {};
  const xs = o.series.flatMap((s) => s.points.map((p) => p[0]).filter(Number.isFinite));
  const ys = o.series.flatMap((s) =>
    s.points.map((p) => p[1]).filter((v): v is number => v !== null && Number.isFinite(v))
  );
  const x = _scale(xAxis, xs, false);
  const y = _scale(yAxis, ys, true);

  const yLabels = y.ticks.map((t) => y.format(t));
  const yLabelWidth = Math.max(0, ...yLabels.map((l) => l.length)) * CHAR_WIDTH;
  const legendRows = _legendRows(o.series.map((s) => s.name), width - 16);
  const top = 8 + legendRows.length * 16 + 6;
  const left = Math.ceil(8 + (yAxis.label ? 16 : 0) + yLabelWidth + 6);
  const right = width - 12;
  const bottom = height - (xAxis.label ? 34 : 22);
  const px = (v: number) => _position(x, v, left, right);
  const py = (v: number) => _position(y, v, bottom, top);

  const parts: string[] = [];
  const id = o.id === undefined ? "" : ` id="${escapeHtml(o.id)}"`;
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg"${id} class="line-chart" role="img" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT}>`,
    `<title>${escapeHtml(o.title)}</title>`,
  );
  if (o.description) parts.push(`<desc>${escapeHtml(o.description)}</desc>`);

  // Legend.
  legendRows.forEach((row, r) => {
    for (const item of row) {
      const s = o.series[item.index];
      const color = escapeHtml(s.color ?? PALETTE[item.index % PALETTE.length]);
      const ly = 8 + r * 16 + 8;
      const dash = s.dashed ? ' stroke-dasharray="4 3"' : "";
      parts.push(
        `<g class="legend-item"><line x1="${_n(8 + item.x)}" y1="${ly}" x2="${
          _n(8 + item.x + 16)
        }" y2="${ly}" stroke="${color}" stroke-width="2"${dash}/><text x="${
          _n(8 + item.x + 20)
        }" y="${ly + 4}" fill="currentColor">${escapeHtml(s.name)}</text></g>`,
      );
    }
  });

  // Grid and y ticks.
  parts.push('<g class="axis y-axis">');
  y.ticks.forEach((t, i) => {
    const ty = _n(py(t));
    parts.push(
      `<line x1="${left}" y1="${ty}" x2="${right}" y2="${ty}" stroke="currentColor" stroke-opacity="0.15"/>`,
      `<text x="${
        left - 6
      }" y="${ty}" dy="0.32em" text-anchor="end" fill="currentColor" fill-opacity="0.75">${
        escapeHtml(yLabels[i])
      }</text>`,
    );
  });
  if (yAxis.label) {
    const cy = _n((top + bottom) / 2);
    parts.push(
      `<text x="12" y="${cy}" transform="rotate(-90 12 ${cy})" text-anchor="middle" fill="currentColor" fill-opacity="0.75">${
        escapeHtml(yAxis.label)
      }</text>`,
    );
  }
  parts.push("</g>");

  // X axis line and ticks.
  parts.push('<g class="axis x-axis">');
  parts.push(
    `<line x1="${left}" y1="${bottom}" x2="${right}" y2="${bottom}" stroke="currentColor" stroke-opacity="0.5"/>`,
  );
  for (const t of x.ticks) {
    const tx = _n(px(t));
    parts.push(
      `<line x1="${tx}" y1="${bottom}" x2="${tx}" y2="${
        bottom + 4
      }" stroke="currentColor" stroke-opacity="0.5"/>`,
      `<text x="${tx}" y="${
        bottom + 15
      }" text-anchor="middle" fill="currentColor" fill-opacity="0.75">${
        escapeHtml(x.format(t))
      }</text>`,
    );
  }
  if (xAxis.label) {
    parts.push(
      `<text x="${_n((left + right) / 2)}" y="${
        height - 6
      }" text-anchor="middle" fill="currentColor" fill-opacity="0.75">${
        escapeHtml(xAxis.label)
      }</text>`,
    );
  }
  parts.push("</g>");

  // Series.
  const maxPoints = Math.max(0, ...o.series.map((s) => s.points.length));
  const markers = o.markers ?? maxPoints <= 60;
  let drawn = 0;
  o.series.forEach((s, index) => {
    const color = escapeHtml(s.color ?? PALETTE[index % PALETTE.length]);
    let d = "";
    let pen = false;
    let count = 0;
    const circles: string[] = [];
    for (const [vx, vy] of s.points) {
      if (!_usable(x, vx) || !_usable(y, vy)) {
        pen = false;
        continue;
      }
      const cx = _n(px(vx));
      const cy = _n(py(vy));
      d += `${pen ? "L" : "M"}${cx} ${cy}`;
      pen = true;
      count++;
      if (markers) {
        circles.push(`<circle class="point" cx="${cx}" cy="${cy}" r="2.5" fill="${color}"/>`);
      }
    }
    drawn += count;
    const dash = s.dashed ? ' stroke-dasharray="5 4"' : "";
    parts.push(
      `<g class="series-group"><path class="series" data-series="${
        escapeHtml(s.name)
      }" data-points="${count}" d="${d}" fill="none" stroke="${color}" stroke-width="1.8" stroke-linejoin="round" stroke-linecap="round"${dash}/>${
        circles.join("")
      }</g>`,
    );
  });
  if (drawn === 0) {
    parts.push(
      `<text class="no-data" x="${_n((left + right) / 2)}" y="${
        _n((top + bottom) / 2)
      }" text-anchor="middle" fill="currentColor" fill-opacity="0.6">no data</text>`,
    );
  }
  parts.push("</svg>");
  return parts.join("");
}

function _legendRows(names: readonly string[], width: number): { index: number; x: number }[][] {
  const rows: { index: number; x: number }[][] = [];
  let row: { index: number; x: number }[] = [];
  let at = 0;
  names.forEach((name, index) => {
    const w = 20 + Array.from(name).length * CHAR_WIDTH + 16;
    if (row.length && at + w > width) {
      rows.push(row);
      row = [];
      at = 0;
    }
    row.push({ index, x: at });
    at += w;
  });
  if (row.length) rows.push(row);
  return rows;
}

/** One segment of a {@linkcode stackedBar}. */
export interface BarSegment {
  /** What the segment counts, e.g. `passed`. */
  label: string;
  /** Its size (segments of size 0 are not drawn). */
  value: number;
  /** Fill colour. */
  color: string;
}

/**
 * A horizontal bar split into proportional segments (e.g. passed / failed / skipped), each a
 * `<rect class="segment">` with a `<title>` tooltip `label: value`. Decorative next to the
 * numbers it summarises, but labelled for assistive technology with `title`.
 */
export function stackedBar(
  segments: readonly BarSegment[],
  o: { title: string; width?: number; height?: number },
): string {
  const width = o.width ?? 480;
  const height = o.height ?? 10;
  const total = segments.reduce((n, s) => n + Math.max(0, s.value), 0);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="stacked-bar" role="img" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" preserveAspectRatio="none">`,
    `<title>${escapeHtml(o.title)}</title>`,
  ];
  let at = 0;
  for (const s of segments) {
    if (!(s.value > 0) || total === 0) continue;
    const w = (s.value / total) * width;
    parts.push(
      `<rect class="segment" x="${_n(at)}" y="0" width="${_n(w)}" height="${height}" fill="${
        escapeHtml(s.color)
      }"><title>${escapeHtml(`${s.label}: ${s.value}`)}</title></rect>`,
    );
    at += w;
  }
  if (total === 0) {
    parts.push(
      `<rect x="0" y="0" width="${width}" height="${height}" fill="currentColor" fill-opacity="0.1"/>`,
    );
  }
  parts.push("</svg>");
  return parts.join("");
}
