/**
 * k6 duration values for executor options, private to `load/executors/`.
 *
 * Grammar (k6's `types.ParseExtendedDuration`, i.e. Go's `time.ParseDuration` plus days and
 * bare milliseconds):
 *
 * ```
 * duration  = number                              ; JSON number: milliseconds
 *           | sign? decimal                       ; string without a unit: milliseconds ("500")
 *           | sign? days? go-duration?            ; "1d", "1d12h", "1m30s", "-2s"
 * days      = digits "d"
 * go-duration = "0" | ( decimal unit )+
 * decimal   = digits ( "." digits? )? | "." digits
 * unit      = "ns" | "us" | "µs" | "μs" | "ms" | "s" | "m" | "h"
 * ```
 *
 * @module
 */

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  "µs": 1e-3, // U+00B5 micro sign
  "μs": 1e-3, // U+03BC Greek mu
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const BARE_NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const GO_PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

const EXPECTED = `expected a value such as "30s", "1m30s", "500ms" or a number of milliseconds`;

/** A parse failure; `detail` says what is wrong without repeating the input. */
class _DurationProblem extends Error {
  constructor(readonly detail: string) {
    super(detail);
  }
}

function _expected(detail: string): Error {
  return new _DurationProblem(`${detail}; ${EXPECTED}`);
}

/** Parses Go duration syntax (without the sign); returns milliseconds. */
function _parseGo(text: string, original: string): number {
  if (text === "0") return 0;
  if (text === "") throw _expected("missing value");
  let total = 0;
  GO_PART.lastIndex = 0;
  let position = 0;
  while (position < text.length) {
    GO_PART.lastIndex = position;
    const match = GO_PART.exec(text);
    if (!match) {
      const rest = text.slice(position);
      const numeric = /^(\d+(\.\d*)?|\.\d+)?/.exec(rest)![0];
      const at = original.length - text.length + position + numeric.length;
      if (numeric.length === rest.length) throw _expected(`missing unit after "${numeric}"`);
      if (numeric === "") throw _expected(`no number at position ${at}`);
      const unit = /^[^\d.]+/.exec(rest.slice(numeric.length))![0];
      throw _expected(`unknown unit "${unit}" at position ${at}`);
    }
    total += Number(match[1]) * UNIT_MS[match[2]];
    position = GO_PART.lastIndex;
  }
  return total;
}

/**
 * Parses a k6 duration (a string like `"1m30s"`, `"1d2h"`, `"500ms"`, `"500"`, or a number of
 * milliseconds) and returns milliseconds. Negative values are returned as such (validation
 * decides whether they are allowed). Throws an `Error` like
 * `Cannot parse duration "5x": unexpected "x" at position 1; expected a value such as ...`.
 */
export function parseDuration(input: unknown): number {
  const result = tryParseDuration(input);
  if ("ms" in result) return result.ms;
  throw new Error(`Cannot parse duration ${_show(input)}: ${result.problem}`);
}

/**
 * Like {@linkcode parseDuration}, but returns `{ms}` or `{problem}` (what is wrong and what was
 * expected, without repeating the input) instead of throwing.
 */
export function tryParseDuration(input: unknown): { ms: number } | { problem: string } {
  try {
    return { ms: _parse(input) };
  } catch (error) {
    if (error instanceof _DurationProblem) return { problem: error.detail };
    throw error;
  }
}

function _parse(input: unknown): number {
  if (typeof input === "number") {
    if (!Number.isFinite(input)) {
      throw new _DurationProblem("expected a finite number of milliseconds");
    }
    return input;
  }
  if (typeof input !== "string") {
    throw new _DurationProblem(`expected a string such as "30s" or a number of milliseconds`);
  }
  const text = input.trim();
  if (text === "") throw _expected("it is empty");
  if (BARE_NUMBER.test(text)) return Number(text);

  let sign = 1;
  let body = text;
  if (body[0] === "-" || body[0] === "+") {
    sign = body[0] === "-" ? -1 : 1;
    body = body.slice(1);
  }
  let days = 0;
  const dayMatch = /^(\d+)d/.exec(body);
  if (dayMatch) {
    days = Number(dayMatch[1]);
    body = body.slice(dayMatch[0].length);
    if (body === "") return sign * days * 86_400_000;
  }
  return sign * (days * 86_400_000 + _parseGo(body, text));
}

function _show(value: unknown): string {
  if (value === undefined) return "undefined";
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Formats a decimal fraction like Go: digits without trailing zeros. */
function _fraction(value: bigint, digits: number): string {
  const text = value.toString().padStart(digits, "0").replace(/0+$/, "");
  return text === "" ? "" : "." + text;
}

/**
 * Formats milliseconds the way k6 prints durations (Go's `time.Duration.String`):
 * `"0s"`, `"500ms"`, `"1.5s"`, `"30s"`, `"1m30s"`, `"10m0s"`, `"1h0m0s"`.
 */
export function formatDuration(ms: number): string {
  let ns = BigInt(Math.round(ms * 1e6));
  if (ns === 0n) return "0s";
  let sign = "";
  if (ns < 0n) {
    sign = "-";
    ns = -ns;
  }
  if (ns < 1_000n) return `${sign}${ns}ns`;
  if (ns < 1_000_000n) return `${sign}${ns / 1_000n}${_fraction(ns % 1_000n, 3)}µs`;
  if (ns < 1_000_000_000n) {
    return `${sign}${ns / 1_000_000n}${_fraction(ns % 1_000_000n, 6)}ms`;
  }
  const seconds = ns / 1_000_000_000n;
  const secondsText = `${seconds % 60n}${_fraction(ns % 1_000_000_000n, 9)}s`;
  const minutes = seconds / 60n;
  if (minutes === 0n) return sign + secondsText;
  const hours = minutes / 60n;
  if (hours === 0n) return `${sign}${minutes}m${secondsText}`;
  return `${sign}${hours}h${minutes % 60n}m${secondsText}`;
}
