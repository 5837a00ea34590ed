/**
 * Reading and validating raw k6 scenario configs (as they come from a script's
 * `options.scenarios`), collecting every problem instead of stopping at the first.
 * Private to `load/executors/`.
 *
 * @module
 */

import { formatDuration, parseDuration } from "../duration.ts";
import type { BaseOptions } from "./types.ts";

/** k6's default gracefulStop (30s). */
export const DEFAULT_GRACEFUL_STOP_MS = 30_000;
/** k6's minimum scenario duration / maxDuration (1s). */
export const MIN_DURATION_MS = 1_000;
/** The options every executor accepts (k6 `BaseConfig`). */
export const BASE_FIELDS = [
  "executor",
  "startTime",
  "gracefulStop",
  "exec",
  "env",
  "tags",
  "options",
] as const;

const SCENARIO_NAME = /^[0-9a-zA-Z_-]+$/;

/** A ramping stage as k6 writes it: `{ duration: "30s", target: 10 }`. */
export interface StageConfig {
  /** How long the stage lasts (k6 duration). */
  duration: string | number;
  /** VUs (ramping-vus) or iterations per timeUnit (ramping-arrival-rate) at the end of the stage. */
  target: number;
}

/** A normalised stage. */
export interface Stage {
  /** Stage length in ms. */
  durationMs: number;
  /** Target at the end of the stage. */
  target: number;
}

/** The options every k6 scenario config accepts. */
export interface BaseScenarioConfig {
  /** The k6 executor name. */
  executor?: string;
  /** Delay from the start of the test before this scenario starts (default 0). */
  startTime?: string | number;
  /** Time iterations get to finish after the scenario's end (default "30s"). */
  gracefulStop?: string | number;
  /** Exported function to run (default "default"). */
  exec?: string;
  /** Extra environment variables for this scenario. */
  env?: Record<string, string>;
  /** Extra tags for this scenario's metrics. */
  tags?: Record<string, string>;
  /** k6 browser options; accepted and ignored here. */
  options?: Record<string, unknown>;
}

/** Formats a user-supplied value for an error message. */
export function show(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Reads one scenario's raw config: typed getters apply k6 defaults, and every problem is
 * collected in {@linkcode ConfigReader.errors} as `Scenario "name": message (field: value)`.
 */
export class ConfigReader {
  /** Every problem found so far. */
  readonly errors: string[] = [];

  /** Starts reading `raw`; reports an invalid scenario name and options not in `fields`. */
  constructor(
    readonly scenario: string,
    readonly executor: string,
    readonly raw: Readonly<Record<string, unknown>>,
    fields: readonly string[],
  ) {
    if (scenario === "") this.error("the scenario name can't be empty");
    else if (!SCENARIO_NAME.test(scenario)) {
      this.error(
        "the scenario name should contain only numbers, latin letters, underscores, and dashes",
      );
    }
    const allowed = new Set<string>([...BASE_FIELDS, ...fields]);
    for (const key of Object.keys(raw)) {
      if (!allowed.has(key)) {
        this.error(
          `unknown option "${key}" for executor "${executor}"; expected one of ${
            [...allowed].join(", ")
          }`,
        );
      }
    }
  }

  /** Records a problem; `field` (and its value, when given) is appended in parentheses. */
  error(message: string, field?: string, ...value: [unknown] | []): void {
    let suffix = "";
    if (field !== undefined) {
      suffix = value.length ? ` (${field}: ${show(value[0])})` : ` (${field})`;
    }
    this.errors.push(`Scenario "${this.scenario}": ${message}${suffix}`);
  }

  /** Whether the field is present (not `undefined` / `null`). */
  has(field: string): boolean {
    return this.raw[field] !== undefined && this.raw[field] !== null;
  }

  /** A whole number, or `fallback` when absent (or `undefined` if it is not a whole number). */
  integer(field: string, fallback: number): number;
  /** A whole number, or `fallback` when absent; `undefined` when present but not a whole number. */
  integer(field: string, fallback?: number): number | undefined;
  integer(field: string, fallback?: number): number | undefined {
    return _integer(this, this.raw[field], field, fallback);
  }

  /** A duration in ms, or `fallback` when absent (or `undefined` if it is unparsable). */
  duration(field: string, fallback: number): number;
  /** A duration in ms, or `fallback` when absent; `undefined` when present but unparsable. */
  duration(field: string, fallback?: number): number | undefined;
  duration(field: string, fallback?: number): number | undefined {
    return _duration(this, this.raw[field], field, fallback);
  }

  /** A `{string: string}` object, or `{}` when absent. */
  stringMap(field: string): Record<string, string> {
    const value = this.raw[field];
    if (value === undefined || value === null) return {};
    if (typeof value !== "object" || Array.isArray(value)) {
      this.error(`${field} must be an object of string values`, field, value);
      return {};
    }
    const result: Record<string, string> = {};
    for (const [key, item] of Object.entries(value)) {
      if (typeof item !== "string") {
        this.error(`${field} values must be strings`, `${field}.${key}`, item);
      } else result[key] = item;
    }
    return result;
  }

  /** The shared options, validated as k6's `BaseConfig.Validate()` does. */
  base(): BaseOptions {
    const startTimeMs = this.duration("startTime", 0);
    if (startTimeMs !== undefined && startTimeMs < 0) {
      this.error("the startTime can't be negative", "startTime", this.raw.startTime);
    }
    const gracefulStopMs = this.duration("gracefulStop", DEFAULT_GRACEFUL_STOP_MS);
    if (gracefulStopMs !== undefined && gracefulStopMs < 0) {
      this.error(
        "the gracefulStop timeout can't be negative",
        "gracefulStop",
        this.raw.gracefulStop,
      );
    }
    let exec = "default";
    if (this.has("exec")) {
      const value = this.raw.exec;
      if (typeof value !== "string") this.error("exec must be a function name", "exec", value);
      else if (value === "") this.error("exec value cannot be empty", "exec", value);
      else exec = value;
    }
    if (
      this.has("options") &&
      (typeof this.raw.options !== "object" || Array.isArray(this.raw.options))
    ) {
      this.error("options must be an object", "options", this.raw.options);
    }
    return {
      scenario: this.scenario,
      executor: this.executor,
      startTimeMs: startTimeMs ?? 0,
      gracefulStopMs: gracefulStopMs ?? DEFAULT_GRACEFUL_STOP_MS,
      exec,
      env: this.stringMap("env"),
      tags: this.stringMap("tags"),
    };
  }

  /**
   * Checks a duration against k6's 1s minimum: "the duration is unspecified" (when `required`
   * and absent) or "the duration must be at least 1s, but is 500ms".
   */
  checkMinDuration(field: string, value: number | undefined, required: boolean): void {
    if (required && !this.has(field)) this.error(`the ${field} is unspecified`, field);
    else if (value !== undefined && value < MIN_DURATION_MS) {
      this.error(
        `the ${field} must be at least ${formatDuration(MIN_DURATION_MS)}, but is ${
          formatDuration(value)
        }`,
        field,
        this.raw[field],
      );
    }
  }

  /** Reads and validates `stages` as k6's `validateStages()` does. */
  stages(): Stage[] {
    const value = this.raw.stages;
    if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) {
      this.error("at least one stage has to be specified", "stages");
      return [];
    }
    if (!Array.isArray(value)) {
      this.error("stages must be an array of {duration, target} objects", "stages", value);
      return [];
    }
    const stages: Stage[] = [];
    value.forEach((stage: unknown, index) => {
      const number = index + 1;
      const path = `stages[${index}]`;
      if (typeof stage !== "object" || stage === null || Array.isArray(stage)) {
        this.error(`stage ${number} must be a {duration, target} object`, path, stage);
        return;
      }
      const raw = stage as Record<string, unknown>;
      for (const key of Object.keys(raw)) {
        if (key !== "duration" && key !== "target") {
          this.error(
            `unknown option "${key}" in stage ${number}; expected duration and target`,
            path,
          );
        }
      }
      // Both fields: required, of their type, not negative (k6's wording for each).
      const field = (
        name: "duration" | "target",
        parse: typeof _duration,
      ): number | undefined => {
        const value = raw[name];
        if (value === undefined || value === null) {
          this.error(`stage ${number} doesn't have a ${name}`, `${path}.${name}`);
          return undefined;
        }
        const n = parse(this, value, `${path}.${name}`);
        if (n !== undefined && n < 0) {
          this.error(`the ${name} for stage ${number} can't be negative`, `${path}.${name}`, value);
          return undefined;
        }
        return n;
      };
      const durationMs = field("duration", _duration);
      const target = field("target", _integer);
      stages.push({ durationMs: durationMs ?? 0, target: target ?? 0 });
    });
    return stages;
  }

  /** Throws an `Error` listing every problem, if any. */
  throwIfInvalid(): void {
    if (this.errors.length === 0) return;
    throw new Error(
      `Cannot create scenario "${this.scenario}": fix its options:\n  ${this.errors.join("\n  ")}`,
    );
  }
}

function _integer(
  reader: ConfigReader,
  value: unknown,
  field: string,
  fallback?: number,
): number | undefined {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value)) {
    reader.error(`${field} must be a whole number`, field, value);
    return undefined;
  }
  return value;
}

function _duration(
  reader: ConfigReader,
  value: unknown,
  field: string,
  fallback?: number,
): number | undefined {
  if (value === undefined || value === null) return fallback;
  try {
    return parseDuration(value as string | number);
  } catch (error) {
    const message = (error as Error).message;
    reader.error(message.charAt(0).toLowerCase() + message.slice(1), field, value);
    return undefined;
  }
}

/** The largest of `start` and the stage targets (k6 `getStagesUnscaledMaxTarget`). */
export function maxTarget(start: number, stages: readonly Stage[]): number {
  return stages.reduce((max, stage) => Math.max(max, stage.target), start);
}

/** Sum of the stage durations in ms. */
export function stagesDurationMs(stages: readonly Stage[]): number {
  return stages.reduce((sum, stage) => sum + stage.durationMs, 0);
}

/**
 * k6's description suffix: `" (fact, exec: x, startTime: 10s, gracefulStop: 30s)"`, or `""`.
 */
export function baseInfo(base: BaseOptions, ...facts: string[]): string {
  const all = [...facts];
  if (base.exec !== "default") all.push(`exec: ${base.exec}`);
  if (base.startTimeMs > 0) all.push(`startTime: ${formatDuration(base.startTimeMs)}`);
  if (base.gracefulStopMs > 0) all.push(`gracefulStop: ${formatDuration(base.gracefulStopMs)}`);
  return all.length ? ` (${all.join(", ")})` : "";
}
