import assert from "node:assert/strict";
import { FakeHost, settle } from "./_fake_host.ts";
import { constantArrivalOffsets, constantArrivalRateExecutor } from "./constant_arrival_rate.ts";

const signal = () => new AbortController().signal;
const create = (config: Record<string, unknown>) =>
  constantArrivalRateExecutor.create("open", { executor: "constant-arrival-rate", ...config });

Deno.test("constant-arrival-rate run() starts rate × duration iterations at their intended times", async () => {
  const host = new FakeHost({ iterationMs: 50 });
  const run = create({ rate: 10, timeUnit: "1s", duration: "3s", preAllocatedVUs: 2 }).run(
    host,
    signal(),
  );
  const { value, at } = await settle(host.clock, run, 60_000);
  assert.deepEqual(value, { iterations: 30, dropped: 0, interrupted: 0 });
  assert.equal(at, 2950);
  const expected = Array.from({ length: 30 }, (_, k) => k * 100);
  assert.deepEqual(host.iterations.map((i) => i.intendedStart), expected);
  assert.deepEqual(host.iterations.map((i) => i.startedAt), expected);
  assert.equal(host.maxHeld, 2);
});

Deno.test("constant-arrival-rate run() computes each start from the scenario start (no drift)", async () => {
  const host = new FakeHost({ iterationMs: 10 });
  const run = create({ rate: 3, timeUnit: "1s", duration: "20s", preAllocatedVUs: 1 }).run(
    host,
    signal(),
  );
  const { value } = await settle(host.clock, run, 60_000);
  assert.equal(value.iterations, 60);
  host.iterations.forEach((iteration, k) => {
    assert.equal(iteration.intendedStart, (k * 1000) / 3);
    const late = iteration.startedAt - iteration.intendedStart!;
    assert.ok(late >= 0 && late < 1, `iteration ${k} started ${late} ms late`);
  });
});

Deno.test("constant-arrival-rate run() grows the pool to maxVUs, then drops iterations", async () => {
  const host = new FakeHost({ iterationMs: 1050 });
  const run = create({
    rate: 10,
    duration: "3s",
    preAllocatedVUs: 2,
    maxVUs: 5,
  }).run(host, signal());
  const { value, at } = await settle(host.clock, run, 60_000);
  // 0 and 100 ms take the 2 pre-allocated VUs; 200, 400 and 600 ms find none (dropped) and each
  // starts one more VU, used at 300, 500 and 700 ms. From then on each of the 5 VUs is free
  // again 1100 ms after it started, so 5 of every 11 arrivals run and 6 are dropped.
  assert.deepEqual(value, { iterations: 15, dropped: 15, interrupted: 0 });
  assert.deepEqual(
    host.dropped.map((d) => d.at),
    [200, 400, 600, 800, 900, 1000, 1300, 1500, 1700, 1900, 2000, 2100, 2400, 2600, 2800],
  );
  assert.ok(host.dropped.every((d) => d.scenario === "open" && d.count === 1));
  assert.equal(host.acquired, 5);
  assert.equal(host.maxHeld, 5);
  assert.equal(at, 2900 + 1050);
  assert.equal(host.held, 0);
});

Deno.test("constant-arrival-rate run() initialises one extra VU at a time, asynchronously", async () => {
  const host = new FakeHost({ iterationMs: 50, acquireMs: 250 });
  const run = create({ rate: 10, duration: "2s", preAllocatedVUs: 0, maxVUs: 2 }).run(
    host,
    signal(),
  );
  const { value } = await settle(host.clock, run, 60_000);
  // The VU requested at 0 ms is ready at 250 ms; 0, 100 and 200 ms are dropped meanwhile.
  assert.deepEqual(value, { iterations: 17, dropped: 3, interrupted: 0 });
  assert.equal(host.acquired, 1);
  assert.equal(host.iterations[0].startedAt, 300);
});

Deno.test("constant-arrival-rate run() interrupts iterations still running after gracefulStop", async () => {
  const host = new FakeHost({ iterationMs: 10_000 });
  const run = create({ rate: 1, duration: "2s", preAllocatedVUs: 2, gracefulStop: "1s" }).run(
    host,
    signal(),
  );
  const { value, at } = await settle(host.clock, run, 60_000);
  assert.deepEqual(value, { iterations: 0, dropped: 0, interrupted: 2 });
  assert.equal(at, 3000);
  assert.equal(host.held, 0);
});

Deno.test("constant-arrival-rate run() stops scheduling on abort", async () => {
  const host = new FakeHost({ iterationMs: 10 });
  const controller = new AbortController();
  host.clock.setTimeout(() => controller.abort(), 1050);
  const run = create({ rate: 10, duration: "1m", preAllocatedVUs: 1 }).run(
    host,
    controller.signal,
  );
  const { value, at } = await settle(host.clock, run, 120_000);
  assert.deepEqual(value, { iterations: 11, dropped: 0, interrupted: 0 });
  assert.equal(at, 1050);
});

Deno.test("constantArrivalOffsets() yields k × timeUnit / rate", () => {
  const offsets = constantArrivalOffsets(4, 60_000);
  assert.deepEqual([0, 1, 2, 3].map(() => offsets.next().value), [0, 15_000, 30_000, 45_000]);
});

Deno.test("constant-arrival-rate validate() returns every error", () => {
  assert.deepEqual(constantArrivalRateExecutor.validate("o", {}), [
    'Scenario "o": the iteration rate isn\'t specified (rate)',
    'Scenario "o": the duration is unspecified (duration)',
    'Scenario "o": the number of preAllocatedVUs isn\'t specified (preAllocatedVUs)',
  ]);
  assert.deepEqual(
    constantArrivalRateExecutor.validate("o", {
      rate: 0,
      timeUnit: "0s",
      duration: "100ms",
      preAllocatedVUs: -1,
      maxVUs: -2,
    }),
    [
      'Scenario "o": the iteration rate must be more than 0 (rate: 0)',
      'Scenario "o": the timeUnit must be more than 0 (timeUnit: "0s")',
      'Scenario "o": the duration must be at least 1s, but is 100ms (duration: "100ms")',
      'Scenario "o": the number of preAllocatedVUs can\'t be negative (preAllocatedVUs: -1)',
      'Scenario "o": maxVUs can\'t be less than preAllocatedVUs (-1) (maxVUs: -2)',
    ],
  );
});

Deno.test("constant-arrival-rate describes itself like k6", () => {
  const executor = create({ rate: 50, duration: "1m", preAllocatedVUs: 10, maxVUs: 50 });
  assert.equal(
    executor.describe(),
    "50.00 iterations/s for 1m0s (maxVUs: 10-50, gracefulStop: 30s)",
  );
  assert.equal(executor.maxVus(), 50);
  assert.equal(executor.maxDurationMs(), 90_000);
  const perMinute = create({ rate: 90, timeUnit: "1m", duration: "2m", preAllocatedVUs: 3 });
  assert.equal(perMinute.describe(), "1.50 iterations/s for 2m0s (maxVUs: 3, gracefulStop: 30s)");
  assert.equal(perMinute.maxVus(), 3);
});
