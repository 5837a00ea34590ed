/**
 * The executor registry: k6 executor names mapped to their definitions, plus validation and
 * creation of a script's `options.scenarios`. A new executor is one file and one line here.
 *
 * @module
 */

import { show } from "./_config.ts";
import { constantArrivalRateExecutor } from "./constant_arrival_rate.ts";
import { constantVusExecutor } from "./constant_vus.ts";
import { perVuIterationsExecutor } from "./per_vu_iterations.ts";
import { rampingArrivalRateExecutor } from "./ramping_arrival_rate.ts";
import { rampingVusExecutor } from "./ramping_vus.ts";
import { sharedIterationsExecutor } from "./shared_iterations.ts";
import type { Executor, ExecutorDefinition } from "./types.ts";

/** Every supported executor, by k6 executor name. */
export const executorRegistry: Readonly<Record<string, ExecutorDefinition>> = Object.freeze({
  [sharedIterationsExecutor.name]: sharedIterationsExecutor,
  [perVuIterationsExecutor.name]: perVuIterationsExecutor,
  [constantVusExecutor.name]: constantVusExecutor,
  [rampingVusExecutor.name]: rampingVusExecutor,
  [constantArrivalRateExecutor.name]: constantArrivalRateExecutor,
  [rampingArrivalRateExecutor.name]: rampingArrivalRateExecutor,
});

const _NAMES = () => Object.keys(executorRegistry).join(", ");

function _definition(scenario: string, config: unknown): ExecutorDefinition | string {
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    return `Scenario "${scenario}": the scenario must be an object with an executor field, got ${
      show(config)
    }`;
  }
  const name = (config as Record<string, unknown>).executor;
  if (name === undefined || name === null || name === "") {
    return `Scenario "${scenario}": the executor is unspecified; set executor to one of ${_NAMES()}`;
  }
  if (typeof name !== "string" || !Object.hasOwn(executorRegistry, name)) {
    return `Scenario "${scenario}": unknown executor ${show(name)}; expected one of ${_NAMES()}`;
  }
  return executorRegistry[name];
}

/**
 * Every problem in a script's `options.scenarios` (empty when valid): the object itself, each
 * scenario's executor name, and each executor's own validation.
 */
export function validateScenarios(scenarios: unknown): string[] {
  if (typeof scenarios !== "object" || scenarios === null || Array.isArray(scenarios)) {
    return [
      `Cannot read options.scenarios: expected an object of named scenarios, got ${
        show(scenarios)
      }`,
    ];
  }
  const errors: string[] = [];
  for (const [scenario, config] of Object.entries(scenarios)) {
    const definition = _definition(scenario, config);
    if (typeof definition === "string") errors.push(definition);
    else errors.push(...definition.validate(scenario, config as Record<string, unknown>));
  }
  return errors;
}

/**
 * Creates the executor `name` (a k6 executor name) for a scenario; throws an `Error` listing
 * every problem if the name is unknown or the config invalid.
 */
export function createExecutor(
  name: string,
  scenarioName: string,
  config: Readonly<Record<string, unknown>>,
): Executor {
  const definition = _definition(scenarioName, { ...config, executor: name });
  if (typeof definition === "string") throw new Error(definition);
  return definition.create(scenarioName, config);
}

/**
 * Creates the executors of a script's `options.scenarios`, in declaration order; throws an
 * `Error` listing every problem of every scenario if any is invalid.
 */
export function createExecutors(scenarios: unknown): Executor[] {
  const errors = validateScenarios(scenarios);
  if (errors.length > 0) {
    throw new Error(`Cannot run the scenarios: fix these options:\n  ${errors.join("\n  ")}`);
  }
  return Object.entries(scenarios as Record<string, Record<string, unknown>>).map((
    [scenario, config],
  ) => createExecutor(config.executor as string, scenario, config));
}
