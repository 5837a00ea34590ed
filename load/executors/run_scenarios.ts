/**
 * Running several scenarios together, each at its `startTime` offset, as k6's execution
 * scheduler does.
 *
 * @module
 */

import { emptyResult } from "./_scenario_run.ts";
import { createExecutors } from "./registry.ts";
import type { ExecutionHost, Executor, ExecutorResult, Vu } from "./types.ts";

/**
 * Upper bound of a whole run in ms: the latest `startTime + maxDuration (incl. gracefulStop)`
 * over the executors (every run is bounded in time).
 */
export function scenariosMaxDurationMs(executors: readonly Executor[]): number {
  return executors.reduce(
    (max, executor) => Math.max(max, executor.base.startTimeMs + executor.maxDurationMs()),
    0,
  );
}

/**
 * The most VUs the scenarios hold at once before any pool grows: the largest sum of
 * {@linkcode Executor.initVus} over scenarios whose time spans (`startTime` to
 * `startTime + maxDuration`) overlap. k6 initialises that many VUs before `setup()`; VUs are
 * shared by scenarios that do not overlap.
 */
export function initVusNeeded(executors: readonly Executor[]): number {
  const events: Array<[number, number]> = [];
  for (const ex of executors) {
    const start = ex.base.startTimeMs;
    events.push([start, ex.initVus()], [start + ex.maxDurationMs(), -ex.initVus()]);
  }
  // At equal times, a scenario ending frees its VUs before one starting takes them.
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let held = 0;
  let most = 0;
  for (const [, delta] of events) {
    held += delta;
    if (held > most) most = held;
  }
  return most;
}

/**
 * Starts every executor at its `startTime` (from now) and resolves with each scenario's result
 * once all have finished. Aborting `signal` stops them all gracefully (see
 * {@linkcode Executor.run}); scenarios that had not started by then do not start and report
 * zero counts. If a scenario fails (its `run()` rejects), the others are stopped as if aborted
 * and the first failure is rethrown once all have finished.
 */
export async function runExecutors<V extends Vu>(
  host: ExecutionHost<V>,
  executors: readonly Executor[],
  signal: AbortSignal,
): Promise<Record<string, ExecutorResult>> {
  const scheduler = host.scheduler;
  const origin = scheduler.now();
  const stopAll = new AbortController();
  const onAbort = () => stopAll.abort(signal.reason);
  if (signal.aborted) onAbort();
  else signal.addEventListener("abort", onAbort, { once: true });

  const waitForStart = (offsetMs: number) =>
    new Promise<boolean>((resolve) => {
      if (stopAll.signal.aborted) return resolve(false);
      const delay = origin + offsetMs - scheduler.now();
      if (delay <= 0) return resolve(true);
      const onStop = () => {
        scheduler.clearTimeout(timer);
        resolve(false);
      };
      const timer = scheduler.setTimeout(() => {
        stopAll.signal.removeEventListener("abort", onStop);
        resolve(true);
      }, Math.ceil(delay));
      stopAll.signal.addEventListener("abort", onStop, { once: true });
    });

  const outcomes = await Promise.allSettled(executors.map(async (executor) => {
    if (!(await waitForStart(executor.base.startTimeMs))) return emptyResult();
    try {
      return await executor.run(host, stopAll.signal);
    } catch (error) {
      stopAll.abort(error);
      throw error;
    }
  }));
  signal.removeEventListener("abort", onAbort);

  const results: Record<string, ExecutorResult> = {};
  let failure: PromiseRejectedResult | undefined;
  outcomes.forEach((outcome, index) => {
    if (outcome.status === "fulfilled") results[executors[index].base.scenario] = outcome.value;
    else failure ??= outcome;
  });
  if (failure) throw failure.reason;
  return results;
}

/**
 * Validates and creates the executors of a script's `options.scenarios` (throwing an `Error`
 * listing every problem if any is invalid), then runs them with {@linkcode runExecutors}.
 */
export async function runScenarios<V extends Vu>(
  host: ExecutionHost<V>,
  scenarios: Readonly<Record<string, unknown>>,
  signal: AbortSignal,
): Promise<Record<string, ExecutorResult>> {
  return await runExecutors(host, createExecutors(scenarios), signal);
}
