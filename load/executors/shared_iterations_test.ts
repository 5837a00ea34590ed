import assert from "node:assert/strict";
import { FakeHost, settle } from "./_fake_host.ts";
import { sharedIterationsExecutor } from "./shared_iterations.ts";

const signal = () => new AbortController().signal;
const create = (config: Record<string, unknown>) =>
  sharedIterationsExecutor.create("shared", { executor: "shared-iterations", ...config });

Deno.test("shared-iterations run() runs exactly `iterations` iterations shared by the VUs", async () => {
  const host = new FakeHost({ iterationMs: 100 });
  const executor = create({ vus: 3, iterations: 10 });
  const { value, at } = await settle(host.clock, executor.run(host, signal()), 1000);
  assert.deepEqual(value, { iterations: 10, dropped: 0, interrupted: 0 });
  assert.equal(at, 400); // ceil(10 / 3) rounds of 100 ms, no idle time
  const perVu = new Map<number, number>();
  for (const it of host.iterations) perVu.set(it.vu, (perVu.get(it.vu) ?? 0) + 1);
  assert.deepEqual([...perVu.values()].sort(), [3, 3, 4]);
  assert.deepEqual(
    host.iterations.map((i) => i.iterationInScenario).sort((a, b) => a - b),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  );
  assert.equal(host.held, 0);
  assert.equal(host.maxHeld, 3);
  assert.deepEqual(host.dropped, []);
});

Deno.test("shared-iterations run() reports the iterations left at maxDuration as dropped", async () => {
  const host = new FakeHost({ iterationMs: 1100 });
  const executor = create({ vus: 2, iterations: 100, maxDuration: "5s" });
  const { value, at } = await settle(host.clock, executor.run(host, signal()), 60_000);
  // Each VU starts iterations at 0, 1.1, 2.2, 3.3 and 4.4 s; the last ones finish in gracefulStop.
  assert.deepEqual(value, { iterations: 10, dropped: 90, interrupted: 0 });
  assert.deepEqual(host.dropped, [{ scenario: "shared", count: 90, at: 5500 }]);
  assert.equal(at, 5500);
});

Deno.test("shared-iterations run() interrupts iterations still running after gracefulStop", async () => {
  const host = new FakeHost({ iterationMs: 10_000 });
  const executor = create({ vus: 1, iterations: 5, maxDuration: "2s", gracefulStop: "1s" });
  const { value, at } = await settle(host.clock, executor.run(host, signal()), 60_000);
  assert.deepEqual(value, { iterations: 0, dropped: 4, interrupted: 1 });
  assert.equal(at, 3000);
  assert.equal(host.iterations[0].endedAt, 3000);
  assert.equal(host.iterations[0].interrupted, true);
  assert.equal(host.held, 0);
});

Deno.test("shared-iterations validate() returns every error", () => {
  const errors = sharedIterationsExecutor.validate("bad name", {
    executor: "shared-iterations",
    vus: 0,
    iterations: -1,
    maxDuration: "500ms",
    startTime: "-1s",
    gracefulStop: "soon",
    exec: "",
    vu: 3,
  });
  assert.deepEqual(errors, [
    'Scenario "bad name": the scenario name should contain only numbers, latin letters, underscores, and dashes',
    'Scenario "bad name": unknown option "vu" for executor "shared-iterations"; expected one of executor, startTime, gracefulStop, exec, env, tags, options, vus, iterations, maxDuration',
    'Scenario "bad name": the startTime can\'t be negative (startTime: "-1s")',
    'Scenario "bad name": cannot parse duration "soon": expected a number at position 1; use a number of milliseconds or a value such as "1m30s", "500ms" or "1d12h" (gracefulStop: "soon")',
    'Scenario "bad name": exec value cannot be empty (exec: "")',
    'Scenario "bad name": the number of VUs must be more than 0 (vus: 0)',
    'Scenario "bad name": the number of iterations (-1) can\'t be less than the number of VUs (0) (iterations)',
    'Scenario "bad name": the maxDuration must be at least 1s, but is 500ms (maxDuration: "500ms")',
  ]);
});

Deno.test("shared-iterations applies k6 defaults and describes itself like k6", () => {
  const executor = create({});
  assert.equal(
    executor.describe(),
    "1 iterations shared among 1 VUs (maxDuration: 10m0s, gracefulStop: 30s)",
  );
  assert.equal(executor.maxVus(), 1);
  assert.equal(executor.maxDurationMs(), 630_000);
  assert.equal(
    create({ vus: 10, iterations: 100, maxDuration: 30_000, startTime: "10s", exec: "api" })
      .describe(),
    "100 iterations shared among 10 VUs (maxDuration: 30s, exec: api, startTime: 10s, gracefulStop: 30s)",
  );
});

Deno.test("shared-iterations create() throws listing every problem", () => {
  assert.throws(
    () => create({ vus: 2, iterations: 1.5 }),
    {
      message: 'Cannot create scenario "shared": fix its options:\n' +
        '  Scenario "shared": iterations must be a whole number (iterations: 1.5)',
    },
  );
});
