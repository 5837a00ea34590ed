import assert from "node:assert/strict";
import { deriveScenarios } from "./derive_scenarios.ts";
import { validateScenarios } from "./registry.ts";

Deno.test("deriveScenarios() turns k6 shortcut options into the default scenario", () => {
  const cases: [Parameters<typeof deriveScenarios>[0], Record<string, unknown>][] = [
    [{}, { executor: "per-vu-iterations" }],
    [{ vus: 10, duration: "30s" }, { executor: "constant-vus", vus: 10, duration: "30s" }],
    [
      { vus: 5, iterations: 100, duration: "1m" },
      { executor: "shared-iterations", vus: 5, iterations: 100, maxDuration: "1m" },
    ],
    [{ vus: 3 }, { executor: "shared-iterations", vus: 3, iterations: 3 }],
    [
      { vus: 2, stages: [{ duration: "10s", target: 10 }, { target: 3 }] },
      { executor: "ramping-vus", startVUs: 2, stages: [{ duration: "10s", target: 10 }] },
    ],
  ];
  for (const [options, expected] of cases) {
    const derived = deriveScenarios(options);
    assert.deepEqual(derived, { scenarios: { default: expected }, errors: [], warnings: [] });
    assert.deepEqual(validateScenarios(derived.scenarios), []);
  }
});

Deno.test("deriveScenarios() keeps explicit scenarios and reports conflicts", () => {
  const scenarios = { a: { executor: "constant-vus", duration: "1s" } };
  assert.deepEqual(deriveScenarios({ scenarios }), { scenarios, errors: [], warnings: [] });
  assert.deepEqual(
    deriveScenarios({ duration: "10s", stages: [{ duration: "1s", target: 1 }], scenarios })
      .errors,
    [
      "Using `duration` and `stages` options simultaneously is not allowed; keep one of them or describe the run in options.scenarios",
      "Using `duration` and `scenarios` options simultaneously is not allowed; keep one of them or describe the run in options.scenarios",
    ],
  );
  assert.deepEqual(deriveScenarios({ duration: "0s" }).errors, [
    "The `duration` option should be more than 0",
  ]);
  assert.deepEqual(deriveScenarios({ stages: [], scenarios: {} }).warnings, [
    "`stages` was explicitly set to an empty value, running the script with 1 iteration in 1 VU",
    "`scenarios` was explicitly set to an empty value, running the script with 1 iteration in 1 VU",
  ]);
});
