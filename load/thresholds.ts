/**
 * Thresholds as k6 defines them: pass/fail criteria on metrics and sub-metrics, written in the
 * script's `options.thresholds`:
 *
 * ```ts
 * thresholds: {
 *   http_req_duration: ["p(95)<200"],
 *   "http_req_duration{name:refresh}": ["p(99.9) <= 500", "avg<100"],
 *   http_req_failed: [{ threshold: "rate<0.01", abortOnFail: true, delayAbortEval: "10s" }],
 * }
 * ```
 *
 * Which aggregation applies to which metric type follows k6 (`SUPPORTED_AGGREGATIONS`):
 * counters `count`, `rate` (per second); gauges `value`; rates `rate`; trends `avg`, `min`,
 * `max`, `med`, `p(N)`. `==` and `===` mean the same (values are numbers).
 *
 * During the run, {@linkcode ThresholdSet.checkAbort} evaluates only `abortOnFail` thresholds
 * of metrics that already have samples (k6 skips empty sinks while running); at the end,
 * {@linkcode ThresholdSet.evaluate} evaluates everything, empty metrics included (an empty
 * trend reads 0, an empty rate 0).
 *
 * @module
 */

import { parseDuration } from "./duration.ts";
import {
  type MetricsRegistry,
  type MetricType,
  type MetricView,
  parseMetricKey,
  SUPPORTED_AGGREGATIONS,
} from "./metrics.ts";

/** A threshold aggregation; `p` is `p(N)`. */
export type Aggregation = "count" | "rate" | "value" | "avg" | "min" | "max" | "med" | "p";
/** A threshold comparison operator. */
export type Operator = "<" | "<=" | ">" | ">=" | "==" | "===" | "!=";

/** A parsed threshold expression such as `p(99.9) < 200`. */
export interface ThresholdExpression {
  /** The expression as written. */
  source: string;
  /** The aggregation. */
  aggregation: Aggregation;
  /** The percentile of `p(N)`, else null. */
  percentile: number | null;
  /** The operator. */
  operator: Operator;
  /** The right-hand side. */
  value: number;
  /** The aggregation as k6 prints it: `p(99.9)`, `rate`, `avg`, ... */
  key: string;
}

/** Thrown by {@linkcode parseThresholdExpression}. */
export class ThresholdSyntaxError extends Error {
  /** The expression. */
  readonly source: string;
  /** What was expected (without the position). */
  readonly reason: string;
  /** 1-based character position in the expression. */
  readonly position: number;

  /** Creates the error; `metric` names the metric in the message when given. */
  constructor(source: string, reason: string, position: number, metric?: string) {
    super(
      `Cannot parse threshold ${JSON.stringify(source)}${
        metric === undefined ? "" : ` on ${metric}`
      }: ${reason} at position ${position}`,
    );
    this.name = "ThresholdSyntaxError";
    this.source = source;
    this.reason = reason;
    this.position = position;
  }
}

/** Thrown when a thresholds configuration is invalid; `errors` holds every problem found. */
export class ThresholdConfigError extends Error {
  /** One message per problem. */
  readonly errors: readonly string[];

  /** Creates the error from its messages. */
  constructor(errors: string[]) {
    super(errors.join("\n"));
    this.name = "ThresholdConfigError";
    this.errors = errors;
  }
}

const _KEYWORDS: readonly Aggregation[] = ["count", "rate", "value", "avg", "min", "max", "med"];
// Longest first, so "<=" is not read as "<" and "===" not as "==".
const _OPERATORS: readonly Operator[] = ["<=", "<", ">=", ">", "===", "==", "!="];

function _isWs(c: string | undefined): boolean {
  return c === " " || c === "\t" || c === "\n" || c === "\r";
}

function _isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= "0" && c <= "9";
}

/**
 * Parses a threshold expression.
 *
 * Grammar (BNF; k6's, extended with signs, exponents and whitespace anywhere between tokens):
 *
 * ```
 * threshold    ::= ws* aggregation ws* operator ws* number ws*
 * aggregation  ::= "count" | "rate" | "value" | "avg" | "min" | "max" | "med" | percentile
 * percentile   ::= "p" ws* "(" ws* number ws* ")"        ; 0 <= number <= 100
 * operator     ::= "<=" | "<" | ">=" | ">" | "===" | "==" | "!="
 * number       ::= sign? mantissa exponent?
 * sign         ::= "+" | "-"
 * mantissa     ::= digit+ ("." digit*)? | "." digit+
 * exponent     ::= ("e" | "E") sign? digit+
 * digit        ::= "0" | "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9"
 * ws           ::= " " | "\t" | "\n" | "\r"
 * ```
 *
 * @throws {ThresholdSyntaxError} with the 1-based position of the first problem, e.g.
 *   `Cannot parse threshold "p(95)<<200": expected a number at position 7`.
 */
export function parseThresholdExpression(source: string, metric?: string): ThresholdExpression {
  const s = String(source);
  let i = 0;
  const fail = (reason: string, at: number): never => {
    throw new ThresholdSyntaxError(s, reason, at + 1, metric);
  };
  const skipWs = () => {
    while (_isWs(s[i])) i++;
  };
  const describe = (at: number) => at >= s.length ? "the end" : JSON.stringify(s[at]);
  const number = (what: string): number => {
    const start = i;
    if (s[i] === "+" || s[i] === "-") i++;
    const intStart = i;
    while (_isDigit(s[i])) i++;
    let digits = i - intStart;
    if (s[i] === ".") {
      const dot = i;
      i++;
      const fracStart = i;
      while (_isDigit(s[i])) i++;
      digits += i - fracStart;
      if (digits === 0) i = dot;
    }
    if (digits === 0) {
      i = start;
      fail(`expected ${what}`, start);
    }
    if (s[i] === "e" || s[i] === "E") {
      const e = i;
      i++;
      if (s[i] === "+" || s[i] === "-") i++;
      if (!_isDigit(s[i])) fail("expected digits in the exponent", i);
      while (_isDigit(s[i])) i++;
      if (e === i) fail("expected digits in the exponent", i);
    }
    return Number(s.slice(start, i));
  };

  skipWs();
  const identStart = i;
  while (i < s.length && /[A-Za-z_]/.test(s[i])) i++;
  const ident = s.slice(identStart, i);
  let aggregation: Aggregation;
  let percentile: number | null = null;
  if (ident === "") {
    fail("expected an aggregation (count, rate, value, avg, min, max, med or p(N))", identStart);
  }
  if (ident === "p") {
    aggregation = "p";
    skipWs();
    if (s[i] !== "(") fail(`expected "(" after p, found ${describe(i)}`, i);
    i++;
    skipWs();
    const at = i;
    percentile = number("a percentile");
    if (!(percentile >= 0 && percentile <= 100)) {
      fail("expected a percentile between 0 and 100", at);
    }
    skipWs();
    if (s[i] !== ")") fail(`expected ")" after the percentile, found ${describe(i)}`, i);
    i++;
  } else if ((_KEYWORDS as readonly string[]).includes(ident)) {
    aggregation = ident as Aggregation;
  } else {
    fail(
      `unknown aggregation "${ident}"; expected count, rate, value, avg, min, max, med or p(N)`,
      identStart,
    );
  }
  skipWs();
  const op = _OPERATORS.find((o) => s.startsWith(o, i));
  if (op === undefined) {
    fail(`expected an operator (<, <=, >, >=, ==, ===, !=), found ${describe(i)}`, i);
  }
  i += op!.length;
  skipWs();
  const value = number("a number");
  skipWs();
  if (i < s.length) fail(`unexpected ${describe(i)} after the number`, i);
  return {
    source: s,
    aggregation: aggregation!,
    percentile,
    operator: op!,
    value,
    key: aggregation! === "p" ? `p(${percentile})` : aggregation!,
  };
}

/** Applies an operator: `lhs op rhs` (NaN never passes, except with `!=`, as in Go). */
export function compareThreshold(lhs: number, operator: Operator, rhs: number): boolean {
  switch (operator) {
    case "<":
      return lhs < rhs;
    case "<=":
      return lhs <= rhs;
    case ">":
      return lhs > rhs;
    case ">=":
      return lhs >= rhs;
    case "==":
    case "===":
      return lhs === rhs;
    case "!=":
      return lhs !== rhs;
  }
}

/** One threshold entry in object form, as in k6. */
export interface ThresholdConfigObject {
  /** The expression, e.g. `rate<0.01`. */
  threshold: string;
  /** Stop the test as soon as this threshold fails. */
  abortOnFail?: boolean;
  /** Do not abort before the run has lasted this long (a k6 duration such as `"10s"`). */
  delayAbortEval?: string | number;
}

/** A threshold entry: an expression or an object. */
export type ThresholdConfigEntry = string | ThresholdConfigObject;

/** `options.thresholds`: metric key (with optional tag selector) to its threshold entries. */
export type ThresholdsConfig = Record<string, ThresholdConfigEntry[]>;

/** One parsed threshold. */
export interface Threshold {
  /** The metric key as written, e.g. `http_req_duration{name:refresh}`. */
  metric: string;
  /** The metric name without selector. */
  metricName: string;
  /** The selector text, or null. */
  selector: string | null;
  /** The expression as written. */
  source: string;
  /** The parsed expression. */
  expression: ThresholdExpression;
  /** Abort the run when it fails. */
  abortOnFail: boolean;
  /** Minimum run time (ms) before an abort, or null for none. */
  delayAbortEvalMs: number | null;
}

/** The outcome of one threshold. */
export interface ThresholdResult {
  /** The metric key as written. */
  metric: string;
  /** The expression as written. */
  source: string;
  /** The aggregation as k6 prints it: `p(95)`, `rate`, ... */
  aggregation: string;
  /** The observed value of the aggregation (NaN when it could not be computed). */
  observed: number;
  /** Whether the threshold is satisfied. */
  ok: boolean;
  /** Whether it has abortOnFail. */
  abortOnFail: boolean;
  /** Why it could not be evaluated, when it could not. */
  error?: string;
}

/** The outcome of {@linkcode ThresholdSet.checkAbort}. */
export interface AbortDecision {
  /** True when the run must stop now. */
  abort: boolean;
  /** abortOnFail thresholds that currently fail (including those still in their delay). */
  breached: ThresholdResult[];
  /** A message for the user when `abort` is true. */
  message?: string;
}

/**
 * A value from the script's options for an error message: its JSON when it has one (shortened),
 * else its `String()`, else its type. Never throws (BigInt, cycles, null-prototype objects).
 */
function _show(value: unknown): string {
  try {
    const json = JSON.stringify(value);
    if (json !== undefined) return json.length > 80 ? `${json.slice(0, 77)}...` : json;
  } catch {
    // BigInt or a cycle: try String() below
  }
  try {
    return String(value);
  } catch {
    return `a value of type ${typeof value}`;
  }
}

function _aggregationLabel(a: Aggregation): string {
  return a === "p" ? "p(N)" : a;
}

function _supportedLabel(type: MetricType): string {
  const names = SUPPORTED_AGGREGATIONS[type].map((a) => a === "p" ? "p(N)" : a);
  return names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} or ${names.at(-1)}`;
}

/** The thresholds of a run. */
export class ThresholdSet {
  /** Every threshold, in configuration order. */
  readonly thresholds: readonly Threshold[];

  private constructor(thresholds: Threshold[]) {
    this.thresholds = thresholds;
  }

  /**
   * Parses a thresholds configuration (the value of `options.thresholds`; undefined or null
   * means none). Collects every problem before throwing.
   * @throws {ThresholdConfigError} listing every malformed key, entry or expression.
   */
  static parse(config: unknown): ThresholdSet {
    if (config === undefined || config === null) return new ThresholdSet([]);
    if (typeof config !== "object" || Array.isArray(config)) {
      throw new ThresholdConfigError([
        "Cannot parse thresholds: expected an object mapping metric names to arrays of expressions",
      ]);
    }
    const errors: string[] = [];
    const out: Threshold[] = [];
    for (const [metric, entries] of Object.entries(config as Record<string, unknown>)) {
      let metricName = metric;
      let selector: string | null = null;
      try {
        const parsed = parseMetricKey(metric);
        metricName = parsed.name;
        selector = parsed.selector;
      } catch (e) {
        errors.push((e as Error).message);
        continue;
      }
      if (!Array.isArray(entries)) {
        errors.push(
          `Cannot parse thresholds on ${metric}: expected an array of expressions such as ["p(95)<200"]`,
        );
        continue;
      }
      entries.forEach((entry: unknown, index: number) => {
        let source: unknown = entry;
        let abortOnFail = false;
        let delayAbortEvalMs: number | null = null;
        if (typeof entry === "object" && entry !== null) {
          const o = entry as Record<string, unknown>;
          source = o.threshold;
          if (o.abortOnFail !== undefined && typeof o.abortOnFail !== "boolean") {
            errors.push(
              `Cannot parse threshold #${
                index + 1
              } on ${metric}: abortOnFail must be true or false`,
            );
          } else {
            abortOnFail = o.abortOnFail === true;
          }
          if (o.delayAbortEval !== undefined && o.delayAbortEval !== null) {
            try {
              delayAbortEvalMs = parseDuration(o.delayAbortEval as string | number);
            } catch {
              errors.push(
                `Cannot parse delayAbortEval ${_show(o.delayAbortEval)} of threshold ${
                  _show(source)
                } on ${metric}: expected a duration such as "10s" or a number of milliseconds`,
              );
            }
          }
        }
        if (typeof source !== "string") {
          errors.push(
            `Cannot parse threshold #${
              index + 1
            } on ${metric}: expected a string such as "p(95)<200" or an object with a "threshold" string`,
          );
          return;
        }
        try {
          const expression = parseThresholdExpression(source, metric);
          out.push({
            metric,
            metricName,
            selector,
            source,
            expression,
            abortOnFail,
            delayAbortEvalMs,
          });
        } catch (e) {
          errors.push((e as Error).message);
        }
      });
    }
    if (errors.length > 0) throw new ThresholdConfigError(errors);
    return new ThresholdSet(out);
  }

  /** True when at least one threshold has abortOnFail. */
  get hasAbortOnFail(): boolean {
    return this.thresholds.some((t) => t.abortOnFail);
  }

  /**
   * Checks every threshold against the registry's metric definitions: the metric must exist
   * and its type must support the aggregation. Returns every problem (empty when valid).
   */
  validate(registry: MetricsRegistry): string[] {
    const errors: string[] = [];
    const unknown = new Set<string>();
    for (const t of this.thresholds) {
      const m = registry.get(t.metricName);
      if (m === undefined) {
        if (!unknown.has(t.metric)) {
          unknown.add(t.metric);
          errors.push(
            `Cannot apply thresholds to ${
              JSON.stringify(t.metric)
            }: no metric named "${t.metricName}" is defined; define it in the script or fix the name`,
          );
        }
        continue;
      }
      if (!SUPPORTED_AGGREGATIONS[m.type].includes(t.expression.aggregation)) {
        errors.push(
          `Cannot use threshold ${JSON.stringify(t.source)} on ${t.metric}: ${
            _aggregationLabel(t.expression.aggregation)
          } is not supported on ${m.type} metrics; use ${_supportedLabel(m.type)}`,
        );
      }
    }
    return errors;
  }

  /**
   * Validates, then registers the sub-metrics the thresholds name (before the run, so `add()`
   * feeds them) and marks every threshold metric observed (k6 shows them in the summary even
   * without samples).
   * @throws {ThresholdConfigError} with every problem {@linkcode validate} found.
   */
  register(registry: MetricsRegistry): void {
    const errors = this.validate(registry);
    if (errors.length > 0) throw new ThresholdConfigError(errors);
    for (const t of this.thresholds) {
      const view: MetricView = t.selector === null
        ? registry.get(t.metricName)!
        : registry.submetric(t.metric);
      registry.markObserved(view);
    }
  }

  /**
   * Evaluates every threshold. `durationMs` (default: the registry's run duration) is used for
   * counter rates. Never throws: a threshold that cannot be evaluated fails with `error` set.
   */
  evaluate(registry: MetricsRegistry, options: { durationMs?: number } = {}): ThresholdResult[] {
    const durationMs = options.durationMs ?? registry.durationMs();
    return this.thresholds.map((t) => this.#evaluateOne(registry, t, durationMs));
  }

  #evaluateOne(registry: MetricsRegistry, t: Threshold, durationMs: number): ThresholdResult {
    const base = {
      metric: t.metric,
      source: t.source,
      aggregation: t.expression.key,
      abortOnFail: t.abortOnFail,
    };
    const view = registry.find(t.metric);
    if (view === undefined) {
      return {
        ...base,
        observed: NaN,
        ok: false,
        error: registry.get(t.metricName) === undefined
          ? `no metric named "${t.metricName}" is defined`
          : `sub-metric ${t.metric} was not registered before the run`,
      };
    }
    const observed = view.aggregate(
      t.expression.aggregation,
      t.expression.percentile ?? 0,
      durationMs,
    );
    if (Number.isNaN(observed)) {
      return {
        ...base,
        observed,
        ok: false,
        error: `${
          _aggregationLabel(t.expression.aggregation)
        } is not supported on ${view.type} metrics`,
      };
    }
    return {
      ...base,
      observed,
      ok: compareThreshold(observed, t.expression.operator, t.expression.value),
    };
  }

  /**
   * For the runner to call periodically (k6 does every 2 s): evaluates the abortOnFail
   * thresholds whose metric has samples, using `elapsedMs` as the run duration, and decides
   * whether to abort: a failing threshold aborts unless its delayAbortEval is not yet over
   * (k6: abort when there is no delay or the delay is shorter than the elapsed time).
   */
  checkAbort(registry: MetricsRegistry, elapsedMs: number): AbortDecision {
    const breached: ThresholdResult[] = [];
    let abort = false;
    const metrics = new Set<string>();
    for (const t of this.thresholds) {
      if (!t.abortOnFail) continue;
      const view = registry.find(t.metric);
      if (view === undefined || view.isEmpty()) continue;
      const r = this.#evaluateOne(registry, t, elapsedMs);
      if (r.ok) continue;
      breached.push(r);
      if (t.delayAbortEvalMs === null || t.delayAbortEvalMs < elapsedMs) {
        abort = true;
        metrics.add(t.metric);
      }
    }
    if (!abort) return { abort, breached };
    return {
      abort,
      breached,
      message: `Thresholds on metrics ${
        [...metrics].sort().map((m) => `'${m}'`).join(", ")
      } were breached; at least one has abortOnFail enabled, so the test stopped early`,
    };
  }
}

/**
 * Parses a thresholds configuration and, when a registry is given, validates it against the
 * defined metrics and registers its sub-metrics.
 * @throws {ThresholdConfigError} with every problem found.
 */
export function parseThresholds(config: unknown, registry?: MetricsRegistry): ThresholdSet {
  const set = ThresholdSet.parse(config);
  if (registry !== undefined) set.register(registry);
  return set;
}

/** True when any result failed (the run then exits with code 99, as k6). */
export function thresholdsFailed(results: readonly ThresholdResult[]): boolean {
  return results.some((r) => !r.ok);
}
