/**
 * One worker of a multi-worker load run: a Web Worker that runs its execution segment of every
 * scenario (see `load/executors/segment.ts`) with its own engine, VUs and metrics registry, and
 * reports to the coordinator (`load/worker_group.ts`), which keeps VU 0 (options, setup,
 * teardown), thresholds, progress and the summary.
 *
 * The protocol, in order:
 * 1. coordinator → worker {@linkcode WorkerInit}; worker → `ready` (or `failed`);
 * 2. coordinator → `prepare`; the worker initialises the VUs its scenarios start with (k6's init
 *    phase, before `setup()`) and answers `prepared` (with the error of a VU that could not start);
 * 3. coordinator → `start` with the setup data; the worker runs its scenarios, posting `metrics`
 *    (a drained snapshot of its registry, merged by the coordinator) every `drainIntervalMs`,
 *    `status` when the VUs it holds change, `log` lines, and `abort` / `fail` / `refused` when the
 *    script stops or fails the test or loads a refused URL;
 * 4. coordinator → `stop` (graceful: gracefulStop applies) or `kill` (interrupt everything);
 * 5. worker → `done` with its scenario counts, last snapshot and target tally; the coordinator
 *    then terminates it.
 *
 * @module
 */

import os from "node:os";
import { Engine, type EngineSettings, PinnableClock } from "./engine.ts";
import { createExecutors } from "./executors/registry.ts";
import { initVusNeeded, runExecutors } from "./executors/run_scenarios.ts";
import { splitExecutors } from "./executors/segment.ts";
import { type ExecutorResult, systemScheduler } from "./executors/types.ts";
import { startLagMonitor } from "./lag_monitor.ts";
import { catchUncaught } from "./uncaught.ts";
import {
  EVENT_LOOP_LAG,
  MetricsRegistry,
  type MetricsSnapshot,
  type MetricType,
  type ValueType,
} from "./metrics.ts";
import type { TallySnapshot } from "./reachability.ts";
import { refuseCloudUrl } from "./safety.ts";
import { addScenarios, scenarioFailureMessage, ScenarioHost } from "./scenario_host.ts";
import { VuPool } from "./vu.ts";
import { InstanceCounters } from "./instance_counters.ts";

/** What a worker needs to run its share; see the module documentation. */
export interface WorkerInit {
  /** Message type. */
  type: "init";
  /** The script's file URL. */
  scriptUrl: string;
  /** `__ENV` outside scenarios. */
  env: Record<string, string>;
  /** The run's scenarios as configured (`LoadPlan.scenarios`), to split. */
  scenarios: Record<string, Record<string, unknown>>;
  /** This worker's 0-based index. */
  index: number;
  /** Number of workers. */
  count: number;
  /** The script options' effect on the engine (`scriptOptions` as JSON-compatible data). */
  settings: EngineSettings;
  /** Metrics defined in the coordinator (built-ins, the script's, the thresholds'). */
  metrics: Array<{ name: string; type: MetricType; contains: ValueType }>;
  /** Sub-metric keys registered in the coordinator (thresholds, built-in ones). */
  submetrics: string[];
  /** Allows load on the public SMSGate cloud. */
  allowPublicCloud: boolean;
  /** See `RunLoadOptions.initTimeoutMs`. */
  initTimeoutMs?: number;
  /** See `RunLoadOptions.httpTimeoutMs`. */
  httpTimeoutMs?: number;
  /** See `RunLoadOptions.maxBodyBytes`. */
  maxBodyBytes?: number;
  /** See `RunLoadOptions.target`. */
  target?: string;
  /** See `RunLoadOptions.lagIntervalMs`. */
  lagIntervalMs?: number;
  /** How often the worker posts its metrics, in ms. */
  drainIntervalMs: number;
  /**
   * Scheduling priority (nice value) to take, on Linux only (where it is this thread's); 0 keeps
   * the inherited one.
   */
  nice: number;
  /** The run's `exec.instance` counters; this worker writes slot `index + 1`. */
  counters: SharedArrayBuffer;
}

/** Coordinator → worker messages. */
export type ToWorker =
  | WorkerInit
  | {
    type: "start";
    setupJson: string | undefined;
    /** The coordinator registry's start (epoch ms): timelines line up. */
    startMs: number;
    /** When the scenarios started (epoch ms). */
    scenariosStartMs: number;
  }
  | { type: "prepare" }
  | { type: "stop" }
  | { type: "kill" };

/** What the VUs of a worker are doing, sent with `status`, `metrics` and `done`. */
export interface WorkerStatus {
  /** VUs its scenarios hold. */
  vusActive: number;
  /** VUs it created. */
  vusMax: number;
  /** Iterations interrupted so far. */
  interrupted: number;
  /** Arrival-rate iterations scheduled so far (started or dropped). */
  arrivalScheduled: number;
}

/** Worker → coordinator messages. */
export type FromWorker =
  | { type: "ready" }
  | { type: "failed"; error: string }
  | ({ type: "prepared"; error: string | null } & WorkerStatus)
  | ({ type: "status" } & WorkerStatus)
  | ({ type: "metrics"; snapshot: MetricsSnapshot } & WorkerStatus)
  | { type: "log"; line: string }
  | { type: "abort"; reason: string }
  | { type: "fail"; reason: string }
  | { type: "refused" }
  | ({
    type: "done";
    results: Record<string, ExecutorResult>;
    error: string | null;
    snapshot: MetricsSnapshot;
    tally: TallySnapshot | null;
  } & WorkerStatus);

/** The worker scope (the project's types describe a window, not a worker). */
interface _Scope {
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
  postMessage(message: FromWorker): void;
  close(): void;
}

/** A worker's share of a run, driven by the coordinator's messages. */
class _WorkerRun {
  readonly #post: (m: FromWorker) => void;
  readonly #init: WorkerInit;
  readonly #registry: MetricsRegistry;
  readonly #engine: Engine;
  readonly #pool: VuPool;
  readonly #scenarioHost: ScenarioHost;
  readonly #executors;
  readonly #stopper = new AbortController();
  #scenariosStartMs = 0;
  #killed = false;
  #onKill: () => void = () => {};
  #statusTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(init: WorkerInit, post: (m: FromWorker) => void) {
    this.#init = init;
    this.#post = post;
    const clock = new PinnableClock();
    const registry = this.#registry = new MetricsRegistry(clock);
    for (const m of init.metrics) {
      registry.define(m.name, m.type, {
        isTime: m.contains === "time",
        isData: m.contains === "data",
      });
    }
    for (const key of init.submetrics) registry.submetric(key);
    const engine = this.#engine = new Engine({
      counters: new InstanceCounters(init.counters, init.index + 1),
      registry,
      clock,
      scriptUrl: init.scriptUrl,
      env: init.env,
      refuseUrl: init.allowPublicCloud ? undefined : (url) => {
        const reason = refuseCloudUrl(url);
        if (reason !== null) post({ type: "refused" });
        return reason;
      },
      log: (line) => post({ type: "log", line }),
      initTimeoutMs: init.initTimeoutMs,
      httpTimeoutMs: init.httpTimeoutMs,
      maxBodyBytes: init.maxBodyBytes,
      target: init.target,
      onAbort: (reason) => {
        post({ type: "abort", reason });
        this.stop();
      },
      onFail: (reason) => post({ type: "fail", reason }),
    });
    engine.configure(init.settings);
    const executors = createExecutors(init.scenarios);
    addScenarios(engine, executors, init.env, () => this.#scenariosStartMs);
    const shares = splitExecutors(executors, init.count)[init.index];
    this.#executors = shares.map((s) => s.executor);
    this.#pool = new VuPool(engine, init.index + 1, init.count);
    this.#scenarioHost = new ScenarioHost({
      registry,
      pool: this.#pool,
      scheduler: systemScheduler,
      shares,
      onActiveVus: (total) => {
        engine.setActiveVus(total);
        this.#statusTimer ??= setTimeout(() => {
          this.#statusTimer = undefined;
          post({ type: "status", ...this.#status() });
        }, 0);
      },
    });
  }

  #status() {
    return {
      vusActive: this.#scenarioHost.vusActive,
      vusMax: this.#pool.size,
      interrupted: this.#engine.instance().iterationsInterrupted,
      arrivalScheduled: this.#scenarioHost.arrivalScheduled,
    };
  }

  /** Initialises the VUs its scenarios start with (k6's init phase) and posts `prepared`. */
  async prepare(): Promise<void> {
    let error: string | null = null;
    try {
      await this.#pool.prewarm(initVusNeeded(this.#executors));
    } catch (e) {
      error = scenarioFailureMessage(e);
    }
    this.#post({ type: "prepared", error, ...this.#status() });
  }

  /** Runs the share and posts `done`. */
  async start(
    setupJson: string | undefined,
    startMs: number,
    scenariosStartMs: number,
  ): Promise<void> {
    this.#registry.start(startMs);
    this.#engine.markStart(startMs);
    this.#scenariosStartMs = scenariosStartMs;
    this.#pool.setData(setupJson);
    const drain = setInterval(() => {
      this.#post({ type: "metrics", snapshot: this.#registry.drain(), ...this.#status() });
    }, this.#init.drainIntervalMs);
    const stopLag = startLagMonitor(
      this.#registry.get(EVENT_LOOP_LAG)!,
      systemScheduler,
      this.#init.lagIntervalMs,
    );
    const stopUncaught = catchUncaught((e) => this.#engine.uncaughtError(e));
    const killed = new Promise<null>((resolve) => this.#onKill = () => resolve(null));
    let results: Record<string, ExecutorResult> = {};
    let error: string | null = null;
    const running = runExecutors(this.#scenarioHost.host, this.#executors, this.#stopper.signal);
    try {
      const outcome = await Promise.race([running, killed]);
      if (outcome !== null) results = outcome;
      else running.catch(() => {});
    } catch (e) {
      error = scenarioFailureMessage(e);
    }
    this.#scenarioHost.flushAll();
    clearInterval(drain);
    if (this.#statusTimer !== undefined) clearTimeout(this.#statusTimer);
    stopLag();
    stopUncaught();
    const status = this.#status();
    status.vusActive = 0;
    this.#pool.close();
    // Closing the VUs failed their requests in flight: let those reach the target's tally.
    await this.#engine.requestsSettled(1000);
    this.#engine.flushWarnings();
    this.#post({
      type: "done",
      results,
      error,
      snapshot: this.#registry.drain(),
      tally: this.#engine.tally?.snapshot() ?? null,
      ...status,
    });
    this.#registry.destroy();
  }

  /** Stops starting iterations; running ones get their gracefulStop. */
  stop(): void {
    if (!this.#stopper.signal.aborted) this.#stopper.abort(new Error("stopped"));
  }

  /** Interrupts every iteration at once. */
  kill(): void {
    if (this.#killed) return;
    this.#killed = true;
    this.stop();
    this.#pool.interruptAll();
    this.#onKill();
  }
}

/** Serves the protocol on `scope` (the worker's global scope). */
export function serveWorker(scope: _Scope): void {
  let run: _WorkerRun | null = null;
  const post = (m: FromWorker) => scope.postMessage(m);
  scope.onmessage = (e: MessageEvent<ToWorker>) => {
    const message = e.data;
    switch (message.type) {
      case "init":
        try {
          // On Linux the priority of the calling thread only: the coordinator keeps its own.
          // Elsewhere it would be the whole process's, so it is left alone there.
          if (message.nice !== 0 && Deno.build.os === "linux") os.setPriority(message.nice);
          run = new _WorkerRun(message, post);
          post({ type: "ready" });
        } catch (e) {
          post({ type: "failed", error: (e as Error).message ?? String(e) });
        }
        break;
      case "start":
        run?.start(message.setupJson, message.startMs, message.scenariosStartMs).catch((e) => {
          post({ type: "failed", error: (e as Error).message ?? String(e) });
        });
        break;
      case "prepare":
        run?.prepare();
        break;
      case "stop":
        run?.stop();
        break;
      case "kill":
        run?.kill();
        break;
    }
  };
}

if ("WorkerGlobalScope" in globalThis) {
  serveWorker(self as unknown as _Scope);
}
