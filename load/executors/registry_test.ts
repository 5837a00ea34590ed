import assert from "node:assert/strict";
import {
  createExecutor,
  createExecutors,
  executorRegistry,
  validateScenarios,
} from "./registry.ts";

Deno.test("executorRegistry holds the six k6 executors by name", () => {
  assert.deepEqual(Object.keys(executorRegistry).sort(), [
    "constant-arrival-rate",
    "constant-vus",
    "per-vu-iterations",
    "ramping-arrival-rate",
    "ramping-vus",
    "shared-iterations",
  ]);
  for (const [name, definition] of Object.entries(executorRegistry)) {
    assert.equal(definition.name, name);
  }
});

Deno.test("validateScenarios() returns every error of every scenario", () => {
  assert.deepEqual(
    validateScenarios({
      ok: { executor: "constant-vus", vus: 2, duration: "10s" },
      typo: { executor: "constant-vu", vus: 2, duration: "10s" },
      missing: { vus: 2 },
      bad: { executor: "ramping-arrival-rate", preAllocatedVUs: 1, stages: [{ target: 5 }] },
      "not ok": { executor: "per-vu-iterations", iterations: 0 },
      notAnObject: 5,
    }),
    [
      'Scenario "typo": unknown executor "constant-vu"; expected one of shared-iterations, per-vu-iterations, constant-vus, ramping-vus, constant-arrival-rate, ramping-arrival-rate',
      'Scenario "missing": the executor is unspecified; set executor to one of shared-iterations, per-vu-iterations, constant-vus, ramping-vus, constant-arrival-rate, ramping-arrival-rate',
      'Scenario "bad": stage 1 doesn\'t have a duration (stages[0].duration)',
      'Scenario "not ok": the scenario name should contain only numbers, latin letters, underscores, and dashes',
      'Scenario "not ok": the number of iterations must be more than 0 (iterations: 0)',
      'Scenario "notAnObject": the scenario must be an object with an executor field, got 5',
    ],
  );
  assert.deepEqual(validateScenarios({}), []);
  assert.deepEqual(validateScenarios([]), [
    "Cannot read options.scenarios: expected an object of named scenarios, got []",
  ]);
});

Deno.test("createExecutor() creates each executor from its k6 name", () => {
  const configs: Record<string, Record<string, unknown>> = {
    "shared-iterations": { vus: 2, iterations: 10 },
    "per-vu-iterations": { vus: 2, iterations: 10 },
    "constant-vus": { vus: 2, duration: "10s" },
    "ramping-vus": { stages: [{ duration: "10s", target: 2 }] },
    "constant-arrival-rate": { rate: 5, duration: "10s", preAllocatedVUs: 2 },
    "ramping-arrival-rate": { stages: [{ duration: "10s", target: 5 }], preAllocatedVUs: 2 },
  };
  for (const [name, config] of Object.entries(configs)) {
    const executor = createExecutor(name, "s", config);
    assert.equal(executor.base.executor, name);
    assert.equal(executor.base.scenario, "s");
    assert.equal(executor.maxVus(), 2);
    assert.equal(executor.base.gracefulStopMs, 30_000);
  }
  assert.throws(() => createExecutor("externally-controlled", "s", {}), {
    message: /Scenario "s": unknown executor "externally-controlled"; expected one of/,
  });
});

Deno.test("createExecutors() creates executors in order or throws listing every problem", () => {
  const executors = createExecutors({
    a: { executor: "constant-vus", duration: "1s" },
    b: { executor: "shared-iterations", startTime: "5s" },
  });
  assert.deepEqual(executors.map((e) => [e.base.scenario, e.base.startTimeMs]), [["a", 0], [
    "b",
    5000,
  ]]);
  assert.throws(
    () => createExecutors({ a: { executor: "constant-vus" }, b: { executor: "nope" } }),
    {
      message: "Cannot run the scenarios: fix these options:\n" +
        '  Scenario "a": the duration is unspecified (duration)\n' +
        '  Scenario "b": unknown executor "nope"; expected one of shared-iterations, per-vu-iterations, constant-vus, ramping-vus, constant-arrival-rate, ramping-arrival-rate',
    },
  );
});
