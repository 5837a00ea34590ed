/**
 * k6's `constant-vus` executor: a fixed number of VUs run iterations back to back for a
 * duration; iterations still running at the end get gracefulStop to finish, then are aborted.
 *
 * @module
 */

import { formatDuration } from "../duration.ts";
import { baseInfo, type BaseScenarioConfig, ConfigReader } from "./_config.ts";
import { runLoopingVus } from "./_looping.ts";
import { type ExecutorShare, type Segment, stripe, stripedNumbers } from "./segment.ts";
import {
  type BaseOptions,
  type ExecutionHost,
  type ExecutorDefinition,
  type ExecutorResult,
  OptionsExecutor,
  type Vu,
} from "./types.ts";

/** A `constant-vus` scenario as written in a k6 script. */
export interface ConstantVusConfig extends BaseScenarioConfig {
  /** Number of VUs (default 1). */
  vus?: number;
  /** How long the VUs loop (required, at least 1s). */
  duration: string | number;
}

/** Normalised `constant-vus` options. */
export interface ConstantVusOptions extends BaseOptions {
  /** Number of VUs. */
  vus: number;
  /** duration in ms. */
  durationMs: number;
}

const FIELDS = ["vus", "duration"] as const;

function _read(scenario: string, raw: Readonly<Record<string, unknown>>) {
  const reader = new ConfigReader(scenario, constantVusExecutor.name, raw, FIELDS);
  const base = reader.base();
  const vus = reader.integer("vus", 1);
  const durationMs = reader.duration("duration");
  if (vus !== undefined && vus <= 0) {
    reader.error("the number of VUs must be more than 0", "vus", vus);
  }
  reader.checkMinDuration("duration", durationMs, true);
  const options: ConstantVusOptions = { ...base, vus: vus ?? 1, durationMs: durationMs ?? 0 };
  return { reader, options };
}

/** Runs a `constant-vus` scenario. */
export class ConstantVus extends OptionsExecutor<ConstantVusOptions> {
  /** Runs the scenario; see {@linkcode Executor.run}. */
  run<V extends Vu>(host: ExecutionHost<V>, signal: AbortSignal): Promise<ExecutorResult> {
    const { scenario, vus, durationMs, gracefulStopMs } = this.options;
    return runLoopingVus(host, signal, {
      scenario,
      vus,
      regularMs: durationMs,
      gracefulStopMs,
      claim: () => true,
    });
  }

  /** The number of VUs. */
  maxVus(): number {
    return this.options.vus;
  }

  /** duration + gracefulStop. */
  maxDurationMs(): number {
    return this.options.durationMs + this.options.gracefulStopMs;
  }

  /** Its striped share of the VUs. */
  segment(part: Segment): ExecutorShare | null {
    const vus = stripe(this.options.vus, part);
    if (vus === 0) return null;
    return { executor: new ConstantVus({ ...this.options, vus }), ...stripedNumbers(part) };
  }

  /** For example `"64 looping VUs for 30s (gracefulStop: 30s)"`. */
  describe(): string {
    const { vus, durationMs } = this.options;
    return `${vus} looping VUs for ${formatDuration(durationMs)}` + baseInfo(this.options);
  }
}

/** The `constant-vus` entry of the executor registry. */
export const constantVusExecutor: ExecutorDefinition = {
  name: "constant-vus",
  validate: (scenario, config) => _read(scenario, config).reader.errors,
  create(scenario, config) {
    const { reader, options } = _read(scenario, config);
    reader.throwIfInvalid();
    return new ConstantVus(options);
  },
};
