/**
 * k6's `constant-arrival-rate` executor (open model): `rate` iterations per `timeUnit` for a
 * duration, iteration `k` intended to start at `k × timeUnit / rate` after the scenario start
 * (so exactly `rate × duration / timeUnit` iterations when that is whole). VUs come from a pool
 * of preAllocatedVUs that grows up to maxVUs; an iteration finding no free VU is dropped.
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
import { baseInfo, type BaseScenarioConfig, ConfigReader } from "./_config.ts";
import {
  type BaseOptions,
  type ExecutionHost,
  type ExecutorDefinition,
  type ExecutorResult,
  OptionsExecutor,
  type Vu,
} from "./types.ts";

/** A `constant-arrival-rate` scenario as written in a k6 script. */
export interface ConstantArrivalRateConfig extends BaseScenarioConfig {
  /** Iterations started per timeUnit (required, more than 0). */
  rate: number;
  /** The period `rate` refers to (default "1s"). */
  timeUnit?: string | number;
  /** How long iterations are started (required, at least 1s). */
  duration: string | number;
  /** VUs initialised before the start (required). */
  preAllocatedVUs: number;
  /** Most VUs the pool may grow to (default preAllocatedVUs). */
  maxVUs?: number;
}

/** Normalised `constant-arrival-rate` options. */
export interface ConstantArrivalRateOptions extends BaseOptions {
  /** Iterations per timeUnit. */
  rate: number;
  /** timeUnit in ms. */
  timeUnitMs: number;
  /** duration in ms. */
  durationMs: number;
  /** VUs initialised before the start. */
  preAllocatedVUs: number;
  /** Most VUs. */
  maxVUs: number;
  /** The share of the arrivals this executor starts (default: all). */
  segment?: Segment;
}

const FIELDS = ["rate", "timeUnit", "duration", "preAllocatedVUs", "maxVUs"] as const;

function _read(scenario: string, raw: Readonly<Record<string, unknown>>) {
  const reader = new ConfigReader(scenario, constantArrivalRateExecutor.name, raw, FIELDS);
  const base = reader.base();
  const rate = reader.integer("rate");
  if (!reader.has("rate")) reader.error("the iteration rate isn't specified", "rate");
  else if (rate !== undefined && rate <= 0) {
    reader.error("the iteration rate must be more than 0", "rate", rate);
  }
  const timeUnitMs = readTimeUnit(reader);
  const durationMs = reader.duration("duration");
  reader.checkMinDuration("duration", durationMs, true);
  const pool = readVuPool(reader);
  const options: ConstantArrivalRateOptions = {
    ...base,
    rate: rate ?? 0,
    timeUnitMs,
    durationMs: durationMs ?? 0,
    ...pool,
  };
  return { reader, options };
}

/** Intended start offsets (ms) of a constant rate: `k × timeUnitMs / rate` for k = 0, 1, ... */
export function* constantArrivalOffsets(rate: number, timeUnitMs: number): Generator<number> {
  for (let k = 0;; k++) yield (k * timeUnitMs) / rate;
}

/** Runs a `constant-arrival-rate` scenario. */
export class ConstantArrivalRate extends OptionsExecutor<ConstantArrivalRateOptions> {
  /** Runs the scenario; see {@linkcode Executor.run}. */
  run<V extends Vu>(host: ExecutionHost<V>, signal: AbortSignal): Promise<ExecutorResult> {
    const { scenario, rate, timeUnitMs, durationMs, gracefulStopMs } = this.options;
    return runArrivalRate(host, signal, {
      scenario,
      preAllocatedVUs: this.options.preAllocatedVUs,
      maxVUs: this.options.maxVUs,
      regularMs: durationMs,
      gracefulStopMs,
      offsets: segmentOffsets(constantArrivalOffsets(rate, timeUnitMs), this.options.segment),
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

  /** duration + gracefulStop. */
  maxDurationMs(): number {
    return this.options.durationMs + this.options.gracefulStopMs;
  }

  /** Every `count`-th arrival from the `index`-th, with its striped share of the VU pool. */
  segment(part: Segment): ExecutorShare | null {
    const share = segmentPool(this.options, part);
    return share && { executor: new ConstantArrivalRate(share), ...stripedNumbers(part) };
  }

  /** For example `"50.00 iterations/s for 1m0s (maxVUs: 10-50, gracefulStop: 30s)"`. */
  describe(): string {
    const { rate, timeUnitMs, durationMs, preAllocatedVUs, maxVUs } = this.options;
    return `${(rate * 1000 / timeUnitMs).toFixed(2)} iterations/s for ${
      formatDuration(durationMs)
    }` + baseInfo(this.options, describeVuPool(preAllocatedVUs, maxVUs));
  }
}

/** The `constant-arrival-rate` entry of the executor registry. */
export const constantArrivalRateExecutor: ExecutorDefinition = {
  name: "constant-arrival-rate",
  validate: (scenario, config) => _read(scenario, config).reader.errors,
  create(scenario, config) {
    const { reader, options } = _read(scenario, config);
    reader.throwIfInvalid();
    return new ConstantArrivalRate(options);
  },
};
