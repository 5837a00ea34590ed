import assert from "node:assert/strict";
import { FakeHost, settle } from "./_fake_host.ts";
import { rampingVusExecutor, rampingVuSteps } from "./ramping_vus.ts";

const signal = () => new AbortController().signal;
const create = (config: Record<string, unknown>) =>
  rampingVusExecutor.create("ramp", { executor: "ramping-vus", ...config });

Deno.test("rampingVuSteps() adds a VU when the ramp reaches it and removes one a step later", () => {
  const steps = rampingVuSteps(0, [
    { durationMs: 4000, target: 4 },
    { durationMs: 2000, target: 4 },
    { durationMs: 4000, target: 0 },
  ]);
  assert.deepEqual(steps, [
    { offsetMs: 0, vus: 0 },
    { offsetMs: 1000, vus: 1 },
    { offsetMs: 2000, vus: 2 },
    { offsetMs: 3000, vus: 3 },
    { offsetMs: 4000, vus: 4 },
    { offsetMs: 7000, vus: 3 },
    { offsetMs: 8000, vus: 2 },
    { offsetMs: 9000, vus: 1 },
    { offsetMs: 10_000, vus: 0 },
  ]);
});

Deno.test("rampingVuSteps() jumps on 0-duration stages and ends with 0 VUs", () => {
  assert.deepEqual(
    rampingVuSteps(1, [
      { durationMs: 0, target: 5 },
      { durationMs: 1000, target: 5 },
      { durationMs: 3000, target: 2 },
    ]),
    [
      { offsetMs: 0, vus: 1 },
      { offsetMs: 0, vus: 5 },
      { offsetMs: 2000, vus: 4 },
      { offsetMs: 3000, vus: 3 },
      { offsetMs: 4000, vus: 2 },
      { offsetMs: 4000, vus: 0 },
    ],
  );
});

Deno.test("ramping-vus run() holds the VU count of the linear ramp at every sampled time", async () => {
  const host = new FakeHost({ iterationMs: 250 });
  const executor = create({
    startVUs: 0,
    stages: [
      { duration: "10s", target: 10 },
      { duration: "10s", target: 10 },
      { duration: "10s", target: 0 },
    ],
    gracefulRampDown: "0s",
  });
  const { value, at } = await settle(host.clock, executor.run(host, signal()), 120_000);
  assert.equal(at, 30_000);
  // k6: the ramp value rounded down while ramping up, rounded up while ramping down.
  const expected = (t: number) =>
    t < 10_000 ? Math.floor(t / 1000) : t < 20_000 ? 10 : Math.ceil(10 - (t - 20_000) / 1000);
  for (let t = 125; t < 30_000; t += 250) {
    assert.equal(host.activeAt("ramp", t), expected(t), `VUs at ${t} ms`);
  }
  assert.equal(host.maxHeld, 10);
  assert.equal(host.held, 0);
  assert.equal(value.dropped, 0);
  assert.equal(value.iterations + value.interrupted, host.iterations.length);
});

Deno.test("ramping-vus run() lets a removed VU finish its iteration within gracefulRampDown", async () => {
  const stages = [
    { duration: "5s", target: 2 },
    { duration: "0s", target: 1 },
    { duration: "10s", target: 1 },
  ];
  const host = new FakeHost({ iterationMs: 3500 });
  const run = create({ startVUs: 2, stages, gracefulRampDown: "3s" }).run(host, signal());
  const { value, at } = await settle(host.clock, run, 120_000);
  // VU 2 is removed at 5 s while its iteration (3.5 s to 7 s) runs: it finishes it and stops.
  // VU 1 starts iterations at 0, 3.5, 7, 10.5 and 14 s; the last ends at 17.5 s in gracefulStop.
  assert.deepEqual(value, { iterations: 7, dropped: 0, interrupted: 0 });
  assert.equal(at, 17_500);
  assert.equal(host.activeAt("ramp", 6999), 2);
  assert.equal(host.activeAt("ramp", 7000), 1);
});

Deno.test("ramping-vus run() interrupts a removed VU's iteration after gracefulRampDown", async () => {
  const stages = [
    { duration: "5s", target: 2 },
    { duration: "0s", target: 1 },
    { duration: "10s", target: 1 },
  ];
  const host = new FakeHost({ iterationMs: 3500 });
  const run = create({ startVUs: 2, stages, gracefulRampDown: "1s" }).run(host, signal());
  const { value } = await settle(host.clock, run, 120_000);
  assert.deepEqual(value, { iterations: 6, dropped: 0, interrupted: 1 });
  const interrupted = host.iterations.filter((i) => i.interrupted);
  assert.deepEqual(interrupted.map((i) => [i.startedAt, i.endedAt]), [[3500, 6000]]);
});

Deno.test("ramping-vus run() keeps a ramped-down VU that is scheduled again before it stopped", async () => {
  const host = new FakeHost({ iterationMs: 1600 });
  const run = create({
    startVUs: 1,
    stages: [
      { duration: "0s", target: 2 },
      { duration: "2s", target: 2 },
      { duration: "0s", target: 1 },
      { duration: "1s", target: 1 },
      { duration: "0s", target: 2 },
      { duration: "2s", target: 2 },
    ],
  }).run(host, signal());
  await settle(host.clock, run, 120_000);
  // VU 2's iteration (1.6 s to 3.2 s) is still running when it is scheduled again at 3 s, so the
  // same VU goes on looping: no third VU, and no gap in its iterations.
  assert.equal(host.acquired, 2);
  const vu2 = host.iterations.filter((i) => i.vu === 2).map((i) => i.startedAt);
  assert.deepEqual(vu2, [0, 1600, 3200, 4800]);
});

Deno.test("ramping-vus validate() returns every error", () => {
  assert.deepEqual(
    rampingVusExecutor.validate("r", {
      startVUs: -1,
      stages: [{ duration: "-1s", target: 0 }, { target: -2 }, "x", {
        duration: 1,
        target: 1,
        x: 1,
      }],
      gracefulRampDown: "-1s",
    }),
    [
      'Scenario "r": the duration for stage 1 can\'t be negative (stages[0].duration: "-1s")',
      'Scenario "r": stage 2 doesn\'t have a duration (stages[1].duration)',
      'Scenario "r": the target for stage 2 can\'t be negative (stages[1].target: -2)',
      'Scenario "r": stage 3 must be a {duration, target} object (stages[2]: "x")',
      'Scenario "r": unknown option "x" in stage 4; expected duration and target (stages[3])',
      'Scenario "r": the number of start VUs can\'t be negative (startVUs: -1)',
      'Scenario "r": the gracefulRampDown can\'t be negative (gracefulRampDown: "-1s")',
    ],
  );
  assert.deepEqual(rampingVusExecutor.validate("r", { startVUs: 0, stages: [] }), [
    'Scenario "r": at least one stage has to be specified (stages)',
  ]);
  assert.deepEqual(
    rampingVusExecutor.validate("r", { startVUs: 0, stages: [{ duration: "1m", target: 0 }] }),
    [
      'Scenario "r": either startVUs or one of the stages\' target values must be greater than 0 (stages)',
    ],
  );
});

Deno.test("ramping-vus describes itself like k6", () => {
  const executor = create({
    stages: [{ duration: "1m", target: 20 }, { duration: "1m30s", target: 20 }, {
      duration: "30s",
      target: 0,
    }],
  });
  assert.equal(
    executor.describe(),
    "Up to 20 looping VUs for 3m0s over 3 stages (gracefulRampDown: 30s, gracefulStop: 30s)",
  );
  assert.equal(executor.maxVus(), 20);
  assert.equal(executor.maxDurationMs(), 210_000);
});
