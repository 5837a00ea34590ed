/**
 * The machinery every executor shares for one run of one scenario: its clock (regular end,
 * gracefulStop, outer abort), iteration bookkeeping, VU accounting and completion.
 * Private to `load/executors/`.
 *
 * Timeline of a run started at `start`:
 * - `start + regularMs` (or the outer signal aborting, if earlier): the run *stops*, no new
 *   iteration may start; sleepers wake up; running iterations may finish.
 * - `start + regularMs + gracefulStopMs` (or `abort time + gracefulStopMs`, if earlier): the run
 *   is *hard-stopped*: iterations still running are aborted through their signal and counted
 *   as interrupted, and {@linkcode ScenarioRun.finish} resolves without waiting for them.
 * - The run also finishes as soon as every tracked task has settled.
 *
 * @module
 */

import type { ExecutionHost, ExecutorResult, IterationInfo, Vu } from "./types.ts";

const _RESOLVED: Promise<void> = Promise.resolve();

interface _Sleeper {
  timer: unknown;
  resolve: (stopped: boolean) => void;
}

/** An iteration started by {@linkcode ScenarioRun.begin}. */
export interface RunningIteration {
  /** Settles when the iteration is done; rejects when the host failed. */
  readonly promise: Promise<void>;
}

/**
 * A running iteration, linked into the run's list of them. An intrusive list rather than a `Set`:
 * adding and deleting a new object per iteration made the set hash and rehash, a measurable
 * share of the engine's time at 100k iterations/s.
 */
class _InFlight implements RunningIteration {
  readonly signal: AbortSignal;
  promise: Promise<void> = _RESOLVED;
  counted = false;
  prev: _InFlight | null = null;
  next: _InFlight | null = null;
  constructor(signal: AbortSignal) {
    this.signal = signal;
  }
}

/** How many iterations a VU loop may run without the event loop getting a turn. */
const _SPIN_LIMIT = 64;
/** How often the heartbeat timer proves the event loop got a turn (ms). */
const _BEAT_MS = 10;

/** One run of one scenario; see the module documentation for its timeline. */
export class ScenarioRun<V extends Vu> {
  /** Scheduler time at which the run started. */
  readonly start: number;
  /** Whether new iterations may no longer start (regular end, outer abort or failure). */
  stopped = false;
  /** Whether running iterations have been aborted. */
  hardStopped = false;

  readonly #host: ExecutionHost<V>;
  readonly #scenario: string;
  readonly #outer: AbortSignal;
  readonly #gracefulStopMs: number;
  readonly #hard = new AbortController();
  readonly #result: ExecutorResult = { iterations: 0, dropped: 0, interrupted: 0 };
  /** Head of the list of running iterations. */
  #inFlight: _InFlight | null = null;
  readonly #sleepers = new Set<_Sleeper>();
  readonly #stopListeners: (() => void)[] = [];
  readonly #timers = new Set<unknown>();
  readonly #done = Promise.withResolvers<void>();
  #hardEnd: number;
  #regularTimer: unknown;
  #hardTimer: unknown;
  #nextIteration = 0;
  #held = 0;
  #tasks = 0;
  #sealed = false;
  #finished = false;
  #failure: { error: unknown } | undefined;
  #beat = 0;
  #beatTimer: unknown;

  /** Starts the run now: its regular end and hard-stop timers, and the outer abort. */
  constructor(
    host: ExecutionHost<V>,
    scenario: string,
    outer: AbortSignal,
    regularMs: number,
    gracefulStopMs: number,
  ) {
    this.#host = host;
    this.#scenario = scenario;
    this.#outer = outer;
    this.#gracefulStopMs = gracefulStopMs;
    const scheduler = host.scheduler;
    this.start = scheduler.now();
    this.#hardEnd = this.start + regularMs + gracefulStopMs;
    this.#regularTimer = scheduler.setTimeout(() => this.stop(), Math.ceil(regularMs));
    this.#hardTimer = scheduler.setTimeout(
      () => this.hardStop(),
      Math.ceil(regularMs + gracefulStopMs),
    );
    if (outer.aborted) this.#onOuterAbort();
    else outer.addEventListener("abort", this.#onOuterAbort);
  }

  /** Scheduler time at which running iterations will be aborted. */
  get hardEnd(): number {
    return this.#hardEnd;
  }

  /** The scheduler of the host. */
  get scheduler(): ExecutionHost<V>["scheduler"] {
    return this.#host.scheduler;
  }

  /** Calls `listener` once when the run stops (immediately if it already has). */
  onStop(listener: () => void): void {
    if (this.stopped) listener();
    else this.#stopListeners.push(listener);
  }

  /** Stops starting iterations; running ones keep going until {@linkcode ScenarioRun.hardStop}. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.scheduler.clearTimeout(this.#regularTimer);
    for (const sleeper of this.#sleepers) {
      this.scheduler.clearTimeout(sleeper.timer);
      sleeper.resolve(true);
    }
    this.#sleepers.clear();
    for (const listener of this.#stopListeners.splice(0)) listener();
    this.#checkDone();
  }

  /** Aborts every running iteration, counts them as interrupted and finishes the run. */
  hardStop(): void {
    this.stop();
    if (this.hardStopped) return;
    this.hardStopped = true;
    this.scheduler.clearTimeout(this.#hardTimer);
    for (let entry = this.#inFlight; entry !== null; entry = entry.next) {
      entry.counted = true;
      this.#result.interrupted++;
    }
    this.#hard.abort();
    this.#done.resolve();
  }

  /** Ends the run because of a fatal error (failed VU initialisation or host failure). */
  fail(error: unknown): void {
    if (this.#failure || this.#finished) return;
    this.#failure = { error };
    this.hardStop();
  }

  #onOuterAbort = (): void => {
    this.stop();
    const hardEnd = this.scheduler.now() + this.#gracefulStopMs;
    if (this.hardStopped || hardEnd >= this.#hardEnd) return;
    this.#hardEnd = hardEnd;
    this.scheduler.clearTimeout(this.#hardTimer);
    if (this.#gracefulStopMs <= 0) this.hardStop();
    else {
      this.#hardTimer = this.scheduler.setTimeout(
        () => this.hardStop(),
        Math.ceil(this.#gracefulStopMs),
      );
    }
  };

  /**
   * Runs `task` as part of this run: the run finishes only when all tasks have settled (or at
   * the hard stop). A task that rejects fails the run.
   */
  track(task: () => Promise<unknown>): void {
    this.#tasks++;
    let promise: Promise<unknown>;
    try {
      promise = task();
    } catch (error) {
      promise = Promise.reject(error);
    }
    promise.then(undefined, (error) => this.fail(error)).finally(() => {
      this.#tasks--;
      this.#checkDone();
    });
  }

  /** Counts a VU acquired before the run started as held by the scenario. */
  adopt(vu: V): V {
    this.#held++;
    this.#host.onActiveVus(this.#scenario, this.#held);
    return vu;
  }

  /**
   * Acquires a VU for this scenario; resolves `undefined` (after giving the VU back) if the run
   * stopped meanwhile. Rejects if the host cannot provide one.
   */
  async acquire(): Promise<V | undefined> {
    const vu = await this.#host.acquireVu();
    if (this.stopped) {
      this.#host.releaseVu(vu);
      return undefined;
    }
    return this.adopt(vu);
  }

  /** Gives a held VU back to the host. */
  release(vu: V): void {
    this.#held--;
    this.#host.onActiveVus(this.#scenario, this.#held);
    this.#host.releaseVu(vu);
  }

  /** Records `count` iterations that were not started. */
  drop(count: number): void {
    if (count <= 0) return;
    this.#result.dropped += count;
    this.#host.onDroppedIterations(this.#scenario, count);
  }

  /**
   * A signal that aborts at the hard stop or when `signal` aborts (for per-VU aborts such as
   * gracefulRampDown); pass it to {@linkcode ScenarioRun.iterate}.
   */
  link(signal: AbortSignal): AbortSignal {
    return AbortSignal.any([this.#hard.signal, signal]);
  }

  /**
   * Runs one iteration on `vu` with the run's hard-stop signal, or with `signal` (which must come
   * from {@linkcode ScenarioRun.link}). Resolves when the iteration settled; never rejects (a
   * host failure fails the run).
   */
  iterate(
    vu: V,
    options?: { intendedStart?: number; signal?: AbortSignal },
  ): Promise<void> {
    const entry = this.begin(vu, options);
    // One promise hop: the entry is settled by a reaction on the iteration's own promise.
    return entry.promise.then(
      () => this.end(entry, false),
      (error) => this.end(entry, true, error),
    );
  }

  /**
   * Starts one iteration as {@linkcode ScenarioRun.iterate} does, for loops that await it
   * themselves: await `promise` (it may reject), then pass the iteration and its outcome to
   * {@linkcode ScenarioRun.end}. Saves `iterate()`'s promise hop and closures.
   */
  begin(vu: V, options?: { intendedStart?: number; signal?: AbortSignal }): RunningIteration {
    const signal = options?.signal ?? this.#hard.signal;
    const entry = new _InFlight(signal);
    const head = this.#inFlight;
    if (head !== null) {
      entry.next = head;
      head.prev = entry;
    }
    this.#inFlight = entry;
    const info: IterationInfo = {
      scenario: this.#scenario,
      iterationInScenario: this.#nextIteration++,
      signal,
    };
    const intendedStart = options?.intendedStart;
    if (intendedStart !== undefined) info.intendedStart = intendedStart;
    try {
      entry.promise = this.#host.runIteration(vu, info);
    } catch (error) {
      entry.promise = Promise.reject(error);
    }
    return entry;
  }

  /**
   * Settles an iteration from {@linkcode ScenarioRun.begin} once its promise settled; when it
   * rejected (`failed`), its `error` fails the run.
   */
  end(iteration: RunningIteration, failed: boolean, error?: unknown): void {
    if (failed) this.fail(error);
    this.#settled(iteration as _InFlight);
  }

  #settled(entry: _InFlight): void {
    const { prev, next } = entry;
    if (prev !== null) prev.next = next;
    else if (this.#inFlight === entry) this.#inFlight = next;
    if (next !== null) next.prev = prev;
    entry.prev = entry.next = null;
    if (!entry.counted) {
      entry.counted = true;
      if (entry.signal.aborted) this.#result.interrupted++;
      else this.#result.iterations++;
    }
  }

  /**
   * Resolves at `start + offsetMs` with `false`, or early with `true` if the run stops first.
   * Never resolves before the target time: a timer that fires early is followed by another.
   *
   * The first timer aims at the whole millisecond before the target rather than the one after
   * it. Deno's timers fire about a millisecond after their deadline, and every millisecond an
   * arrival starts late counts in its `http_req_latency_intended`: measured here, the median
   * lateness went from 2.8 to 1.6 ms at 20 arrivals/s and from 1.7 to 0.8 ms at 200/s.
   */
  sleepUntil(offsetMs: number): Promise<boolean> {
    if (this.stopped) return Promise.resolve(true);
    const delay = this.start + offsetMs - this.scheduler.now();
    if (delay <= 0) return Promise.resolve(false);
    return this.#nap(delay >= 1 ? Math.floor(delay) : delay).then((stopped) =>
      stopped || this.sleepUntil(offsetMs)
    );
  }

  /** Resolves `false` after `ms` (rounded up), or `true` as soon as the run stops. */
  #nap(ms: number): Promise<boolean> {
    if (this.stopped) return Promise.resolve(true);
    return new Promise((resolve) => {
      const sleeper: _Sleeper = { timer: undefined, resolve };
      sleeper.timer = this.scheduler.setTimeout(() => {
        this.#sleepers.delete(sleeper);
        resolve(this.stopped);
      }, Math.ceil(ms));
      this.#sleepers.add(sleeper);
    });
  }

  /** Calls `fn` after `ms` unless the run finished first (timers are cleared at the end). */
  after(ms: number, fn: () => void): unknown {
    const id = this.scheduler.setTimeout(() => {
      this.#timers.delete(id);
      fn();
    }, Math.ceil(ms));
    this.#timers.add(id);
    return id;
  }

  /** Cancels a timer from {@linkcode ScenarioRun.after}. */
  cancel(id: unknown): void {
    if (!this.#timers.delete(id)) return;
    this.scheduler.clearTimeout(id);
  }

  /**
   * Returns a function a VU loop calls after each iteration (awaiting what it returns, if
   * anything). It yields to the event loop (a 0 ms timer) when the loop ran many iterations
   * while a heartbeat timer could not fire, so iterations that settle without I/O (e.g. a script
   * error) cannot starve the timers that end the scenario. The heartbeat fires every 10 ms, not
   * every turn: one timer per turn costs a noticeable share of throughput at 100k requests/s.
   */
  breather(): () => Promise<unknown> | undefined {
    let seen = this.#beat;
    let streak = 0;
    return () => {
      if (this.#beat !== seen) {
        seen = this.#beat;
        streak = 0;
      }
      if (this.#beatTimer === undefined && !this.#finished) {
        this.#beatTimer = this.scheduler.setTimeout(() => {
          this.#beatTimer = undefined;
          this.#beat++;
        }, _BEAT_MS);
      }
      if (++streak < _SPIN_LIMIT) return undefined;
      streak = 0;
      return this.#nap(0);
    };
  }

  /**
   * Marks the end of task registration and resolves with the counts when all tasks settled or
   * at the hard stop; rejects with the error that failed the run, if any. `settle` runs first
   * when the run ends (e.g. to report the iterations left undone as dropped).
   */
  async finish(settle?: () => void): Promise<ExecutorResult> {
    this.#sealed = true;
    this.#checkDone();
    await this.#done.promise;
    this.stop();
    if (!this.#failure) settle?.();
    this.#finished = true;
    this.scheduler.clearTimeout(this.#hardTimer);
    if (this.#beatTimer !== undefined) this.scheduler.clearTimeout(this.#beatTimer);
    this.#beatTimer = undefined;
    for (const id of this.#timers) this.scheduler.clearTimeout(id);
    this.#timers.clear();
    this.#outer.removeEventListener("abort", this.#onOuterAbort);
    if (this.#failure) throw this.#failure.error;
    return { ...this.#result };
  }

  #checkDone(): void {
    if (this.#sealed && this.#tasks === 0) this.#done.resolve();
  }
}

/**
 * Acquires `count` VUs before a run starts (k6 initialises planned VUs before the scenario's
 * clock starts). Resolves `undefined` (after releasing them) if `signal` aborted meanwhile;
 * rejects with the first failure after releasing the VUs that were acquired.
 */
export async function acquireUpFront<V extends Vu>(
  host: ExecutionHost<V>,
  count: number,
  signal: AbortSignal,
): Promise<V[] | undefined> {
  if (signal.aborted) return undefined;
  const settled = await Promise.allSettled(
    Array.from({ length: count }, () => host.acquireVu()),
  );
  const vus: V[] = [];
  let failure: PromiseRejectedResult | undefined;
  for (const outcome of settled) {
    if (outcome.status === "fulfilled") vus.push(outcome.value);
    else failure ??= outcome;
  }
  if (failure || signal.aborted) {
    for (const vu of vus) host.releaseVu(vu);
    if (failure) throw failure.reason;
    return undefined;
  }
  return vus;
}

/** The result of a scenario that did not run. */
export function emptyResult(): ExecutorResult {
  return { iterations: 0, dropped: 0, interrupted: 0 };
}
