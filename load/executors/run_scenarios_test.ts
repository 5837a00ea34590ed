import assert from "node:assert/strict";
import { FakeHost, settle } from "./_fake_host.ts";
import { createExecutors } from "./registry.ts";
import { initVusNeeded, runScenarios, scenariosMaxDurationMs } from "./run_scenarios.ts";

const scenarios = {
  browse: { executor: "constant-vus", vus: 2, duration: "3s", gracefulStop: "1s" },
  burst: {
    executor: "constant-arrival-rate",
    rate: 5,
    duration: "2s",
    preAllocatedVUs: 1,
    startTime: "1s",
  },
  later: { executor: "shared-iterations", vus: 1, iterations: 2, startTime: "10s" },
};

Deno.test("runScenarios() starts each scenario at its startTime and returns every result", async () => {
  const host = new FakeHost({ iterationMs: 100 });
  const { value, at } = await settle(
    host.clock,
    runScenarios(host, scenarios, new AbortController().signal),
    60_000,
  );
  assert.deepEqual(value, {
    browse: { iterations: 60, dropped: 0, interrupted: 0 },
    burst: { iterations: 10, dropped: 0, interrupted: 0 },
    later: { iterations: 2, dropped: 0, interrupted: 0 },
  });
  const first = (scenario: string) => host.iterations.find((i) => i.scenario === scenario)!;
  assert.equal(first("browse").startedAt, 0);
  assert.equal(first("burst").startedAt, 1000);
  assert.equal(first("burst").intendedStart, 1000);
  assert.equal(first("later").startedAt, 10_000);
  assert.equal(at, 10_200);
  assert.equal(host.held, 0);
});

Deno.test("runScenarios() stops running scenarios on abort and skips the ones not started", async () => {
  const host = new FakeHost({ iterationMs: 100 });
  const controller = new AbortController();
  host.clock.setTimeout(() => controller.abort(), 1450);
  const { value, at } = await settle(
    host.clock,
    runScenarios(host, scenarios, controller.signal),
    60_000,
  );
  assert.deepEqual(value, {
    browse: { iterations: 30, dropped: 0, interrupted: 0 },
    burst: { iterations: 3, dropped: 0, interrupted: 0 },
    later: { iterations: 0, dropped: 0, interrupted: 0 },
  });
  assert.equal(at, 1500);
});

Deno.test("runScenarios() stops the others and rejects when a scenario fails", async () => {
  const host = new FakeHost({ iterationMs: 100, failAcquireAfter: 2 });
  await assert.rejects(
    settle(host.clock, runScenarios(host, scenarios, new AbortController().signal), 60_000),
    { message: "VU initialisation failed" },
  );
  // "burst" could not get its VU at 1 s; "browse" stopped then instead of at 3 s.
  assert.equal(host.iterations.filter((i) => i.scenario === "browse").length, 20);
  assert.equal(host.held, 0);
});

Deno.test("runScenarios() rejects invalid scenarios before starting any", async () => {
  const host = new FakeHost({ iterationMs: 100 });
  await assert.rejects(
    runScenarios(host, { a: { executor: "constant-vus" } }, new AbortController().signal),
    { message: /Scenario "a": the duration is unspecified/ },
  );
  assert.equal(host.acquired, 0);
});

Deno.test("scenariosMaxDurationMs() is the latest startTime + duration + gracefulStop", () => {
  assert.equal(scenariosMaxDurationMs(createExecutors(scenarios)), 10_000 + 600_000 + 30_000);
  assert.equal(scenariosMaxDurationMs([]), 0);
});

Deno.test("initVusNeeded() is the most VUs overlapping scenarios start with (k6's init phase)", () => {
  const vus = (scenarios: Record<string, unknown>) => initVusNeeded(createExecutors(scenarios));
  // Overlapping: 3 + 5; an arrival rate starts with its preAllocatedVUs, a ramp with its peak.
  assert.equal(
    vus({
      a: { executor: "constant-vus", vus: 3, duration: "10s" },
      b: {
        executor: "ramping-vus",
        startVUs: 0,
        stages: [{ target: 5, duration: "5s" }, { target: 1, duration: "5s" }],
      },
      c: {
        executor: "constant-arrival-rate",
        rate: 10,
        duration: "10s",
        preAllocatedVUs: 2,
        maxVUs: 50,
      },
    }),
    10,
  );
  // One after the other (the first ends, gracefulStop included, before the second starts): the
  // larger of the two.
  assert.equal(
    vus({
      first: { executor: "constant-vus", vus: 4, duration: "10s", gracefulStop: "0s" },
      second: { executor: "per-vu-iterations", vus: 6, iterations: 1, startTime: "10s" },
    }),
    6,
  );
  assert.equal(vus({}), 0);
});
