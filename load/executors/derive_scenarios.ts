/**
 * k6's execution shortcuts: the top-level `vus`, `duration`, `iterations` and `stages` options
 * (and `--vus` / `--duration` on the command line) turned into the one `default` scenario they
 * stand for, as k6's `DeriveScenariosFromShortcuts()` does:
 *
 * | options given | scenario |
 * |---|---|
 * | `iterations` (+ `vus`, + `duration` as maxDuration) | shared-iterations |
 * | `duration` (+ `vus`) | constant-vus |
 * | `stages` (+ `vus` as startVUs) | ramping-vus |
 * | only `vus` | shared-iterations, `iterations = vus` |
 * | `scenarios` | used as they are |
 * | nothing | per-vu-iterations, 1 VU, 1 iteration |
 *
 * @module
 */

import { parseDuration } from "../duration.ts";

/** The execution options of a k6 script (`export const options`), as far as they matter here. */
export interface ExecutionShortcuts {
  /** Number of VUs. */
  vus?: number;
  /** Test duration (k6 duration). */
  duration?: string | number;
  /** Total iterations. */
  iterations?: number;
  /** ramping-vus stages. */
  stages?: { duration?: string | number; target?: number }[];
  /** Explicit scenarios. */
  scenarios?: Record<string, unknown>;
}

/** What {@linkcode deriveScenarios} found. */
export interface DerivedScenarios {
  /** The scenarios to run (unvalidated: pass them to `validateScenarios`). */
  scenarios: Record<string, unknown>;
  /** Conflicting options (empty when the options are consistent). */
  errors: string[];
  /** Options that were set but have no effect. */
  warnings: string[];
}

/** The name k6 gives the scenario derived from shortcut options. */
export const DEFAULT_SCENARIO = "default";

const _set = (value: unknown) => value !== undefined && value !== null;

function _conflict(a: string, b: string): string {
  return `Using \`${a}\` and \`${b}\` options simultaneously is not allowed; ` +
    `keep one of them or describe the run in options.scenarios`;
}

/** The duration in ms, or NaN when it cannot be parsed (the scenario validation reports that). */
function _durationMs(value: string | number): number {
  try {
    return parseDuration(value);
  } catch {
    return NaN;
  }
}

/** Turns shortcut options into scenarios, or returns the explicit `scenarios`; see the module doc. */
export function deriveScenarios(options: ExecutionShortcuts): DerivedScenarios {
  const { vus, duration, iterations, stages, scenarios } = options;
  const hasStages = Array.isArray(stages) && stages.length > 0;
  const hasScenarios = _set(scenarios);
  const errors: string[] = [];
  const warnings: string[] = [];
  const only = (scenario: Record<string, unknown>) => ({
    scenarios: { [DEFAULT_SCENARIO]: scenario },
    errors,
    warnings,
  });
  const withVus = _set(vus) ? { vus } : {};

  if (_set(iterations)) {
    if (hasStages) errors.push(_conflict("iterations", "stages"));
    if (hasScenarios) errors.push(_conflict("iterations", "scenarios"));
    return only({
      executor: "shared-iterations",
      ...withVus,
      iterations,
      ...(_set(duration) ? { maxDuration: duration } : {}),
    });
  }
  if (_set(duration)) {
    if (hasStages) errors.push(_conflict("duration", "stages"));
    if (hasScenarios) errors.push(_conflict("duration", "scenarios"));
    if (_durationMs(duration) <= 0) errors.push("The `duration` option should be more than 0");
    return only({ executor: "constant-vus", ...withVus, duration });
  }
  if (hasStages) {
    if (hasScenarios) errors.push(_conflict("stages", "scenarios"));
    return only({
      executor: "ramping-vus",
      ...(_set(vus) ? { startVUs: vus } : {}),
      stages: stages.filter((stage) => _set(stage?.duration)),
    });
  }
  if (_set(vus) && !hasScenarios) {
    return only({ executor: "shared-iterations", vus, iterations: vus });
  }
  if (hasScenarios && typeof scenarios === "object" && Object.keys(scenarios!).length > 0) {
    return { scenarios: scenarios!, errors, warnings };
  }
  if (Array.isArray(stages)) {
    warnings.push(
      "`stages` was explicitly set to an empty value, running the script with 1 iteration in 1 VU",
    );
  }
  if (hasScenarios) {
    warnings.push(
      "`scenarios` was explicitly set to an empty value, running the script with 1 iteration in 1 VU",
    );
  }
  return only({ executor: "per-vu-iterations" });
}
