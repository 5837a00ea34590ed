/**
 * The metrics model of the load generator: k6 metric types, a registry with sub-metrics,
 * HDR-histogram trends, a per-second timeline for the HTML report, and snapshots that let
 * several Web Workers collect metrics that the main thread merges.
 *
 * ## Types (as k6)
 * - **Counter**: sums its samples; reports `count` and `rate` (per second of the run).
 * - **Gauge**: keeps the last value and the smallest and largest ones: `value`, `min`, `max`.
 * - **Rate**: the share of non-zero samples: `rate`, `passes` (non-zero), `fails` (zero).
 * - **Trend**: a distribution: `count`, `avg`, `min`, `med`, `max`, `p(N)` for any N. Time trends
 *   (`isTime`) hold milliseconds and are printed as durations.
 *
 * ## Trends in HDR histograms
 * Every trend (and sub-metric trend) keeps its exact `count`, `sum`, `min` and `max`, and records
 * each sample in an HDR histogram (hdr-histogram-js, 3 significant digits, auto-resizing) scaled
 * by 1000 — microseconds for time trends, thousandths for other trends — so memory stays constant
 * however long the run. `avg`, `min`, `max` are therefore exact; `med` and `p(N)` are within
 * 0.1% of the true value (plus 0.001 units; 1 µs for time trends), clamped into [min, max].
 * Negative samples go to a second, mirrored histogram created on first use. Non-finite samples
 * are ignored by trends. Samples are counted by a plain JavaScript front laid out as the
 * histogram's counts and moved into the histogram in bulk ({@linkcode HdrFront}). The
 * WebAssembly build of the histogram is used when the runtime can instantiate it: measured here
 * under Deno 2.9 its `recordValue` is about 3x faster than the JavaScript one (~80 M vs ~26 M
 * values/s, `load/metrics_bench.ts`); see {@linkcode HISTOGRAM_IMPLEMENTATION}. Percentiles
 * report HdrHistogram's "highest equivalent value" (for non-negative samples a conservative upper
 * bound: at least N% are <= p(N)).
 * WebAssembly histograms live outside the JavaScript heap: call {@linkcode MetricsRegistry.destroy} when a
 * registry is no longer needed (a terminated worker frees everything anyway).
 *
 * ## Tags and sub-metrics
 * Samples carry string tags. A sub-metric is a parent metric plus a tag selector, written as in
 * k6 thresholds: `http_req_duration{name:refresh}`, `http_reqs{status:200,method:GET}`. A sample
 * feeds a sub-metric when every selector tag is present on the sample with the same value.
 * Sub-metrics are registered before the run ({@linkcode MetricsRegistry.submetric}); `add()` only
 * evaluates selectors of metrics that have sub-metrics.
 *
 * ## Timeline
 * For every second of the run the registry keeps: `http_reqs` count, `http_req_duration`
 * p50/p90/p95/p99 (from a per-second HDR histogram), the `vus` gauge value, the count of failed
 * requests (`http_req_failed` non-zero samples) and those failures by their `status` tag.
 * Memory is bounded: seconds are stored in chunks of one hour (8 numbers a second) and only the
 * most recent {@linkcode RegistryOptions.timelineMaxSeconds} seconds (default 24 h) are kept,
 * rounded up to whole chunks, i.e. at most 25 one-hour chunks (about 5.8 MB) plus the failure
 * counts by status. Per-second histograms exist only for the last
 * {@linkcode RegistryOptions.timelineSettleSeconds} seconds (default 10) and are reused.
 *
 * ## Merging (Web Workers)
 * {@linkcode MetricsRegistry.toSnapshot} returns a structured-clone and JSON friendly object
 * (histograms as base64 of HdrHistogram's V2 encoding); {@linkcode MetricsRegistry.merge}
 * adds one into a registry, and {@linkcode MetricsRegistry.drain} returns a snapshot and resets the
 * collected data, for a worker that forwards its samples periodically. Counters, rates, trends
 * and the check tree merge exactly. Gauges keep the most recently updated value (clocks are
 * epoch-aligned across workers by default). Timeline seconds merge exactly while they are within
 * the settle window of the source when it was snapshotted (a worker draining every second or two
 * is always exact); for older seconds, percentiles of different sources are combined as a
 * count-weighted mean. The timeline `vus` value is the latest value merged: record `vus` in one
 * place (the coordinator).
 *
 * @module
 */

import { nowMs } from "./clock.ts";
import { Buffer } from "node:buffer";
import * as hdr from "hdr-histogram-js";
import type { Histogram } from "hdr-histogram-js";

// ---------------------------------------------------------------------------------------------
// Built-in metric names
// ---------------------------------------------------------------------------------------------

/** k6 `http_reqs` (Counter): HTTP requests made. */
export const HTTP_REQS = "http_reqs";
/** k6 `http_req_duration` (Trend, time): sending + waiting + receiving, in ms. */
export const HTTP_REQ_DURATION = "http_req_duration";
/** k6 `http_req_blocked` (Trend, time): time waiting for a free connection slot, in ms. */
export const HTTP_REQ_BLOCKED = "http_req_blocked";
/** k6 `http_req_connecting` (Trend, time): TCP connect time, in ms. */
export const HTTP_REQ_CONNECTING = "http_req_connecting";
/** k6 `http_req_tls_handshaking` (Trend, time): TLS handshake time, in ms. */
export const HTTP_REQ_TLS_HANDSHAKING = "http_req_tls_handshaking";
/** k6 `http_req_sending` (Trend, time): time writing the request, in ms. */
export const HTTP_REQ_SENDING = "http_req_sending";
/** k6 `http_req_waiting` (Trend, time): time to first byte, in ms. */
export const HTTP_REQ_WAITING = "http_req_waiting";
/** k6 `http_req_receiving` (Trend, time): time reading the response, in ms. */
export const HTTP_REQ_RECEIVING = "http_req_receiving";
/** k6 `http_req_failed` (Rate): 1 for a request k6 considers failed, 0 otherwise. */
export const HTTP_REQ_FAILED = "http_req_failed";
/** k6 `iterations` (Counter): completed iterations of the default function. */
export const ITERATIONS = "iterations";
/** k6 `iteration_duration` (Trend, time): duration of one iteration, in ms. */
export const ITERATION_DURATION = "iteration_duration";
/** k6 `dropped_iterations` (Counter): iterations that could not start (no free VU or time). */
export const DROPPED_ITERATIONS = "dropped_iterations";
/** k6 `data_sent` (Counter, data): bytes sent. */
export const DATA_SENT = "data_sent";
/** k6 `data_received` (Counter, data): bytes received. */
export const DATA_RECEIVED = "data_received";
/** k6 `vus` (Gauge): active VUs. */
export const VUS = "vus";
/** k6 `vus_max` (Gauge): allocated VUs. */
export const VUS_MAX = "vus_max";
/** k6 `checks` (Rate): check results; samples are tagged `check` (name) and `group` (path). */
export const CHECKS = "checks";
/** k6 `group_duration` (Trend, time): duration of a `group()`; tagged `group` (path). */
export const GROUP_DURATION = "group_duration";
/**
 * smsgate-testkit extra (Trend, time): request latency measured from the iteration's *intended*
 * start time under arrival-rate executors (coordinated-omission corrected, as wrk2 does), in ms.
 * When the generator or the target falls behind schedule, this grows while `http_req_duration`
 * does not.
 */
export const HTTP_REQ_LATENCY_INTENDED = "http_req_latency_intended";
/**
 * smsgate-testkit extra (Trend, time): event-loop lag of the generator, in ms (how late a timer
 * fired). A high p99 means the generator itself is saturated and its timings are inflated.
 */
export const EVENT_LOOP_LAG = "event_loop_lag";

/** The k6 metric types. */
export type MetricType = "counter" | "gauge" | "rate" | "trend";
/** What a metric's values mean, as k6's `contains`: plain numbers, milliseconds or bytes. */
export type ValueType = "default" | "time" | "data";
/** Sample tags: string keys and values (k6 stores tag values as strings). */
export type Tags = Readonly<Record<string, string>>;

/** Definition of a built-in metric. */
export interface BuiltinMetric {
  /** Metric name. */
  readonly name: string;
  /** Metric type. */
  readonly type: MetricType;
  /** Value type. */
  readonly contains: ValueType;
  /** One-line description. */
  readonly description: string;
}

/** Every built-in metric: k6's HTTP, execution and network metrics, then our two extras. */
export const BUILTIN_METRICS: readonly BuiltinMetric[] = [
  { name: HTTP_REQS, type: "counter", contains: "default", description: "HTTP requests made" },
  {
    name: HTTP_REQ_DURATION,
    type: "trend",
    contains: "time",
    description: "Request duration: sending + waiting + receiving",
  },
  {
    name: HTTP_REQ_BLOCKED,
    type: "trend",
    contains: "time",
    description: "Time blocked waiting for a connection slot",
  },
  {
    name: HTTP_REQ_CONNECTING,
    type: "trend",
    contains: "time",
    description: "Time establishing the TCP connection",
  },
  {
    name: HTTP_REQ_TLS_HANDSHAKING,
    type: "trend",
    contains: "time",
    description: "Time spent in the TLS handshake",
  },
  {
    name: HTTP_REQ_SENDING,
    type: "trend",
    contains: "time",
    description: "Time sending the request",
  },
  {
    name: HTTP_REQ_WAITING,
    type: "trend",
    contains: "time",
    description: "Time waiting for the first response byte",
  },
  {
    name: HTTP_REQ_RECEIVING,
    type: "trend",
    contains: "time",
    description: "Time receiving the response",
  },
  { name: HTTP_REQ_FAILED, type: "rate", contains: "default", description: "Failed requests" },
  {
    name: HTTP_REQ_LATENCY_INTENDED,
    type: "trend",
    contains: "time",
    description: "Latency from the intended start time (coordinated-omission corrected)",
  },
  {
    name: ITERATIONS,
    type: "counter",
    contains: "default",
    description: "Completed iterations",
  },
  {
    name: ITERATION_DURATION,
    type: "trend",
    contains: "time",
    description: "Duration of one iteration",
  },
  {
    name: DROPPED_ITERATIONS,
    type: "counter",
    contains: "default",
    description: "Iterations that could not be started",
  },
  { name: VUS, type: "gauge", contains: "default", description: "Active virtual users" },
  { name: VUS_MAX, type: "gauge", contains: "default", description: "Allocated virtual users" },
  { name: CHECKS, type: "rate", contains: "default", description: "Successful checks" },
  {
    name: GROUP_DURATION,
    type: "trend",
    contains: "time",
    description: "Duration of a group",
  },
  {
    name: EVENT_LOOP_LAG,
    type: "trend",
    contains: "time",
    description: "Event-loop lag of the load generator",
  },
  { name: DATA_SENT, type: "counter", contains: "data", description: "Bytes sent" },
  { name: DATA_RECEIVED, type: "counter", contains: "data", description: "Bytes received" },
];

/**
 * Threshold aggregations each metric type supports (as k6 `supportedAggregationMethods`);
 * `p` stands for `p(N)`.
 */
export const SUPPORTED_AGGREGATIONS: Readonly<Record<MetricType, readonly string[]>> = {
  counter: ["count", "rate"],
  gauge: ["value"],
  rate: ["rate"],
  trend: ["avg", "min", "max", "med", "p"],
};

/** The trend statistics k6 prints and exports by default (`summaryTrendStats`). */
export const DEFAULT_TREND_STATS: readonly string[] = [
  "avg",
  "min",
  "med",
  "max",
  "p(90)",
  "p(95)",
];

const _NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]{0,127}$/;
const _TYPES: readonly MetricType[] = ["counter", "gauge", "rate", "trend"];

// ---------------------------------------------------------------------------------------------
// Clock
// ---------------------------------------------------------------------------------------------

/**
 * A source of time in milliseconds. Either `{ now(): number }` or an object whose `now` property
 * is the current time, such as a `@sinonjs/fake-timers` clock from `FakeTimers.createClock()`.
 */
export type Clock = { now(): number } | { readonly now: number };

/**
 * The default clock: epoch milliseconds with sub-millisecond resolution
 * (`performance.timeOrigin` plus the engine's `nowMs()`, load/clock.ts, on `performance.now()`'s
 * scale), monotonic within a thread and aligned across Web Workers.
 */
export const systemClock: { now(): number } = (() => {
  const origin = performance.timeOrigin;
  return { now: () => origin + nowMs() };
})();

function _nowFunction(clock: Clock): () => number {
  if (typeof clock.now === "function") {
    const c = clock as { now(): number };
    return () => c.now();
  }
  const c = clock as { readonly now: number };
  return () => c.now;
}

// ---------------------------------------------------------------------------------------------
// HDR histograms
// ---------------------------------------------------------------------------------------------

function _initWasm(): boolean {
  try {
    hdr.initWebAssemblySync();
    const probe = hdr.build({ useWebAssembly: true });
    const ok = probe instanceof hdr.WasmHistogram;
    probe.destroy();
    return ok;
  } catch {
    return false;
  }
}

/**
 * Which hdr-histogram-js implementation the registry uses: `"wasm"` when WebAssembly can be
 * instantiated (measured faster under Deno), otherwise `"js"`.
 */
export const HISTOGRAM_IMPLEMENTATION: "wasm" | "js" = _initWasm() ? "wasm" : "js";
const _USE_WASM = HISTOGRAM_IMPLEMENTATION === "wasm";

/** Trend values are recorded in the histograms as `round(value * 1000)`. */
const _SCALE = 1000;
const _MAX_RECORDABLE = Number.MAX_SAFE_INTEGER;

function _buildHistogram(): Histogram {
  return hdr.build({
    bitBucketSize: 64,
    autoResize: true,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 2,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: _USE_WASM,
  });
}

/** Values below this are counted by the recording front of {@linkcode HdrFront}. */
const _FRONT_LIMIT = 2 ** 31;
/** The largest counts index of a value below {@linkcode _FRONT_LIMIT}, plus one. */
const _FRONT_SLOTS = 22 << 10;
/** Samples the front holds before it flushes them into the histogram. */
const _FRONT_FLUSH = 1 << 16;
const _NO_COUNTS = new Uint32Array(0);

/**
 * An HDR histogram (hdr-histogram-js, 3 significant digits, lowest discernible value 1) behind a
 * plain JavaScript recording front. Recording a value only increments a slot of a typed array
 * laid out exactly as HdrHistogram lays out its counts (2048 sub-buckets, half of them per
 * further power of two); the counts are moved into the histogram, one `recordValueWithCount` per
 * non-empty slot, before anything reads it and every 65,536 samples. The histogram therefore
 * holds exactly the counts it would hold had every value been recorded directly (see
 * load/metrics_test.ts), while a sample costs a typed-array increment instead of a call through
 * the histogram's JavaScript wrapper into WebAssembly (about 6 vs 10 ns in a tight loop,
 * load/metrics_bench.ts; a request records nine trend samples). The
 * front's array grows with the largest value seen, to at most 88 KiB. Values of 2^31 and more go
 * straight to the histogram.
 */
export class HdrFront {
  #h: Histogram | null = null;
  #counts: Uint32Array = _NO_COUNTS;
  #lo = _FRONT_SLOTS;
  #hi = -1;
  #pending = 0;

  /** Records a non-negative integer (values above 2^53 are recorded as 2^53 - 1). */
  recordValue(value: number): void {
    if (value >= _FRONT_LIMIT) {
      this.#hist().recordValue(value > _MAX_RECORDABLE ? _MAX_RECORDABLE : value);
      return;
    }
    // HdrHistogram's counts index: bucket = floor(log2(value | 2047)) - 10, then the value's top
    // 11 bits select the sub-bucket (only the upper half of them past bucket 0).
    const bucket = 21 - Math.clz32(value | 2047);
    const index = ((bucket + 1) << 10) + (value >>> bucket) - 1024;
    let counts = this.#counts;
    if (index >= counts.length) counts = this.#grow(index);
    counts[index]++;
    if (index < this.#lo) this.#lo = index;
    if (index > this.#hi) this.#hi = index;
    if (++this.#pending >= _FRONT_FLUSH) this.#flush();
  }

  /** Number of recorded values. */
  get totalCount(): number {
    return (this.#h === null ? 0 : this.#h.totalCount) + this.#pending;
  }

  /** HdrHistogram's value at `percentile` (0 when empty). */
  getValueAtPercentile(percentile: number): number {
    return this.histogram().getValueAtPercentile(percentile);
  }

  /** Adds every count of `other`. */
  add(other: Histogram): void {
    this.#hist().add(other);
  }

  /** The underlying histogram with every recorded value in it. */
  histogram(): Histogram {
    this.#flush();
    return this.#hist();
  }

  /** Forgets every value. */
  reset(): void {
    if (this.#pending > 0) this.#counts.fill(0, this.#lo, this.#hi + 1);
    this.#lo = _FRONT_SLOTS;
    this.#hi = -1;
    this.#pending = 0;
    this.#h?.reset();
  }

  /** Frees the histogram (WebAssembly memory); the front must not be used afterwards. */
  destroy(): void {
    this.#h?.destroy();
    this.#h = null;
    this.#counts = _NO_COUNTS;
    this.#pending = 0;
  }

  #hist(): Histogram {
    return this.#h ??= _buildHistogram();
  }

  #grow(index: number): Uint32Array {
    let size = Math.max(this.#counts.length * 2, 4096);
    while (size <= index) size *= 2;
    const grown = new Uint32Array(Math.min(size, _FRONT_SLOTS));
    grown.set(this.#counts);
    return this.#counts = grown;
  }

  #flush(): void {
    if (this.#pending === 0) return;
    const h = this.#hist();
    const counts = this.#counts;
    for (let i = this.#lo; i <= this.#hi; i++) {
      const n = counts[i];
      if (n === 0) continue;
      counts[i] = 0;
      // The lowest value of slot i (the inverse of the index above).
      let bucket = (i >> 10) - 1;
      let sub = (i & 1023) + 1024;
      if (bucket < 0) {
        bucket = 0;
        sub -= 1024;
      }
      h.recordValueWithCount(sub * 2 ** bucket, n);
    }
    this.#lo = _FRONT_SLOTS;
    this.#hi = -1;
    this.#pending = 0;
  }
}

function _newHistogram(): HdrFront {
  return new HdrFront();
}

/** HdrHistogram's V2 encoding cookie (without the word-size bits); the compressed one is +1. */
const _V2_COOKIE_BASE = 0x1c849303;

/**
 * A histogram as base64 text: its plain V2 encoding when the implementation offers one (the
 * WebAssembly build), else the compressed V2 encoding. Deflating is about 90% of the cost of the
 * compressed form (0.2 vs 0.02 ms for a latency histogram here), and snapshots only travel
 * between threads.
 */
function _encode(h: HdrFront): string {
  const hist = h.histogram() as Histogram & { encode?: () => Uint8Array };
  if (typeof hist.encode === "function") return Buffer.from(hist.encode()).toString("base64");
  return hdr.encodeIntoCompressedBase64(hist);
}

/** Reads either form {@linkcode _encode} writes. */
function _decode(base64: string): Histogram {
  const bytes = Buffer.from(base64, "base64");
  if (bytes.length >= 4 && (bytes.readInt32BE(0) & ~0xf0) === _V2_COOKIE_BASE) {
    const data = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
    // Only the WebAssembly build writes the plain form, and every thread of a run uses the same build.
    return hdr.WasmHistogram.decode(data, 64);
  }
  return hdr.decodeFromCompressedBase64(base64, 64, _USE_WASM);
}

function _record(h: HdrFront, scaled: number): void {
  h.recordValue(scaled);
}

// ---------------------------------------------------------------------------------------------
// Sinks
// ---------------------------------------------------------------------------------------------

/** Serialized state of a counter. */
export interface CounterSinkSnapshot {
  /** Discriminant. */
  type: "counter";
  /** Sum of the samples. */
  value: number;
  /** Number of samples. */
  samples: number;
}

/** Serialized state of a gauge. */
export interface GaugeSinkSnapshot {
  /** Discriminant. */
  type: "gauge";
  /** Last value set. */
  value: number;
  /** Smallest value set. */
  min: number;
  /** Largest value set. */
  max: number;
  /** Clock time of the last update (for merging: the latest update wins). */
  updatedAt: number;
  /** Number of samples. */
  samples: number;
}

/** Serialized state of a rate. */
export interface RateSinkSnapshot {
  /** Discriminant. */
  type: "rate";
  /** Non-zero samples. */
  trues: number;
  /** All samples. */
  total: number;
}

/** Serialized state of a trend. */
export interface TrendSinkSnapshot {
  /** Discriminant. */
  type: "trend";
  /** Number of samples. */
  count: number;
  /** Sum of the samples. */
  sum: number;
  /** Smallest sample (0 when empty). */
  min: number;
  /** Largest sample (0 when empty). */
  max: number;
  /**
   * Histogram of the non-negative samples (scaled by 1000) as base64 text (HdrHistogram's V2
   * encoding, plain or compressed), or null.
   */
  hist: string | null;
  /** Histogram of the magnitudes of negative samples, or null. */
  neg: string | null;
}

/** Serialized state of any sink. */
export type SinkSnapshot =
  | CounterSinkSnapshot
  | GaugeSinkSnapshot
  | RateSinkSnapshot
  | TrendSinkSnapshot;

interface _Sink {
  add(value: number): void;
  isEmpty(): boolean;
  aggregate(method: string, arg: number, durationMs: number): number;
  values(durationMs: number, trendStats: readonly string[]): Record<string, number>;
  toSnapshot(): SinkSnapshot;
  merge(snapshot: SinkSnapshot): void;
  reset(): void;
  destroy(): void;
}

function _perSecond(value: number, durationMs: number): number {
  return durationMs > 0 ? value / (durationMs / 1000) : 0;
}

class _CounterSink implements _Sink {
  value = 0;
  samples = 0;
  add(v: number): void {
    if (v !== v) return;
    this.value += v;
    this.samples++;
  }
  isEmpty(): boolean {
    return this.samples === 0;
  }
  aggregate(method: string, _arg: number, durationMs: number): number {
    if (method === "count") return this.value;
    if (method === "rate") return _perSecond(this.value, durationMs);
    return NaN;
  }
  values(durationMs: number): Record<string, number> {
    return { count: this.value, rate: _perSecond(this.value, durationMs) };
  }
  toSnapshot(): CounterSinkSnapshot {
    return { type: "counter", value: this.value, samples: this.samples };
  }
  merge(s: SinkSnapshot): void {
    const c = s as CounterSinkSnapshot;
    this.value += c.value;
    this.samples += c.samples;
  }
  reset(): void {
    this.value = 0;
    this.samples = 0;
  }
  destroy(): void {}
}

class _GaugeSink implements _Sink {
  value = 0;
  min = Infinity;
  max = -Infinity;
  updatedAt = -Infinity;
  samples = 0;
  constructor(private readonly _now: () => number) {}
  add(v: number): void {
    if (v !== v) return;
    this.value = v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    this.samples++;
    this.updatedAt = this._now();
  }
  isEmpty(): boolean {
    return this.samples === 0;
  }
  aggregate(method: string): number {
    return method === "value" ? this.value : NaN;
  }
  values(): Record<string, number> {
    const empty = this.samples === 0;
    return { value: this.value, min: empty ? 0 : this.min, max: empty ? 0 : this.max };
  }
  toSnapshot(): GaugeSinkSnapshot {
    const empty = this.samples === 0;
    return {
      type: "gauge",
      value: this.value,
      min: empty ? 0 : this.min,
      max: empty ? 0 : this.max,
      updatedAt: empty ? 0 : this.updatedAt,
      samples: this.samples,
    };
  }
  merge(s: SinkSnapshot): void {
    const g = s as GaugeSinkSnapshot;
    if (g.samples === 0) return;
    if (g.min < this.min) this.min = g.min;
    if (g.max > this.max) this.max = g.max;
    if (this.samples === 0 || g.updatedAt >= this.updatedAt) {
      this.value = g.value;
      this.updatedAt = g.updatedAt;
    }
    this.samples += g.samples;
  }
  reset(): void {
    this.value = 0;
    this.min = Infinity;
    this.max = -Infinity;
    this.updatedAt = -Infinity;
    this.samples = 0;
  }
  destroy(): void {}
}

class _RateSink implements _Sink {
  trues = 0;
  total = 0;
  add(v: number): void {
    this.total++;
    if (v !== 0 && v === v) this.trues++;
  }
  isEmpty(): boolean {
    return this.total === 0;
  }
  rate(): number {
    return this.total > 0 ? this.trues / this.total : 0;
  }
  aggregate(method: string): number {
    return method === "rate" ? this.rate() : NaN;
  }
  values(): Record<string, number> {
    return { rate: this.rate(), passes: this.trues, fails: this.total - this.trues };
  }
  toSnapshot(): RateSinkSnapshot {
    return { type: "rate", trues: this.trues, total: this.total };
  }
  merge(s: SinkSnapshot): void {
    const r = s as RateSinkSnapshot;
    this.trues += r.trues;
    this.total += r.total;
  }
  reset(): void {
    this.trues = 0;
    this.total = 0;
  }
  destroy(): void {}
}

/** Parses a trend statistic name (`"p(99.9)"`) into its percentile, or NaN. */
function _percentileOf(stat: string): number {
  const m = /^p\((\d+(?:\.\d+)?)\)$/.exec(stat);
  return m ? Number(m[1]) : NaN;
}

class _TrendSink implements _Sink {
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  pos: HdrFront | null = null;
  neg: HdrFront | null = null;

  add(v: number): void {
    if (v !== v || v === Infinity || v === -Infinity) return;
    this.count++;
    this.sum += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    if (v >= 0) {
      _record(this.pos ??= _newHistogram(), Math.round(v * _SCALE));
    } else {
      _record(this.neg ??= _newHistogram(), Math.round(-v * _SCALE));
    }
  }
  isEmpty(): boolean {
    return this.count === 0;
  }
  avg(): number {
    return this.count > 0 ? this.sum / this.count : 0;
  }
  /** Value at percentile `p` in [0, 100] (k6: 0 when empty, the only value when one sample). */
  percentile(p: number): number {
    const n = this.count;
    if (n === 0) return 0;
    if (n === 1) return this.min;
    if (p <= 0) return this.min;
    if (p >= 100) return this.max;
    const negCount = this.neg ? this.neg.totalCount : 0;
    const posCount = n - negCount;
    const rank = Math.max(1, Math.ceil((p / 100) * n));
    let v: number;
    if (rank <= negCount) {
      // rank-th smallest overall is the (negCount - rank + 1)-th largest magnitude.
      const q = ((negCount - rank + 1) / negCount) * 100;
      v = -this.neg!.getValueAtPercentile(q) / _SCALE;
    } else {
      const q = ((rank - negCount) / posCount) * 100;
      v = this.pos!.getValueAtPercentile(q) / _SCALE;
    }
    return v < this.min ? this.min : v > this.max ? this.max : v;
  }
  aggregate(method: string, arg: number): number {
    switch (method) {
      case "avg":
        return this.avg();
      case "min":
        return this.count > 0 ? this.min : 0;
      case "max":
        return this.count > 0 ? this.max : 0;
      case "med":
        return this.percentile(50);
      case "p":
        return this.percentile(arg);
      case "count":
        return this.count;
      default:
        return NaN;
    }
  }
  values(_durationMs: number, trendStats: readonly string[]): Record<string, number> {
    const out: Record<string, number> = {};
    for (const stat of trendStats) {
      if (stat === "avg" || stat === "min" || stat === "max" || stat === "med") {
        out[stat] = this.aggregate(stat, 0);
      } else if (stat === "count") {
        out[stat] = this.count;
      } else {
        const p = _percentileOf(stat);
        if (p === p) out[stat] = this.percentile(p);
      }
    }
    return out;
  }
  toSnapshot(): TrendSinkSnapshot {
    return {
      type: "trend",
      count: this.count,
      sum: this.sum,
      min: this.count > 0 ? this.min : 0,
      max: this.count > 0 ? this.max : 0,
      hist: this.pos && this.pos.totalCount > 0 ? _encode(this.pos) : null,
      neg: this.neg && this.neg.totalCount > 0 ? _encode(this.neg) : null,
    };
  }
  merge(s: SinkSnapshot): void {
    const t = s as TrendSinkSnapshot;
    if (t.count === 0) return;
    this.count += t.count;
    this.sum += t.sum;
    if (t.min < this.min) this.min = t.min;
    if (t.max > this.max) this.max = t.max;
    if (t.hist) {
      const other = _decode(t.hist);
      (this.pos ??= _newHistogram()).add(other);
      other.destroy();
    }
    if (t.neg) {
      const other = _decode(t.neg);
      (this.neg ??= _newHistogram()).add(other);
      other.destroy();
    }
  }
  reset(): void {
    this.count = 0;
    this.sum = 0;
    this.min = Infinity;
    this.max = -Infinity;
    this.pos?.reset();
    this.neg?.reset();
  }
  destroy(): void {
    this.pos?.destroy();
    this.neg?.destroy();
    this.pos = null;
    this.neg = null;
  }
}

function _newSink(type: MetricType, now: () => number): _Sink {
  switch (type) {
    case "counter":
      return new _CounterSink();
    case "gauge":
      return new _GaugeSink(now);
    case "rate":
      return new _RateSink();
    case "trend":
      return new _TrendSink();
  }
}

// ---------------------------------------------------------------------------------------------
// Metrics and sub-metrics
// ---------------------------------------------------------------------------------------------

/** Aggregated values of a metric, keyed as k6 does (`count`, `rate`, `avg`, `p(95)`, ...). */
export type MetricValues = Record<string, number>;

/** Read access shared by metrics and sub-metrics. */
export interface MetricView {
  /** Full name: `http_req_duration` or `http_req_duration{status:200}`. */
  readonly name: string;
  /** Metric type. */
  readonly type: MetricType;
  /** Value type. */
  readonly contains: ValueType;
  /** True once it received a sample or was marked observed (e.g. by a threshold). */
  readonly observed: boolean;
  /** True when it received no sample. */
  isEmpty(): boolean;
  /**
   * The value of a threshold aggregation (`count`, `rate`, `value`, `avg`, `min`, `max`, `med`,
   * or `p` with `arg` the percentile). `durationMs` is the run duration for counter rates.
   * NaN when the aggregation does not apply to this metric type.
   */
  aggregate(method: string, arg?: number, durationMs?: number): number;
  /** k6 summary values; `trendStats` selects the trend statistics (default avg..p(95)). */
  values(durationMs: number, trendStats?: readonly string[]): MetricValues;
  /**
   * For trends: points `[percentile, value]` of the distribution for percentile plots, with
   * `ticksPerHalfDistance` points in each half of the remaining distance to 100 (0, 50, 75,
   * 87.5, ... as HdrHistogram's percentile distribution does), ending with `[100, max]`.
   * Empty for other types or an empty trend.
   */
  percentilePoints(ticksPerHalfDistance?: number): Array<[number, number]>;
}

function _percentilePoints(sink: _Sink, ticksPerHalfDistance: number): Array<[number, number]> {
  if (!(sink instanceof _TrendSink) || sink.count === 0) return [];
  const ticks = Math.max(1, Math.floor(ticksPerHalfDistance));
  const points: Array<[number, number]> = [];
  const n = sink.count;
  let start = 0;
  for (let level = 0; level < 64; level++) {
    const end = 100 - 100 / 2 ** (level + 1);
    for (let i = 0; i < ticks; i++) {
      const p = start + ((end - start) * i) / ticks;
      points.push([p, sink.percentile(p)]);
    }
    start = end;
    // Stop once the remaining tail holds less than one sample.
    if (((100 - start) / 100) * n < 1) break;
  }
  points.push([100, sink.percentile(100)]);
  return points;
}

/** A metric: a name, a type and its aggregated samples. Create with {@linkcode MetricsRegistry.define}. */
export class Metric implements MetricView {
  /** Metric name. */
  readonly name: string;
  /** Metric type. */
  readonly type: MetricType;
  /** Value type. */
  readonly contains: ValueType;
  /** @internal */
  _sink: _Sink;
  /** @internal */
  _subs: SubMetric[] = [];
  /** @internal role in the timeline / check tree (0: none). */
  _role: number;
  /** @internal */
  _marked = false;
  /** @internal */
  readonly _registry: MetricsRegistry;

  /** @internal use {@linkcode MetricsRegistry.define}. */
  constructor(
    registry: MetricsRegistry,
    name: string,
    type: MetricType,
    contains: ValueType,
    now: () => number,
  ) {
    this._registry = registry;
    this.name = name;
    this.type = type;
    this.contains = contains;
    this._sink = _newSink(type, now);
    this._role = _roleOf(name, type);
  }

  /** Sub-metrics registered on this metric. */
  get submetrics(): readonly SubMetric[] {
    return this._subs;
  }

  /** True once it received a sample or was marked observed. */
  get observed(): boolean {
    return this._marked || !this._sink.isEmpty();
  }

  /**
   * Records a sample. The hot path: no allocation, selectors are evaluated only when the metric
   * has sub-metrics and the sample has tags.
   */
  add(value: number, tags?: Tags): void {
    this._sink.add(value);
    const subs = this._subs;
    if (subs.length !== 0 && tags !== undefined) {
      for (let i = 0; i < subs.length; i++) {
        const s = subs[i];
        if (s._matches(tags)) s._sink.add(value);
      }
    }
    if (this._role !== 0) this._registry._special(this._role, value, tags);
  }

  /** True when it received no sample. */
  isEmpty(): boolean {
    return this._sink.isEmpty();
  }

  /** See {@linkcode MetricView.aggregate}. */
  aggregate(method: string, arg = 0, durationMs = this._registry.durationMs()): number {
    return this._sink.aggregate(method, arg, durationMs);
  }

  /** See {@linkcode MetricView.values}. */
  values(durationMs: number, trendStats: readonly string[] = DEFAULT_TREND_STATS): MetricValues {
    return this._sink.values(durationMs, trendStats);
  }

  /** See {@linkcode MetricView.percentilePoints}. */
  percentilePoints(ticksPerHalfDistance = 5): Array<[number, number]> {
    return _percentilePoints(this._sink, ticksPerHalfDistance);
  }
}

/** A parent metric restricted to the samples whose tags match a selector. */
export class SubMetric implements MetricView {
  /** Full name, as first registered: `parent{key:value,...}`. */
  readonly name: string;
  /** The parent metric. */
  readonly parent: Metric;
  /** The selector text between the braces, trimmed. */
  readonly selector: string;
  /** The selector tags in order. */
  readonly tags: ReadonlyArray<readonly [string, string]>;
  /** @internal */
  readonly _keys: string[];
  /** @internal */
  readonly _vals: string[];
  /** @internal */
  _sink: _Sink;
  /** @internal */
  _marked = false;

  /** @internal use {@linkcode MetricsRegistry.submetric}. */
  constructor(
    parent: Metric,
    selector: string,
    tags: Array<[string, string]>,
    now: () => number,
  ) {
    this.parent = parent;
    this.selector = selector;
    this.name = `${parent.name}{${selector}}`;
    this.tags = tags;
    this._keys = tags.map((t) => t[0]);
    this._vals = tags.map((t) => t[1]);
    this._sink = _newSink(parent.type, now);
  }

  /** Metric type (the parent's). */
  get type(): MetricType {
    return this.parent.type;
  }

  /** Value type (the parent's). */
  get contains(): ValueType {
    return this.parent.contains;
  }

  /** True once it received a sample or was marked observed. */
  get observed(): boolean {
    return this._marked || !this._sink.isEmpty();
  }

  /** True when every selector tag is on `tags` with the same value. */
  matches(tags: Tags): boolean {
    return this._matches(tags);
  }

  /** @internal */
  _matches(tags: Tags): boolean {
    const keys = this._keys;
    const vals = this._vals;
    for (let i = 0; i < keys.length; i++) {
      const v = tags[keys[i]];
      if (v !== vals[i] && (v === undefined || String(v) !== vals[i])) return false;
    }
    return true;
  }

  /** True when it received no sample. */
  isEmpty(): boolean {
    return this._sink.isEmpty();
  }

  /** See {@linkcode MetricView.aggregate}. */
  aggregate(method: string, arg = 0, durationMs = this.parent._registry.durationMs()): number {
    return this._sink.aggregate(method, arg, durationMs);
  }

  /** See {@linkcode MetricView.values}. */
  values(durationMs: number, trendStats: readonly string[] = DEFAULT_TREND_STATS): MetricValues {
    return this._sink.values(durationMs, trendStats);
  }

  /** See {@linkcode MetricView.percentilePoints}. */
  percentilePoints(ticksPerHalfDistance = 5): Array<[number, number]> {
    return _percentilePoints(this._sink, ticksPerHalfDistance);
  }
}

/** Thrown for an invalid metric name, type, or sub-metric expression. */
export class MetricError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "MetricError";
  }
}

/** A metric reference parsed from `name` or `name{key:value,...}`. */
export interface ParsedMetricKey {
  /** The metric name. */
  name: string;
  /** The selector text between the braces, trimmed; null without braces. */
  selector: string | null;
  /** The selector tags in order (empty without braces). */
  tags: Array<[string, string]>;
}

/**
 * Parses a threshold key such as `http_req_duration{status:200,method:GET}` as k6 does: keys and
 * values are trimmed, and surrounding quotes (`"` or `'`) removed; a value may contain `:`
 * (`group_duration{group:::setup}`).
 * @throws {MetricError} naming the 1-based position of the problem.
 */
export function parseMetricKey(key: string): ParsedMetricKey {
  const open = key.indexOf("{");
  const close = key.lastIndexOf("}");
  const fail = (reason: string, index: number): never => {
    throw new MetricError(
      `Cannot parse metric "${key}": ${reason} at position ${
        index + 1
      }; write metric or metric{tag:value,tag2:value2}`,
    );
  };
  if (open < 0 && close < 0) return { name: key.trim(), selector: null, tags: [] };
  if (open < 0) fail('found "}" without "{"', close);
  if (close < open) fail('expected "}" to close the selector', key.length);
  if (close !== key.trimEnd().length - 1) fail('expected nothing after "}"', close + 1);
  const name = key.slice(0, open).trim();
  const inner = key.slice(open + 1, close);
  const selector = inner.trim();
  if (selector === "") fail("expected at least one tag:value in the selector", open + 1);
  const tags: Array<[string, string]> = [];
  let offset = open + 1;
  for (const part of inner.split(",")) {
    const colon = part.indexOf(":");
    const lead = part.length - part.trimStart().length;
    if (part.trim() === "") fail("expected tag:value", offset + lead);
    if (colon < 0) fail(`expected ":" after tag "${part.trim()}"`, offset + part.trimEnd().length);
    const k = _unquote(part.slice(0, colon));
    const v = _unquote(part.slice(colon + 1));
    if (k === "") fail("expected a tag name", offset + lead);
    if (v === "") fail(`expected a value for tag "${k}"`, offset + colon + 1);
    tags.push([k, v]);
    offset += part.length + 1;
  }
  return { name, selector, tags };
}

function _unquote(s: string): string {
  return s.trim().replace(/^["']+|["']+$/g, "");
}

function _sameTags(a: ReadonlyArray<readonly [string, string]>, b: Array<[string, string]>) {
  if (a.length !== b.length) return false;
  const m = new Map(a.map(([k, v]) => [k, v]));
  return b.every(([k, v]) => m.get(k) === v);
}

// ---------------------------------------------------------------------------------------------
// Checks tree
// ---------------------------------------------------------------------------------------------

/** Passes and fails of one check. */
export interface CheckResult {
  /** Check name. */
  name: string;
  /** Times it passed. */
  passes: number;
  /** Times it failed. */
  fails: number;
}

/** A group (the root group has name and path `""`) with its checks and sub-groups. */
export interface GroupResult {
  /** Group name (`""` for the root). */
  name: string;
  /** k6 group path: `""` for the root, `::outer::inner` below it. */
  path: string;
  /** Sub-groups in first-seen order. */
  groups: GroupResult[];
  /** Checks in first-seen order. */
  checks: CheckResult[];
}

/** The k6 group path separator. */
export const GROUP_SEPARATOR = "::";

// ---------------------------------------------------------------------------------------------
// Timeline
// ---------------------------------------------------------------------------------------------

/** One second of the run. */
export interface TimelinePoint {
  /** Seconds since the start of the run (this point covers [t, t+1)). */
  t: number;
  /** Clock time (ms) at the start of this second. */
  time: number;
  /** `http_reqs` in this second. */
  reqs: number;
  /** `http_req_duration` median in this second, in ms; null without requests. */
  p50: number | null;
  /** 90th percentile, in ms; null without requests. */
  p90: number | null;
  /** 95th percentile, in ms; null without requests. */
  p95: number | null;
  /** 99th percentile, in ms; null without requests. */
  p99: number | null;
  /** `vus` gauge value at the end of this second (carried forward when not set). */
  vus: number;
  /** Failed requests (`http_req_failed` non-zero samples) in this second. */
  failed: number;
  /** Failed requests by their `status` tag (`"none"` without one). */
  errorsByStatus: Record<string, number>;
}

/** Serialized timeline. Rows hold only seconds with data. */
export interface TimelineSnapshot {
  /**
   * `[second, reqs, failed, vus, count, p50, p90, p95, p99]`: vus is null when not set in that
   * second; count is the number of durations behind the percentiles; percentiles are null when
   * the second's histogram is in `open` instead (or it had no durations).
   */
  rows: Array<[number, number, number, number | null, number, ...Array<number | null>]>;
  /** Failures by status: `[second, {status: count}]`. */
  errors: Array<[number, Record<string, number>]>;
  /** Per-second duration histograms still open at snapshot time: `[second, base64]`. */
  open: Array<[number, string]>;
  /** Count-weighted percentile sums merged from elsewhere: `[second, count, s50, s90, s95, s99]`. */
  external: Array<[number, number, number, number, number, number]>;
}

const _C_REQS = 0;
const _C_FAILED = 1;
const _C_VUS = 2;
const _C_COUNT = 3;
const _C_P50 = 4;
const _C_P90 = 5;
const _C_P95 = 6;
const _C_P99 = 7;
const _COLS = 8;
const _PCTS = [50, 90, 95, 99] as const;

interface _Chunk {
  cols: Float64Array;
  errors: Array<Record<string, number> | undefined>;
  used: Uint8Array;
}

class _Timeline {
  readonly chunkSeconds: number;
  readonly maxChunks: number;
  readonly settle: number;
  chunks = new Map<number, _Chunk>();
  newest = -1;
  openSecond: Int32Array;
  openHist: Array<HdrFront | null>;
  external = new Map<number, Float64Array>();

  constructor(maxSeconds: number, settle: number, chunkSeconds: number) {
    this.chunkSeconds = chunkSeconds;
    this.maxChunks = Math.max(1, Math.ceil(maxSeconds / chunkSeconds)) + 1;
    this.settle = Math.max(1, Math.floor(settle));
    this.openSecond = new Int32Array(this.settle).fill(-1);
    this.openHist = new Array(this.settle).fill(null);
  }

  /** Oldest second still retained. */
  oldest(): number {
    let min = Infinity;
    for (const c of this.chunks.keys()) if (c < min) min = c;
    return min === Infinity ? 0 : min * this.chunkSeconds;
  }

  chunk(second: number, create: boolean): _Chunk | undefined {
    const idx = Math.floor(second / this.chunkSeconds);
    let c = this.chunks.get(idx);
    if (c === undefined && create) {
      const newestIdx = Math.floor(this.newest / this.chunkSeconds);
      if (idx <= newestIdx - this.maxChunks) return undefined; // already evicted range
      c = {
        cols: new Float64Array(this.chunkSeconds * _COLS),
        errors: new Array(this.chunkSeconds),
        used: new Uint8Array(this.chunkSeconds),
      };
      for (let i = 0; i < this.chunkSeconds; i++) {
        c.cols[i * _COLS + _C_VUS] = NaN;
        for (const col of [_C_P50, _C_P90, _C_P95, _C_P99]) c.cols[i * _COLS + col] = NaN;
      }
      this.chunks.set(idx, c);
      this.evict();
    }
    return c;
  }

  evict(): void {
    this.cacheSecond = -1;
    const newestIdx = Math.floor(Math.max(this.newest, 0) / this.chunkSeconds);
    for (const idx of this.chunks.keys()) {
      if (idx <= newestIdx - this.maxChunks) this.chunks.delete(idx);
    }
    const oldest = this.oldest();
    for (const s of this.external.keys()) if (s < oldest) this.external.delete(s);
  }

  /** Moves `newest` forward to `second`, finalizing seconds that leave the settle window. */
  advance(second: number): void {
    if (second <= this.newest) return;
    this.cacheSecond = -1;
    const from = Math.max(this.newest + 1, second - this.settle + 1);
    for (let s = from; s <= second; s++) {
      const slot = s % this.settle;
      const old = this.openSecond[slot];
      if (old >= 0) this.finalize(slot, old);
      this.openSecond[slot] = s;
    }
    // Any other open second older than the window is finalized too.
    for (let slot = 0; slot < this.settle; slot++) {
      const old = this.openSecond[slot];
      if (old >= 0 && old <= second - this.settle) {
        this.finalize(slot, old);
        this.openSecond[slot] = -1;
      }
    }
    this.newest = second;
    this.evict();
  }

  finalize(slot: number, second: number): void {
    const h = this.openHist[slot];
    if (h === null || h.totalCount === 0) return;
    const c = this.chunk(second, false);
    if (c !== undefined) {
      const base = (second % this.chunkSeconds) * _COLS;
      c.cols[base + _C_P50] = h.getValueAtPercentile(50) / _SCALE;
      c.cols[base + _C_P90] = h.getValueAtPercentile(90) / _SCALE;
      c.cols[base + _C_P95] = h.getValueAtPercentile(95) / _SCALE;
      c.cols[base + _C_P99] = h.getValueAtPercentile(99) / _SCALE;
    }
    h.reset();
  }

  /** The open histogram for `second`, or null when the second is outside the settle window. */
  histogramFor(second: number): HdrFront | null {
    if (second > this.newest) this.advance(second);
    if (second <= this.newest - this.settle) return null;
    const slot = second % this.settle;
    if (this.openSecond[slot] !== second) return null;
    return this.openHist[slot] ??= _newHistogram();
  }

  cell(second: number): { c: _Chunk; base: number } | null {
    if (second > this.newest) this.advance(second);
    const c = this.chunk(second, true);
    if (c === undefined) return null;
    const i = second % this.chunkSeconds;
    c.used[i] = 1;
    return { c, base: i * _COLS };
  }

  // Hot-path cache of the second being recorded: its chunk, column base and open histogram.
  cacheSecond = -1;
  cacheChunk: _Chunk | null = null;
  cacheBase = 0;
  cacheHist: HdrFront | null = null;

  /** Loads the cache for `second`; false when the second is no longer retained. */
  load(second: number): boolean {
    if (second === this.cacheSecond) return this.cacheChunk !== null;
    if (second > this.newest) this.advance(second);
    const c = this.chunk(second, true) ?? null;
    this.cacheChunk = c;
    this.cacheHist = null;
    if (c !== null) {
      const i = second % this.chunkSeconds;
      c.used[i] = 1;
      this.cacheBase = i * _COLS;
      this.cacheHist = this.histogramFor(second);
    }
    this.cacheSecond = second;
    return c !== null;
  }

  addReqs(second: number, v: number): void {
    if (this.load(second)) this.cacheChunk!.cols[this.cacheBase + _C_REQS] += v;
  }

  addDuration(second: number, ms: number): void {
    if (ms !== ms || ms === Infinity || ms === -Infinity) return;
    if (!this.load(second) || this.cacheHist === null) return;
    this.cacheChunk!.cols[this.cacheBase + _C_COUNT] += 1;
    _record(this.cacheHist, Math.round((ms < 0 ? 0 : ms) * _SCALE));
  }

  setVus(second: number, v: number): void {
    if (this.load(second)) this.cacheChunk!.cols[this.cacheBase + _C_VUS] = v;
  }

  addFailed(second: number, status: string, n: number): void {
    if (!this.load(second)) return;
    const c = this.cacheChunk!;
    c.cols[this.cacheBase + _C_FAILED] += n;
    const e = c.errors[this.cacheBase / _COLS] ??= {};
    e[status] = (e[status] ?? 0) + n;
  }

  addExternal(second: number, count: number, pcts: ArrayLike<number>): void {
    if (count <= 0) return;
    let e = this.external.get(second);
    if (e === undefined) this.external.set(second, e = new Float64Array(5));
    e[0] += count;
    for (let k = 0; k < 4; k++) e[k + 1] += pcts[k] * count;
  }

  /** Percentiles of a second: histogram part (open or finalized) combined with external data. */
  percentiles(second: number, c: _Chunk, base: number): Array<number | null> {
    let hp: number[] | null = null;
    const histCount = c.cols[base + _C_COUNT];
    const slot = second % this.settle;
    const h = this.openSecond[slot] === second ? this.openHist[slot] : null;
    if (h !== null && h.totalCount > 0) {
      hp = _PCTS.map((p) => h.getValueAtPercentile(p) / _SCALE);
    } else if (!Number.isNaN(c.cols[base + _C_P50])) {
      hp = [
        c.cols[base + _C_P50],
        c.cols[base + _C_P90],
        c.cols[base + _C_P95],
        c.cols[base + _C_P99],
      ];
    }
    const ext = this.external.get(second);
    if (ext === undefined || ext[0] === 0) return hp ?? [null, null, null, null];
    const total = ext[0] + (hp ? histCount : 0);
    return [0, 1, 2, 3].map((k) => ((hp ? hp[k] * histCount : 0) + ext[k + 1]) / total);
  }

  points(startMs: number, lastSecond: number): TimelinePoint[] {
    const out: TimelinePoint[] = [];
    const last = Math.max(this.newest, lastSecond);
    if (last < 0) return out;
    const first = this.oldest();
    let vus = 0;
    for (let s = first; s <= last; s++) {
      const c = this.chunk(s, false);
      const point: TimelinePoint = {
        t: s,
        time: startMs + s * 1000,
        reqs: 0,
        p50: null,
        p90: null,
        p95: null,
        p99: null,
        vus,
        failed: 0,
        errorsByStatus: {},
      };
      if (c !== undefined) {
        const i = s % this.chunkSeconds;
        const base = i * _COLS;
        const cols = c.cols;
        point.reqs = cols[base + _C_REQS];
        point.failed = cols[base + _C_FAILED];
        if (!Number.isNaN(cols[base + _C_VUS])) vus = point.vus = cols[base + _C_VUS];
        const [p50, p90, p95, p99] = this.percentiles(s, c, base);
        point.p50 = p50;
        point.p90 = p90;
        point.p95 = p95;
        point.p99 = p99;
        if (c.errors[i]) point.errorsByStatus = { ...c.errors[i] };
      }
      out.push(point);
    }
    return out;
  }

  toSnapshot(): TimelineSnapshot {
    const snap: TimelineSnapshot = { rows: [], errors: [], open: [], external: [] };
    const openSeconds = new Set<number>();
    for (let slot = 0; slot < this.settle; slot++) {
      const s = this.openSecond[slot];
      const h = this.openHist[slot];
      if (s >= 0 && h !== null && h.totalCount > 0) {
        snap.open.push([s, _encode(h)]);
        openSeconds.add(s);
      }
    }
    const idxs = [...this.chunks.keys()].sort((a, b) => a - b);
    for (const idx of idxs) {
      const c = this.chunks.get(idx)!;
      for (let i = 0; i < this.chunkSeconds; i++) {
        if (c.used[i] === 0) continue;
        const s = idx * this.chunkSeconds + i;
        const base = i * _COLS;
        const cols = c.cols;
        const vus = Number.isNaN(cols[base + _C_VUS]) ? null : cols[base + _C_VUS];
        const finalized = !openSeconds.has(s) && !Number.isNaN(cols[base + _C_P50]);
        const row: TimelineSnapshot["rows"][number] = [
          s,
          cols[base + _C_REQS],
          cols[base + _C_FAILED],
          vus,
          finalized ? cols[base + _C_COUNT] : 0,
          finalized ? cols[base + _C_P50] : null,
          finalized ? cols[base + _C_P90] : null,
          finalized ? cols[base + _C_P95] : null,
          finalized ? cols[base + _C_P99] : null,
        ];
        snap.rows.push(row);
        if (c.errors[i]) snap.errors.push([s, { ...c.errors[i] }]);
      }
    }
    for (const [s, e] of this.external) snap.external.push([s, e[0], e[1], e[2], e[3], e[4]]);
    return snap;
  }

  merge(snap: TimelineSnapshot, offset: number): void {
    // Advance to the newest second first, so older seconds settle consistently.
    let newest = -1;
    for (const r of snap.rows) if (r[0] + offset > newest) newest = r[0] + offset;
    for (const o of snap.open) if (o[0] + offset > newest) newest = o[0] + offset;
    if (newest > this.newest) this.advance(newest);
    for (const r of snap.rows) {
      const s = r[0] + offset;
      if (s < 0) continue;
      const x = this.cell(s);
      if (x === null) continue;
      x.c.cols[x.base + _C_REQS] += r[1];
      x.c.cols[x.base + _C_FAILED] += r[2];
      if (r[3] !== null) x.c.cols[x.base + _C_VUS] = r[3];
      if (r[4] > 0 && r[5] !== null) {
        this.addExternal(s, r[4], [r[5], r[6] as number, r[7] as number, r[8] as number]);
      }
    }
    for (const [s0, e] of snap.errors) {
      const s = s0 + offset;
      if (s < 0) continue;
      const x = this.cell(s);
      if (x === null) continue;
      const i = x.base / _COLS;
      const target = x.c.errors[i] ??= {};
      for (const [k, n] of Object.entries(e)) target[k] = (target[k] ?? 0) + n;
    }
    for (const [s0, b64] of snap.open) {
      const s = s0 + offset;
      if (s < 0) continue;
      const x = this.cell(s);
      if (x === null) continue;
      const other = _decode(b64);
      const h = this.histogramFor(s);
      if (h !== null) {
        h.add(other);
        x.c.cols[x.base + _C_COUNT] += other.totalCount;
      } else {
        this.addExternal(
          s,
          other.totalCount,
          _PCTS.map((p) => other.getValueAtPercentile(p) / _SCALE),
        );
      }
      other.destroy();
    }
    for (const [s0, count, s50, s90, s95, s99] of snap.external) {
      const s = s0 + offset;
      if (s < 0 || count <= 0) continue;
      this.addExternal(s, count, [s50 / count, s90 / count, s95 / count, s99 / count]);
    }
  }

  reset(): void {
    this.cacheSecond = -1;
    this.chunks.clear();
    this.external.clear();
    for (let slot = 0; slot < this.settle; slot++) {
      this.openHist[slot]?.reset();
      this.openSecond[slot] = -1;
    }
    this.newest = -1;
  }

  destroy(): void {
    this.cacheSecond = -1;
    this.cacheHist = null;
    for (let slot = 0; slot < this.settle; slot++) {
      this.openHist[slot]?.destroy();
      this.openHist[slot] = null;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Registry
// ---------------------------------------------------------------------------------------------

const _ROLE_REQS = 1;
const _ROLE_DURATION = 2;
const _ROLE_VUS = 3;
const _ROLE_FAILED = 4;
const _ROLE_CHECKS = 5;
const _ROLE_GROUP = 6;

function _roleOf(name: string, type: MetricType): number {
  if (name === HTTP_REQS && type === "counter") return _ROLE_REQS;
  if (name === HTTP_REQ_DURATION && type === "trend") return _ROLE_DURATION;
  if (name === VUS && type === "gauge") return _ROLE_VUS;
  if (name === HTTP_REQ_FAILED && type === "rate") return _ROLE_FAILED;
  if (name === CHECKS && type === "rate") return _ROLE_CHECKS;
  if (name === GROUP_DURATION && type === "trend") return _ROLE_GROUP;
  return 0;
}

/** Options of {@linkcode MetricsRegistry.define}. */
export interface DefineOptions {
  /** The metric holds milliseconds (k6 `isTime`; printed as durations). */
  isTime?: boolean;
  /** The metric holds bytes (printed as kB/MB). */
  isData?: boolean;
}

/** Options of a {@linkcode MetricsRegistry}. */
export interface RegistryOptions {
  /** Seconds of timeline kept (rounded up to whole chunks); default 86400 (24 h). */
  timelineMaxSeconds?: number;
  /** Seconds a per-second histogram stays open for late samples and merges; default 10. */
  timelineSettleSeconds?: number;
  /** Seconds per timeline chunk; default 3600. */
  timelineChunkSeconds?: number;
}

/** Serialized metric with its sub-metrics. */
export interface MetricSnapshot {
  /** Metric name. */
  name: string;
  /** Metric type. */
  type: MetricType;
  /** Value type. */
  contains: ValueType;
  /** Marked observed without samples (e.g. by a threshold). */
  marked: boolean;
  /** Aggregated state. */
  sink: SinkSnapshot;
  /** Sub-metrics. */
  submetrics: Array<{ selector: string; marked: boolean; sink: SinkSnapshot }>;
}

/** A serializable copy of a registry (structured-clone and JSON friendly). */
export interface MetricsSnapshot {
  /** Format version. */
  version: 1;
  /** Clock time (ms) the run started. */
  startMs: number;
  /** Clock time (ms) the run stopped, or null while running. */
  endMs: number | null;
  /** Clock time (ms) the snapshot was taken. */
  takenAtMs: number;
  /** Metrics in definition order. */
  metrics: MetricSnapshot[];
  /** Check results: `[groupPath, checkName, passes, fails]`, plus groups without checks as `[groupPath]`. */
  checks: Array<[string, string, number, number] | [string]>;
  /** Per-second timeline. */
  timeline: TimelineSnapshot;
}

/** Holds every metric of a run. */
export class MetricsRegistry {
  readonly #now: () => number;
  readonly #metrics = new Map<string, Metric>();
  readonly #timeline: _Timeline;
  /** group path -> check name -> [passes, fails] */
  readonly #checks = new Map<string, Map<string, [number, number]>>();
  #startMs: number;
  #endMs: number | null = null;

  /**
   * Creates a registry. `clock` defaults to {@linkcode systemClock}; the run starts now (see
   * {@linkcode start}).
   */
  constructor(clock: Clock = systemClock, options: RegistryOptions = {}) {
    this.#now = _nowFunction(clock);
    this.#startMs = this.#now();
    this.#timeline = new _Timeline(
      options.timelineMaxSeconds ?? 86_400,
      options.timelineSettleSeconds ?? 10,
      options.timelineChunkSeconds ?? 3_600,
    );
  }

  /** Current clock time in ms. */
  now(): number {
    return this.#now();
  }

  /**
   * Marks the start of the run (default: now). Counter rates and the timeline count from it:
   * call it before recording samples. Workers pass the coordinator's start time so their
   * timeline seconds line up when merged.
   */
  start(atMs: number = this.#now()): void {
    this.#startMs = atMs;
    this.#endMs = null;
  }

  /** Marks the end of the run (default: now); {@linkcode durationMs} stops growing. */
  stop(atMs: number = this.#now()): void {
    this.#endMs = atMs;
  }

  /** Clock time the run started. */
  get startMs(): number {
    return this.#startMs;
  }

  /** Clock time the run stopped, or null while running. */
  get endMs(): number | null {
    return this.#endMs;
  }

  /** Run duration so far (or until {@linkcode stop}), in ms. */
  durationMs(): number {
    return Math.max(0, (this.#endMs ?? this.#now()) - this.#startMs);
  }

  /**
   * Defines a metric, or returns the existing one with that name. Idempotent; redefining with
   * another type (or, when given, another value type) throws.
   * @throws {MetricError} for an invalid name or type, or a conflicting redefinition.
   */
  define(name: string, type: MetricType, options: DefineOptions = {}): Metric {
    if (!_TYPES.includes(type)) {
      throw new MetricError(
        `Cannot define metric "${name}": unknown type "${type}"; use counter, gauge, rate or trend`,
      );
    }
    const wanted: ValueType | undefined = options.isTime
      ? "time"
      : options.isData
      ? "data"
      : options.isTime === false || options.isData === false
      ? "default"
      : undefined;
    const existing = this.#metrics.get(name);
    if (existing !== undefined) {
      if (existing.type !== type) {
        throw new MetricError(
          `Cannot define metric "${name}" as a ${type}: it is already defined as a ${existing.type}; use another name`,
        );
      }
      if (wanted !== undefined && wanted !== existing.contains) {
        throw new MetricError(
          `Cannot define metric "${name}" with ${wanted} values: it is already defined with ${existing.contains} values; use another name`,
        );
      }
      return existing;
    }
    if (!_NAME_RE.test(name)) {
      throw new MetricError(
        `Cannot define metric "${name}": a name must start with a letter or an underscore and hold only up to 128 ASCII letters, digits or underscores`,
      );
    }
    const m = new Metric(this, name, type, wanted ?? "default", this.#now);
    this.#metrics.set(name, m);
    return m;
  }

  /** Defines every built-in metric and k6's default `http_req_duration{expected_response:true}`. */
  defineBuiltins(): void {
    for (const b of BUILTIN_METRICS) {
      this.define(b.name, b.type, { isTime: b.contains === "time", isData: b.contains === "data" });
    }
    this.submetric(`${HTTP_REQ_DURATION}{expected_response:true}`);
  }

  /** The metric with this name, if defined. */
  get(name: string): Metric | undefined {
    return this.#metrics.get(name);
  }

  /** Every metric in definition order. */
  metrics(): Metric[] {
    return [...this.#metrics.values()];
  }

  /**
   * Records a sample: the hot path. Prefer keeping the {@linkcode Metric} returned by
   * {@linkcode define} and calling its `add`, which saves the name lookup.
   * @throws {MetricError} when the metric is not defined.
   */
  add(name: string, value: number, tags?: Tags): void {
    const m = this.#metrics.get(name);
    if (m === undefined) {
      throw new MetricError(
        `Cannot add a sample to metric "${name}": it is not defined; call define("${name}", type) first`,
      );
    }
    m.add(value, tags);
  }

  /**
   * Registers (or returns the existing) sub-metric for a key such as
   * `http_req_duration{status:200}`; selectors with the same tags share one sub-metric.
   * @throws {MetricError} for a malformed key, a key without a selector, or an undefined parent.
   */
  submetric(key: string): SubMetric {
    const parsed = parseMetricKey(key);
    if (parsed.selector === null) {
      throw new MetricError(
        `Cannot register sub-metric "${key}": expected a tag selector such as ${key}{status:200}`,
      );
    }
    const parent = this.#metrics.get(parsed.name);
    if (parent === undefined) {
      throw new MetricError(
        `Cannot register sub-metric "${key}": metric "${parsed.name}" is not defined; define it first or fix the name`,
      );
    }
    for (const s of parent._subs) if (_sameTags(s.tags, parsed.tags)) return s;
    const sub = new SubMetric(parent, parsed.selector, parsed.tags, this.#now);
    parent._subs.push(sub);
    return sub;
  }

  /**
   * The metric or registered sub-metric a key names (`http_reqs`, `http_reqs{status:200}`), or
   * undefined. Does not register anything.
   */
  find(key: string): MetricView | undefined {
    let parsed: ParsedMetricKey;
    try {
      parsed = parseMetricKey(key);
    } catch {
      return undefined;
    }
    const parent = this.#metrics.get(parsed.name);
    if (parent === undefined || parsed.selector === null) return parent;
    return parent._subs.find((s) => _sameTags(s.tags, parsed.tags));
  }

  /** Marks a metric or sub-metric (and its parent) as observed, so summaries show it. */
  markObserved(view: MetricView): void {
    if (view instanceof SubMetric) {
      view._marked = true;
      view.parent._marked = true;
    } else if (view instanceof Metric) {
      view._marked = true;
    }
  }

  /** @internal timeline and check-tree feed for metrics with a role. */
  _special(role: number, value: number, tags: Tags | undefined): void {
    if (role === _ROLE_CHECKS) {
      if (tags === undefined || tags.check === undefined) return;
      const group = tags.group ?? "";
      let checks = this.#checks.get(group);
      if (checks === undefined) this.#checks.set(group, checks = new Map());
      let c = checks.get(tags.check);
      if (c === undefined) checks.set(tags.check, c = [0, 0]);
      if (value !== 0 && value === value) c[0]++;
      else c[1]++;
      return;
    }
    if (role === _ROLE_GROUP) {
      const group = tags?.group;
      if (group !== undefined && !this.#checks.has(group)) this.#checks.set(group, new Map());
      return;
    }
    let second = Math.floor((this.#now() - this.#startMs) / 1000);
    if (second < 0) second = 0;
    switch (role) {
      case _ROLE_REQS:
        this.#timeline.addReqs(second, value);
        break;
      case _ROLE_DURATION:
        this.#timeline.addDuration(second, value);
        break;
      case _ROLE_VUS:
        this.#timeline.setVus(second, value);
        break;
      case _ROLE_FAILED:
        if (value !== 0 && value === value) {
          this.#timeline.addFailed(second, tags?.status ?? "none", 1);
        }
        break;
    }
  }

  /**
   * The per-second timeline from the oldest retained second to the newest second with data (or
   * to the end of the run once stopped).
   */
  timeline(): TimelinePoint[] {
    const last = this.#endMs === null ? -1 : Math.ceil((this.#endMs - this.#startMs) / 1000) - 1;
    return this.#timeline.points(this.#startMs, last);
  }

  /** The check results as a group tree rooted at the root group. */
  checkResults(): GroupResult {
    const root: GroupResult = { name: "", path: "", groups: [], checks: [] };
    const byPath = new Map<string, GroupResult>([["", root]]);
    const groupFor = (path: string): GroupResult => {
      const known = byPath.get(path);
      if (known) return known;
      const cut = path.lastIndexOf(GROUP_SEPARATOR);
      const parentPath = cut <= 0 ? "" : path.slice(0, cut);
      const name = cut < 0 ? path : path.slice(cut + GROUP_SEPARATOR.length);
      const parent = groupFor(parentPath);
      const g: GroupResult = { name, path, groups: [], checks: [] };
      parent.groups.push(g);
      byPath.set(path, g);
      return g;
    };
    for (const [path, checks] of this.#checks) {
      const g = groupFor(path);
      for (const [name, [passes, fails]] of checks) g.checks.push({ name, passes, fails });
    }
    return root;
  }

  /** A serializable copy of everything collected. */
  toSnapshot(): MetricsSnapshot {
    const metrics: MetricSnapshot[] = [];
    for (const m of this.#metrics.values()) {
      metrics.push({
        name: m.name,
        type: m.type,
        contains: m.contains,
        marked: m._marked,
        sink: m._sink.toSnapshot(),
        submetrics: m._subs.map((s) => ({
          selector: s.selector,
          marked: s._marked,
          sink: s._sink.toSnapshot(),
        })),
      });
    }
    const checks: MetricsSnapshot["checks"] = [];
    for (const [path, cs] of this.#checks) {
      if (cs.size === 0) checks.push([path]);
      for (const [name, [p, f]] of cs) checks.push([path, name, p, f]);
    }
    return {
      version: 1,
      startMs: this.#startMs,
      endMs: this.#endMs,
      takenAtMs: this.#now(),
      metrics,
      checks,
      timeline: this.#timeline.toSnapshot(),
    };
  }

  /**
   * Returns a snapshot and resets every sink, the check tree and the timeline (definitions and
   * sub-metrics stay): a worker calls this periodically and posts the result to the main thread,
   * which {@linkcode merge}s it.
   */
  drain(): MetricsSnapshot {
    const snap = this.toSnapshot();
    for (const m of this.#metrics.values()) {
      m._sink.reset();
      for (const s of m._subs) s._sink.reset();
    }
    this.#checks.clear();
    this.#timeline.reset();
    return snap;
  }

  /**
   * Adds a snapshot (from a worker) into this registry: defines missing metrics and sub-metrics
   * and merges every sink, the check tree and the timeline. The run start and end of this
   * registry are unchanged; timeline seconds are aligned by the difference of start times.
   * @throws {MetricError} when a metric exists here with another type.
   */
  merge(snapshot: MetricsSnapshot): void {
    if (snapshot.version !== 1) {
      throw new MetricError(
        `Cannot merge metrics snapshot version ${snapshot.version}: expected version 1; use the same smsgate-testkit version in every worker`,
      );
    }
    for (const ms of snapshot.metrics) {
      const m = this.define(ms.name, ms.type, {
        isTime: ms.contains === "time",
        isData: ms.contains === "data",
      });
      m._sink.merge(ms.sink);
      if (ms.marked) m._marked = true;
      for (const ss of ms.submetrics) {
        const sub = this.submetric(`${ms.name}{${ss.selector}}`);
        sub._sink.merge(ss.sink);
        if (ss.marked) sub._marked = true;
      }
    }
    for (const entry of snapshot.checks) {
      const path = entry[0];
      let cs = this.#checks.get(path);
      if (cs === undefined) this.#checks.set(path, cs = new Map());
      if (entry.length === 4) {
        const c = cs.get(entry[1]);
        if (c === undefined) cs.set(entry[1], [entry[2], entry[3]]);
        else {
          c[0] += entry[2];
          c[1] += entry[3];
        }
      }
    }
    const offset = Math.round((snapshot.startMs - this.#startMs) / 1000);
    this.#timeline.merge(snapshot.timeline, offset);
  }

  /** A registry holding a snapshot's data, with its start and end times. */
  static fromSnapshot(
    snapshot: MetricsSnapshot,
    clock: Clock = systemClock,
    options: RegistryOptions = {},
  ): MetricsRegistry {
    const r = new MetricsRegistry(clock, options);
    r.start(snapshot.startMs);
    r.merge(snapshot);
    if (snapshot.endMs !== null) r.stop(snapshot.endMs);
    return r;
  }

  /** Frees the histograms (needed for the WebAssembly implementation). The registry is unusable after. */
  destroy(): void {
    for (const m of this.#metrics.values()) {
      m._sink.destroy();
      for (const s of m._subs) s._sink.destroy();
    }
    this.#timeline.destroy();
  }
}
