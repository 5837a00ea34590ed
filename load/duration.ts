/**
 * Duration parsing and formatting with k6 semantics.
 *
 * k6 options accept durations in three forms (see k6 `lib/types.ParseExtendedDuration`):
 *
 * - a JSON number, or a string holding only a number: milliseconds (`500`, `"1500"`, `"0.5"`);
 * - a Go duration (`time.ParseDuration`): an optional sign, then one or more decimal numbers each
 *   followed by a unit, with no spaces in between: `"300ms"`, `"1m30s"`, `"1.5h"`, `"-2h45m"`,
 *   `"0"`. Units: `ns`, `us` (also `µs`, `μs`), `ms`, `s`, `m`, `h`;
 * - a whole number of days followed by `d` and an optional Go duration: `"2d"`, `"1d12h"`.
 *
 * All functions here work in milliseconds, as floating-point numbers (`"250us"` is `0.25`).
 *
 * @module
 */

const _UNITS_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  "µs": 1e-3, // U+00B5 micro sign
  "μs": 1e-3, // U+03BC Greek small letter mu
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
};

const _DAY_MS = 86_400_000;

/** Thrown by {@linkcode parseDuration} when its input is not a k6 duration. */
export class DurationError extends Error {
  /** 1-based character position in the input where the problem was found, when known. */
  readonly position: number | undefined;

  /** Creates the error; `position` is 1-based. */
  constructor(message: string, position?: number) {
    super(message);
    this.name = "DurationError";
    this.position = position;
  }
}

function _isDigit(c: string): boolean {
  return c >= "0" && c <= "9";
}

function _fail(input: string, reason: string, index?: number): never {
  const at = index === undefined ? "" : ` at position ${index + 1}`;
  throw new DurationError(
    `Cannot parse duration "${input}": ${reason}${at}; use a number of milliseconds or a value such as "1m30s", "500ms" or "1d12h"`,
    index === undefined ? undefined : index + 1,
  );
}

/**
 * Parses a Go duration (no days) starting at `offset` of `whole`; returns milliseconds.
 * Positions in error messages refer to `whole`.
 */
function _parseGoDuration(whole: string, offset: number): number {
  let i = offset;
  let sign = 1;
  if (whole[i] === "-" || whole[i] === "+") {
    if (whole[i] === "-") sign = -1;
    i++;
  }
  if (i === whole.length) _fail(whole, "expected a number", i);
  if (whole.slice(i) === "0") return 0;
  let total = 0;
  while (i < whole.length) {
    const numberStart = i;
    while (i < whole.length && _isDigit(whole[i])) i++;
    const hasInteger = i > numberStart;
    let hasFraction = false;
    if (whole[i] === ".") {
      i++;
      const fractionStart = i;
      while (i < whole.length && _isDigit(whole[i])) i++;
      hasFraction = i > fractionStart;
    }
    if (!hasInteger && !hasFraction) _fail(whole, "expected a number", numberStart);
    const numberText = whole.slice(numberStart, i);
    const unitStart = i;
    while (i < whole.length && whole[i] !== "." && !_isDigit(whole[i])) i++;
    if (i === unitStart) _fail(whole, `missing unit after "${numberText}"`, unitStart);
    const unit = whole.slice(unitStart, i);
    const factor = _UNITS_MS[unit];
    if (factor === undefined) {
      _fail(whole, `unknown unit "${unit}" (expected ns, us, ms, s, m or h)`, unitStart);
    }
    total += Number(numberText) * factor;
  }
  return sign * total;
}

/**
 * Parses a k6 duration and returns it in milliseconds.
 *
 * @example
 * ```ts
 * parseDuration("1m30s"); // 90000
 * parseDuration("1d2h"); // 93600000
 * parseDuration(250); // 250 (bare numbers are milliseconds, as in k6 options)
 * parseDuration("100us"); // 0.1
 * ```
 * @throws {DurationError} when the input is not a duration; the message names the position.
 */
export function parseDuration(input: string | number): number {
  if (typeof input === "number") {
    if (!Number.isFinite(input)) {
      throw new DurationError(
        `Cannot parse duration ${input}: expected a finite number of milliseconds`,
      );
    }
    return input;
  }
  if (typeof input !== "string") {
    throw new DurationError(
      `Cannot parse duration ${
        JSON.stringify(input)
      }: expected a string such as "30s" or a number of milliseconds`,
    );
  }
  const text = input.trim();
  if (text === "") _fail(input, "the value is empty");
  // A bare number (possibly signed, possibly fractional, possibly with an exponent) is milliseconds.
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return Number(text);

  const dayIndex = text.indexOf("d");
  if (dayIndex < 0) return _parseGoDuration(text, 0);

  const daysText = text.slice(0, dayIndex);
  if (!/^[+-]?\d+$/.test(daysText)) {
    _fail(text, 'expected a whole number of days before "d"', 0);
  }
  const days = Number(daysText);
  let rest = 0;
  if (dayIndex + 1 < text.length) {
    rest = _parseGoDuration(text, dayIndex + 1);
    if (rest < 0) _fail(text, "the part after the days cannot be negative", dayIndex + 1);
  }
  const negative = daysText.startsWith("-");
  return days * _DAY_MS + (negative ? -rest : rest);
}

/**
 * Formats milliseconds the way Go's `time.Duration.String()` does, which is how k6 prints
 * durations in its execution plan: `"1m30s"`, `"1h0m0s"`, `"500ms"`, `"1.5s"`, `"0s"`.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms === 0) return "0s";
  const sign = ms < 0 ? "-" : "";
  let rest = Math.abs(ms);
  if (rest < 1) {
    const us = rest * 1000;
    if (us < 1) return `${sign}${_trimNumber(us * 1000)}ns`;
    return `${sign}${_trimNumber(us)}µs`;
  }
  if (rest < 1000) return `${sign}${_trimNumber(rest)}ms`;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = `${_trimNumber(rest / 1000)}s`;
  if (hours > 0) return `${sign}${hours}h${minutes}m${seconds}`;
  if (minutes > 0) return `${sign}${minutes}m${seconds}`;
  return `${sign}${seconds}`;
}

function _trimNumber(n: number): string {
  return String(Number(n.toFixed(9)));
}
