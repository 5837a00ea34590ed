import assert from "node:assert/strict";
import { DurationError, formatDuration, parseDuration } from "./duration.ts";

Deno.test("parseDuration() reads Go durations with every unit", () => {
  assert.equal(parseDuration("1m30s"), 90_000);
  assert.equal(parseDuration("300ms"), 300);
  assert.equal(parseDuration("1.5h"), 5_400_000);
  assert.equal(parseDuration("2h45m30.5s"), 9_930_500);
  assert.equal(parseDuration("-1m"), -60_000);
  assert.equal(parseDuration("+5s"), 5_000);
  assert.equal(parseDuration(".5s"), 500);
  assert.equal(parseDuration("1.s"), 1_000);
  assert.equal(parseDuration("100us"), 0.1);
  assert.equal(parseDuration("100µs"), 0.1);
  assert.equal(parseDuration("100μs"), 0.1);
  assert.equal(parseDuration("250000ns"), 0.25);
  assert.equal(parseDuration("0"), 0);
  assert.equal(parseDuration("1h1m1s1ms"), 3_661_001);
});

Deno.test("parseDuration() treats bare numbers as milliseconds as k6 options do", () => {
  assert.equal(parseDuration(250), 250);
  assert.equal(parseDuration("1500"), 1_500);
  assert.equal(parseDuration("0.5"), 0.5);
  assert.equal(parseDuration(" 42 "), 42);
});

Deno.test("parseDuration() accepts k6 days", () => {
  assert.equal(parseDuration("1d"), 86_400_000);
  assert.equal(parseDuration("2d12h"), 2 * 86_400_000 + 12 * 3_600_000);
  assert.equal(parseDuration("-1d2h"), -(86_400_000 + 2 * 3_600_000));
});

Deno.test("parseDuration() names the position of the problem when the input is not a duration", () => {
  const cases: Array<[string, RegExp]> = [
    ["5x", /unknown unit "x" \(expected ns, us, ms, s, m or h\) at position 2/],
    ["1h 30m", /unknown unit "h " .* at position 2/],
    ["abc", /expected a number at position 1/],
    ["", /the value is empty/],
    ["-", /expected a number at position 2/],
    ["1.5d", /expected a whole number of days before "d" at position 1/],
    ["1d-2h", /the part after the days cannot be negative at position 3/],
    ["1m5", /missing unit after "5" at position 4/],
  ];
  for (const [input, message] of cases) {
    assert.throws(() => parseDuration(input), (e: unknown) => {
      assert.ok(e instanceof DurationError, `${input}: ${e}`);
      assert.match(e.message, message, input);
      assert.match(e.message, /^Cannot parse duration /);
      return true;
    });
  }
  assert.throws(() => parseDuration(NaN), /expected a finite number of milliseconds/);
  assert.throws(() => parseDuration(null as unknown as string), /expected a string/);
});

Deno.test("formatDuration() prints durations like Go's Duration.String()", () => {
  assert.equal(formatDuration(0), "0s");
  assert.equal(formatDuration(90_000), "1m30s");
  assert.equal(formatDuration(3_600_000), "1h0m0s");
  assert.equal(formatDuration(500), "500ms");
  assert.equal(formatDuration(1_500), "1.5s");
  assert.equal(formatDuration(0.25), "250µs");
  assert.equal(formatDuration(-30_000), "-30s");
  for (const ms of [90_000, 1_500, 3_661_001, 0.25]) {
    assert.equal(parseDuration(formatDuration(ms)), ms);
  }
});
