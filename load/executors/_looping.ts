/**
 * The loop shared by the executors with a fixed set of VUs (shared-iterations,
 * per-vu-iterations, constant-vus): acquire the VUs, then let each run iterations back to back
 * while the run is not stopped and `claim` grants another one. Private to `load/executors/`.
 *
 * @module
 */

import { acquireUpFront, emptyResult, ScenarioRun } from "./_scenario_run.ts";
import type { ExecutionHost, ExecutorResult, Vu } from "./types.ts";

/** Parameters of {@linkcode runLoopingVus}. */
export interface LoopingPlan {
  /** Scenario name. */
  scenario: string;
  /** Number of VUs, acquired before the scenario's clock starts. */
  vus: number;
  /** Regular duration (duration or maxDuration) in ms. */
  regularMs: number;
  /** gracefulStop in ms. */
  gracefulStopMs: number;
  /** Called before each iteration of VU number `index` (0-based); `false` ends that VU's loop. */
  claim(index: number): boolean;
  /** Iterations never claimed when the run ended (reported as dropped), if any. */
  unclaimed?(): number;
}

/** Runs a fixed-VU looping scenario; see {@linkcode LoopingPlan}. */
export async function runLoopingVus<V extends Vu>(
  host: ExecutionHost<V>,
  signal: AbortSignal,
  plan: LoopingPlan,
): Promise<ExecutorResult> {
  const vus = await acquireUpFront(host, plan.vus, signal);
  if (!vus) return emptyResult();
  const run = new ScenarioRun(host, plan.scenario, signal, plan.regularMs, plan.gracefulStopMs);
  vus.forEach((vu, index) => {
    run.adopt(vu);
    run.track(async () => {
      const breathe = run.breather();
      try {
        while (!run.stopped && plan.claim(index)) {
          // begin/end rather than iterate(): one promise hop less per iteration.
          const iteration = run.begin(vu);
          let failed = false;
          let error: unknown;
          try {
            await iteration.promise;
          } catch (e) {
            failed = true;
            error = e;
          }
          run.end(iteration, failed, error);
          const nap = breathe();
          if (nap) await nap;
        }
      } finally {
        run.release(vu);
      }
    });
  });
  return await run.finish(() => run.drop(plan.unclaimed?.() ?? 0));
}
