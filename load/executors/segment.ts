/**
 * Execution segments: splitting a scenario among the workers of one run, as k6 splits a test
 * among instances. A run with `count` workers gives worker `index` the share
 * `{ index, count }` of every scenario:
 * - a number of VUs, a stage target or a VU pool is *striped*: unit `k` (0-based) goes to worker
 *   `k mod count`, so the shares add up to the whole and differ by at most one
 *   ({@linkcode stripe});
 * - arrivals are striped the same way: worker `index` starts iterations `index`,
 *   `index + count`, ... of the scenario's schedule, each at its intended time
 *   ({@linkcode everyNth}), so the rates add up exactly and every worker ramps together;
 * - shared-iterations gives each worker iterations in proportion to its VUs, per-vu-iterations
 *   gives each of its VUs `iterations`: in both, a worker's iterations are a contiguous block of
 *   the scenario's iteration numbers.
 *
 * A scenario is split among at most as many workers as it has VUs ({@linkcode partsFor}); the
 * other workers do not run it. `exec.scenario.iterationInTest` stays unique across workers: an
 * iteration's number in its worker maps to `first + n × stride` ({@linkcode ExecutorShare}). With
 * a known total (the iterations executors, and arrivals) the numbers are exactly those of a
 * single-thread run; for looping VUs of a duration (constant-vus, ramping-vus), worker `index`
 * numbers its iterations `index`, `index + count`, ..., so numbers are unique but have gaps
 * when one worker completes fewer iterations than another.
 *
 * @module
 */

import type { Executor } from "./types.ts";

/** One of `count` equal shares of a run. */
export interface Segment {
  /** 0-based index of this share. */
  readonly index: number;
  /** Number of shares (at least 1). */
  readonly count: number;
}

/** The whole run: one share. */
export const WHOLE: Segment = Object.freeze({ index: 0, count: 1 });

/** A scenario's share for one segment, and how its iteration numbers map to the whole test's. */
export interface ExecutorShare {
  /** The executor that runs this share. */
  executor: Executor;
  /** `exec.scenario.iterationInTest` of this share's first iteration. */
  first: number;
  /** Step between the test-wide numbers of this share's consecutive iterations. */
  stride: number;
}

/** Units of `n` (0-based `k < n`) with `k mod count === index`: a striped share of `n`. */
export function stripe(n: number, segment: Segment): number {
  if (n <= segment.index) return 0;
  return Math.floor((n - segment.index - 1) / segment.count) + 1;
}

/** Units of `n` that go to the segments before this one (`index` 0 gets none). */
export function stripesBefore(n: number, segment: Segment): number {
  let before = 0;
  for (let index = 0; index < segment.index; index++) {
    before += stripe(n, { index, count: segment.count });
  }
  return before;
}

/** Items `index`, `index + count`, `index + 2·count`, ... of `items`. */
export function* everyNth<T>(items: Iterable<T>, segment: Segment): Generator<T> {
  let k = 0;
  for (const item of items) {
    if (k === segment.index) yield item;
    if (++k === segment.count) k = 0;
  }
}

/** Iteration numbering of a striped share: `index`, `index + count`, ... */
export function stripedNumbers(part: Segment): { first: number; stride: number } {
  return { first: part.index, stride: part.count };
}

/**
 * The number of workers a scenario with `maxVus` VUs is split among, out of `workers`: at most
 * one per VU, at least one.
 */
export function partsFor(maxVus: number, workers: number): number {
  return Math.max(1, Math.min(workers, maxVus));
}

/**
 * Each worker's shares of every executor: `result[w]` lists what worker `w` of `workers` runs
 * (scenarios without a share for it are left out).
 */
export function splitExecutors(
  executors: readonly Executor[],
  workers: number,
): ExecutorShare[][] {
  const perWorker: ExecutorShare[][] = Array.from({ length: workers }, () => []);
  for (const executor of executors) {
    const count = partsFor(executor.maxVus(), workers);
    for (let index = 0; index < count; index++) {
      const share = executor.segment({ index, count });
      if (share !== null) perWorker[index].push(share);
    }
  }
  return perWorker;
}
