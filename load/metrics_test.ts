import assert from "node:assert/strict";
import FakeTimers from "@sinonjs/fake-timers";
import * as hdr from "hdr-histogram-js";
import {
  BUILTIN_METRICS,
  CHECKS,
  EVENT_LOOP_LAG,
  HdrFront,
  HISTOGRAM_IMPLEMENTATION,
  HTTP_REQ_DURATION,
  HTTP_REQ_FAILED,
  HTTP_REQ_LATENCY_INTENDED,
  HTTP_REQS,
  MetricError,
  MetricsRegistry,
  type MetricsSnapshot,
  parseMetricKey,
  type Tags,
  VUS,
} from "./metrics.ts";

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Exact nearest-rank percentile of sorted values. */
function exactPercentile(sorted: number[], p: number): number {
  if (p <= 0) return sorted[0];
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

/** HDR precision: 3 significant digits (0.1%) plus one recording unit (0.001). */
function assertWithinHdr(actual: number, expected: number, what: string): void {
  const tolerance = Math.abs(expected) * 0.001 + 0.001;
  assert.ok(
    Math.abs(actual - expected) <= tolerance,
    `${what}: ${actual} is not within ${tolerance} of ${expected}`,
  );
}

function withRegistry(fn: (r: MetricsRegistry, clock: FakeTimers.Clock) => void): void {
  const clock = FakeTimers.createClock(0);
  const r = new MetricsRegistry(clock);
  try {
    fn(r, clock);
  } finally {
    r.destroy();
  }
}

Deno.test("HISTOGRAM_IMPLEMENTATION is the WebAssembly build under Deno", () => {
  assert.equal(HISTOGRAM_IMPLEMENTATION, "wasm");
});

Deno.test("HdrFront holds exactly the counts of a histogram fed every value directly", () => {
  const next = rng(7);
  const values = [0, 1, 1023, 1024, 1025, 2047, 2048, 2049, 4095, 4096, 2 ** 31 - 1, 2 ** 31];
  values.push(2 ** 40 + 12345, Number.MAX_SAFE_INTEGER);
  // Every magnitude, and enough samples to flush the front (65,536) more than once.
  for (let i = 0; i < 200_000; i++) values.push(Math.floor(2 ** (next() * 34)));
  const direct = hdr.build({
    bitBucketSize: 64,
    autoResize: true,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 2,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: true,
  });
  const front = new HdrFront();
  try {
    for (const v of values) {
      direct.recordValue(v);
      front.recordValue(v);
    }
    assert.equal(front.totalCount, values.length);
    assert.equal(
      hdr.encodeIntoCompressedBase64(front.histogram()),
      hdr.encodeIntoCompressedBase64(direct),
    );
    for (const p of [0, 1, 25, 50, 90, 99, 99.9, 99.999, 100]) {
      assert.equal(front.getValueAtPercentile(p), direct.getValueAtPercentile(p), `p${p}`);
    }
    front.reset();
    assert.equal(front.totalCount, 0);
    front.recordValue(5);
    assert.equal(front.totalCount, 1);
    assert.equal(front.getValueAtPercentile(50), 5);
  } finally {
    direct.destroy();
    front.destroy();
  }
});

Deno.test("define() is idempotent and rejects another type with a clear error", () => {
  withRegistry((r) => {
    const a = r.define("my_trend", "trend", { isTime: true });
    assert.equal(r.define("my_trend", "trend"), a);
    assert.equal(r.define("my_trend", "trend", { isTime: true }), a);
    assert.equal(a.contains, "time");
    assert.throws(
      () => r.define("my_trend", "counter"),
      (e: unknown) =>
        e instanceof MetricError &&
        e.message ===
          'Cannot define metric "my_trend" as a counter: it is already defined as a trend; use another name',
    );
    assert.throws(
      () => r.define("my_trend", "trend", { isTime: false }),
      /already defined with time values/,
    );
    assert.throws(() => r.define("x", "histogram" as "trend"), /unknown type "histogram"/);
  });
});

Deno.test("define() validates names like k6", () => {
  withRegistry((r) => {
    for (const ok of ["a", "_x", "http_req_duration", "A1_b2", "a".repeat(128)]) {
      assert.equal(r.define(ok, "counter").name, ok);
    }
    for (const bad of ["", "1abc", "a-b", "a b", "é", "a".repeat(129), "a{b}"]) {
      assert.throws(
        () => r.define(bad, "counter"),
        /must start with a letter or an underscore/,
        bad,
      );
    }
  });
});

Deno.test("defineBuiltins() defines every k6 metric, the two extras and expected_response", () => {
  withRegistry((r) => {
    r.defineBuiltins();
    for (const b of BUILTIN_METRICS) {
      const m = r.get(b.name);
      assert.ok(m, b.name);
      assert.equal(m.type, b.type, b.name);
      assert.equal(m.contains, b.contains, b.name);
    }
    assert.equal(r.get(HTTP_REQ_LATENCY_INTENDED)?.contains, "time");
    assert.equal(r.get(EVENT_LOOP_LAG)?.type, "trend");
    assert.equal(r.get("data_sent")?.contains, "data");
    assert.ok(r.find("http_req_duration{expected_response:true}"));
    assert.equal(BUILTIN_METRICS.length, 20);
  });
});

Deno.test("add() throws when the metric is not defined", () => {
  withRegistry((r) => {
    assert.throws(
      () => r.add("nope", 1),
      /Cannot add a sample to metric "nope": it is not defined; call define\("nope", type\) first/,
    );
  });
});

Deno.test("counters report count and rate per second of the run", () => {
  withRegistry((r, clock) => {
    const c = r.define("hits", "counter");
    assert.equal(c.isEmpty(), true);
    for (let i = 0; i < 10; i++) r.add("hits", 1);
    c.add(5);
    clock.tick(3_000);
    assert.deepEqual(c.values(r.durationMs()), { count: 15, rate: 5 });
    assert.equal(c.aggregate("count"), 15);
    assert.equal(c.aggregate("rate"), 5);
    r.stop();
    clock.tick(3_000);
    assert.equal(c.aggregate("rate"), 5, "the duration stops growing after stop()");
  });
});

Deno.test("gauges report the last value and the smallest and largest", () => {
  withRegistry((r) => {
    const g = r.define("queue", "gauge");
    assert.deepEqual(g.values(1), { value: 0, min: 0, max: 0 });
    for (const v of [5, 2, 9, -1, 4]) g.add(v);
    assert.deepEqual(g.values(1), { value: 4, min: -1, max: 9 });
    assert.equal(g.aggregate("value"), 4);
  });
});

Deno.test("rates report the share of non-zero samples with passes and fails", () => {
  withRegistry((r) => {
    const m = r.define("ok", "rate");
    assert.deepEqual(m.values(1), { rate: 0, passes: 0, fails: 0 });
    for (const v of [1, 0, 1, 1, 0, 2, 0, 0]) m.add(v);
    assert.deepEqual(m.values(1), { rate: 0.5, passes: 4, fails: 4 });
  });
});

Deno.test("trend percentiles from the HDR histogram match exact values within HDR precision", () => {
  withRegistry((r) => {
    const t = r.define("latency", "trend", { isTime: true });
    const random = rng(42);
    const values: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      // Log-uniform between 0.05 ms and 5 s, with 3 decimals like real timings.
      const v = Math.round(0.05 * Math.exp(random() * Math.log(100_000)) * 1000) / 1000;
      values.push(v);
      t.add(v);
    }
    const sorted = [...values].sort((a, b) => a - b);
    const sum = values.reduce((a, b) => a + b, 0);
    const stats = t.values(1, ["avg", "min", "med", "max", "count", "p(90)", "p(99.9)"]);
    assert.equal(stats.count, values.length);
    assert.equal(stats.min, sorted[0]);
    assert.equal(stats.max, sorted.at(-1));
    assertWithinHdr(stats.avg, sum / values.length, "avg");
    assertWithinHdr(stats.med, exactPercentile(sorted, 50), "med");
    for (const p of [0, 1, 10, 25, 50, 75, 90, 95, 99, 99.9, 99.99, 100]) {
      assertWithinHdr(t.aggregate("p", p), exactPercentile(sorted, p), `p(${p})`);
    }
    assertWithinHdr(stats["p(99.9)"], exactPercentile(sorted, 99.9), "p(99.9) stat");
  });
});

Deno.test("trends handle negative, fractional, single and no samples", () => {
  withRegistry((r) => {
    const t = r.define("delta", "trend");
    assert.deepEqual(t.values(1), { avg: 0, min: 0, med: 0, max: 0, "p(90)": 0, "p(95)": 0 });
    t.add(-2.5);
    assert.equal(t.aggregate("p", 95), -2.5, "one sample: every percentile is that sample");
    const values = [-2.5];
    for (let v = -50; v <= 50; v += 0.25) {
      t.add(v);
      values.push(v);
    }
    t.add(NaN);
    t.add(Infinity);
    const sorted = values.sort((a, b) => a - b);
    assert.equal(t.aggregate("count"), values.length, "non-finite samples are ignored");
    assert.equal(t.aggregate("min"), -50);
    assert.equal(t.aggregate("max"), 50);
    for (const p of [1, 10, 25, 40, 50, 60, 75, 90, 99]) {
      assertWithinHdr(t.aggregate("p", p), exactPercentile(sorted, p), `p(${p})`);
    }
  });
});

Deno.test("percentilePoints() returns a monotonic distribution from min to max", () => {
  withRegistry((r) => {
    const t = r.define("lat", "trend", { isTime: true });
    assert.deepEqual(t.percentilePoints(), []);
    for (let i = 1; i <= 1000; i++) t.add(i);
    const points = t.percentilePoints(4);
    assert.deepEqual(points[0], [0, 1]);
    assert.deepEqual(points.at(-1), [100, 1000]);
    assert.deepEqual(points.slice(0, 5).map((p) => p[0]), [0, 12.5, 25, 37.5, 50]);
    for (let i = 1; i < points.length; i++) {
      assert.ok(points[i][0] > points[i - 1][0], "percentiles increase");
      assert.ok(points[i][1] >= points[i - 1][1], "values do not decrease");
    }
    assert.ok(points.some(([p]) => p > 99.8), "the tail is resolved down to one sample");
    assert.equal(r.define("c", "counter").percentilePoints().length, 0);
  });
});

Deno.test("a sample feeds a sub-metric only when every selector tag matches", () => {
  withRegistry((r) => {
    const reqs = r.define(HTTP_REQS, "counter");
    const both = r.submetric("http_reqs{status:200,method:GET}");
    const status = r.submetric("http_reqs{ status : '200' }");
    const name = r.submetric(`http_reqs{name:"refresh"}`);
    reqs.add(1, { status: "200", method: "GET", url: "/a" });
    reqs.add(1, { status: "200", method: "POST" });
    reqs.add(1, { method: "GET" });
    reqs.add(1);
    reqs.add(1, { status: 200 as unknown as string, method: "GET", name: "refresh" });
    assert.equal(reqs.aggregate("count"), 5);
    assert.equal(both.aggregate("count"), 2);
    assert.equal(status.aggregate("count"), 3);
    assert.equal(name.aggregate("count"), 1);
    assert.equal(both.name, "http_reqs{status:200,method:GET}");
    assert.equal(status.name, "http_reqs{status : '200'}");
    assert.ok(both.matches({ method: "GET", status: "200" }));
    assert.ok(!both.matches({ method: "GET" }));
  });
});

Deno.test("submetric() returns the existing sub-metric for the same tags in any order", () => {
  withRegistry((r) => {
    r.define(HTTP_REQ_DURATION, "trend", { isTime: true });
    const a = r.submetric("http_req_duration{status:200,method:GET}");
    assert.equal(r.submetric("http_req_duration{method:GET, status:200}"), a);
    assert.equal(r.find("http_req_duration{ method:GET,status:200 }"), a);
    assert.equal(r.find("http_req_duration{status:500}"), undefined);
    assert.equal(r.get(HTTP_REQ_DURATION)!.submetrics.length, 1);
    assert.equal(a.type, "trend");
    assert.equal(a.contains, "time");
    const group = r.submetric("http_req_duration{group:::setup::login}");
    assert.deepEqual(group.tags, [["group", "::setup::login"]]);
  });
});

Deno.test("submetric() rejects malformed keys and unknown parents", () => {
  withRegistry((r) => {
    r.define("m", "counter");
    assert.throws(() => r.submetric("m"), /expected a tag selector such as m\{status:200\}/);
    assert.throws(() => r.submetric("nope{a:b}"), /metric "nope" is not defined/);
    const cases: Array<[string, string]> = [
      ["m{}", "expected at least one tag:value in the selector at position 3"],
      ["m{status}", 'expected ":" after tag "status" at position 9'],
      ["m{status:}", 'expected a value for tag "status" at position 10'],
      ["m{a:b", 'expected "}" to close the selector at position 6'],
      ["m}", 'found "}" without "{" at position 2'],
      ["m{a:b}x", 'expected nothing after "}" at position 7'],
      ["m{a:b,}", "expected tag:value at position 7"],
    ];
    for (const [key, reason] of cases) {
      assert.throws(
        () => r.submetric(key),
        (e: unknown) =>
          e instanceof MetricError &&
          e.message.startsWith(`Cannot parse metric "${key}": ${reason}`),
        key,
      );
    }
    assert.deepEqual(parseMetricKey("m"), { name: "m", selector: null, tags: [] });
  });
});

Deno.test("checks samples of alternating names and groups each reach their own counts", () => {
  withRegistry((r) => {
    r.defineBuiltins();
    const samples: Array<[string, string, boolean]> = [
      ["x", "::a", true],
      ["x", "::b", false],
      ["y", "::a", true],
      ["x", "::a", false],
      ["x", "::a", true],
      ["y", "::b", true],
      ["x", "::b", true],
    ];
    for (const [check, group, ok] of samples) r.add(CHECKS, ok ? 1 : 0, { check, group });
    const counts = (
      g: { path: string; checks: { name: string; passes: number; fails: number }[] },
    ) => g.checks.map((c) => `${g.path} ${c.name} ${c.passes}/${c.fails}`);
    const groups = r.checkResults().groups;
    assert.deepEqual(groups.flatMap(counts), [
      "::a x 2/1",
      "::a y 1/0",
      "::b x 1/1",
      "::b y 1/0",
    ]);
  });
});

Deno.test("checks samples build the check tree by group path", () => {
  withRegistry((r) => {
    r.defineBuiltins();
    const check = (name: string, group: string, ok: boolean) =>
      r.add(CHECKS, ok ? 1 : 0, { check: name, group });
    check("status is 200", "", true);
    check("status is 200", "", false);
    check("token issued", "::auth", true);
    check("refresh ok", "::auth::refresh", true);
    r.add("group_duration", 12, { group: "::empty" });
    r.add(CHECKS, 1); // untagged: counted by the metric, not in the tree
    assert.deepEqual(r.checkResults(), {
      name: "",
      path: "",
      checks: [{ name: "status is 200", passes: 1, fails: 1 }],
      groups: [
        {
          name: "auth",
          path: "::auth",
          checks: [{ name: "token issued", passes: 1, fails: 0 }],
          groups: [{
            name: "refresh",
            path: "::auth::refresh",
            checks: [{ name: "refresh ok", passes: 1, fails: 0 }],
            groups: [],
          }],
        },
        { name: "empty", path: "::empty", checks: [], groups: [] },
      ],
    });
    assert.deepEqual(r.get(CHECKS)!.values(1), { rate: 0.8, passes: 4, fails: 1 });
  });
});

function feedSecond(
  r: MetricsRegistry,
  clock: FakeTimers.Clock,
  durations: number[],
  failedStatuses: string[] = [],
): void {
  const step = Math.floor(1000 / (durations.length + failedStatuses.length + 1));
  for (const d of durations) {
    clock.tick(step);
    r.add(HTTP_REQS, 1, { status: "200" });
    r.add(HTTP_REQ_DURATION, d, { status: "200" });
    r.add(HTTP_REQ_FAILED, 0, { status: "200" });
  }
  for (const status of failedStatuses) {
    clock.tick(step);
    r.add(HTTP_REQS, 1, { status });
    r.add(HTTP_REQ_FAILED, 1, status === "none" ? {} : { status });
  }
  clock.tick(1000 - step * (durations.length + failedStatuses.length));
}

Deno.test("timeline() reports each second with a fake clock", () => {
  withRegistry((r, clock) => {
    r.defineBuiltins();
    r.add(VUS, 3);
    feedSecond(r, clock, Array.from({ length: 100 }, (_, i) => i + 1));
    clock.tick(2_000); // two idle seconds
    r.add(VUS, 5);
    feedSecond(r, clock, [10, 20, 30], ["500", "500", "0", "none"]);
    const tl = r.timeline();
    assert.equal(tl.length, 4);
    assert.deepEqual(tl.map((p) => p.t), [0, 1, 2, 3]);
    assert.deepEqual(tl.map((p) => p.time), [0, 1000, 2000, 3000]);
    assert.deepEqual(tl.map((p) => p.reqs), [100, 0, 0, 7]);
    assert.deepEqual(tl.map((p) => p.vus), [3, 3, 3, 5], "vus is carried forward");
    assert.deepEqual(tl.map((p) => p.failed), [0, 0, 0, 4]);
    assert.deepEqual(tl[3].errorsByStatus, { "500": 2, "0": 1, none: 1 });
    assert.deepEqual(tl[1].errorsByStatus, {});
    assertWithinHdr(tl[0].p50!, 50, "p50");
    assertWithinHdr(tl[0].p90!, 90, "p90");
    assertWithinHdr(tl[0].p95!, 95, "p95");
    assertWithinHdr(tl[0].p99!, 99, "p99");
    assert.equal(tl[1].p50, null);
    assertWithinHdr(tl[3].p50!, 20, "p50 of the last second");
    assertWithinHdr(tl[3].p99!, 30, "p99 of the last second");
  });
});

Deno.test("timeline() finalizes seconds leaving the settle window with the same values", () => {
  withRegistry((r, clock) => {
    r.defineBuiltins();
    feedSecond(r, clock, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const open = r.timeline()[0];
    for (let i = 0; i < 15; i++) feedSecond(r, clock, [100]);
    const settled = r.timeline()[0];
    assert.deepEqual(settled, open);
    assert.equal(r.timeline().length, 16);
  });
});

Deno.test("timeline() keeps bounded memory by dropping the oldest chunks", () => {
  const clock = FakeTimers.createClock(0);
  const r = new MetricsRegistry(clock, { timelineMaxSeconds: 20, timelineChunkSeconds: 10 });
  try {
    r.defineBuiltins();
    for (let s = 0; s < 95; s++) {
      r.add(HTTP_REQS, 1);
      clock.tick(1000);
    }
    const tl = r.timeline();
    // 95 seconds recorded; chunks of 10 s; at most 20 s (+ the chunk being filled) kept.
    // Chunks 0-6 are gone; 70-94 remain: at least 20 s, at most 20 s + one chunk.
    assert.equal(tl[0].t, 70);
    assert.equal(tl.at(-1)!.t, 94);
    assert.ok(tl.length >= 20 && tl.length <= 20 + 10);
    assert.ok(tl.every((p) => p.reqs === 1));
  } finally {
    r.destroy();
  }
});

Deno.test("timeline() runs to the end of the run once stopped", () => {
  withRegistry((r, clock) => {
    r.defineBuiltins();
    feedSecond(r, clock, [5]);
    clock.tick(2_500);
    r.stop();
    assert.deepEqual(r.timeline().map((p) => p.reqs), [1, 0, 0, 0]);
  });
});

function setUp(r: MetricsRegistry): MetricsRegistry {
  r.defineBuiltins();
  r.define("custom_delta", "trend");
  r.submetric("http_req_duration{name:refresh}");
  r.submetric("http_reqs{status:500,method:GET}");
  r.submetric("http_req_failed{name:refresh}");
  return r;
}

function allValues(r: MetricsRegistry) {
  const stats = ["avg", "min", "med", "max", "count", "p(50)", "p(90)", "p(99)", "p(99.9)"];
  const out: Record<string, unknown> = {};
  for (const m of r.metrics()) {
    out[m.name] = m.values(r.durationMs(), stats);
    for (const s of m.submetrics) out[s.name] = s.values(r.durationMs(), stats);
  }
  return out;
}

function roundAvg(values: Record<string, unknown>) {
  // Sums of many floats depend on the order of addition: compare averages to 9 digits.
  return JSON.parse(
    JSON.stringify(values, (k, v) => k === "avg" ? Number(v.toPrecision(9)) : v),
  );
}

interface Event {
  at: number;
  apply: (r: MetricsRegistry) => void;
  /** A `vus` value to record at this time, or -1 (recorded by the coordinator only). */
  vus: number;
}

/** A deterministic random workload: requests, durations, failures, bytes, checks and vus. */
function workload(samples: number, seed: number): Event[] {
  const random = rng(seed);
  const events: Event[] = [];
  let t = 0;
  for (let i = 0; i < samples; i++) {
    t += Math.floor(random() * 40);
    const status = random() < 0.05 ? "500" : "200";
    const tags: Tags = {
      status,
      method: random() < 0.5 ? "GET" : "POST",
      name: random() < 0.3 ? "refresh" : "send",
    };
    const d = Math.floor(random() * 2_000_000) / 1000;
    const bytes = Math.floor(random() * 5000);
    const delta = Math.floor(random() * 2000) - 1000;
    const group = random() < 0.5 ? "" : "::auth";
    const vus = i % 50 === 0 ? Math.floor(random() * 100) : -1;
    events.push({
      at: t,
      apply: (r) => {
        r.add(HTTP_REQS, 1, tags);
        r.add(HTTP_REQ_DURATION, d, tags);
        r.add(HTTP_REQ_FAILED, status === "500" ? 1 : 0, tags);
        r.add("data_received", bytes, tags);
        r.add("custom_delta", delta);
        r.add(CHECKS, status === "200" ? 1 : 0, { check: "status is 200", group });
      },
      vus,
    });
  }
  return events;
}

Deno.test("merge() of worker snapshots equals a single registry fed every sample", () => {
  const clock = FakeTimers.createClock(0);
  const one = setUp(new MetricsRegistry(clock));
  const w1 = setUp(new MetricsRegistry(clock));
  const w2 = setUp(new MetricsRegistry(clock));
  const main = setUp(new MetricsRegistry(clock));
  try {
    const pickWorker = rng(5);
    for (const e of workload(12_000, 11)) {
      clock.setSystemTime(e.at);
      e.apply(one);
      e.apply(pickWorker() < 0.5 ? w1 : w2);
      if (e.vus >= 0) {
        one.add(VUS, e.vus);
        w1.add(VUS, e.vus);
      }
    }
    one.stop();
    main.stop(one.endMs!);
    main.merge(structuredClone(w1.toSnapshot()));
    main.merge(JSON.parse(JSON.stringify(w2.toSnapshot())) as MetricsSnapshot);
    assert.deepEqual(roundAvg(allValues(main)), roundAvg(allValues(one)));
    assert.deepEqual(main.checkResults(), one.checkResults());
    const tlMain = main.timeline();
    const tlOne = one.timeline();
    assert.equal(tlMain.length, tlOne.length);
    // Requests, failures and errors merge exactly; percentiles of the seconds still in the
    // settle window are exact, older ones are count-weighted means of each worker's.
    for (let i = 0; i < tlOne.length; i++) {
      assert.equal(tlMain[i].reqs, tlOne[i].reqs);
      assert.equal(tlMain[i].failed, tlOne[i].failed);
      assert.equal(tlMain[i].vus, tlOne[i].vus);
      assert.deepEqual(tlMain[i].errorsByStatus, tlOne[i].errorsByStatus);
    }
    for (const i of [tlOne.length - 1, tlOne.length - 5]) {
      assert.deepEqual(tlMain[i], tlOne[i]);
    }
    for (const p of tlMain.slice(0, -10)) {
      if (p.reqs > 0) assert.ok(p.p50! > 0 && p.p50! <= p.p99!);
    }
  } finally {
    for (const r of [one, w1, w2, main]) r.destroy();
  }
});

Deno.test("merge() of drained snapshots every second keeps the timeline exact", () => {
  const clock = FakeTimers.createClock(0);
  const one = setUp(new MetricsRegistry(clock));
  const w1 = setUp(new MetricsRegistry(clock));
  const w2 = setUp(new MetricsRegistry(clock));
  const main = setUp(new MetricsRegistry(clock));
  try {
    const random = rng(3);
    let nextDrain = 1000;
    for (let i = 0; i < 8_000; i++) {
      clock.tick(Math.floor(random() * 5));
      if (clock.now >= nextDrain) {
        main.merge(w1.drain());
        main.merge(w2.drain());
        nextDrain += 1000;
      }
      const d = Math.floor(random() * 500_000) / 1000;
      const status = random() < 0.1 ? "503" : "200";
      for (const r of [one, random() < 0.5 ? w1 : w2]) {
        r.add(HTTP_REQS, 1, { status });
        r.add(HTTP_REQ_DURATION, d, { status, name: "refresh" });
        r.add(HTTP_REQ_FAILED, status === "200" ? 0 : 1, { status });
        r.add(CHECKS, 1, { check: "ok", group: "" });
      }
    }
    main.merge(w1.drain());
    main.merge(w2.drain());
    one.stop();
    main.stop(one.endMs!);
    assert.deepEqual(main.timeline(), one.timeline());
    assert.deepEqual(roundAvg(allValues(main)), roundAvg(allValues(one)));
    assert.deepEqual(main.checkResults(), one.checkResults());
    assert.equal(w1.get(HTTP_REQS)!.aggregate("count"), 0, "drain() resets the worker");
    assert.equal(w1.get("http_reqs")!.submetrics.length, 1, "drain() keeps definitions");
  } finally {
    for (const r of [one, w1, w2, main]) r.destroy();
  }
});

Deno.test("merge() keeps the most recently updated gauge value", () => {
  const clock = FakeTimers.createClock(0);
  const a = new MetricsRegistry(clock);
  const b = new MetricsRegistry(clock);
  const main = new MetricsRegistry(clock);
  try {
    a.define("g", "gauge").add(7);
    clock.tick(10);
    b.define("g", "gauge").add(3);
    main.merge(b.toSnapshot());
    main.merge(a.toSnapshot());
    assert.deepEqual(main.get("g")!.values(1), { value: 3, min: 3, max: 7 });
  } finally {
    for (const r of [a, b, main]) r.destroy();
  }
});

Deno.test("merge() defines missing metrics and rejects a conflicting type", () => {
  const clock = FakeTimers.createClock(0);
  const worker = new MetricsRegistry(clock);
  const main = new MetricsRegistry(clock);
  try {
    worker.define("custom", "trend", { isTime: true }).add(12.5);
    worker.submetric("custom{kind:x}");
    main.merge(worker.toSnapshot());
    assert.equal(main.get("custom")?.contains, "time");
    assert.equal(main.get("custom")?.aggregate("max"), 12.5);
    assert.ok(main.find("custom{kind:x}"));
    const other = new MetricsRegistry(clock);
    other.define("custom", "counter");
    assert.throws(() => other.merge(worker.toSnapshot()), /already defined as a counter/);
    other.destroy();
    assert.throws(
      () => main.merge({ ...worker.toSnapshot(), version: 2 as 1 }),
      /expected version 1/,
    );
  } finally {
    worker.destroy();
    main.destroy();
  }
});

Deno.test("fromSnapshot() restores values, start and end", () => {
  const clock = FakeTimers.createClock(1_000_000);
  const r = new MetricsRegistry(clock);
  r.define("n", "counter").add(10);
  clock.tick(5_000);
  r.stop();
  const copy = MetricsRegistry.fromSnapshot(r.toSnapshot(), clock);
  try {
    assert.equal(copy.startMs, 1_000_000);
    assert.equal(copy.endMs, 1_005_000);
    assert.deepEqual(copy.get("n")!.values(copy.durationMs()), { count: 10, rate: 2 });
  } finally {
    r.destroy();
    copy.destroy();
  }
});

Deno.test("merge() combines snapshots posted by real Web Workers", async () => {
  const metricsUrl = new URL("./metrics.ts", import.meta.url).href;
  // Each worker records durations first..last and posts its drained snapshot.
  const code = `
    import { MetricsRegistry } from ${JSON.stringify(metricsUrl)};
    self.onmessage = (e) => {
      const r = new MetricsRegistry();
      r.start(e.data.startMs);
      r.defineBuiltins();
      r.submetric("http_req_duration{status:500}");
      for (let i = e.data.first; i <= e.data.last; i++) {
        const status = i % 10 === 0 ? "500" : "200";
        r.add("http_reqs", 1, { status });
        r.add("http_req_duration", i / 10, { status });
        r.add("checks", status === "200" ? 1 : 0, { check: "ok", group: "" });
      }
      self.postMessage(r.drain());
      r.destroy();
    };`;
  const url = URL.createObjectURL(new Blob([code], { type: "application/javascript" }));
  const main = new MetricsRegistry();
  main.defineBuiltins();
  const expected = new MetricsRegistry();
  expected.start(main.startMs);
  expected.defineBuiltins();
  expected.submetric("http_req_duration{status:500}");
  try {
    const run = (first: number, last: number) =>
      new Promise<MetricsSnapshot>((resolve, reject) => {
        const w = new Worker(url, { type: "module" });
        w.onmessage = (e) => {
          w.terminate();
          resolve(e.data);
        };
        w.onerror = (e) => {
          w.terminate();
          reject(e);
        };
        w.postMessage({ startMs: main.startMs, first, last });
      });
    // One worker records the first half; the main thread records the second half itself.
    const snapshot = await run(1, 5_000);
    main.submetric("http_req_duration{status:500}");
    for (let i = 5_001; i <= 10_000; i++) {
      const status = i % 10 === 0 ? "500" : "200";
      main.add(HTTP_REQS, 1, { status });
      main.add(HTTP_REQ_DURATION, i / 10, { status });
      main.add(CHECKS, status === "200" ? 1 : 0, { check: "ok", group: "" });
    }
    main.merge(snapshot);
    main.stop();
    expected.stop(main.endMs!);
    for (let i = 1; i <= 10_000; i++) {
      const status = i % 10 === 0 ? "500" : "200";
      expected.add(HTTP_REQS, 1, { status });
      expected.add(HTTP_REQ_DURATION, i / 10, { status });
      expected.add(CHECKS, status === "200" ? 1 : 0, { check: "ok", group: "" });
    }
    assert.deepEqual(roundAvg(allValues(main)), roundAvg(allValues(expected)));
    assert.deepEqual(main.checkResults(), expected.checkResults());
    assert.equal(main.find("http_req_duration{status:500}")!.aggregate("count"), 1_000);
  } finally {
    URL.revokeObjectURL(url);
    main.destroy();
    expected.destroy();
  }
});

Deno.test("merge() reads histograms in HdrHistogram's plain and compressed V2 encodings", () => {
  const clock = FakeTimers.createClock(0);
  const worker = new MetricsRegistry(clock);
  const compressed = new MetricsRegistry(clock);
  const plain = new MetricsRegistry(clock);
  try {
    const t = worker.define("t", "trend", { isTime: true });
    const next = rng(9);
    for (let i = 0; i < 5000; i++) t.add(next() ** 3 * 800);
    const snap = worker.toSnapshot();
    const sink = snap.metrics.find((m) => m.name === "t")!.sink as { hist: string | null };
    // The form the WebAssembly build writes is the plain one (cookie 0x1c849303 + word size).
    const cookie = new DataView(Uint8Array.from(atob(sink.hist!), (c) => c.charCodeAt(0)).buffer)
      .getInt32(0);
    if (HISTOGRAM_IMPLEMENTATION === "wasm") assert.equal(cookie & ~0xf0, 0x1c849303);
    plain.merge(snap);
    // What the JavaScript build writes: the same histogram, compressed.
    const recoded = structuredClone(snap);
    const recodedSink = recoded.metrics.find((m) => m.name === "t")!.sink as { hist: string };
    recodedSink.hist = _compressedCopy(sink.hist!);
    compressed.merge(recoded);
    for (const p of [10, 50, 90, 99, 99.9]) {
      const want = worker.get("t")!.aggregate("p", p);
      assert.equal(plain.get("t")!.aggregate("p", p), want);
      assert.equal(compressed.get("t")!.aggregate("p", p), want);
    }
  } finally {
    for (const r of [worker, compressed, plain]) r.destroy();
  }
});

/** The compressed V2 encoding of a histogram given in the plain V2 encoding (base64). */
function _compressedCopy(plainBase64: string): string {
  const bytes = Uint8Array.from(atob(plainBase64), (c) => c.charCodeAt(0));
  const h = hdr.WasmHistogram.decode(bytes, 64);
  try {
    return hdr.encodeIntoCompressedBase64(h);
  } finally {
    h.destroy();
  }
}
