import assert from "node:assert/strict";
import { runScript, testServer } from "./_test_helpers.ts";
import { LoadExitCode } from "./runner.ts";

const IMPORTS = `
import http from "k6/http";
import { check, sleep } from "k6";
import { Counter, Gauge } from "k6/metrics";
import exec from "k6/execution";
`;

const WORKERS = { workers: 2, workerDrainIntervalMs: 100 };

Deno.test("runLoad() with 2 workers splits the VUs and iterations and merges every metric", async () => {
  const server = testServer(() => new Response("ok"));
  try {
    // Each VU id 1..4 runs 3 iterations, and each iterationInTest 0..11 appears exactly once:
    // thresholds on sub-metrics count them (and fail when ids or numbers repeat or go missing).
    const thresholds: Record<string, string[]> = {};
    for (let vu = 1; vu <= 4; vu++) thresholds[`its{vu:${vu}}`] = ["count==3"];
    for (let n = 0; n < 12; n++) thresholds[`its{n:${n}}`] = ["count==1"];
    const r = await runScript(
      `${IMPORTS}
const its = new Counter("its");
const torn = new Counter("torn");
export const options = {
  scenarios: { s: { executor: "per-vu-iterations", vus: 4, iterations: 3 } },
  thresholds: ${JSON.stringify(thresholds)},
};
const initialised = new Gauge("initialised_in_setup");
export function setup() {
  initialised.add(exec.instance.vusInitialized);
  return { token: "from-setup" };
}
export default async function (data) {
  const res = await http.asyncRequest("GET", __ENV.URL);
  check(res, {
    "status 200": (r) => r.status === 200,
    "setup data": () => data.token === "from-setup",
    "scenario facts": () => exec.scenario.name === "s" && exec.scenario.startTime > 0 &&
      exec.scenario.progress >= 0 && exec.vu.idInTest === __VU,
  });
  its.add(1, { vu: String(__VU), n: String(exec.scenario.iterationInTest) });
}
export function teardown(data) { torn.add(data.token === "from-setup" ? 1 : 0); }
`,
      { ...WORKERS, env: { URL: server.url } },
    );
    assert.equal(r.exitCode, LoadExitCode.ok, JSON.stringify({ logs: r.logs, t: r.thresholds }));
    assert.equal(r.info.workers, 2);
    assert.ok(r.thresholds.every((t) => t.ok));
    assert.deepEqual(r.scenarios, { s: { iterations: 12, dropped: 0, interrupted: 0 } });
    const m = r.summary.metrics;
    assert.equal(m.iterations.values.count, 12);
    assert.equal(m.http_reqs.values.count, 12);
    assert.equal(server.requests, 12);
    assert.equal(m.its.values.count, 12);
    assert.equal(m.torn.values.count, 1);
    // The workers' VUs were initialised before setup() (k6's init phase).
    assert.equal(m.initialised_in_setup.values.value, 4);
    assert.equal(m.http_req_duration.values.count ?? 12, 12);
    assert.deepEqual(
      r.summary.rootGroup.checks.map((c) => [c.name, c.passes, c.fails]),
      [["status 200", 12, 0], ["setup data", 12, 0], ["scenario facts", 12, 0]],
    );
    assert.deepEqual(m.vus_max.values, { value: 4, min: 4, max: 4 });
    assert.equal(r.timeline.reduce((n, p) => n + p.reqs, 0), 12);
  } finally {
    await server.close();
  }
});

Deno.test("runLoad() with 2 workers: exec.instance counts the whole instance in every worker", async () => {
  // A VU in either worker sees all 4 VUs (2 per worker) and the iterations of both workers; at
  // its last iteration a VU has seen at least its own 3 and at most all 11 other iterations.
  const r = await runScript(
    `${IMPORTS}
const active = new Gauge("active_seen");
const initialised = new Gauge("initialised_seen");
const completed = new Gauge("completed_seen");
const after = new Gauge("after_run");
export const options = {
  scenarios: { s: { executor: "per-vu-iterations", vus: 4, iterations: 3 } },
};
export default async function () {
  // Every VU holds on (up to 1 s) until all four are running, so each sees the others' progress.
  for (let i = 0; i < 200 && exec.instance.vusActive < 4; i++) await sleep(0.005);
  active.add(exec.instance.vusActive);
  initialised.add(exec.instance.vusInitialized);
  await sleep(0.02);
  if (exec.vu.iterationInScenario === 2) completed.add(exec.instance.iterationsCompleted);
}
export function teardown() {
  after.add(exec.instance.iterationsCompleted * 100 + exec.instance.vusActive);
}
`,
    WORKERS,
  );
  assert.equal(r.exitCode, LoadExitCode.ok, JSON.stringify(r.logs));
  assert.equal(r.info.workers, 2);
  const m = r.summary.metrics;
  assert.deepEqual([m.active_seen.values.min, m.active_seen.values.max], [4, 4]);
  assert.deepEqual([m.initialised_seen.values.min, m.initialised_seen.values.max], [4, 4]);
  // Per worker a VU could see at most its worker's 6 iterations; instance-wide it sees more.
  assert.ok(m.completed_seen.values.max > 6, JSON.stringify(m.completed_seen.values));
  assert.ok(m.completed_seen.values.max <= 11, JSON.stringify(m.completed_seen.values));
  // In teardown: the 12 iterations of both workers, and no VU held any more.
  assert.equal(m.after_run.values.value, 1200);
});

Deno.test("runLoad() with 2 workers runs an arrival rate at the whole rate", async () => {
  const r = await runScript(
    `${IMPORTS}
export const options = {
  scenarios: {
    open: { executor: "constant-arrival-rate", rate: 40, duration: "1s", preAllocatedVUs: 4 },
  },
};
export default function () {}
`,
    WORKERS,
  );
  assert.equal(r.exitCode, LoadExitCode.ok, r.logs.join("\n"));
  assert.deepEqual(r.scenarios, { open: { iterations: 40, dropped: 0, interrupted: 0 } });
  // Scheduled arrivals (started or dropped) over both workers: the whole schedule.
  const scheduled = r.summary.saturation!.intendedIterationRate! * r.summary.durationMs / 1000;
  assert.equal(Math.round(scheduled), 40);
});

Deno.test("runLoad() with 2 workers forwards exec.test.abort() and exec.test.fail() from a worker", async () => {
  const aborted = await runScript(
    `${IMPORTS}
export const options = { scenarios: { s: { executor: "constant-vus", vus: 2, duration: "20s" } } };
export default async function () { await sleep(0.01); if (__VU === 2 && __ITER === 2) exec.test.abort("enough"); }
`,
    WORKERS,
  );
  assert.equal(aborted.exitCode, LoadExitCode.incomplete);
  assert.equal(aborted.abortReason, "enough");
  assert.ok(aborted.summary.durationMs < 5000);
  const failed = await runScript(
    `${IMPORTS}
export const options = { scenarios: { s: { executor: "shared-iterations", vus: 2, iterations: 2 } } };
export default function () { exec.test.fail("bad data from VU " + __VU); }
`,
    WORKERS,
  );
  assert.equal(failed.exitCode, LoadExitCode.thresholdFailed);
  assert.deepEqual(failed.failReasons.sort(), ["bad data from VU 1", "bad data from VU 2"]);
});

Deno.test("runLoad() with 2 workers stops on an abortOnFail threshold over the merged metrics", async () => {
  const r = await runScript(
    `${IMPORTS}
const bad = new Counter("bad");
export const options = {
  scenarios: { s: { executor: "constant-vus", vus: 2, duration: "20s" } },
  thresholds: { bad: [{ threshold: "count<10", abortOnFail: true }] },
};
export default async function () { await sleep(0.01); bad.add(1); }
`,
    { ...WORKERS, abortCheckIntervalMs: 100 },
  );
  assert.equal(r.exitCode, LoadExitCode.thresholdFailed);
  assert.match(r.abortReason ?? "", /bad/);
  assert.ok(r.summary.durationMs < 5000);
});

Deno.test("runLoad() with 2 workers stops gracefully on the stop signal, then at once on kill", async () => {
  // The signals fire once the workers' VUs are running (request 10 and 20), however long the
  // workers took to start.
  const stop = new AbortController();
  const kill = new AbortController();
  const server = testServer(() => {
    if (server.requests === 10) stop.abort();
    if (server.requests === 20) kill.abort();
    return new Response("ok");
  });
  try {
    const graceful = await runScript(
      `${IMPORTS}
const torn = new Counter("torn");
export const options = { scenarios: { s: { executor: "constant-vus", vus: 2, duration: "30s" } } };
export default async function () { await http.asyncRequest("GET", __ENV.URL); await sleep(0.02); }
export function teardown() { torn.add(1); }
`,
      { ...WORKERS, lagIntervalMs: 10, stop: stop.signal, env: { URL: server.url } },
    );
    assert.equal(graceful.exitCode, LoadExitCode.incomplete);
    assert.match(graceful.abortReason ?? "", /stopped by the user/);
    assert.equal(graceful.summary.metrics.torn.values.count, 1);
    assert.equal(graceful.scenarios.s.interrupted, 0);
    assert.ok(graceful.scenarios.s.iterations >= 9, JSON.stringify(graceful.scenarios));
    const lag = graceful.summary.metrics.event_loop_lag;
    assert.ok(lag.values.max > 0, `workers measure lag: ${JSON.stringify(lag)}`);

    const before = server.requests;
    const started = Date.now();
    const killed = await runScript(
      `${IMPORTS}
const torn = new Counter("torn");
export const options = {
  scenarios: { s: { executor: "constant-vus", vus: 2, duration: "30s", gracefulStop: "30s" } },
};
export default async function () {
  await http.asyncRequest("GET", __ENV.URL);
  if (__ITER >= 5) await sleep(60);
}
export function teardown() { torn.add(1); }
`,
      {
        ...WORKERS,
        workerDrainIntervalMs: 60_000,
        stop: kill.signal,
        kill: kill.signal,
        env: { URL: server.url },
      },
    );
    assert.equal(killed.exitCode, LoadExitCode.incomplete);
    assert.equal(killed.summary.metrics.torn, undefined);
    // The workers' metrics since their last report still reach the summary after the kill: every
    // request served before it (request 20), less the one each of the 2 VUs may have had in flight.
    const reqs = killed.summary.metrics.http_reqs?.values.count ?? 0;
    assert.ok(reqs >= 18 - before, `${reqs} requests recorded, ${server.requests - before} served`);
    assert.equal(killed.scenarios.s?.interrupted ?? 2, 2);
    assert.ok(Date.now() - started < 10_000);
  } finally {
    await server.close();
  }
});

Deno.test("runLoad() with 2 workers reports a VU that cannot start in a worker (exit 3)", async () => {
  const r = await runScript(
    `${IMPORTS}
if (__VU === 2) throw new Error("VU 2 refuses to start");
export const options = { scenarios: { s: { executor: "shared-iterations", vus: 2, iterations: 4 } } };
export default function () {}
`,
    WORKERS,
  );
  assert.equal(r.exitCode, LoadExitCode.incomplete);
  // Worded as on one thread: not wrapped again by the coordinator.
  assert.match(r.error ?? "", /^Cannot initialise VU 2: VU 2 refuses to start/);
});

Deno.test("runLoad() with 2 workers refuses the public cloud from a worker (exit 2)", async () => {
  const r = await runScript(
    `${IMPORTS}
export const options = { scenarios: { s: { executor: "shared-iterations", vus: 2, iterations: 2 } } };
export default async function () { await http.asyncRequest("GET", "https://api.sms-gate.app/3rdparty/v1/health"); }
`,
    WORKERS,
  );
  assert.equal(r.exitCode, LoadExitCode.usage);
  assert.match(r.abortReason ?? "", /public SMSGate cloud/);
});

Deno.test({
  name: "runLoad() gives the worker threads the requested priority",
  ignore: Deno.build.os !== "linux",
}, async () => {
  const r = await runScript(
    `${IMPORTS}
import os from "node:os";
export const options = { scenarios: { s: { executor: "shared-iterations", vus: 2, iterations: 2 } } };
export default function () { check(os.getPriority(), { "nice 7": (p) => p === 7 }); }
`,
    { ...WORKERS, workerNice: 7 },
  );
  assert.equal(r.exitCode, LoadExitCode.ok, r.logs.join("\n"));
  assert.deepEqual(r.summary.rootGroup.checks, [{ name: "nice 7", passes: 2, fails: 0 }]);
});

Deno.test("an error thrown outside an iteration's promise chain is reported and the run goes on", async () => {
  for (const workers of [1, 2]) {
    const r = await runScript(
      `${IMPORTS}
export const options = { scenarios: { s: { executor: "per-vu-iterations", vus: 2, iterations: 3 } } };
export default async function () {
  if (__ITER === 0) setTimeout(() => { throw new Error("boom from a timer"); }, 1);
  if (__ITER === 1) Promise.reject(new Error("nobody awaits this"));
  await sleep(0.02);
}
`,
      { ...WORKERS, workers },
    );
    assert.equal(r.exitCode, LoadExitCode.ok, `workers ${workers}: ${r.logs.join("\n")}`);
    assert.deepEqual(r.scenarios, { s: { iterations: 6, dropped: 0, interrupted: 0 } });
    const logs = r.logs.join("\n");
    assert.match(logs, /uncaught error in the script \(the run goes on\): boom from a timer/);
    assert.match(logs, /uncaught error in the script \(the run goes on\): nobody awaits this/);
  }
});

Deno.test("runLoad() with 2 workers stops at once when killed while the VUs initialise", async () => {
  const kill = new AbortController();
  setTimeout(() => kill.abort(), 300);
  const started = Date.now();
  const r = await runScript(
    `${IMPORTS}
if (__VU > 0) await new Promise((resolve) => setTimeout(resolve, 5000));
export const options = { scenarios: { s: { executor: "shared-iterations", vus: 2, iterations: 2 } } };
export default function () {}
`,
    { ...WORKERS, stop: kill.signal, kill: kill.signal },
  );
  assert.equal(r.exitCode, LoadExitCode.incomplete);
  assert.ok(Date.now() - started < 2000, `${Date.now() - started} ms`);
});
