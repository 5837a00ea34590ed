import assert from "node:assert/strict";
import { formatDuration, parseDuration, tryParseDuration } from "./_duration.ts";

Deno.test("parseDuration() reads k6 duration strings and milliseconds", () => {
  const cases: [unknown, number][] = [
    ["30s", 30_000],
    ["1m30s", 90_000],
    ["500ms", 500],
    ["1.5s", 1500],
    [".5s", 500],
    ["1h", 3_600_000],
    ["2h45m", 9_900_000],
    ["250us", 0.25],
    ["250µs", 0.25],
    ["1000000ns", 1],
    ["1d", 86_400_000],
    ["1d12h", 129_600_000],
    ["-2s", -2000],
    ["+2s", 2000],
    ["0", 0],
    ["500", 500],
    ["1.5", 1.5],
    [" 10s ", 10_000],
    [1500, 1500],
    [0, 0],
  ];
  for (const [input, expected] of cases) {
    assert.equal(parseDuration(input), expected, String(input));
  }
});

Deno.test("parseDuration() says what it expected when it cannot parse", () => {
  assert.throws(() => parseDuration("10x"), {
    message:
      'Cannot parse duration "10x": unknown unit "x" at position 2; expected a value such as "30s", "1m30s", "500ms" or a number of milliseconds',
  });
  assert.throws(() => parseDuration("1m30"), { message: /missing unit after "30"/ });
  assert.throws(() => parseDuration("1m-3s"), { message: /no number at position 2;/ });
  assert.throws(() => parseDuration(""), { message: /Cannot parse duration "": it is empty/ });
  assert.throws(() => parseDuration(null), {
    message:
      'Cannot parse duration null: expected a string such as "30s" or a number of milliseconds',
  });
  assert.throws(() => parseDuration(Infinity), { message: /expected a finite number/ });
  assert.deepEqual(tryParseDuration("1s"), { ms: 1000 });
  assert.ok("problem" in tryParseDuration("s"));
});

Deno.test("formatDuration() prints durations like k6 (Go time.Duration)", () => {
  const cases: [number, string][] = [
    [0, "0s"],
    [500, "500ms"],
    [1500, "1.5s"],
    [30_000, "30s"],
    [90_000, "1m30s"],
    [600_000, "10m0s"],
    [3_600_000, "1h0m0s"],
    [86_400_000, "24h0m0s"],
    [0.5, "500µs"],
    [0.000_5, "500ns"],
    [1.25, "1.25ms"],
    [-2000, "-2s"],
  ];
  for (const [ms, expected] of cases) assert.equal(formatDuration(ms), expected, String(ms));
});
