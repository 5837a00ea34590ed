import assert from "node:assert/strict";
import FakeTimers from "@sinonjs/fake-timers";
import { MetricsRegistry } from "./metrics.ts";
import { parseThresholds } from "./thresholds.ts";
import {
  buildSummaryData,
  humanizeBytes,
  humanizeDuration,
  humanizeValue,
  renderSummary,
  saturationAdvice,
  saturationLine,
  saturationProblems,
  type SummaryData,
  summaryExport,
} from "./summary.ts";

// deno-lint-ignore no-control-regex
const ANSI = /\x1b\[[0-9;]*m/;

/** A small but complete run: requests, failures, checks in groups, custom metrics. */
function sampleRun(): { data: SummaryData; registry: MetricsRegistry } {
  const clock = FakeTimers.createClock(0);
  const r = new MetricsRegistry(clock);
  r.defineBuiltins();
  r.define("sms_queued", "counter");
  r.define("queue_depth", "gauge");
  r.define("token_age", "trend", { isTime: true });
  const thresholds = parseThresholds(
    {
      http_req_duration: ["p(95)<200", "avg<10"],
      "http_req_duration{name:refresh}": ["p(99)<300"],
      http_req_failed: [{ threshold: "rate<0.01", abortOnFail: true }],
      data_received: ["count>1000"],
    },
    r,
  );
  r.add("vus", 10);
  r.add("vus_max", 10);
  for (let i = 0; i < 100; i++) {
    clock.tick(20);
    const status = i % 25 === 0 ? "500" : "200";
    const tags = { status, method: "GET", name: i % 2 ? "send" : "refresh" };
    r.add("http_reqs", 1, { ...tags, expected_response: String(status === "200") });
    r.add("http_req_duration", 10 + i, { ...tags, expected_response: String(status === "200") });
    r.add("http_req_failed", status === "500" ? 1 : 0, tags);
    r.add("data_received", 1500, tags);
    r.add("data_sent", 300, tags);
    r.add("iterations", 1);
    r.add("iteration_duration", 12 + i);
    r.add("event_loop_lag", 0.5 + (i % 10) / 10);
    r.add("checks", status === "200" ? 1 : 0, { check: "status is 200", group: "" });
    r.add("checks", 1, { check: "token issued", group: "::auth" });
    r.add("sms_queued", 2);
    r.add("queue_depth", i % 7);
    r.add("token_age", 1500);
  }
  r.stop();
  const data = buildSummaryData(r, {
    thresholds: thresholds.evaluate(r),
    intendedIterationRate: 50,
  });
  return { data, registry: r };
}

Deno.test("humanizeDuration() formats time as k6 does", () => {
  assert.equal(humanizeDuration(0), "0s");
  assert.equal(humanizeDuration(0.0005), "500ns");
  assert.equal(humanizeDuration(0.0123), "12.3µs");
  assert.equal(humanizeDuration(0.5), "500µs");
  assert.equal(humanizeDuration(148.2139), "148.21ms");
  assert.equal(humanizeDuration(1500), "1.5s");
  assert.equal(humanizeDuration(10150), "10.15s");
  assert.equal(humanizeDuration(90_000), "1m30s");
  assert.equal(humanizeDuration(3_723_000), "1h2m3s");
});

Deno.test("humanizeBytes() and humanizeValue() format data, rates and plain numbers as k6 does", () => {
  assert.equal(humanizeBytes(5), "5 B");
  assert.equal(humanizeBytes(81_000), "81 kB");
  assert.equal(humanizeBytes(1_300_000), "1.3 MB");
  assert.equal(humanizeBytes(31_400), "31 kB");
  assert.equal(humanizeValue(0.98765, "rate", "default"), "98.76%");
  assert.equal(humanizeValue(152.3555555, "trend", "default"), "152.355556");
  assert.equal(humanizeValue(2048, "counter", "data"), "2.0 kB");
  assert.equal(humanizeValue(2, "trend", "time"), "2ms");
});

Deno.test("buildSummaryData() collects observed metrics, thresholds, checks and saturation", () => {
  const { data, registry } = sampleRun();
  try {
    assert.equal(data.durationMs, 2000);
    assert.deepEqual(data.metrics.http_reqs, {
      type: "counter",
      contains: "default",
      values: { count: 100, rate: 50 },
    });
    assert.deepEqual(Object.keys(data.metrics.http_req_duration.values), [
      "avg",
      "min",
      "med",
      "max",
      "p(90)",
      "p(95)",
    ]);
    assert.deepEqual(data.metrics.http_req_duration.thresholds, {
      "p(95)<200": { ok: true },
      "avg<10": { ok: false },
    });
    assert.ok(data.metrics["http_req_duration{name:refresh}"]);
    assert.ok(data.metrics["http_req_duration{expected_response:true}"]);
    assert.equal(
      data.metrics.http_req_connecting,
      undefined,
      "metrics without samples are left out",
    );
    assert.equal(data.saturation!.achievedIterationRate, 50);
    assert.equal(data.saturation!.intendedIterationRate, 50);
    assert.ok(
      data.saturation!.eventLoopLagP99Ms! > 1.3 && data.saturation!.eventLoopLagP99Ms! < 1.5,
    );
    assert.equal(data.rootGroup.checks[0].name, "status is 200");
    assert.equal(data.rootGroup.groups[0].name, "auth");
    assert.deepEqual(JSON.parse(JSON.stringify(data)), data, "summary data is plain JSON");
  } finally {
    registry.destroy();
  }
});

Deno.test("renderSummary() prints k6's blocks: thresholds, checks, grouped metrics, generator", () => {
  const { data, registry } = sampleRun();
  try {
    const text = renderSummary(data, { color: false });
    assert.doesNotMatch(text, ANSI);
    const lines = text.split("\n");
    const has = (line: string) => assert.ok(lines.includes(line), `missing line: ${line}\n${text}`);
    const like = (re: RegExp) =>
      assert.ok(lines.some((l) => re.test(l)), `no line like ${re}\n${text}`);

    has("  █ THRESHOLDS");
    has("    http_req_duration");
    like(/^ {4}✓ 'p\(95\)<200' p\(95\)=10\d\.\d+ms$/);
    has("    ✗ 'avg<10' avg=59.5ms");
    has("    http_req_duration{name:refresh}");
    like(/^ {4}✓ 'p\(99\)<300' p\(99\)=10\dms$/);
    has("    ✗ 'rate<0.01' rate=4.00%");
    has("    ✓ 'count>1000' count=150 kB");

    has("  █ TOTAL RESULTS");
    like(/^ {4}checks_total\.+: 200 +100\/s$/);
    like(/^ {4}checks_succeeded\.+: 98\.00% 196 out of 200$/);
    like(/^ {4}checks_failed\.+: 2\.00% +4 out of 200$/);
    has("    ✗ status is 200");
    has("      ↳  96% — ✓ 96 / ✗ 4");
    has("    █ auth");
    has("      ✓ token issued");

    const sections = ["CUSTOM", "HTTP", "EXECUTION", "NETWORK"].map((s) =>
      lines.indexOf(`    ${s}`)
    );
    assert.ok(sections.every((i) => i > 0), "every section is printed");
    assert.deepEqual([...sections].sort((a, b) => a - b), sections, "sections in k6's order");
    like(
      /^ {4}http_req_duration\.+: avg=59\.5ms +min=10ms +med=59(\.\d+)?ms +max=109ms +p\(90\)=\d+\.?\d*ms +p\(95\)=\d+\.?\d*ms$/,
    );
    like(/^ {6}\{ expected_response:true \}\.+: avg=/);
    like(/^ {6}\{ name:refresh \}\.+: avg=/);
    like(/^ {4}http_req_failed\.+: 4\.00% +✓ 4 +✗ 96$/);
    like(/^ {4}http_reqs\.+: 100 +50\/s$/);
    like(/^ {4}vus\.+: 10 +min=10 +max=10$/);
    like(/^ {4}queue_depth\.+: 1 +min=0 +max=6$/);
    like(/^ {4}sms_queued\.+: 200 +100\/s$/);
    like(/^ {4}token_age\.+: avg=1\.5s +min=1\.5s/);
    like(/^ {4}data_received\.+: 150 kB +75 kB\/s$/);
    like(/^ {4}event_loop_lag\.+: avg=/);
    assert.ok(
      lines.findIndex((l) => l.startsWith("    sms_queued")) < sections[1],
      "custom metrics are in the CUSTOM block",
    );
    const dotsEnd = lines.filter((l) => /^ {4}\S.*\.:/.test(l) && !l.includes("checks_")).map((l) =>
      l.indexOf(":")
    );
    assert.equal(new Set(dotsEnd).size, 1, "metric names are padded to one column");

    has("  █ GENERATOR");
    has("    achieved 50 iterations/s of 50 intended (100%), 0 dropped, event-loop lag p99=1.4ms");
    has("    ✓ the generator kept up");
    assert.doesNotMatch(text, /checks\.+:/, "the checks metric is shown as the checks block");
  } finally {
    registry.destroy();
  }
});

Deno.test("renderSummary() colors only when asked", () => {
  const { data, registry } = sampleRun();
  try {
    const colored = renderSummary(data, { color: true });
    assert.match(colored, ANSI);
    assert.ok(colored.includes("\x1b[31m✗ 'avg<10' avg=59.5ms\x1b[39m"));
    assert.ok(colored.includes("\x1b[32m✓ token issued\x1b[39m"));
    // deno-lint-ignore no-control-regex
    assert.equal(colored.replace(/\x1b\[[0-9;]*m/g, ""), renderSummary(data, { color: false }));
  } finally {
    registry.destroy();
  }
});

Deno.test("renderSummary() reports a saturated generator", () => {
  const saturation = {
    achievedIterationRate: 80,
    intendedIterationRate: 100,
    droppedIterations: 12,
    eventLoopLagP99Ms: 75,
  };
  assert.equal(
    saturationLine(saturation),
    "achieved 80 iterations/s of 100 intended (80%), 12 dropped, event-loop lag p99=75ms",
  );
  assert.deepEqual(saturationProblems(saturation), [
    "achieved 80% of the intended iteration rate",
    "dropped 12 iterations",
    "event-loop lag p99 was 75ms",
  ]);
  const text = renderSummary(
    {
      metrics: {},
      thresholds: [],
      rootGroup: { name: "", path: "", groups: [], checks: [] },
      durationMs: 1000,
      saturation,
    },
    { color: false },
  );
  assert.match(
    text,
    /✗ the generator was saturated \(achieved 80% of the intended iteration rate; dropped 12 iterations; event-loop lag p99 was 75ms\): results understate what the target can take/,
  );
  assert.equal(
    saturationLine({ ...saturation, intendedIterationRate: null, eventLoopLagP99Ms: null }),
    "achieved 80 iterations/s, 12 dropped, event-loop lag not measured",
  );
});

Deno.test("summaryExport() produces k6's --summary-export shape with inverted threshold booleans", () => {
  const { data, registry } = sampleRun();
  try {
    const doc = summaryExport(data);
    assert.deepEqual(Object.keys(doc), ["root_group", "metrics"]);
    const root = doc.root_group;
    assert.deepEqual(
      { name: root.name, path: root.path, id: root.id },
      { name: "", path: "", id: "d41d8cd98f00b204e9800998ecf8427e" },
    );
    assert.deepEqual(root.checks["status is 200"], {
      name: "status is 200",
      path: "::status is 200",
      id: "6210a8cd14cd70477eba5c5e4cb3fb5f",
      passes: 96,
      fails: 4,
    });
    assert.deepEqual(Object.keys(root.groups), ["auth"]);
    assert.deepEqual(
      { path: root.groups.auth.path, id: root.groups.auth.id },
      { path: "::auth", id: "7974aac4a665813eaeed4ec3fc0411a7" },
    );
    assert.equal(root.groups.auth.checks["token issued"].path, "::auth::token issued");

    const m = doc.metrics;
    assert.deepEqual(Object.keys(m.http_req_duration), [
      "avg",
      "min",
      "med",
      "max",
      "p(90)",
      "p(95)",
      "thresholds",
    ]);
    // k6 writes true for a threshold that FAILED (grafana/k6#1498).
    assert.deepEqual(m.http_req_duration.thresholds, { "p(95)<200": false, "avg<10": true });
    assert.deepEqual(m.http_req_failed, {
      passes: 4,
      fails: 96,
      value: 0.04,
      thresholds: { "rate<0.01": true },
    });
    assert.deepEqual(m.checks, { passes: 196, fails: 4, value: 0.98 });
    assert.deepEqual(m.http_reqs, { count: 100, rate: 50 });
    assert.deepEqual(m.vus, { value: 10, min: 10, max: 10 });
    assert.deepEqual(m.data_received, {
      count: 150_000,
      rate: 75_000,
      thresholds: { "count>1000": false },
    });
    assert.ok("http_req_duration{expected_response:true}" in m);
    assert.ok("http_req_duration{name:refresh}" in m);
    assert.equal(JSON.stringify(JSON.parse(JSON.stringify(doc))), JSON.stringify(doc));
  } finally {
    registry.destroy();
  }
});

Deno.test("summaryExport() ids match k6's md5 of the group and check paths", () => {
  const doc = summaryExport({
    metrics: {},
    thresholds: [],
    durationMs: 0,
    saturation: null,
    rootGroup: {
      name: "",
      path: "",
      checks: [{ name: "is status 200", passes: 1, fails: 0 }],
      groups: [{
        name: "Get Schedules",
        path: "::Get Schedules",
        groups: [],
        checks: [{ name: "load schedules success", passes: 3483, fails: 1 }],
      }],
    },
  });
  // Values from a real k6 --summary-export file.
  assert.equal(doc.root_group.checks["is status 200"].id, "548d37ca5f33793206f7832e7cea54fb");
  assert.equal(doc.root_group.groups["Get Schedules"].id, "1ff9489e4aecbab4130dffcc3e5cd03a");
  assert.equal(
    doc.root_group.groups["Get Schedules"].checks["load schedules success"].id,
    "d7930b0532faef923b00592c74568498",
  );
});

Deno.test("saturationAdvice() blames the generator only when its event loop was busy", () => {
  const base = { achievedIterationRate: 50, intendedIterationRate: 100, droppedIterations: 200 };
  assert.equal(
    saturationAdvice({
      ...base,
      achievedIterationRate: 100,
      droppedIterations: 0,
      eventLoopLagP99Ms: 2,
    }),
    null,
  );
  const busy = saturationAdvice({ ...base, eventLoopLagP99Ms: 400 })!;
  assert.match(busy, /^the generator was saturated \(.*\): .*run fewer VUs per worker/);
  const waiting = saturationAdvice({ ...base, eventLoopLagP99Ms: 3 })!;
  assert.match(
    waiting,
    /^the planned rate was not reached \(achieved 50% .*dropped 200 iterations\)/,
  );
  assert.match(waiting, /every VU was waiting on the target; raise preAllocatedVUs\/maxVUs/);
});
