/**
 * The {@linkcode ExecutionHost} of one thread: VUs from its pool, iterations run on them, and the
 * accounting the executors report: `dropped_iterations`, the coordinated-omission correction of
 * dropped arrivals, VUs held per scenario, arrivals scheduled. The runner uses it on its own
 * thread (one worker) and each worker of a multi-worker run uses its own
 * (see `load/worker_group.ts`).
 *
 * @module
 */

import type { Engine } from "./engine.ts";
import type { ExecutorShare } from "./executors/segment.ts";
import type { ExecutionHost, Executor, IterationInfo, Scheduler } from "./executors/types.ts";
import { DROPPED_ITERATIONS, HTTP_REQ_LATENCY_INTENDED, type MetricsRegistry } from "./metrics.ts";
import { type VirtualUser, VuInitError, type VuPool } from "./vu.ts";

/**
 * Registers each executor's scenario in `engine` for `k6/execution` (`exec.scenario.startTime`,
 * `progress`...). `startedAt()` is when the scenarios started (epoch ms), 0 until they have.
 */
export function addScenarios(
  engine: Engine,
  executors: readonly Executor[],
  env: Record<string, string>,
  startedAt: () => number,
): void {
  for (const ex of executors) {
    const regularMs = Math.max(1, ex.maxDurationMs() - ex.base.gracefulStopMs);
    const offset = ex.base.startTimeMs;
    engine.addScenario({
      name: ex.base.scenario,
      executor: ex.base.executor,
      exec: ex.base.exec,
      env: { ...env, ...ex.base.env },
      get startTime() {
        const start = startedAt();
        return start === 0 ? 0 : start + offset;
      },
      progress() {
        const start = startedAt();
        if (start === 0) return 0;
        const elapsed = engine.registry.now() - start - offset;
        return Math.min(1, Math.max(0, elapsed / regularMs));
      },
    });
  }
}

/** A failure of the scenarios whose message is already worded for the user (from a worker). */
export class ScenarioFailure extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "ScenarioFailure";
  }
}

/**
 * What to tell the user when running the scenarios threw `e`: a VU that could not start (or a
 * worker's worded failure) as it is, anything else as a failure of the scenarios.
 */
export function scenarioFailureMessage(e: unknown): string {
  if (e instanceof VuInitError || e instanceof ScenarioFailure) return e.message;
  return `the scenarios failed: ${e instanceof Error ? e.message : String(e)}`;
}

/** Options of a {@linkcode ScenarioHost}. */
export interface ScenarioHostOptions {
  /** Where dropped iterations and their corrected latency are recorded. */
  registry: MetricsRegistry;
  /** The thread's VUs. */
  pool: VuPool;
  /** Time source and timers. */
  scheduler: Scheduler;
  /** The executors (or this thread's shares of them) that will run. */
  shares: readonly ExecutorShare[];
  /** Called when the number of VUs the scenarios hold changes (their total). */
  onActiveVus?: (total: number) => void;
}

/** See the module documentation. */
export class ScenarioHost {
  /** The host to pass to `runExecutors`. */
  readonly host: ExecutionHost<VirtualUser>;
  /** VUs the scenarios hold now. */
  vusActive = 0;
  /** Arrival-rate iterations scheduled so far (started or dropped). */
  arrivalScheduled = 0;

  readonly #scheduler: Scheduler;
  readonly #intendedLatency;
  readonly #droppedTags = new Map<string, Readonly<Record<string, string>>>();
  readonly #droppedWaiting = new Map<string, number[]>();

  /** Creates the host. */
  constructor(options: ScenarioHostOptions) {
    const { registry, pool, scheduler } = options;
    this.#scheduler = scheduler;
    this.#intendedLatency = registry.get(HTTP_REQ_LATENCY_INTENDED)!;
    const dropped = registry.get(DROPPED_ITERATIONS)!;
    const arrival = new Set<string>();
    // Iteration numbers of a share, mapped to the whole test's (exec.scenario.iterationInTest).
    const numbering = new Map<string, { first: number; stride: number }>();
    for (const { executor, first, stride } of options.shares) {
      const scenario = executor.base.scenario;
      if (executor.base.executor.includes("arrival-rate")) arrival.add(scenario);
      if (first !== 0 || stride !== 1) numbering.set(scenario, { first, stride });
    }
    const activeByScenario = new Map<string, number>();
    this.host = {
      scheduler,
      acquireVu: () => pool.acquire(),
      releaseVu: (vu) => pool.release(vu),
      runIteration: (vu, iteration: IterationInfo) => {
        const scenario = iteration.scenario;
        if (numbering.size > 0) {
          const n = numbering.get(scenario);
          if (n !== undefined) {
            iteration.iterationInScenario = n.first + iteration.iterationInScenario * n.stride;
          }
        }
        if (iteration.intendedStart === undefined) return vu.runIteration(iteration);
        this.arrivalScheduled++;
        return vu.runIteration(iteration).finally(() => this.#flushDropped(scenario));
      },
      onDroppedIterations: (scenario, count) => {
        let tags = this.#droppedTags.get(scenario);
        if (tags === undefined) this.#droppedTags.set(scenario, tags = Object.freeze({ scenario }));
        dropped.add(count, tags);
        if (arrival.has(scenario)) {
          this.arrivalScheduled += count;
          let waiting = this.#droppedWaiting.get(scenario);
          if (waiting === undefined) this.#droppedWaiting.set(scenario, waiting = []);
          const now = scheduler.now();
          for (let i = 0; i < count; i++) waiting.push(now);
        }
      },
      onActiveVus: (scenario, active) => {
        activeByScenario.set(scenario, active);
        let total = 0;
        for (const n of activeByScenario.values()) total += n;
        this.vusActive = total;
        options.onActiveVus?.(total);
      },
    };
  }

  /** Records the corrected latency of every dropped arrival still waiting (at the end of a run). */
  flushAll(): void {
    for (const scenario of this.#droppedWaiting.keys()) this.#flushDropped(scenario);
  }

  // Coordinated-omission correction for dropped arrivals (as wrk2 does for requests it could not
  // send on time): a dropped iteration would have started no earlier than when a VU of its
  // scenario next became free, so it contributes that wait, intended start to free VU, to
  // http_req_latency_intended (a lower bound). Plain http_req_duration never sees it.
  #flushDropped(scenario: string): void {
    const waiting = this.#droppedWaiting.get(scenario);
    if (waiting === undefined || waiting.length === 0) return;
    const now = this.#scheduler.now();
    const tags = this.#droppedTags.get(scenario)!;
    for (const t of waiting) this.#intendedLatency.add(now - t, tags);
    waiting.length = 0;
  }
}
