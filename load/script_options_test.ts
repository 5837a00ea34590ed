import assert from "node:assert/strict";
import { buildPlan, LoadConfigError } from "./script_options.ts";

const fn = () => {};

Deno.test("buildPlan() derives one scenario from shortcuts and applies k6's defaults", () => {
  const plan = buildPlan({ vus: 3, duration: "5s" }, {}, { default: fn });
  assert.deepEqual(plan.scenarios, {
    default: { executor: "constant-vus", vus: 3, duration: "5s" },
  });
  assert.equal(plan.executors[0].describe(), "3 looping VUs for 5s (gracefulStop: 30s)");
  assert.equal(plan.maxDurationMs, 35_000);
  assert.equal(plan.setupTimeoutMs, 60_000);
  assert.equal(plan.teardownTimeoutMs, 60_000);
  assert.equal(plan.thresholds.thresholds.length, 0);
});

Deno.test("buildPlan() runs one iteration on one VU when the script has no options", () => {
  const plan = buildPlan(undefined, {}, { default: fn });
  assert.deepEqual(plan.scenarios, { default: { executor: "per-vu-iterations" } });
});

Deno.test("buildPlan() lets --vus and --duration replace the script's scenarios", () => {
  const options = {
    scenarios: {
      a: { executor: "constant-arrival-rate", rate: 5, duration: "1m", preAllocatedVUs: 2 },
    },
  };
  const plan = buildPlan(options, { vus: 4, duration: "2s" }, { default: fn });
  assert.deepEqual(plan.scenarios, {
    default: { executor: "constant-vus", vus: 4, duration: "2s" },
  });
  assert.throws(
    () => buildPlan(options, { vus: 4 }, { default: fn }),
    /Cannot use --vus alone with a script that defines options.scenarios/,
  );
  assert.deepEqual(buildPlan({ vus: 1, duration: "9s" }, { vus: 6 }, { default: fn }).scenarios, {
    default: { executor: "constant-vus", vus: 6, duration: "9s" },
  });
});

Deno.test("buildPlan() collects every problem of the options", () => {
  let error: LoadConfigError | undefined;
  try {
    buildPlan(
      {
        scenarios: {
          a: { executor: "constant-vus", vus: 0, duration: "1s", exec: "missing" },
          b: { executor: "warp-speed" },
        },
        thresholds: { http_req_duration: ["p(95)<"] },
        setupTimeout: "soon",
        summaryTrendStats: ["avg", "p(101)"],
        batchPerHost: -1,
      },
      { duration: "0s" },
      { default: fn },
    );
  } catch (e) {
    error = e as LoadConfigError;
  }
  assert.ok(error instanceof LoadConfigError);
  const text = error.errors.join("\n");
  assert.match(text, /Cannot use --duration 0s: it must be more than 0/);
  assert.match(text, /Cannot parse threshold "p\(95\)<"/);
  assert.match(text, /Cannot use options.setupTimeout: Cannot parse duration "soon"/);
  assert.match(text, /Cannot use summary trend stat "p\(101\)"/);
  assert.match(text, /Cannot use options.batchPerHost -1/);
});

Deno.test("buildPlan() checks that every scenario's exec is an exported function", () => {
  assert.throws(
    () =>
      buildPlan(
        { scenarios: { a: { executor: "shared-iterations", exec: "other" } } },
        {},
        { default: fn, other: "not a function" },
      ),
    /Scenario "a": exec "other" is not a function exported by the script/,
  );
  assert.throws(
    () => buildPlan({ scenarios: { a: { executor: "shared-iterations" } } }, {}, {}),
    /Scenario "a": the script has no default function to run/,
  );
});

Deno.test("buildPlan() reads the HTTP and summary options and warns about unsupported ones", () => {
  const plan = buildPlan(
    {
      iterations: 2,
      userAgent: "me/1",
      discardResponseBodies: true,
      tags: { team: "a", build: 7 },
      batchPerHost: 2,
      summaryTrendStats: ["avg", "p(99.9)", "count"],
      setupTimeout: "5s",
      maxRedirects: 3,
    },
    {},
    { default: fn },
  );
  assert.equal(plan.userAgent, "me/1");
  assert.equal(plan.discardResponseBodies, true);
  assert.deepEqual(plan.tags, { team: "a", build: "7" });
  assert.equal(plan.connectionsPerHost, 2);
  assert.deepEqual(plan.summaryTrendStats, ["avg", "p(99.9)", "count"]);
  assert.equal(plan.setupTimeoutMs, 5000);
  assert.deepEqual(plan.warnings, [
    "options.maxRedirects is not supported by smsgate-testkit and is ignored",
  ]);
});
