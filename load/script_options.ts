/**
 * Turns a script's exported `options` (plus the `--vus` / `--duration` overrides) into the plan
 * of a run: the scenarios and their executors, the thresholds, the timeouts and the HTTP
 * settings. Every problem is collected before {@linkcode LoadConfigError} is thrown.
 *
 * Supported k6 options: `scenarios`, the shortcuts `vus`, `duration`, `iterations`, `stages`,
 * `thresholds`, `setupTimeout`, `teardownTimeout`, `summaryTrendStats`, `discardResponseBodies`,
 * `userAgent`, `tags` and `batchPerHost` (connections per host and VU). Other k6 options are
 * ignored with a warning.
 *
 * @module
 */

import { parseDuration } from "./duration.ts";
import { deriveScenarios, type ExecutionShortcuts } from "./executors/derive_scenarios.ts";
import { createExecutors, validateScenarios } from "./executors/registry.ts";
import { scenariosMaxDurationMs } from "./executors/run_scenarios.ts";
import type { Executor } from "./executors/types.ts";
import { ThresholdConfigError, ThresholdSet } from "./thresholds.ts";

/** A problem with the script or its options (the run does not start). */
export class LoadConfigError extends Error {
  /** One message per problem. */
  readonly errors: readonly string[];

  /** Creates the error from its messages. */
  constructor(errors: string[]) {
    super(errors.join("\n"));
    this.name = "LoadConfigError";
    this.errors = errors;
  }
}

/** Command-line overrides of the script's execution options. */
export interface PlanOverrides {
  /** `--vus`. */
  vus?: number;
  /** `--duration` (a k6 duration). */
  duration?: string;
}

/** What a run does. */
export interface LoadPlan {
  /** The scenarios as run (the script's, or the one derived from shortcuts). */
  scenarios: Record<string, Record<string, unknown>>;
  /** One executor per scenario, in declaration order. */
  executors: Executor[];
  /** The thresholds (parsed; registered by the runner once metrics are defined). */
  thresholds: ThresholdSet;
  /** `setupTimeout` in ms (default 60s). */
  setupTimeoutMs: number;
  /** `teardownTimeout` in ms (default 60s). */
  teardownTimeoutMs: number;
  /** `summaryTrendStats`, when set. */
  summaryTrendStats: string[] | undefined;
  /** `discardResponseBodies`. */
  discardResponseBodies: boolean;
  /** `userAgent`, when set. */
  userAgent: string | undefined;
  /** `tags`: added to every sample. */
  tags: Record<string, string>;
  /** `batchPerHost`, when set. */
  connectionsPerHost: number | undefined;
  /** Upper bound of the scenarios' duration (startTime + duration + gracefulStop), in ms. */
  maxDurationMs: number;
  /** Options that were set but have no effect here. */
  warnings: string[];
}

const _SUPPORTED = new Set([
  "scenarios",
  "vus",
  "duration",
  "iterations",
  "stages",
  "thresholds",
  "setupTimeout",
  "teardownTimeout",
  "summaryTrendStats",
  "discardResponseBodies",
  "userAgent",
  "tags",
  "batchPerHost",
]);

const _TREND_STAT = /^(avg|min|med|max|count|p\((\d+(\.\d+)?)\))$/;
const _DEFAULT_PHASE_TIMEOUT_MS = 60_000;

function _timeout(
  options: Record<string, unknown>,
  key: string,
  errors: string[],
): number {
  const raw = options[key];
  if (raw === undefined || raw === null) return _DEFAULT_PHASE_TIMEOUT_MS;
  try {
    const ms = parseDuration(raw as string | number);
    if (ms > 0) return ms;
    errors.push(`Cannot use options.${key} ${JSON.stringify(raw)}: it must be more than 0`);
  } catch (e) {
    errors.push(`Cannot use options.${key}: ${(e as Error).message}`);
  }
  return _DEFAULT_PHASE_TIMEOUT_MS;
}

function _shortcuts(
  o: Record<string, unknown>,
  overrides: PlanOverrides,
  errors: string[],
): ExecutionShortcuts {
  const fromScript: ExecutionShortcuts = {
    vus: o.vus as number | undefined,
    duration: o.duration as string | number | undefined,
    iterations: o.iterations as number | undefined,
    stages: o.stages as ExecutionShortcuts["stages"],
    scenarios: o.scenarios as Record<string, unknown> | undefined,
  };
  if (overrides.duration !== undefined) {
    // --duration (with --vus or the script's vus) replaces every other execution option, as k6.
    return { vus: overrides.vus ?? fromScript.vus, duration: overrides.duration };
  }
  if (overrides.vus !== undefined) {
    if (fromScript.scenarios !== undefined && fromScript.scenarios !== null) {
      errors.push(
        "Cannot use --vus alone with a script that defines options.scenarios: add --duration to replace the scenarios with that many looping VUs",
      );
      return fromScript;
    }
    return { ...fromScript, vus: overrides.vus };
  }
  return fromScript;
}

/**
 * Builds the plan from the script's `options` (undefined when it exports none) and the
 * overrides; `exports` are the script module's exports (every scenario's `exec` must name an
 * exported function).
 * @throws {LoadConfigError} listing every problem.
 */
export function buildPlan(
  options: unknown,
  overrides: PlanOverrides,
  exports: Readonly<Record<string, unknown>>,
): LoadPlan {
  const errors: string[] = [];
  const warnings: string[] = [];
  if (options !== undefined && (typeof options !== "object" || options === null)) {
    throw new LoadConfigError([
      `Cannot read the script's options: expected an object, got ${JSON.stringify(options)}`,
    ]);
  }
  const o = (options ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!_SUPPORTED.has(key)) {
      warnings.push(`options.${key} is not supported by smsgate-testkit and is ignored`);
    }
  }
  if (overrides.vus !== undefined && !(Number.isInteger(overrides.vus) && overrides.vus > 0)) {
    errors.push(`Cannot use --vus ${overrides.vus}: expected a whole number more than 0`);
  }
  if (overrides.duration !== undefined) {
    try {
      if (!(parseDuration(overrides.duration) > 0)) {
        errors.push(`Cannot use --duration ${overrides.duration}: it must be more than 0`);
      }
    } catch (e) {
      errors.push(`Cannot use --duration: ${(e as Error).message}`);
    }
  }
  const derived = deriveScenarios(_shortcuts(o, overrides, errors));
  errors.push(...derived.errors);
  warnings.push(...derived.warnings);
  const scenarioErrors = validateScenarios(derived.scenarios);
  errors.push(...scenarioErrors);
  const scenarios = derived.scenarios as Record<string, Record<string, unknown>>;
  let executors: Executor[] = [];
  if (scenarioErrors.length === 0) {
    executors = createExecutors(scenarios);
    for (const ex of executors) {
      const exec = ex.base.exec;
      if (typeof exports[exec] !== "function") {
        errors.push(
          exec === "default"
            ? `Scenario "${ex.base.scenario}": the script has no default function to run; export one (export default async function () {...}) or set exec`
            : `Scenario "${ex.base.scenario}": exec "${exec}" is not a function exported by the script; export it or fix the name`,
        );
      }
    }
  }
  let thresholds = ThresholdSet.parse(undefined);
  try {
    thresholds = ThresholdSet.parse(o.thresholds);
  } catch (e) {
    if (e instanceof ThresholdConfigError) errors.push(...e.errors);
    else throw e;
  }
  const setupTimeoutMs = _timeout(o, "setupTimeout", errors);
  const teardownTimeoutMs = _timeout(o, "teardownTimeout", errors);
  let summaryTrendStats: string[] | undefined;
  if (o.summaryTrendStats !== undefined) {
    const stats = o.summaryTrendStats;
    if (!Array.isArray(stats) || stats.length === 0) {
      errors.push(
        'Cannot use options.summaryTrendStats: expected a non-empty array such as ["avg", "p(95)"]',
      );
    } else {
      for (const s of stats) {
        const m = typeof s === "string" ? _TREND_STAT.exec(s) : null;
        if (m === null || (m[2] !== undefined && Number(m[2]) > 100)) {
          errors.push(
            `Cannot use summary trend stat ${
              JSON.stringify(s)
            }: expected avg, min, med, max, count or p(N) with N from 0 to 100`,
          );
        }
      }
      summaryTrendStats = stats as string[];
    }
  }
  const tags: Record<string, string> = {};
  if (o.tags !== undefined && o.tags !== null) {
    if (typeof o.tags !== "object" || Array.isArray(o.tags)) {
      errors.push("Cannot use options.tags: expected an object of tag names to values");
    } else {
      for (const [k, v] of Object.entries(o.tags)) tags[k] = String(v);
    }
  }
  let connectionsPerHost: number | undefined;
  if (o.batchPerHost !== undefined && o.batchPerHost !== null && o.batchPerHost !== 0) {
    if (!(Number.isInteger(o.batchPerHost) && (o.batchPerHost as number) > 0)) {
      errors.push(
        `Cannot use options.batchPerHost ${
          JSON.stringify(o.batchPerHost)
        }: expected a whole number more than 0`,
      );
    } else connectionsPerHost = o.batchPerHost as number;
  }
  if (o.userAgent !== undefined && typeof o.userAgent !== "string") {
    errors.push("Cannot use options.userAgent: expected a string");
  }
  if (errors.length > 0) throw new LoadConfigError(errors);
  return {
    scenarios,
    executors,
    thresholds,
    setupTimeoutMs,
    teardownTimeoutMs,
    summaryTrendStats,
    discardResponseBodies: o.discardResponseBodies === true,
    userAgent: o.userAgent as string | undefined,
    tags,
    connectionsPerHost,
    maxDurationMs: scenariosMaxDurationMs(executors),
    warnings,
  };
}
