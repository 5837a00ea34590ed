/**
 * k6's `shared-iterations` executor: a fixed number of iterations shared by a fixed number of
 * VUs; each VU takes the next iteration as soon as it finished one, until all are done or
 * maxDuration elapses (the iterations not started then are counted as dropped).
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

/** A `shared-iterations` scenario as written in a k6 script. */
export interface SharedIterationsConfig extends BaseScenarioConfig {
  /** Number of VUs (default 1). */
  vus?: number;
  /** Total number of iterations (default 1). */
  iterations?: number;
  /** Time limit after which no iteration starts (default "10m"). */
  maxDuration?: string | number;
}

/** Normalised `shared-iterations` options. */
export interface SharedIterationsOptions extends BaseOptions {
  /** Number of VUs. */
  vus: number;
  /** Total number of iterations. */
  iterations: number;
  /** maxDuration in ms. */
  maxDurationMs: number;
}

const FIELDS = ["vus", "iterations", "maxDuration"] as const;
const DEFAULT_MAX_DURATION_MS = 600_000;

function _read(scenario: string, raw: Readonly<Record<string, unknown>>) {
  const reader = new ConfigReader(scenario, sharedIterationsExecutor.name, raw, FIELDS);
  const base = reader.base();
  const vus = reader.integer("vus", 1);
  const iterations = reader.integer("iterations", 1);
  const maxDurationMs = reader.duration("maxDuration", DEFAULT_MAX_DURATION_MS);
  if (vus !== undefined && vus <= 0) {
    reader.error("the number of VUs must be more than 0", "vus", vus);
  }
  if (vus !== undefined && iterations !== undefined && iterations < vus) {
    reader.error(
      `the number of iterations (${iterations}) can't be less than the number of VUs (${vus})`,
      "iterations",
    );
  }
  reader.checkMinDuration("maxDuration", maxDurationMs, false);
  const options: SharedIterationsOptions = {
    ...base,
    vus: vus ?? 1,
    iterations: iterations ?? 1,
    maxDurationMs: maxDurationMs ?? DEFAULT_MAX_DURATION_MS,
  };
  return { reader, options };
}

/** Runs a `shared-iterations` scenario. */
export class SharedIterations extends OptionsExecutor<SharedIterationsOptions> {
  /** Runs the scenario; see {@linkcode Executor.run}. */
  run<V extends Vu>(host: ExecutionHost<V>, signal: AbortSignal): Promise<ExecutorResult> {
    const { scenario, vus, iterations, maxDurationMs, gracefulStopMs } = this.options;
    let claimed = 0;
    return runLoopingVus(host, signal, {
      scenario,
      vus,
      regularMs: maxDurationMs,
      gracefulStopMs,
      claim: () => {
        if (claimed >= iterations) return false;
        claimed++;
        return true;
      },
      unclaimed: () => iterations - claimed,
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
   * Its striped share of the VUs, with the iterations in proportion: a contiguous block of the
   * iteration numbers (at least one per VU, as iterations >= vus).
   */
  segment(part: Segment): ExecutorShare | null {
    const { vus, iterations } = this.options;
    const mine = stripe(vus, part);
    if (mine === 0) return null;
    const before = stripesBefore(vus, part);
    const first = Math.floor((iterations * before) / vus);
    const end = Math.floor((iterations * (before + mine)) / vus);
    return {
      executor: new SharedIterations({ ...this.options, vus: mine, iterations: end - first }),
      first,
      stride: 1,
    };
  }

  /** For example `"100 iterations shared among 10 VUs (maxDuration: 10m0s, gracefulStop: 30s)"`. */
  describe(): string {
    const { iterations, vus, maxDurationMs } = this.options;
    return `${iterations} iterations shared among ${vus} VUs` +
      baseInfo(this.options, `maxDuration: ${formatDuration(maxDurationMs)}`);
  }
}

/** The `shared-iterations` entry of the executor registry. */
export const sharedIterationsExecutor: ExecutorDefinition = {
  name: "shared-iterations",
  validate: (scenario, config) => _read(scenario, config).reader.errors,
  create(scenario, config) {
    const { reader, options } = _read(scenario, config);
    reader.throwIfInvalid();
    return new SharedIterations(options);
  },
};
