/**
 * Property-based tests (fast-check) of the threshold parser: whatever a script puts in
 * `options.thresholds`, parsing either succeeds or fails with a clean ThresholdSyntaxError /
 * ThresholdConfigError, and valid expressions parse to what they say. Seeds are random; a
 * failure prints the seed and the shrunk counterexample to replay it with `{ seed, path }`.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { MetricsRegistry } from "./metrics.ts";
import {
  compareThreshold,
  type Operator,
  parseThresholdExpression,
  ThresholdConfigError,
  type ThresholdExpression,
  ThresholdSet,
  ThresholdSyntaxError,
} from "./thresholds.ts";

/** Runs per property; `FUZZ_RUNS=20000 npx deno test -A load/thresholds_fuzz_test.ts` digs deeper. */
const RUNS = Number(Deno.env.get("FUZZ_RUNS") ?? 500);
const OPERATORS: Operator[] = ["<", "<=", ">", ">=", "==", "===", "!="];
const KEYWORDS = ["count", "rate", "value", "avg", "min", "max", "med"] as const;

/** Whitespace the grammar allows between tokens. */
const ws = fc.string({ unit: fc.constantFrom(" ", "\t", "\n", "\r"), maxLength: 3 });

/** Digits, possibly with a fraction, as the grammar's mantissa. */
const digits = fc.string({ unit: fc.constantFrom(..."0123456789"), minLength: 1, maxLength: 6 });

/** A number as text in the forms the grammar accepts. */
const numberText = fc.oneof(
  fc.integer({ min: -1_000_000, max: 1_000_000 }).map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
  fc.tuple(
    fc.constantFrom("", "+", "-"),
    digits,
    fc.option(
      fc.tuple(
        fc.constantFrom(".", ""),
        fc.string({ unit: fc.constantFrom(..."0123456789"), maxLength: 4 }),
      ),
    ),
    fc.option(fc.tuple(fc.constantFrom("e", "E"), fc.constantFrom("", "+", "-"), digits)),
  ).map(([sign, int, frac, exp]) =>
    sign + int + (frac ? frac[0] + (frac[0] === "" ? "" : frac[1]) : "") +
    (exp ? exp[0] + exp[1] + exp[2] : "")
  ),
  fc.tuple(fc.constantFrom("", "-"), digits).map(([sign, d]) => `${sign}.${d}`),
);

/** A percentile as text, 0 to 100. */
const percentileText = fc.oneof(
  fc.integer({ min: 0, max: 100 }).map(String),
  fc.double({ min: 0, max: 100, noNaN: true }).map(String),
  fc.constantFrom("99.9", "0.5", "100.0", "1e1", ".5", "+50", "95"),
);

/** A valid expression with the parts it was built from. */
const validExpression = fc.record({
  agg: fc.oneof(
    fc.constantFrom(...KEYWORDS).map((k) => ({
      text: k,
      key: k,
      percentile: null as string | null,
    })),
    fc.tuple(ws, ws, percentileText, ws).map(([a, b, p, c]) => ({
      text: `p${a}(${b}${p}${c})`,
      key: "p",
      percentile: p as string | null,
    })),
  ),
  op: fc.constantFrom(...OPERATORS),
  value: numberText,
  spaces: fc.tuple(ws, ws, ws, ws),
}).map((e) => ({
  ...e,
  source: `${e.spaces[0]}${e.agg.text}${e.spaces[1]}${e.op}${e.spaces[2]}${e.value}${e.spaces[3]}`,
}));

/** Characters the grammar uses, so mutations stay close to valid input. */
const grammarChar = fc.constantFrom(..."pcountrvalegmdix()<>=!+-.eE0123456789 \t_");

/** Parses, and asserts that any failure is a ThresholdSyntaxError with a sane position. */
function _parseOrSyntaxError(source: string): ThresholdExpression | null {
  try {
    const parsed = parseThresholdExpression(source);
    assert.equal(typeof parsed.value, "number");
    assert.ok(!Number.isNaN(parsed.value), "a parsed value is never NaN");
    return parsed;
  } catch (e) {
    if (!(e instanceof ThresholdSyntaxError)) throw e;
    assert.ok(
      e.position >= 1 && e.position <= source.length + 1,
      `position ${e.position} in ${JSON.stringify(source)}`,
    );
    assert.match(e.message, /^Cannot parse threshold ".*": .+ at position \d+$/s);
    return null;
  }
}

Deno.test("parseThresholdExpression() returns or throws ThresholdSyntaxError for any string", () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string({ unit: "binary", maxLength: 40 }),
        fc.string({ unit: "grapheme", maxLength: 40 }),
        fc.string({ unit: grammarChar, maxLength: 30 }),
      ),
      (source) => {
        _parseOrSyntaxError(source);
      },
    ),
    { numRuns: RUNS },
  );
});

Deno.test("parseThresholdExpression() reads generated valid expressions as written", () => {
  fc.assert(
    fc.property(validExpression, (e) => {
      const parsed = parseThresholdExpression(e.source);
      assert.equal(parsed.source, e.source);
      assert.equal(parsed.aggregation, e.agg.key);
      assert.equal(parsed.operator, e.op);
      assert.ok(Object.is(parsed.value, Number(e.value)), `${parsed.value} vs ${e.value}`);
      if (e.agg.percentile === null) {
        assert.equal(parsed.percentile, null);
        assert.equal(parsed.key, e.agg.key);
      } else {
        assert.equal(parsed.percentile, Number(e.agg.percentile));
        assert.equal(parsed.key, `p(${Number(e.agg.percentile)})`);
      }
    }),
    { numRuns: RUNS },
  );
});

Deno.test("parseThresholdExpression() round-trips: key, operator and value parse back the same", () => {
  fc.assert(
    fc.property(validExpression, (e) => {
      const parsed = parseThresholdExpression(e.source);
      fc.pre(Number.isFinite(parsed.value));
      const value = Object.is(parsed.value, -0) ? "-0" : String(parsed.value);
      const again = parseThresholdExpression(`${parsed.key}${parsed.operator}${value}`);
      assert.deepEqual(
        { ...again, source: "" },
        { ...parsed, source: "" },
      );
      // The parsed value compares as the operator says against itself.
      const v = parsed.value;
      const reflexive = ["<=", ">=", "==", "==="].includes(parsed.operator);
      assert.equal(compareThreshold(v, parsed.operator, v), reflexive);
    }),
    { numRuns: RUNS },
  );
});

Deno.test("parseThresholdExpression() fails cleanly on mutations of valid expressions", () => {
  const mutation = fc.tuple(
    validExpression,
    fc.array(
      fc.tuple(fc.constantFrom("insert", "delete", "replace", "swap"), fc.nat(), grammarChar),
      { minLength: 1, maxLength: 4 },
    ),
  ).map(([e, edits]) => {
    let s = e.source;
    for (const [kind, at, ch] of edits) {
      const i = s.length === 0 ? 0 : at % (s.length + (kind === "insert" ? 1 : 0));
      if (kind === "insert") s = s.slice(0, i) + ch + s.slice(i);
      else if (kind === "delete") s = s.slice(0, i) + s.slice(i + 1);
      else if (kind === "replace") s = s.slice(0, i) + ch + s.slice(i + 1);
      else if (i + 1 < s.length) s = s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2);
    }
    return s;
  });
  fc.assert(
    fc.property(mutation, (source) => {
      _parseOrSyntaxError(source);
    }),
    { numRuns: RUNS },
  );
});

/** Anything at all, including values a script could build that are not plain JSON. */
const anything = fc.anything({
  maxDepth: 3,
  withNullPrototype: true,
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withSparseArray: true,
  withTypedArray: true,
  withObjectString: true,
});

/** Metric keys: plausible names and selectors, and arbitrary text. */
const metricKey = fc.oneof(
  fc.constantFrom(
    "http_req_duration",
    "http_req_failed",
    "checks",
    "http_reqs",
    "iterations",
    "custom_trend",
    "http_req_duration{name:send}",
    "http_req_duration{ scenario : s , status:200}",
    "http_reqs{error_code:1050}",
  ),
  fc.tuple(
    fc.constantFrom("http_req_duration", "checks", "x"),
    fc.string({ unit: fc.constantFrom(..."{}:,'\" abc09"), maxLength: 12 }),
  ).map(([name, rest]) => name + rest),
  fc.string({ maxLength: 20 }),
);

/** Threshold entries: valid expressions, strings, objects in k6's form, anything. */
const entry = fc.oneof(
  validExpression.map((e) => e.source),
  fc.string({ maxLength: 20 }),
  fc.record({
    threshold: fc.oneof(validExpression.map((e) => e.source), anything),
    abortOnFail: fc.oneof(fc.boolean(), anything),
    delayAbortEval: fc.oneof(fc.constantFrom("10s", "1m30s", 500, "-1s", "soon"), anything),
  }, { requiredKeys: [] }),
  anything,
);

/** A thresholds configuration: mostly plausible, sometimes anything at all. */
const config = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.dictionary(metricKey, fc.oneof(fc.array(entry, { maxLength: 4 }), anything), {
      maxKeys: 4,
    }),
  },
  { weight: 1, arbitrary: anything },
);

Deno.test("ThresholdSet.parse() returns or throws ThresholdConfigError for any configuration", () => {
  const registry = new MetricsRegistry();
  registry.defineBuiltins();
  try {
    fc.assert(
      fc.property(config, (value) => {
        let set: ThresholdSet;
        try {
          set = ThresholdSet.parse(value);
        } catch (e) {
          if (!(e instanceof ThresholdConfigError)) throw e;
          assert.ok(e.errors.length > 0);
          for (const m of e.errors) assert.equal(typeof m, "string");
          return;
        }
        for (const t of set.thresholds) {
          assert.equal(t.expression.source, t.source);
          assert.equal(typeof t.abortOnFail, "boolean");
        }
        // Validation against the built-in metrics reports problems as messages, never throws.
        for (const m of set.validate(registry)) assert.match(m, /^Cannot /);
      }),
      { numRuns: RUNS },
    );
  } finally {
    registry.destroy();
  }
});

Deno.test("ThresholdSet.parse() keeps every valid entry of a valid configuration", () => {
  const valid = fc.dictionary(
    fc.constantFrom("http_req_duration", "checks", "http_req_duration{name:send}", "iterations"),
    fc.array(
      fc.oneof(
        validExpression.map((e) => e.source),
        fc.record({
          threshold: validExpression.map((e) => e.source),
          abortOnFail: fc.boolean(),
          delayAbortEval: fc.constantFrom("10s", 2500, "1m"),
        }),
      ),
      { minLength: 1, maxLength: 3 },
    ),
    { minKeys: 1, maxKeys: 3 },
  );
  fc.assert(
    fc.property(valid, (value) => {
      const set = ThresholdSet.parse(value);
      const expected = Object.values(value).flat().map((e) =>
        typeof e === "string" ? e : e.threshold
      );
      assert.deepEqual(set.thresholds.map((t) => t.source), expected);
    }),
    { numRuns: RUNS },
  );
});
