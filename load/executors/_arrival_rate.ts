/**
 * The open-model loop shared by constant-arrival-rate and ramping-arrival-rate, as k6 runs it:
 * - preAllocatedVUs are acquired before the scenario's clock starts;
 * - each iteration starts at its intended time `start + offset`, computed from the scenario
 *   start (no drift), on a free VU, and gets `intendedStart`;
 * - when no VU is free the iteration is dropped (never started late) and, if the pool is below
 *   maxVUs and no VU is being initialised, one more VU is initialised in the background; it
 *   joins the pool when ready (one at a time, like k6's unplanned VUs);
 * - intended times at or after the end of the regular duration are not started.
 *
 * Private to `load/executors/`.
 *
 * @module
 */

import { acquireUpFront, emptyResult, ScenarioRun } from "./_scenario_run.ts";
import type { ConfigReader } from "./_config.ts";
import type { ExecutionHost, ExecutorResult, Vu } from "./types.ts";
import { everyNth, type Segment, stripe } from "./segment.ts";

/** Parameters of {@linkcode runArrivalRate}. */
export interface ArrivalPlan {
  /** Scenario name. */
  scenario: string;
  /** VUs acquired before the clock starts. */
  preAllocatedVUs: number;
  /** Hard limit of VUs. */
  maxVUs: number;
  /** Regular duration in ms: no iteration starts at or after it. */
  regularMs: number;
  /** gracefulStop in ms. */
  gracefulStopMs: number;
  /** Intended start offsets (ms from the scenario start), non-decreasing. */
  offsets: Iterable<number>;
}

/** Runs an arrival-rate scenario; see the module documentation. */
export async function runArrivalRate<V extends Vu>(
  host: ExecutionHost<V>,
  signal: AbortSignal,
  plan: ArrivalPlan,
): Promise<ExecutorResult> {
  if (plan.maxVUs <= 0) return emptyResult(); // k6: an executor without VUs has no work
  const initial = await acquireUpFront(host, plan.preAllocatedVUs, signal);
  if (!initial) return emptyResult();
  const run = new ScenarioRun(host, plan.scenario, signal, plan.regularMs, plan.gracefulStopMs);
  const idle: V[] = initial.map((vu) => run.adopt(vu));
  let pool = idle.length;
  let initialising = false;

  run.onStop(() => {
    for (const vu of idle.splice(0)) run.release(vu);
  });

  const grow = () => {
    initialising = true;
    pool++;
    run.acquire().then((vu) => {
      initialising = false;
      if (vu) idle.push(vu);
    }, (error) => run.fail(error));
  };

  const iterate = (vu: V, intendedStart: number) =>
    run.track(async () => {
      try {
        await run.iterate(vu, { intendedStart });
      } finally {
        if (run.stopped) run.release(vu);
        else idle.push(vu);
      }
    });

  run.track(async () => {
    for (const offset of plan.offsets) {
      if (offset >= plan.regularMs) break;
      if (await run.sleepUntil(offset)) break;
      const vu = idle.pop();
      if (vu) {
        iterate(vu, run.start + offset);
        continue;
      }
      run.drop(1);
      if (!initialising && pool < plan.maxVUs) grow();
    }
  });
  return await run.finish();
}

/** The arrivals of one segment (all of them without a segment). */
export function segmentOffsets(offsets: Iterable<number>, segment?: Segment): Iterable<number> {
  return segment === undefined || segment.count === 1 ? offsets : everyNth(offsets, segment);
}

/**
 * Arrival-rate options for one segment: its striped share of preAllocatedVUs and maxVUs, and
 * the segment (whose arrivals it starts); null when the share has no VU to run them.
 */
export function segmentPool<O extends { preAllocatedVUs: number; maxVUs: number }>(
  options: O,
  part: Segment,
): (O & { segment: Segment }) | null {
  const maxVUs = stripe(options.maxVUs, part);
  if (maxVUs === 0) return null;
  return {
    ...options,
    preAllocatedVUs: stripe(options.preAllocatedVUs, part),
    maxVUs,
    segment: part,
  };
}

/** Reads and validates the pool fields shared by both arrival-rate executors. */
export function readVuPool(reader: ConfigReader): { preAllocatedVUs: number; maxVUs: number } {
  const preAllocatedVUs = reader.integer("preAllocatedVUs");
  const maxVUs = reader.integer("maxVUs");
  if (!reader.has("preAllocatedVUs")) {
    reader.error("the number of preAllocatedVUs isn't specified", "preAllocatedVUs");
  } else if (preAllocatedVUs !== undefined && preAllocatedVUs < 0) {
    reader.error(
      "the number of preAllocatedVUs can't be negative",
      "preAllocatedVUs",
      preAllocatedVUs,
    );
  }
  if (maxVUs !== undefined && preAllocatedVUs !== undefined && maxVUs < preAllocatedVUs) {
    reader.error(
      `maxVUs can't be less than preAllocatedVUs (${preAllocatedVUs})`,
      "maxVUs",
      maxVUs,
    );
  }
  return {
    preAllocatedVUs: preAllocatedVUs ?? 0,
    maxVUs: maxVUs ?? preAllocatedVUs ?? 0,
  };
}

/** Reads and validates `timeUnit` (default 1s, more than 0). */
export function readTimeUnit(reader: ConfigReader): number {
  const timeUnitMs = reader.duration("timeUnit", 1000);
  if (timeUnitMs !== undefined && timeUnitMs <= 0) {
    reader.error("the timeUnit must be more than 0", "timeUnit", reader.raw.timeUnit);
  }
  return timeUnitMs ?? 1000;
}

/** `"maxVUs: 10"` or `"maxVUs: 10-50"`, as k6 prints the VU range. */
export function describeVuPool(preAllocatedVUs: number, maxVUs: number): string {
  return `maxVUs: ${preAllocatedVUs}` + (maxVUs > preAllocatedVUs ? `-${maxVUs}` : "");
}
