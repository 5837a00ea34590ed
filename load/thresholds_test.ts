import assert from "node:assert/strict";
import FakeTimers from "@sinonjs/fake-timers";
import { MetricsRegistry } from "./metrics.ts";
import {
  compareThreshold,
  type Operator,
  parseThresholdExpression,
  parseThresholds,
  ThresholdConfigError,
  ThresholdSet,
  thresholdsFailed,
  ThresholdSyntaxError,
} from "./thresholds.ts";

function withRegistry(fn: (r: MetricsRegistry, clock: FakeTimers.Clock) => void): void {
  const clock = FakeTimers.createClock(0);
  const r = new MetricsRegistry(clock);
  r.defineBuiltins();
  try {
    fn(r, clock);
  } finally {
    r.destroy();
  }
}

function configErrors(config: unknown): string[] {
  try {
    ThresholdSet.parse(config);
  } catch (e) {
    assert.ok(e instanceof ThresholdConfigError);
    return [...e.errors];
  }
  assert.fail("expected a ThresholdConfigError");
}

Deno.test("parseThresholdExpression() reads every aggregation", () => {
  const cases: Array<[string, string, number | null, string]> = [
    ["count>10", "count", null, "count"],
    ["rate<0.01", "rate", null, "rate"],
    ["value==3", "value", null, "value"],
    ["avg<200", "avg", null, "avg"],
    ["min>=1", "min", null, "min"],
    ["max<=1000", "max", null, "max"],
    ["med<150", "med", null, "med"],
    ["p(95)<200", "p", 95, "p(95)"],
    ["p(99.9)<500", "p", 99.9, "p(99.9)"],
    ["p(0)>=0", "p", 0, "p(0)"],
    ["p(100)<1", "p", 100, "p(100)"],
  ];
  for (const [source, aggregation, percentile, key] of cases) {
    const e = parseThresholdExpression(source);
    assert.equal(e.aggregation, aggregation, source);
    assert.equal(e.percentile, percentile, source);
    assert.equal(e.key, key, source);
    assert.equal(e.source, source);
  }
});

Deno.test("parseThresholdExpression() reads every operator, longest first", () => {
  const ops: Operator[] = ["<", "<=", ">", ">=", "==", "===", "!="];
  for (const op of ops) {
    const e = parseThresholdExpression(`avg${op}5`);
    assert.equal(e.operator, op);
    assert.equal(e.value, 5);
  }
});

Deno.test("parseThresholdExpression() tolerates whitespace and reads decimals, signs and exponents", () => {
  const e = parseThresholdExpression("  p ( 99.9 )  <=  250.75  ");
  assert.deepEqual(
    { a: e.aggregation, p: e.percentile, op: e.operator, v: e.value, key: e.key },
    { a: "p", p: 99.9, op: "<=", v: 250.75, key: "p(99.9)" },
  );
  assert.equal(parseThresholdExpression("value>-1.5").value, -1.5);
  assert.equal(parseThresholdExpression("rate<1e-3").value, 0.001);
  assert.equal(parseThresholdExpression("rate<.5").value, 0.5);
  assert.equal(parseThresholdExpression("count<10.").value, 10);
  assert.equal(parseThresholdExpression("count\t<\n+7").value, 7);
});

Deno.test("parseThresholdExpression() names the position of the problem", () => {
  const cases: Array<[string, string]> = [
    ["p(95)<<200", "expected a number at position 7"],
    ["p(95)<", "expected a number at position 7"],
    ["", "expected an aggregation (count, rate, value, avg, min, max, med or p(N)) at position 1"],
    [
      "<200",
      "expected an aggregation (count, rate, value, avg, min, max, med or p(N)) at position 1",
    ],
    [
      "mean<200",
      'unknown aggregation "mean"; expected count, rate, value, avg, min, max, med or p(N) at position 1',
    ],
    ["p95<200", 'expected "(" after p, found "9" at position 2'],
    ["p()<200", "expected a percentile at position 3"],
    ["p(101)<200", "expected a percentile between 0 and 100 at position 3"],
    ["p(95<200", 'expected ")" after the percentile, found "<" at position 5'],
    ["avg 200", 'expected an operator (<, <=, >, >=, ==, ===, !=), found "2" at position 5'],
    ["avg=<200", 'expected an operator (<, <=, >, >=, ==, ===, !=), found "=" at position 4'],
    ["avg", "expected an operator (<, <=, >, >=, ==, ===, !=), found the end at position 4"],
    ["avg<200ms", 'unexpected "m" after the number at position 8'],
    ["avg<200 300", 'unexpected "3" after the number at position 9'],
    ["rate<1e", "expected digits in the exponent at position 8"],
    ["avg<abc", "expected a number at position 5"],
  ];
  for (const [source, reason] of cases) {
    assert.throws(
      () => parseThresholdExpression(source),
      (e: unknown) => {
        assert.ok(e instanceof ThresholdSyntaxError, source);
        assert.equal(e.message, `Cannot parse threshold ${JSON.stringify(source)}: ${reason}`);
        assert.equal(e.position, Number(/position (\d+)$/.exec(reason)![1]));
        return true;
      },
    );
  }
});

Deno.test("compareThreshold() applies every operator", () => {
  const table: Array<[Operator, boolean, boolean, boolean]> = [
    // op, 1 vs 2, 2 vs 2, 3 vs 2
    ["<", true, false, false],
    ["<=", true, true, false],
    [">", false, false, true],
    [">=", false, true, true],
    ["==", false, true, false],
    ["===", false, true, false],
    ["!=", true, false, true],
  ];
  for (const [op, lt, eq, gt] of table) {
    assert.deepEqual(
      [compareThreshold(1, op, 2), compareThreshold(2, op, 2), compareThreshold(3, op, 2)],
      [lt, eq, gt],
      op,
    );
  }
  assert.equal(compareThreshold(NaN, "<", 1), false);
});

Deno.test("ThresholdSet.parse() reads k6's string and object forms", () => {
  const set = ThresholdSet.parse({
    http_req_duration: ["p(95)<200", { threshold: "avg<100" }],
    "http_req_failed{name:refresh}": [
      { threshold: "rate<0.01", abortOnFail: true, delayAbortEval: "10s" },
    ],
    checks: [{ threshold: "rate>0.99", abortOnFail: true }],
  });
  assert.deepEqual(
    set.thresholds.map((
      t,
    ) => [t.metric, t.metricName, t.selector, t.source, t.abortOnFail, t.delayAbortEvalMs]),
    [
      ["http_req_duration", "http_req_duration", null, "p(95)<200", false, null],
      ["http_req_duration", "http_req_duration", null, "avg<100", false, null],
      [
        "http_req_failed{name:refresh}",
        "http_req_failed",
        "name:refresh",
        "rate<0.01",
        true,
        10_000,
      ],
      ["checks", "checks", null, "rate>0.99", true, null],
    ],
  );
  assert.equal(set.hasAbortOnFail, true);
  assert.equal(ThresholdSet.parse(undefined).thresholds.length, 0);
});

Deno.test("ThresholdSet.parse() reports every error with the metric, expression and position", () => {
  const errors = configErrors({
    http_req_duration: ["p(95)<<200", "avg<100", "p(95)<"],
    http_req_failed: "rate<0.01",
    checks: [42, { threshold: "rate>0.9", abortOnFail: "yes" }, {
      threshold: "rate>0.9",
      delayAbortEval: "10x",
    }],
    "http_reqs{status}": ["count>1"],
  });
  assert.deepEqual(errors, [
    'Cannot parse threshold "p(95)<<200" on http_req_duration: expected a number at position 7',
    'Cannot parse threshold "p(95)<" on http_req_duration: expected a number at position 7',
    'Cannot parse thresholds on http_req_failed: expected an array of expressions such as ["p(95)<200"]',
    'Cannot parse threshold #1 on checks: expected a string such as "p(95)<200" or an object with a "threshold" string',
    "Cannot parse threshold #2 on checks: abortOnFail must be true or false",
    'Cannot parse delayAbortEval "10x" of threshold "rate>0.9" on checks: expected a duration such as "10s" or a number of milliseconds',
    'Cannot parse metric "http_reqs{status}": expected ":" after tag "status" at position 17; write metric or metric{tag:value,tag2:value2}',
  ]);
  assert.deepEqual(configErrors(["p(95)<1"]), [
    "Cannot parse thresholds: expected an object mapping metric names to arrays of expressions",
  ]);
});

Deno.test("ThresholdSet.parse() describes values JSON cannot show (found by fuzzing)", () => {
  // A BigInt delayAbortEval made JSON.stringify throw a TypeError out of parse().
  const bare = Object.assign(Object.create(null), { a: 1 });
  assert.deepEqual(
    configErrors({
      checks: [{ threshold: "rate>0.9", delayAbortEval: 10n }, {
        threshold: bare,
        delayAbortEval: 1n,
      }],
    }),
    [
      'Cannot parse delayAbortEval 10 of threshold "rate>0.9" on checks: expected a duration such as "10s" or a number of milliseconds',
      'Cannot parse delayAbortEval 1 of threshold {"a":1} on checks: expected a duration such as "10s" or a number of milliseconds',
      'Cannot parse threshold #2 on checks: expected a string such as "p(95)<200" or an object with a "threshold" string',
    ],
  );
});

Deno.test("validate() checks every aggregation against the metric type as k6 does", () => {
  withRegistry((r) => {
    r.define("my_gauge", "gauge");
    const set = ThresholdSet.parse({
      http_reqs: ["count>1", "rate>1", "p(95)<1", "avg<1", "value<1"],
      http_req_failed: ["rate<0.1", "count<1", "value<1"],
      http_req_duration: ["avg<1", "min<1", "max<1", "med<1", "p(99.9)<1", "rate<1", "count<1"],
      my_gauge: ["value<1", "rate<1"],
      nope: ["count<1", "avg<2"],
      "nope{a:b}": ["count<1"],
    });
    assert.deepEqual(set.validate(r), [
      'Cannot use threshold "p(95)<1" on http_reqs: p(N) is not supported on counter metrics; use count or rate',
      'Cannot use threshold "avg<1" on http_reqs: avg is not supported on counter metrics; use count or rate',
      'Cannot use threshold "value<1" on http_reqs: value is not supported on counter metrics; use count or rate',
      'Cannot use threshold "count<1" on http_req_failed: count is not supported on rate metrics; use rate',
      'Cannot use threshold "value<1" on http_req_failed: value is not supported on rate metrics; use rate',
      'Cannot use threshold "rate<1" on http_req_duration: rate is not supported on trend metrics; use avg, min, max, med or p(N)',
      'Cannot use threshold "count<1" on http_req_duration: count is not supported on trend metrics; use avg, min, max, med or p(N)',
      'Cannot use threshold "rate<1" on my_gauge: rate is not supported on gauge metrics; use value',
      'Cannot apply thresholds to "nope": no metric named "nope" is defined; define it in the script or fix the name',
      'Cannot apply thresholds to "nope{a:b}": no metric named "nope" is defined; define it in the script or fix the name',
    ]);
    assert.throws(() => set.register(r), ThresholdConfigError);
  });
});

Deno.test("evaluate() computes each aggregation and applies the operator", () => {
  withRegistry((r, clock) => {
    r.define("queue", "gauge");
    const set = parseThresholds(
      {
        http_reqs: ["count==10", "count===10", "count!=10", "rate>=5", "rate<5"],
        http_req_failed: ["rate<=0.2", "rate<0.2"],
        http_req_duration: [
          "avg==55",
          "min>=10",
          "max<100",
          "med<=50.1",
          "p(90)<90.1",
          "p(99.9)>=100",
        ],
        queue: ["value>3", "value<3"],
      },
      r,
    );
    for (let i = 1; i <= 10; i++) {
      r.add("http_reqs", 1);
      r.add("http_req_duration", i * 10);
      r.add("http_req_failed", i <= 2 ? 1 : 0);
    }
    r.add("queue", 4);
    clock.tick(2_000);
    const results = set.evaluate(r);
    assert.deepEqual(
      results.map((x) => [x.metric, x.source, x.ok]),
      [
        ["http_reqs", "count==10", true],
        ["http_reqs", "count===10", true],
        ["http_reqs", "count!=10", false],
        ["http_reqs", "rate>=5", true],
        ["http_reqs", "rate<5", false],
        ["http_req_failed", "rate<=0.2", true],
        ["http_req_failed", "rate<0.2", false],
        ["http_req_duration", "avg==55", true],
        ["http_req_duration", "min>=10", true],
        ["http_req_duration", "max<100", false],
        ["http_req_duration", "med<=50.1", true],
        ["http_req_duration", "p(90)<90.1", true],
        ["http_req_duration", "p(99.9)>=100", true],
        ["queue", "value>3", true],
        ["queue", "value<3", false],
      ],
    );
    const p90 = results.find((x) => x.source === "p(90)<90.1")!;
    assert.equal(p90.aggregation, "p(90)");
    assert.ok(Math.abs(p90.observed - 90) <= 0.1);
    assert.equal(results.find((x) => x.source === "rate>=5")!.observed, 5);
    assert.equal(thresholdsFailed(results), true);
    assert.equal(thresholdsFailed(results.filter((x) => x.ok)), false);
  });
});

Deno.test("evaluate() reads sub-metrics registered from threshold keys", () => {
  withRegistry((r) => {
    const set = parseThresholds(
      {
        "http_req_duration{name:refresh}": ["p(95)<100"],
        "http_req_duration{ name : send }": ["p(95)<100"],
      },
      r,
    );
    for (let i = 0; i < 100; i++) {
      r.add("http_req_duration", 50, { name: "refresh", status: "200" });
      r.add("http_req_duration", 500, { name: "send", status: "200" });
    }
    const [refresh, send] = set.evaluate(r);
    assert.equal(refresh.ok, true);
    assert.equal(refresh.observed, 50);
    assert.equal(send.ok, false);
    assert.equal(send.observed, 500);
    assert.ok(r.find("http_req_duration{name:refresh}")!.observed);
  });
});

Deno.test("evaluate() fails thresholds it cannot evaluate instead of throwing", () => {
  withRegistry((r) => {
    const set = ThresholdSet.parse({ "http_reqs{status:200}": ["count>0"], nope: ["count>0"] });
    const results = set.evaluate(r);
    assert.deepEqual(results.map((x) => [x.ok, x.error]), [
      [false, "sub-metric http_reqs{status:200} was not registered before the run"],
      [false, 'no metric named "nope" is defined'],
    ]);
  });
});

Deno.test("evaluate() treats empty metrics as k6 does at the end of the run", () => {
  withRegistry((r) => {
    const set = parseThresholds(
      { http_req_duration: ["p(95)<200"], http_req_failed: ["rate<0.01"], http_reqs: ["count>0"] },
      r,
    );
    assert.deepEqual(set.evaluate(r).map((x) => [x.observed, x.ok]), [[0, true], [0, true], [
      0,
      false,
    ]]);
  });
});

Deno.test("checkAbort() aborts on a failing abortOnFail threshold once delayAbortEval is over", () => {
  withRegistry((r) => {
    const set = parseThresholds(
      {
        http_req_failed: [{ threshold: "rate<0.1", abortOnFail: true, delayAbortEval: "10s" }],
        http_req_duration: ["p(95)<1"], // fails, but has no abortOnFail
        checks: [{ threshold: "rate>0.5", abortOnFail: true }], // no samples yet: skipped
      },
      r,
    );
    assert.deepEqual(set.checkAbort(r, 1_000), { abort: false, breached: [] });
    r.add("http_req_duration", 50);
    r.add("http_req_failed", 1);
    const early = set.checkAbort(r, 5_000);
    assert.equal(early.abort, false, "still within delayAbortEval");
    assert.deepEqual(early.breached.map((b) => b.source), ["rate<0.1"]);
    assert.equal(set.checkAbort(r, 10_000).abort, false, "k6 aborts only after the delay");
    const late = set.checkAbort(r, 10_001);
    assert.equal(late.abort, true);
    assert.equal(
      late.message,
      "Thresholds on metrics 'http_req_failed' were breached; at least one has abortOnFail enabled, so the test stopped early",
    );
    r.add("checks", 0, { check: "c", group: "" });
    const now = set.checkAbort(r, 1);
    assert.equal(now.abort, true, "no delay: abort at once");
    assert.deepEqual(now.breached.map((b) => b.metric), ["http_req_failed", "checks"]);
    assert.match(now.message!, /^Thresholds on metrics 'checks' were breached/);
  });
});

Deno.test("checkAbort() uses the elapsed time for counter rates", () => {
  withRegistry((r) => {
    const set = parseThresholds({ http_reqs: [{ threshold: "rate>10", abortOnFail: true }] }, r);
    for (let i = 0; i < 50; i++) r.add("http_reqs", 1);
    assert.equal(set.checkAbort(r, 2_000).abort, false, "25/s");
    assert.equal(set.checkAbort(r, 10_000).abort, true, "5/s");
  });
});
