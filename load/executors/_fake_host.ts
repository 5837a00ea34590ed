/**
 * Test support: a virtual-time {@linkcode Scheduler} over `@sinonjs/fake-timers` and a fake
 * {@linkcode ExecutionHost} whose iterations take a configurable virtual time and which records
 * everything the executors do. Private to `load/executors/` tests.
 *
 * @module
 */

import FakeTimers from "@sinonjs/fake-timers";
import type { ExecutionHost, IterationInfo, Scheduler, Vu } from "./types.ts";

/** The clock type `FakeTimers.createClock()` returns. */
export type FakeClock = ReturnType<typeof FakeTimers.createClock>;

/** Wraps a fake clock as a {@linkcode Scheduler}. */
export function fakeScheduler(clock: FakeClock): Scheduler {
  return {
    now: () => clock.now,
    setTimeout: (fn, ms) => clock.setTimeout(fn, ms),
    clearTimeout: (id) => clock.clearTimeout(id as Parameters<FakeClock["clearTimeout"]>[0]),
  };
}

/** A VU of the fake host. */
export interface FakeVu extends Vu {
  /** Iterations this VU ran (any scenario). */
  iterations: number;
}

/** One iteration as the fake host saw it. */
export interface IterationRecord {
  /** Scenario name. */
  scenario: string;
  /** VU id. */
  vu: number;
  /** Index among the scenario's iterations. */
  iterationInScenario: number;
  /** Intended start (arrival-rate executors). */
  intendedStart?: number;
  /** Virtual time the iteration started. */
  startedAt: number;
  /** Virtual time it ended, once it has. */
  endedAt?: number;
  /** Whether its signal was aborted when it ended. */
  interrupted?: boolean;
}

/** Options of {@linkcode FakeHost}. */
export interface FakeHostOptions {
  /** Virtual duration of an iteration in ms (or computed per iteration). */
  iterationMs: number | ((record: IterationRecord) => number);
  /** Virtual time VU initialisation takes (default 0: ready on the next microtask). */
  acquireMs?: number;
  /** Whether iterations end as soon as their signal aborts (default true). */
  honourAbort?: boolean;
  /** Makes `acquireVu` reject after this many successful acquisitions. */
  failAcquireAfter?: number;
}

/** A recording {@linkcode ExecutionHost} on virtual time. */
export class FakeHost implements ExecutionHost<FakeVu> {
  /** The virtual clock; advance it with `tickAsync`. */
  readonly clock: FakeClock;
  /** The clock as a {@linkcode Scheduler}. */
  readonly scheduler: Scheduler;
  /** Every iteration started, in start order. */
  readonly iterations: IterationRecord[] = [];
  /** Every dropped-iterations report. */
  readonly dropped: { scenario: string; count: number; at: number }[] = [];
  /** Every active-VU report. */
  readonly activeVus: { scenario: string; active: number; at: number }[] = [];
  /** VUs currently acquired and not released. */
  held = 0;
  /** Most VUs held at once. */
  maxHeld = 0;
  /** Iterations currently running. */
  running = 0;
  /** Total acquisitions. */
  acquired = 0;
  readonly #options: FakeHostOptions;
  readonly #free: FakeVu[] = [];
  #nextId = 1;

  /** A host on `clock` (a new fake clock at 0 by default). */
  constructor(options: FakeHostOptions, clock: FakeClock = FakeTimers.createClock()) {
    this.#options = options;
    this.clock = clock;
    this.scheduler = fakeScheduler(clock);
  }

  /** Hands out a VU (reusing released ones), after `acquireMs` of virtual time. */
  acquireVu(): Promise<FakeVu> {
    const { acquireMs = 0, failAcquireAfter } = this.#options;
    if (failAcquireAfter !== undefined && this.acquired >= failAcquireAfter) {
      return Promise.reject(new Error("VU initialisation failed"));
    }
    this.acquired++;
    const vu = this.#free.pop() ?? { id: this.#nextId++, iterations: 0 };
    const ready = () => {
      this.held++;
      this.maxHeld = Math.max(this.maxHeld, this.held);
      return vu;
    };
    if (acquireMs <= 0) return Promise.resolve().then(ready);
    return new Promise((resolve) => this.clock.setTimeout(() => resolve(ready()), acquireMs));
  }

  /** Takes a VU back. */
  releaseVu(vu: FakeVu): void {
    this.held--;
    this.#free.push(vu);
  }

  /** Records the iteration and ends it after `iterationMs` (or when its signal aborts). */
  runIteration(vu: FakeVu, info: IterationInfo): Promise<void> {
    const record: IterationRecord = {
      scenario: info.scenario,
      vu: vu.id,
      iterationInScenario: info.iterationInScenario,
      startedAt: this.clock.now,
      ...(info.intendedStart === undefined ? {} : { intendedStart: info.intendedStart }),
    };
    this.iterations.push(record);
    this.running++;
    vu.iterations++;
    const { iterationMs, honourAbort = true } = this.#options;
    const ms = typeof iterationMs === "number" ? iterationMs : iterationMs(record);
    return new Promise<void>((resolve) => {
      const finish = () => {
        this.clock.clearTimeout(timer);
        info.signal.removeEventListener("abort", finish);
        record.endedAt = this.clock.now;
        record.interrupted = info.signal.aborted;
        this.running--;
        resolve();
      };
      const timer = this.clock.setTimeout(finish, ms);
      if (honourAbort) {
        if (info.signal.aborted) finish();
        else info.signal.addEventListener("abort", finish);
      }
    });
  }

  /** Records a dropped-iterations report. */
  onDroppedIterations(scenario: string, count: number): void {
    this.dropped.push({ scenario, count, at: this.clock.now });
  }

  /** Records an active-VU report. */
  onActiveVus(scenario: string, active: number): void {
    this.activeVus.push({ scenario, active, at: this.clock.now });
  }

  /** Total dropped iterations reported for `scenario`. */
  droppedFor(scenario: string): number {
    return this.dropped.filter((d) => d.scenario === scenario).reduce((n, d) => n + d.count, 0);
  }

  /** The VU count last reported for `scenario` at or before `at`. */
  activeAt(scenario: string, at: number): number {
    let active = 0;
    for (const entry of this.activeVus) {
      if (entry.scenario === scenario && entry.at <= at) active = entry.active;
    }
    return active;
  }

  /** Iterations of `scenario` started at or before `at`. */
  startedBy(scenario: string, at: number): number {
    return this.iterations.filter((i) => i.scenario === scenario && i.startedAt <= at).length;
  }
}

/**
 * Advances virtual time by `ms` (letting promises settle between timers) and returns the value
 * `promise` settled with and the virtual time `at` which it settled; fails if it has not
 * settled by then, rethrows its rejection.
 */
export async function settle<T>(
  clock: FakeClock,
  promise: Promise<T>,
  ms: number,
): Promise<{ value: T; at: number }> {
  let outcome: { value: T; at: number } | { error: unknown } | undefined;
  promise.then(
    (value) => (outcome = { value, at: clock.now }),
    (error) => (outcome = { error }),
  );
  await clock.tickAsync(ms);
  for (let i = 0; i < 20 && !outcome; i++) await Promise.resolve();
  if (!outcome) throw new Error(`Promise not settled after ${ms} ms of virtual time`);
  if ("error" in outcome) throw outcome.error;
  return outcome;
}
