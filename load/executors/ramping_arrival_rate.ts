/**
 * k6's `ramping-arrival-rate` executor (open model): the iteration start rate follows stages
 * (linear ramps from `startRate`, in iterations per `timeUnit`). Iteration `i` (1-based) is
 * intended to start when the area under the rate curve reaches `i` (k6's `cal()`), so the
 * number of iterations is the integral of the rate over the stages (those intended exactly at
 * the end are not started). VUs come from a pool of preAllocatedVUs that grows up to maxVUs;
 * an iteration finding no free VU is dropped.
 *
 * @module
 */

import { formatDuration } from "../duration.ts";
import {
  describeVuPool,
  readTimeUnit,
  readVuPool,
  runArrivalRate,
  segmentOffsets,
  segmentPool,
} from "./_arrival_rate.ts";
import { type ExecutorShare, type Segment, stripedNumbers } from "./segment.ts";
import {
  baseInfo,
  type BaseScenarioConfig,
  ConfigReader,
  maxTarget,
  type Stage,
  type StageConfig,
  stagesDurationMs,
} from "./_config.ts";
import {
  type BaseOptions,
  type ExecutionHost,
  type ExecutorDefinition,
  type ExecutorResult,
  OptionsExecutor,
  type Vu,
} from "./types.ts";

/** A `ramping-arrival-rate` scenario as written in a k6 script. */
export interface RampingArrivalRateConfig extends BaseScenarioConfig {
  /** Iterations per timeUnit at the start (default 0). */
  startRate?: number;
  /** The period rates refer to (default "1s"). */
  timeUnit?: string | number;
  /** Linear ramps; `target` is the rate at the end of each stage (at least one). */
  stages: StageConfig[];
  /** VUs initialised before the start (required). */
  preAllocatedVUs: number;
  /** Most VUs the pool may grow to (default preAllocatedVUs). */
  maxVUs?: number;
}

/** Normalised `ramping-arrival-rate` options. */
export interface RampingArrivalRateOptions extends BaseOptions {
  /** Iterations per timeUnit at the start. */
  startRate: number;
  /** timeUnit in ms. */
  timeUnitMs: number;
  /** The stages (durations in ms, targets in iterations per timeUnit). */
  stages: Stage[];
  /** VUs initialised before the start. */
  preAllocatedVUs: number;
  /** Most VUs. */
  maxVUs: number;
  /** The share of the arrivals this executor starts (default: all). */
  segment?: Segment;
}

const FIELDS = ["startRate", "timeUnit", "stages", "preAllocatedVUs", "maxVUs"] as const;

function _read(scenario: string, raw: Readonly<Record<string, unknown>>) {
  const reader = new ConfigReader(scenario, rampingArrivalRateExecutor.name, raw, FIELDS);
  const base = reader.base();
  const startRate = reader.integer("startRate", 0);
  if (startRate !== undefined && startRate < 0) {
    reader.error("the startRate value can't be negative", "startRate", startRate);
  }
  const timeUnitMs = readTimeUnit(reader);
  const stages = reader.stages();
  const pool = readVuPool(reader);
  const options: RampingArrivalRateOptions = {
    ...base,
    startRate: startRate ?? 0,
    timeUnitMs,
    stages,
    ...pool,
  };
  return { reader, options };
}

/**
 * Intended start offsets (ms) of a ramping rate, as k6's `cal()` computes them: iteration `i`
 * starts when the area under the rate curve reaches `i`. Within a linear stage from rate `a` to
 * `b` (per ms) lasting `d`, with `n` the area still needed, the offset into the stage solves
 * `a·x + (b − a)·x² / (2d) = n`.
 */
export function* rampingArrivalOffsets(
  startRate: number,
  timeUnitMs: number,
  stages: readonly Stage[],
): Generator<number> {
  let from = startRate / timeUnitMs;
  let stageStart = 0;
  let doneSoFar = 0;
  let endCount = 0;
  let i = 1;
  for (const { durationMs: d, target } of stages) {
    const to = target / timeUnitMs;
    endCount += d * ((to - from) / 2 + from);
    const limit = endCount + 1e-9 * Math.max(1, endCount); // absorb float error at the boundary
    for (; i <= limit; i++) {
      const n = i - doneSoFar;
      const x = from === to
        ? n / to
        : (from * d - Math.sqrt(Math.max(0, d * (from * from * d + 2 * n * (to - from))))) /
          (from - to);
      yield stageStart + Math.min(d, Math.max(0, x));
    }
    doneSoFar = endCount;
    from = to;
    stageStart += d;
  }
}

/** Runs a `ramping-arrival-rate` scenario. */
export class RampingArrivalRate extends OptionsExecutor<RampingArrivalRateOptions> {
  /** Runs the scenario; see {@linkcode Executor.run}. */
  run<V extends Vu>(host: ExecutionHost<V>, signal: AbortSignal): Promise<ExecutorResult> {
    const { scenario, startRate, timeUnitMs, stages, gracefulStopMs } = this.options;
    return runArrivalRate(host, signal, {
      scenario,
      preAllocatedVUs: this.options.preAllocatedVUs,
      maxVUs: this.options.maxVUs,
      regularMs: stagesDurationMs(stages),
      gracefulStopMs,
      offsets: segmentOffsets(
        rampingArrivalOffsets(startRate, timeUnitMs, stages),
        this.options.segment,
      ),
    });
  }

  /** maxVUs. */
  maxVus(): number {
    return this.options.maxVUs;
  }

  /** preAllocatedVUs. */
  override initVus(): number {
    return this.options.preAllocatedVUs;
  }

  /** Sum of the stage durations + gracefulStop. */
  maxDurationMs(): number {
    return stagesDurationMs(this.options.stages) + this.options.gracefulStopMs;
  }

  /** Every `count`-th arrival from the `index`-th, with its striped share of the VU pool. */
  segment(part: Segment): ExecutorShare | null {
    const share = segmentPool(this.options, part);
    return share && { executor: new RampingArrivalRate(share), ...stripedNumbers(part) };
  }

  /**
   * For example `"Up to 50.00 iterations/s for 2m0s over 3 stages (maxVUs: 10-100,
   * gracefulStop: 30s)"`.
   */
  describe(): string {
    const { startRate, timeUnitMs, stages, preAllocatedVUs, maxVUs } = this.options;
    const peak = (maxTarget(startRate, stages) * 1000) / timeUnitMs;
    return `Up to ${peak.toFixed(2)} iterations/s for ${
      formatDuration(stagesDurationMs(stages))
    } ` +
      `over ${stages.length} stages` +
      baseInfo(this.options, describeVuPool(preAllocatedVUs, maxVUs));
  }
}

/** The `ramping-arrival-rate` entry of the executor registry. */
export const rampingArrivalRateExecutor: ExecutorDefinition = {
  name: "ramping-arrival-rate",
  validate: (scenario, config) => _read(scenario, config).reader.errors,
  create(scenario, config) {
    const { reader, options } = _read(scenario, config);
    reader.throwIfInvalid();
    return new RampingArrivalRate(options);
  },
};
