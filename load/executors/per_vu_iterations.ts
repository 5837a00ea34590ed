/**
 * k6's `per-vu-iterations` executor: each of a fixed number of VUs runs the same number of
 * iterations, back to back, until done or maxDuration elapses (the iterations not started then
 * are counted as dropped).
 *
 * @module
 */

import { formatDuration } from "../duration.ts";
import { baseInfo, type BaseScenarioConfig, ConfigReader } from "./_config.ts";
import { runLoopingVus } from "./_looping.ts";
import { type ExecutorShare, type Segment, stripe, stripesBefore } from "./segment.ts";
import {
  type BaseOptions,
  type ExecutionHost,
  type ExecutorDefinition,
  type ExecutorResult,
  OptionsExecutor,
  type Vu,
} from "./types.ts";

/** A `per-vu-iterations` scenario as written in a k6 script. */
export interface PerVuIterationsConfig extends BaseScenarioConfig {
  /** Number of VUs (default 1). */
  vus?: number;
  /** Iterations each VU runs (default 1). */
  iterations?: number;
  /** Time limit after which no iteration starts (default "10m"). */
  maxDuration?: string | number;
}

/** Normalised `per-vu-iterations` options. */
export interface PerVuIterationsOptions extends BaseOptions {
  /** Number of VUs. */
  vus: number;
  /** Iterations per VU. */
  iterations: number;
  /** maxDuration in ms. */
  maxDurationMs: number;
}

const FIELDS = ["vus", "iterations", "maxDuration"] as const;
const DEFAULT_MAX_DURATION_MS = 600_000;

function _read(scenario: string, raw: Readonly<Record<string, unknown>>) {
  const reader = new ConfigReader(scenario, perVuIterationsExecutor.name, raw, FIELDS);
  const base = reader.base();
  const vus = reader.integer("vus", 1);
  const iterations = reader.integer("iterations", 1);
  const maxDurationMs = reader.duration("maxDuration", DEFAULT_MAX_DURATION_MS);
  if (vus !== undefined && vus <= 0) {
    reader.error("the number of VUs must be more than 0", "vus", vus);
  }
  if (iterations !== undefined && iterations <= 0) {
    reader.error("the number of iterations must be more than 0", "iterations", iterations);
  }
  reader.checkMinDuration("maxDuration", maxDurationMs, false);
  const options: PerVuIterationsOptions = {
    ...base,
    vus: vus ?? 1,
    iterations: iterations ?? 1,
    maxDurationMs: maxDurationMs ?? DEFAULT_MAX_DURATION_MS,
  };
  return { reader, options };
}

/** Runs a `per-vu-iterations` scenario. */
export class PerVuIterations extends OptionsExecutor<PerVuIterationsOptions> {
  /** Runs the scenario; see {@linkcode Executor.run}. */
  run<V extends Vu>(host: ExecutionHost<V>, signal: AbortSignal): Promise<ExecutorResult> {
    const { scenario, vus, iterations, maxDurationMs, gracefulStopMs } = this.options;
    const done = new Array<number>(vus).fill(0);
    return runLoopingVus(host, signal, {
      scenario,
      vus,
      regularMs: maxDurationMs,
      gracefulStopMs,
      claim: (index) => {
        if (done[index] >= iterations) return false;
        done[index]++;
        return true;
      },
      unclaimed: () => done.reduce((left, count) => left + iterations - count, 0),
    });
  }

  /** The number of VUs. */
  maxVus(): number {
    return this.options.vus;
  }

  /** maxDuration + gracefulStop. */
  maxDurationMs(): number {
    return this.options.maxDurationMs + this.options.gracefulStopMs;
  }

  /**
   * Its striped share of the VUs, each running `iterations`: a contiguous block of the iteration
   * numbers.
   */
  segment(part: Segment): ExecutorShare | null {
    const vus = stripe(this.options.vus, part);
    if (vus === 0) return null;
    const before = stripesBefore(this.options.vus, part);
    return {
      executor: new PerVuIterations({ ...this.options, vus }),
      first: before * this.options.iterations,
      stride: 1,
    };
  }

  /** For example `"10 iterations for each of 5 VUs (maxDuration: 10m0s, gracefulStop: 30s)"`. */
  describe(): string {
    const { iterations, vus, maxDurationMs } = this.options;
    return `${iterations} iterations for each of ${vus} VUs` +
      baseInfo(this.options, `maxDuration: ${formatDuration(maxDurationMs)}`);
  }
}

/** The `per-vu-iterations` entry of the executor registry. */
export const perVuIterationsExecutor: ExecutorDefinition = {
  name: "per-vu-iterations",
  validate: (scenario, config) => _read(scenario, config).reader.errors,
  create(scenario, config) {
    const { reader, options } = _read(scenario, config);
    reader.throwIfInvalid();
    return new PerVuIterations(options);
  },
};
