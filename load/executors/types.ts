/**
 * The contract between executors (pure scheduling logic, this folder) and the runner that
 * owns VUs, runs script iterations and records metrics.
 *
 * An executor decides *when* iterations start and on *which* VU; the runner decides *what*
 * an iteration does. All time goes through an injected {@linkcode Scheduler}, so the
 * executors run unchanged on wall-clock time and on virtual time in tests.
 *
 * @module
 */

import { nowMs } from "../clock.ts";
import type { ExecutorShare, Segment } from "./segment.ts";

/** Time source and timers, injectable so tests run on fake time. Times are milliseconds. */
export interface Scheduler {
  /** Current time in milliseconds (any origin, monotonic). */
  now(): number;
  /** Calls `fn` once after `ms` milliseconds; returns an id for {@linkcode Scheduler.clearTimeout}. */
  setTimeout(fn: () => void, ms: number): unknown;
  /** Cancels a pending timer; unknown or already fired ids are ignored. */
  clearTimeout(id: unknown): void;
}

/** The {@linkcode Scheduler} backed by the engine's clock (load/clock.ts) and the global timers. */
export const systemScheduler: Scheduler = {
  now: nowMs,
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id as number),
};

/**
 * A virtual user as the executors see it: an opaque handle with a global id. The runner's own
 * VU type extends it (executors are generic over it and never modify it).
 */
export interface Vu {
  /** Global VU id (k6 `__VU`, 1-based). */
  readonly id: number;
}

/** What an executor passes to {@linkcode ExecutionHost.runIteration}. */
export interface IterationInfo {
  /** Scenario name (the key in `options.scenarios`). */
  scenario: string;
  /**
   * 0-based index of this iteration among all iterations this scenario started (k6
   * `exec.scenario.iterationInInstance`). Per-VU counters (`__ITER`) are the runner's.
   */
  iterationInScenario: number;
  /**
   * Arrival-rate executors only: when the iteration was meant to start (scheduler time, ms).
   * Latency measured from here is corrected for coordinated omission.
   */
  intendedStart?: number;
  /** Aborted when the iteration must stop (gracefulStop or gracefulRampDown elapsed, hard abort). */
  signal: AbortSignal;
}

/** What the runner provides to an executor. */
export interface ExecutionHost<V extends Vu = Vu> {
  /** Time source and timers for every schedule decision. */
  scheduler: Scheduler;
  /**
   * Initialises (or reuses) a VU and resolves when it is ready. A rejection is fatal for the
   * scenario: its `run()` aborts its iterations and rejects with that error.
   */
  acquireVu(): Promise<V>;
  /** Gives a VU back; called once per acquired VU, after its last iteration settled. */
  releaseVu(vu: V): void;
  /**
   * Runs one iteration on this VU and resolves when it is done. It should not reject (the
   * runner records iteration errors itself); a rejection is treated like a failed
   * {@linkcode ExecutionHost.acquireVu}. It should settle soon after `info.signal` aborts.
   */
  runIteration(vu: V, info: IterationInfo): Promise<void>;
  /**
   * `count` iterations of `scenario` were not started: no free VU at their arrival time
   * (arrival-rate executors, reported one at a time when it happens) or the iterations left
   * when maxDuration ended a shared-iterations / per-vu-iterations scenario (k6's
   * `dropped_iterations`).
   */
  onDroppedIterations(scenario: string, count: number): void;
  /**
   * The number of VUs `scenario` holds changed (for the `vus` gauge / timeline): VUs acquired
   * and not yet released, including VUs finishing an iteration in gracefulStop /
   * gracefulRampDown and, for arrival-rate executors, idle VUs in the pool. May still be called
   * after `run()` resolved, when a VU whose aborted iteration settled late is released.
   */
  onActiveVus(scenario: string, active: number): void;
}

/** Counts for one finished scenario. */
export interface ExecutorResult {
  /** Iterations that ran to completion (k6 `iterations`). */
  iterations: number;
  /** Iterations never started (k6 `dropped_iterations`). */
  dropped: number;
  /** Iterations aborted through their signal (gracefulStop / gracefulRampDown / hard abort). */
  interrupted: number;
}

/** Options every executor shares, normalised (durations in ms, k6 defaults applied). */
export interface BaseOptions {
  /** Scenario name. */
  scenario: string;
  /** k6 executor name, e.g. `"constant-vus"`. */
  executor: string;
  /** Offset from the start of the test at which this scenario starts (ms, default 0). */
  startTimeMs: number;
  /** Time running iterations get after the scenario's regular end before they are aborted (ms, default 30 000). */
  gracefulStopMs: number;
  /** Name of the exported function to run (default `"default"`). */
  exec: string;
  /** Extra `__ENV` entries for this scenario. */
  env: Record<string, string>;
  /** Extra metric tags for this scenario. */
  tags: Record<string, string>;
}

/** One scenario's scheduler, created from its validated config. */
export interface Executor {
  /** The scenario's shared options. */
  readonly base: BaseOptions;
  /**
   * Runs the scenario once, starting now (the caller applies `startTime`). Resolves when all
   * its iterations have settled, and at the latest {@linkcode Executor.maxDurationMs} after it
   * started (plus the time to initialise VUs that are acquired up front): iterations still
   * running then are aborted, counted as interrupted and not awaited (their VUs are released
   * when they settle).
   *
   * Aborting `signal` (Ctrl-C, abortOnFail) stops starting iterations at once and gives the
   * running ones up to gracefulStop before aborting them.
   */
  run<V extends Vu>(host: ExecutionHost<V>, signal: AbortSignal): Promise<ExecutorResult>;
  /** The most VUs this scenario holds at once. */
  maxVus(): number;
  /**
   * The VUs k6 initialises for this scenario before the test starts: all of them, except for the
   * arrival-rate executors, whose pool grows from preAllocatedVUs during the run.
   */
  initVus(): number;
  /** Upper bound of the scenario's duration in ms, gracefulStop included, startTime excluded. */
  maxDurationMs(): number;
  /** k6-like one-line description, e.g. `"64 looping VUs for 30s (gracefulStop: 30s)"`. */
  describe(): string;
  /**
   * This scenario's share for one execution segment (see `segment.ts`), or null when that share
   * has no work. `{ index: 0, count: 1 }` is the whole scenario.
   */
  segment(part: Segment): ExecutorShare | null;
}

/** What every executor class shares: its normalised options, which are also its `base`. */
export abstract class OptionsExecutor<O extends BaseOptions> implements Executor {
  /** The normalised options. */
  readonly options: O;

  /** Creates the executor from validated options (use the registry entry to validate). */
  constructor(options: O) {
    this.options = options;
  }

  /** The scenario's shared options. */
  get base(): BaseOptions {
    return this.options;
  }

  /** See {@linkcode Executor.run}. */
  abstract run<V extends Vu>(host: ExecutionHost<V>, signal: AbortSignal): Promise<ExecutorResult>;
  /** See {@linkcode Executor.maxVus}. */
  abstract maxVus(): number;
  /** See {@linkcode Executor.initVus}: by default {@linkcode Executor.maxVus}. */
  initVus(): number {
    return this.maxVus();
  }
  /** See {@linkcode Executor.maxDurationMs}. */
  abstract maxDurationMs(): number;
  /** See {@linkcode Executor.describe}. */
  abstract describe(): string;
  /** See {@linkcode Executor.segment}. */
  abstract segment(part: Segment): ExecutorShare | null;
}

/** How an executor type is validated and created; one entry per k6 executor name. */
export interface ExecutorDefinition {
  /** The k6 executor name, e.g. `"ramping-arrival-rate"`. */
  readonly name: string;
  /** Every problem in a scenario config (empty when valid), each naming the scenario and field. */
  validate(scenario: string, config: Readonly<Record<string, unknown>>): string[];
  /** Creates the executor; throws an `Error` listing every problem if the config is invalid. */
  create(scenario: string, config: Readonly<Record<string, unknown>>): Executor;
}
