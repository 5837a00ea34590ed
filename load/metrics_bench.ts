/**
 * Throughput of the metrics hot path. Each benchmark records {@linkcode SAMPLES} samples, so
 * samples per second = SAMPLES / (time per iteration). Run with
 * `npx deno bench -A load/metrics_bench.ts`.
 *
 * @module
 */

import * as hdr from "hdr-histogram-js";
import { HdrFront, HTTP_REQ_DURATION, MetricsRegistry } from "./metrics.ts";

/** Samples recorded per benchmark iteration. */
const SAMPLES = 10_000;

const values = new Float64Array(SAMPLES);
for (let i = 0; i < SAMPLES; i++) values[i] = ((i * 7919) % 2_000_000) / 1000; // 0..2000 ms

const registry = new MetricsRegistry();
registry.defineBuiltins();
const trend = registry.define("bench_trend", "trend", { isTime: true });
const tagged = registry.define("bench_tagged", "trend", { isTime: true });
registry.submetric("bench_tagged{name:refresh}");
registry.submetric("bench_tagged{status:500,method:GET}");
const tags = [
  { name: "refresh", status: "200", method: "GET" },
  { name: "send", status: "200", method: "POST" },
];

Deno.bench("Metric.add() on a time trend", { group: "add", baseline: true }, () => {
  for (let i = 0; i < SAMPLES; i++) trend.add(values[i]);
});

Deno.bench("MetricsRegistry.add() by name on a time trend", { group: "add" }, () => {
  for (let i = 0; i < SAMPLES; i++) registry.add("bench_trend", values[i]);
});

Deno.bench("Metric.add() with tags on a trend with 2 sub-metrics", { group: "add" }, () => {
  for (let i = 0; i < SAMPLES; i++) tagged.add(values[i], tags[i & 1]);
});

Deno.bench("MetricsRegistry.add() on http_req_duration (timeline + sub-metric)", {
  group: "add",
}, () => {
  for (let i = 0; i < SAMPLES; i++) registry.add(HTTP_REQ_DURATION, values[i], tags[i & 1]);
});

const jsHistogram = hdr.build({ bitBucketSize: 64, useWebAssembly: false });
hdr.initWebAssemblySync();
const wasmHistogram = hdr.build({ bitBucketSize: 64, useWebAssembly: true });

Deno.bench("hdr-histogram-js recordValue (JavaScript)", { group: "hdr", baseline: true }, () => {
  for (let i = 0; i < SAMPLES; i++) jsHistogram.recordValue(Math.round(values[i] * 1000));
});

Deno.bench("hdr-histogram-js recordValue (WebAssembly)", { group: "hdr" }, () => {
  for (let i = 0; i < SAMPLES; i++) wasmHistogram.recordValue(Math.round(values[i] * 1000));
});

const front = new HdrFront();

Deno.bench("HdrFront recordValue (the trends' recording front)", { group: "hdr" }, () => {
  for (let i = 0; i < SAMPLES; i++) front.recordValue(Math.round(values[i] * 1000));
});
