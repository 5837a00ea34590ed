import assert from "node:assert/strict";
import { FakeHost, settle } from "./_fake_host.ts";
import { rampingArrivalOffsets, rampingArrivalRateExecutor } from "./ramping_arrival_rate.ts";

const signal = () => new AbortController().signal;
const create = (config: Record<string, unknown>) =>
  rampingArrivalRateExecutor.create("ramp_open", { executor: "ramping-arrival-rate", ...config });

Deno.test("rampingArrivalOffsets() matches k6's cal() times", () => {
  // k6 lib/executor/ramping_arrival_rate_test.go TestRampingArrivalRateCal: 0 -> 1/s over 5s,
  // 1/s for 1s, 1 -> 0/s over 5s.
  const offsets = [
    ...rampingArrivalOffsets(0, 1000, [
      { durationMs: 5000, target: 1 },
      { durationMs: 1000, target: 1 },
      { durationMs: 5000, target: 0 },
    ]),
  ];
  const k6 = [3162, 4472, 5500, 6527, 7837, 11_000];
  assert.equal(offsets.length, k6.length);
  offsets.forEach((offset, i) => assert.ok(Math.abs(offset - k6[i]) < 1, `${offset} vs ${k6[i]}`));
});

Deno.test("ramping-arrival-rate run() starts as many iterations as the integral of the rate", async () => {
  const stages = [
    { duration: "10s", target: 50 },
    { duration: "20s", target: 50 },
    { duration: "10s", target: 0 },
  ];
  const host = new FakeHost({ iterationMs: 10 });
  const run = create({ startRate: 0, stages, preAllocatedVUs: 5 }).run(host, signal());
  const { value } = await settle(host.clock, run, 120_000);
  const integral = 250 + 1000 + 250;
  assert.ok(Math.abs(value.iterations - integral) <= 1, `${value.iterations} iterations`);
  assert.equal(value.dropped, 0);
  // Per stage: the area under each part of the curve.
  const between = (from: number, to: number) =>
    host.iterations.filter((i) => i.intendedStart! >= from && i.intendedStart! < to).length;
  assert.ok(Math.abs(between(0, 10_000) - 250) <= 1);
  assert.ok(Math.abs(between(10_000, 30_000) - 1000) <= 1);
  assert.ok(Math.abs(between(30_000, 40_000) - 250) <= 1);
  assert.ok(Math.abs(between(0, 5000) - 62.5) <= 1); // 50/s × 5 s / 2 × (5/10)
  for (const iteration of host.iterations) {
    const late = iteration.startedAt - iteration.intendedStart!;
    assert.ok(late >= 0 && late < 1);
  }
});

Deno.test("ramping-arrival-rate run() honours timeUnit and startRate", async () => {
  const host = new FakeHost({ iterationMs: 10 });
  const run = create({
    startRate: 60,
    timeUnit: "1m",
    stages: [{ duration: "1m", target: 120 }],
    preAllocatedVUs: 1,
  }).run(host, signal());
  const { value } = await settle(host.clock, run, 120_000);
  assert.ok(Math.abs(value.iterations - 90) <= 1, `${value.iterations} iterations`);
});

Deno.test("ramping-arrival-rate run() grows to maxVUs and drops when iterations are slow", async () => {
  const host = new FakeHost({ iterationMs: 5000 });
  const run = create({
    startRate: 10,
    stages: [{ duration: "2s", target: 10 }],
    preAllocatedVUs: 1,
    maxVUs: 4,
  }).run(host, signal());
  const { value, at } = await settle(host.clock, run, 120_000);
  // Intended starts every 100 ms from 100 ms; the 1st takes the only VU, then every other
  // arrival grows the pool by one VU until 4, after which all arrivals are dropped.
  assert.deepEqual(value, { iterations: 4, dropped: 15, interrupted: 0 });
  assert.equal(host.maxHeld, 4);
  assert.deepEqual(host.iterations.map((i) => i.startedAt), [100, 300, 500, 700]);
  assert.equal(at, 5700);
});

Deno.test("ramping-arrival-rate validate() returns every error", () => {
  assert.deepEqual(
    rampingArrivalRateExecutor.validate("ro", {
      startRate: -1,
      timeUnit: "-1s",
      maxVUs: 3,
    }),
    [
      'Scenario "ro": the startRate value can\'t be negative (startRate: -1)',
      'Scenario "ro": the timeUnit must be more than 0 (timeUnit: "-1s")',
      'Scenario "ro": at least one stage has to be specified (stages)',
      'Scenario "ro": the number of preAllocatedVUs isn\'t specified (preAllocatedVUs)',
    ],
  );
  assert.deepEqual(
    rampingArrivalRateExecutor.validate("ro", {
      stages: [{ duration: "1m", target: 10 }],
      preAllocatedVUs: 2,
      gracefulStop: "-5s",
      rate: 10,
    }),
    [
      'Scenario "ro": unknown option "rate" for executor "ramping-arrival-rate"; expected one of executor, startTime, gracefulStop, exec, env, tags, options, startRate, timeUnit, stages, preAllocatedVUs, maxVUs',
      'Scenario "ro": the gracefulStop timeout can\'t be negative (gracefulStop: "-5s")',
    ],
  );
});

Deno.test("ramping-arrival-rate describes itself like k6", () => {
  const executor = create({
    startRate: 5,
    stages: [{ duration: "30s", target: 50 }, { duration: "1m", target: 50 }, {
      duration: "30s",
      target: 0,
    }],
    preAllocatedVUs: 10,
    maxVUs: 100,
    startTime: "1m",
  });
  assert.equal(
    executor.describe(),
    "Up to 50.00 iterations/s for 2m0s over 3 stages (maxVUs: 10-100, startTime: 1m0s, gracefulStop: 30s)",
  );
  assert.equal(executor.maxVus(), 100);
  assert.equal(executor.maxDurationMs(), 150_000);
  assert.equal(executor.base.startTimeMs, 60_000);
});
