import assert from "node:assert/strict";
import { runScript, testServer } from "./_test_helpers.ts";
import { LoadConfigError, LoadExitCode, runLoad } from "./runner.ts";

const IMPORTS = `
import http from "k6/http";
import { check, group, sleep, fail, randomSeed } from "k6";
import { Counter, Gauge, Rate, Trend } from "k6/metrics";
import exec from "k6/execution";
`;

Deno.test("runLoad() gives each VU its own module state and sets __VU, __ITER and __ENV", async () => {
  const r = await runScript(
    `${IMPORTS}
let count = 0;
const initVu = __VU;
export const options = {
  scenarios: {
    s: { executor: "per-vu-iterations", vus: 3, iterations: 4, env: { EXTRA: "x" } },
  },
};
export default function () {
  count++;
  check(null, {
    "module state is per VU": () => count === __ITER + 1,
    "__VU is the VU": () => __VU >= 1 && __VU <= 3 && __VU === initVu,
    "__ENV has the run's and the scenario's variables": () =>
      __ENV.FOO === "bar" && __ENV.EXTRA === "x",
  });
}
`,
    { env: { FOO: "bar" } },
  );
  assert.equal(r.exitCode, LoadExitCode.ok, r.logs.join("\n"));
  const checks = r.summary.rootGroup.checks;
  assert.deepEqual(checks.map((c) => [c.name, c.passes, c.fails]), [
    ["module state is per VU", 12, 0],
    ["__VU is the VU", 12, 0],
    ["__ENV has the run's and the scenario's variables", 12, 0],
  ]);
  assert.equal(r.summary.metrics.iterations.values.count, 12);
  assert.deepEqual(r.scenarios, { s: { iterations: 12, dropped: 0, interrupted: 0 } });
  assert.deepEqual(r.summary.metrics.vus.values, { value: 3, min: 3, max: 3 });
  assert.deepEqual(r.summary.metrics.vus_max.values, { value: 3, min: 3, max: 3 });
});

Deno.test("runLoad() gives each VU its own module state also when the script is imported per VU", async () => {
  // import.meta only exists in a real module: this script takes the per-VU import path.
  const r = await runScript(`${IMPORTS}
const where = import.meta.url;
let count = 0;
export const options = { scenarios: { s: { executor: "per-vu-iterations", vus: 2, iterations: 3 } } };
export default function () {
  count++;
  check(null, {
    "module state is per VU": () => count === __ITER + 1,
    "import.meta is the script's": () => where.startsWith("file:"),
  });
}
`);
  assert.equal(r.exitCode, LoadExitCode.ok, r.logs.join("\n"));
  assert.deepEqual(r.summary.rootGroup.checks.map((c) => [c.name, c.passes, c.fails]), [
    ["module state is per VU", 6, 0],
    ["import.meta is the script's", 6, 0],
  ]);
});

Deno.test("runLoad() names the script's file, line and column where an iteration threw", async () => {
  const r = await runScript(`import { check } from "k6";
type Probe = { ok: boolean };
export const options = { scenarios: { s: { executor: "shared-iterations", vus: 1, iterations: 1 } } };
export default function (): void {
  const probe: Probe = { ok: check(null, { "ran": () => true }) };
  if (probe.ok) throw new Error("boom on line 6");
}
`);
  assert.match(
    r.logs.join("\n"),
    /iteration of VU 1 in scenario s failed: boom on line 6 \(at \/\S+\/script\.ts:6:\d+\)/,
  );
});

Deno.test("runLoad() passes a copy of setup()'s data to every iteration and to teardown()", async () => {
  const r = await runScript(`${IMPORTS}
const torn = new Counter("torn");
export const options = { scenarios: { s: { executor: "shared-iterations", vus: 2, iterations: 4 } } };
export function setup() { return { n: 5, nested: { list: [1, 2] } }; }
export default function (data) {
  check(data, { "data from setup": (d) => d.nested.list.length === 2 });
  data.n = 1000; // this VU's copy; teardown still gets the original
}
export function teardown(data) { torn.add(data.n); }
`);
  assert.equal(r.exitCode, 0, r.logs.join("\n"));
  assert.deepEqual(r.summary.rootGroup.checks, [{ name: "data from setup", passes: 4, fails: 0 }]);
  assert.equal(r.summary.metrics.torn.values.count, 5);
});

Deno.test("runLoad() records checks and groups as k6 (tree, group tags, group_duration)", async () => {
  const r = await runScript(`${IMPORTS}
export const options = {
  scenarios: { s: { executor: "shared-iterations", vus: 1, iterations: 3 } },
  thresholds: {
    "checks{group:::outer::inner}": ["rate==0"],
    "group_duration{group:::outer}": ["max<1000"],
  },
};
export default async function () {
  check(1, { "root check": (v) => v === 1 });
  await group("outer", async () => {
    await sleep(0.001);
    group("inner", () => { check(1, { "inner fails": (v) => v === 2 }); });
  });
}
`);
  assert.equal(r.exitCode, 0, JSON.stringify(r.thresholds));
  const root = r.summary.rootGroup;
  assert.deepEqual(root.checks, [{ name: "root check", passes: 3, fails: 0 }]);
  assert.equal(root.groups[0].name, "outer");
  assert.equal(root.groups[0].groups[0].path, "::outer::inner");
  assert.deepEqual(root.groups[0].groups[0].checks, [{ name: "inner fails", passes: 0, fails: 3 }]);
  assert.equal(r.summary.metrics["group_duration{group:::outer}"].values.max >= 1, true);
});

Deno.test("runLoad() exits 99 when a threshold fails, including on a sub-metric of a custom metric", async () => {
  const r = await runScript(`${IMPORTS}
const t = new Trend("my_latency", true);
const hits = new Counter("hits");
const ok = new Rate("ok_rate");
const g = new Gauge("level");
export const options = {
  scenarios: { s: { executor: "shared-iterations", vus: 1, iterations: 2 } },
  thresholds: {
    "my_latency{kind:fast}": ["max<10"],
    "my_latency{kind:slow}": ["max<10"],
    hits: ["count==2"],
    ok_rate: ["rate>0.4"],
    level: ["value==7"],
  },
};
export default function () {
  t.add(5, { kind: "fast" });
  t.add(50, { kind: "slow" });
  hits.add(1);
  ok.add(__ITER === 0);
  g.add(7);
}
`);
  assert.equal(r.exitCode, LoadExitCode.thresholdFailed);
  const byKey = Object.fromEntries(r.thresholds.map((t) => [`${t.metric} ${t.source}`, t.ok]));
  assert.deepEqual(byKey, {
    "my_latency{kind:fast} max<10": true,
    "my_latency{kind:slow} max<10": false,
    "hits count==2": true,
    "ok_rate rate>0.4": true,
    "level value==7": true,
  });
  assert.equal(r.summary.metrics["my_latency{kind:slow}"].values.max, 50);
  assert.equal(r.summary.metrics.my_latency.contains, "time");
});

Deno.test("runLoad() stops early when an abortOnFail threshold fails", async () => {
  const started = performance.now();
  const r = await runScript(
    `${IMPORTS}
const errors = new Counter("errors");
export const options = {
  scenarios: { s: { executor: "constant-vus", vus: 1, duration: "20s", gracefulStop: "1s" } },
  thresholds: { errors: [{ threshold: "count<1", abortOnFail: true }] },
};
export default async function () { errors.add(1); await sleep(0.01); }
`,
    { abortCheckIntervalMs: 50 },
  );
  assert.ok(performance.now() - started < 5000);
  assert.equal(r.exitCode, LoadExitCode.thresholdFailed);
  assert.match(r.abortReason ?? "", /'errors'.*abortOnFail/);
});

Deno.test("runLoad() rejects a scenario whose exec is not an exported function", async () => {
  await assert.rejects(
    runScript(`
export const options = { scenarios: { s: { executor: "shared-iterations", exec: "nope" } } };
export default function () {}
`),
    (e: unknown) =>
      e instanceof LoadConfigError &&
      /Scenario "s": exec "nope" is not a function exported by the script/.test(e.message),
  );
});

Deno.test("runLoad() reports a script that fails to load as a configuration error", async () => {
  await assert.rejects(
    runScript(`throw new Error("boom at init");\nexport default function () {}\n`),
    (e: unknown) =>
      e instanceof LoadConfigError && /Cannot load the script: boom at init/.test(e.message),
  );
  await assert.rejects(
    runScript(
      `export const options = { thresholds: { nope: ["count>1"] } };\nexport default function () {}\n`,
    ),
    (e: unknown) => e instanceof LoadConfigError && /no metric named "nope"/.test(e.message),
  );
});

Deno.test("runLoad() bounds the time a VU may take to load the script", async () => {
  await assert.rejects(
    runScript(`await new Promise((r) => setTimeout(r, 300));\nexport default function () {}\n`, {
      initTimeoutMs: 100,
    }),
    (e: unknown) =>
      e instanceof LoadConfigError && /did not finish loading within 0.1s/.test(e.message),
  );
  // Let the script's own timer fire, so the test leaves nothing pending.
  await new Promise((r) => setTimeout(r, 300));
});

Deno.test("runLoad() forbids custom metrics outside the init context and reports iteration errors", async () => {
  const r = await runScript(`${IMPORTS}
export const options = { scenarios: { s: { executor: "shared-iterations", iterations: 2 } } };
export default function () { new Counter("late"); }
`);
  assert.equal(r.exitCode, 0);
  assert.equal(r.summary.metrics.iterations.values.count, 2);
  assert.ok(
    r.logs.some((l) => /Cannot create metric "late" outside the init context/.test(l)),
    r.logs.join("\n"),
  );
});

Deno.test("runLoad() exits 3 when setup() fails, without running the scenarios", async () => {
  const r = await runScript(`${IMPORTS}
const ran = new Counter("ran");
export const options = { scenarios: { s: { executor: "shared-iterations", iterations: 2 } } };
export function setup() { fail("no target"); }
export default function () { ran.add(1); }
`);
  assert.equal(r.exitCode, LoadExitCode.incomplete);
  assert.match(r.error ?? "", /setup\(\) failed: no target/);
  assert.equal(r.summary.metrics.ran, undefined);
});

Deno.test("exec.test.abort() stops the run (exit 3) and exec.test.fail() marks it failed (exit 99)", async () => {
  const aborted = await runScript(`${IMPORTS}
export const options = { scenarios: { s: { executor: "constant-vus", vus: 1, duration: "20s" } } };
export default async function () { await sleep(0.01); if (__ITER === 2) exec.test.abort("enough"); }
`);
  assert.equal(aborted.exitCode, LoadExitCode.incomplete);
  assert.equal(aborted.abortReason, "enough");
  assert.ok(aborted.summary.durationMs < 5000);
  const failed = await runScript(`${IMPORTS}
export const options = { scenarios: { s: { executor: "shared-iterations", iterations: 2 } } };
export default function () { exec.test.fail("bad data"); }
`);
  assert.equal(failed.exitCode, LoadExitCode.thresholdFailed);
  assert.deepEqual(failed.failReasons, ["bad data"]);
});

Deno.test("runLoad() stops gracefully on the stop signal and still runs teardown", async () => {
  const stop = new AbortController();
  setTimeout(() => stop.abort(), 300);
  const r = await runScript(
    `${IMPORTS}
const torn = new Counter("torn");
export const options = { scenarios: { s: { executor: "constant-vus", vus: 2, duration: "30s" } } };
export default async function () { await sleep(0.02); }
export function teardown() { torn.add(1); }
`,
    { stop: stop.signal },
  );
  assert.equal(r.exitCode, LoadExitCode.incomplete);
  assert.match(r.abortReason ?? "", /stopped by the user/);
  assert.equal(r.summary.metrics.torn.values.count, 1);
  assert.ok(r.summary.durationMs < 3000);
  assert.equal(r.scenarios.s.interrupted, 0);
});

Deno.test("runLoad() interrupts running iterations at once on the kill signal and skips teardown", async () => {
  const stop = new AbortController();
  const kill = new AbortController();
  setTimeout(() => stop.abort(), 200);
  setTimeout(() => kill.abort(), 400);
  const r = await runScript(
    `${IMPORTS}
const torn = new Counter("torn");
export const options = {
  scenarios: { s: { executor: "constant-vus", vus: 2, duration: "30s", gracefulStop: "30s" } },
};
export default async function () { await sleep(60); }
export function teardown() { torn.add(1); }
`,
    { stop: stop.signal, kill: kill.signal },
  );
  assert.equal(r.exitCode, LoadExitCode.incomplete);
  assert.equal(r.summary.metrics.torn, undefined);
  assert.equal(r.summary.metrics.iterations, undefined);
  assert.ok(r.summary.durationMs < 3000);
});

Deno.test("runLoad() interrupts iterations still running after gracefulStop", async () => {
  const r = await runScript(`${IMPORTS}
export const options = {
  scenarios: { s: { executor: "constant-vus", vus: 2, duration: "1s", gracefulStop: "0s" } },
};
export default async function () { await sleep(30); }
`);
  assert.equal(r.exitCode, 0);
  assert.deepEqual(r.scenarios.s, { iterations: 0, dropped: 0, interrupted: 2 });
  assert.ok(r.summary.durationMs < 2500);
});

Deno.test("sleep() delays the VU even when it is not awaited", async () => {
  const r = await runScript(`${IMPORTS}
export const options = { scenarios: { s: { executor: "shared-iterations", iterations: 2 } } };
export default function () { sleep(0.1); }
`);
  assert.equal(r.exitCode, 0);
  assert.ok(r.summary.metrics.iteration_duration.values.min >= 95);
});

Deno.test("k6/execution and randomSeed() expose the VU, scenario and instance", async () => {
  const r = await runScript(`${IMPORTS}
randomSeed(42);
const first = Math.random();
export const options = {
  scenarios: { sc: { executor: "per-vu-iterations", vus: 2, iterations: 2 } },
  thresholds: { "iterations{team:blue}": ["count==4"] },
};
export default function () {
  exec.vu.tags.team = "blue";
  check(exec, {
    "vu ids": (e) => e.vu.idInTest === __VU && e.vu.idInInstance === __VU,
    "iteration counters": (e) => e.vu.iterationInScenario === __ITER && e.vu.iterationInInstance === __ITER,
    "scenario facts": (e) => e.scenario.name === "sc" && e.scenario.executor === "per-vu-iterations" &&
      e.scenario.startTime > 0 && e.scenario.progress >= 0 && e.scenario.iterationInTest < 4,
    "instance facts": (e) => e.instance.vusInitialized === 2 && e.instance.currentTestRunDuration >= 0,
    "options": (e) => e.test.options.scenarios.sc.iterations === 2,
    "seeded random repeats": () => first === ${JSON.stringify(_seeded42())},
  });
}
`);
  assert.equal(r.exitCode, 0, JSON.stringify({ t: r.thresholds, logs: r.logs }));
  for (const c of r.summary.rootGroup.checks) assert.equal(c.fails, 0, c.name);
});

Deno.test("a repeated check carries the VU's current tags", async () => {
  // The tags of the last check are cached per context: a VU tag set in between is a miss.
  const r = await runScript(`${IMPORTS}
export const options = {
  scenarios: { sc: { executor: "shared-iterations", iterations: 1 } },
  thresholds: {
    "checks{check:same,phase:a}": ["rate==1"],
    "checks{check:same,phase:b}": ["rate==0"],
    "checks{check:same}": ["rate==0.5"],
  },
};
export default function () {
  exec.vu.tags.phase = "a";
  check(null, { same: () => true });
  exec.vu.tags.phase = "b";
  check(null, { same: () => false });
}
`);
  assert.equal(r.exitCode, 0, JSON.stringify({ t: r.thresholds, logs: r.logs }));
});

/** The first number mulberry32 gives for seed 42 (what randomSeed(42) makes Math.random return). */
function _seeded42(): number {
  let a = 42;
  a = (a + 0x6d2b79f5) | 0;
  let t = Math.imul(a ^ (a >>> 15), 1 | a);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

Deno.test("arrival-rate runs record latency from the intended start (coordinated omission)", async () => {
  const server = testServer(() => new Response("ok"));
  try {
    const r = await runScript(
      `${IMPORTS}
export const options = {
  scenarios: {
    s: { executor: "constant-arrival-rate", rate: 20, timeUnit: "1s", duration: "1s", preAllocatedVUs: 4 },
  },
};
export default async function () {
  if (exec.scenario.iterationInTest === 2) {
    // The generator stalls: the next iterations start late.
    const until = Date.now() + 250;
    while (Date.now() < until) { /* busy */ }
  }
  await http.get(__ENV.URL);
}
`,
      { env: { URL: server.url } },
    );
    assert.equal(r.exitCode, 0, r.logs.join("\n"));
    const actual = r.summary.metrics.http_req_duration.values;
    const intended = r.summary.metrics.http_req_latency_intended.values;
    assert.ok(intended.max >= 150, `intended max ${intended.max}`);
    assert.ok(intended.max > actual.max + 100, `intended ${intended.max} vs actual ${actual.max}`);
    assert.ok(r.summary.saturation?.intendedIterationRate !== null);
  } finally {
    await server.close();
  }
});

Deno.test("runLoad() refuses a script path that does not exist", async () => {
  await assert.rejects(
    runLoad({ script: "/nonexistent/script.ts" }),
    (e: unknown) => e instanceof LoadConfigError && /no such file/.test(e.message),
  );
});

Deno.test("runLoad() corrects for coordinated omission: dropped arrivals raise http_req_latency_intended, not http_req_duration", async () => {
  // A server that holds every request arriving in a 300 ms window; 400 arrivals/s on 2 VUs.
  const started = performance.now();
  const server = testServer(async () => {
    const t = performance.now() - started;
    if (t > 300 && t < 600) await new Promise((r) => setTimeout(r, 600 - t));
    return new Response("ok");
  });
  try {
    const r = await runScript(
      `${IMPORTS}
export const options = {
  scenarios: { s: { executor: "constant-arrival-rate", rate: 400, timeUnit: "1s", duration: "1s",
    preAllocatedVUs: 2, maxVUs: 2 } },
  summaryTrendStats: ["med", "p(99)"],
};
export default async function () { await http.asyncRequest("GET", __ENV.URL); }
`,
      { env: { URL: server.url } },
    );
    const m = r.summary.metrics;
    assert.ok(m.dropped_iterations.values.count > 50, "arrivals during the stall are dropped");
    // About 30% of the arrivals fall in the stall: the corrected p99 shows it, as wrk2's does.
    assert.ok(
      m.http_req_latency_intended.values["p(99)"] > 150,
      JSON.stringify(m.http_req_latency_intended.values),
    );
    // Only the 2 requests in flight saw the stall: the uncorrected p99 hides it.
    assert.ok(
      m.http_req_duration.values["p(99)"] < 100,
      JSON.stringify(m.http_req_duration.values),
    );
  } finally {
    await server.close();
  }
});

Deno.test("runLoad() initialises the VUs before setup() and off the test's clock, as k6", async () => {
  const started = Date.now();
  const r = await runScript(`${IMPORTS}
// Every VU but VU 0 (which reads the options) takes 400 ms to initialise.
if (__VU > 0) await new Promise((resolve) => setTimeout(resolve, 400));
const seen = new Gauge("initialised_in_setup");
export const options = { scenarios: { s: { executor: "per-vu-iterations", vus: 3, iterations: 1 } } };
export function setup() { seen.add(exec.instance.vusInitialized); }
export default function () {}
`);
  assert.equal(r.exitCode, LoadExitCode.ok, r.logs.join("\n"));
  assert.equal(r.summary.metrics.initialised_in_setup.values.value, 3);
  assert.ok(Date.now() - started >= 400);
  assert.ok(r.summary.durationMs < 300, `the test clock ran ${r.summary.durationMs} ms`);
});

Deno.test("runLoad() reports a VU that cannot be initialised before setup() runs (exit 3)", async () => {
  const r = await runScript(`${IMPORTS}
if (__VU === 2) throw new Error("VU 2 refuses to start");
const setups = new Counter("setups");
export const options = { scenarios: { s: { executor: "shared-iterations", vus: 2, iterations: 4 } } };
export function setup() { setups.add(1); }
export default function () {}
`);
  assert.equal(r.exitCode, LoadExitCode.incomplete);
  assert.match(r.error ?? "", /^Cannot initialise VU 2: VU 2 refuses to start/);
  assert.equal(r.summary.metrics.setups, undefined);
  assert.equal(r.summary.metrics.iterations, undefined);
});
