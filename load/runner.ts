/**
 * Runs a k6 script: loads it (VU 0 reads the options, runs `setup()` and `teardown()`), runs the
 * scenarios with the executors, records every metric, stops early on `abortOnFail` thresholds,
 * `exec.test.abort()`, the caller's stop signal (Ctrl-C) or the time cap, and returns the summary
 * data and the exit code. Printing is the caller's (`cli/load.ts`).
 *
 * Life of a run, as k6:
 * 1. init: VU 0 imports the script; its `options` give the plan; thresholds are validated against
 *    the metrics defined (built-ins and the script's custom metrics); then the VUs the scenarios
 *    start with are initialised (each imports the script; the most that overlapping scenarios
 *    hold at once, arrival-rate pools counted at preAllocatedVUs), before the test's clock starts;
 * 2. `setup()` (bounded by `setupTimeout`); its result, as JSON, is each VU's `data`;
 * 3. the scenarios, each at its `startTime`, sharing the VUs; an arrival-rate pool that must grow
 *    past preAllocatedVUs initialises more VUs during the run;
 * 4. `teardown(data)` (bounded by `teardownTimeout`), also after a graceful stop;
 * 5. thresholds are evaluated and the summary data built.
 *
 * With a `target`, its reachability decides exit code 3 (see `load/reachability.ts`): before
 * setup, one TCP connection is opened to it, and when that fails (DNS failure, connection
 * refused, dial timeout) nothing runs; after the run, when requests were sent to it and not one
 * got a response byte, the run is marked unreachable too.
 *
 * A graceful stop (`stop` signal, threshold abort, `exec.test.abort()`) stops starting
 * iterations and gives running ones up to their scenario's gracefulStop. The `kill` signal
 * (a second Ctrl-C) interrupts every iteration at once and skips teardown; the summary is still
 * built.
 *
 * @module
 */

import { type LatencyDistribution, latencyDistribution } from "./distribution.ts";
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import { initVusNeeded, runExecutors } from "./executors/run_scenarios.ts";
import { splitExecutors, WHOLE } from "./executors/segment.ts";
import { type ExecutorResult, systemScheduler } from "./executors/types.ts";
import { formatDuration } from "./duration.ts";
import { PROBE_TIMEOUT_MS, probeTarget } from "./reachability.ts";
import { Engine, PinnableClock } from "./engine.ts";
import { startLagMonitor } from "./lag_monitor.ts";
import {
  DROPPED_ITERATIONS,
  EVENT_LOOP_LAG,
  HTTP_REQS,
  ITERATIONS,
  MetricsRegistry,
  type TimelinePoint,
  VUS,
  VUS_MAX,
} from "./metrics.ts";
import type { ProgressSnapshot } from "./progress.ts";
import { refuseCloudUrl } from "./safety.ts";
import { buildPlan, LoadConfigError, type LoadPlan } from "./script_options.ts";
import { buildSummaryData, type SummaryData } from "./summary.ts";
import { ThresholdConfigError, type ThresholdResult, thresholdsFailed } from "./thresholds.ts";
import { VirtualUser, VuPool } from "./vu.ts";
import { addScenarios, scenarioFailureMessage, ScenarioHost } from "./scenario_host.ts";
import { WorkerGroup } from "./worker_group.ts";
import { InstanceCounters } from "./instance_counters.ts";
import { catchUncaught } from "./uncaught.ts";

export { LoadConfigError } from "./script_options.ts";

/** Default cap on the scenarios' planned duration: 1 hour. */
export const DEFAULT_MAX_DURATION_MS = 3_600_000;

/** Exit codes of a load run (the CLI's table). */
export const LoadExitCode = {
  /** Completed, every threshold passed. */
  ok: 0,
  /** The script or its options are invalid, or it tried to load a refused host. */
  usage: 2,
  /**
   * The target could not be reached (the probe failed, or no request to it got any response),
   * or the run could not complete (stopped early, setup failed, a VU could not start).
   */
  incomplete: 3,
  /** A threshold failed (or the script called `exec.test.fail()`). */
  thresholdFailed: 99,
} as const;

/** Options of {@linkcode runLoad}. */
export interface RunLoadOptions {
  /** Script path (relative to the working directory) or `file:` URL. */
  script: string;
  /** `__ENV`: the environment the script sees. */
  env?: Record<string, string>;
  /** `--vus`. */
  vus?: number;
  /** `--duration`. */
  duration?: string;
  /** Longest planned scenario duration accepted, in ms (default 1h). */
  maxDurationMs?: number;
  /** Allows load on the public SMSGate cloud (`--i-own-this-load`). */
  allowPublicCloud?: boolean;
  /** Graceful stop (first Ctrl-C). */
  stop?: AbortSignal;
  /** Immediate stop (second Ctrl-C). */
  kill?: AbortSignal;
  /** Where warnings and script errors go (one line each). */
  log?: (line: string) => void;
  /** Called once the plan is known, before setup runs. */
  onStart?: (info: RunInfo) => void;
  /** Called every `progressIntervalMs` while running, and once at the end. */
  onProgress?: (p: ProgressSnapshot) => void;
  /** Progress interval in ms (default 1000). */
  progressIntervalMs?: number;
  /** How often abortOnFail thresholds are evaluated, in ms (default 2000, as k6). */
  abortCheckIntervalMs?: number;
  /** Event-loop lag sampling interval in ms (default 100). */
  lagIntervalMs?: number;
  /** Longest time a VU may take to load the script, in ms (default 60000). */
  initTimeoutMs?: number;
  /**
   * The deployment under load (its API root URL): probed before the run, and requests to its
   * origin decide whether it was reached (see the module documentation).
   */
  target?: string;
  /** Longest wait for the probe's connection, in ms (default 10 s, at most `httpTimeoutMs`). */
  probeTimeoutMs?: number;
  /** Default request timeout, in ms, when the script gives none (default 60 s; `--timeout`). */
  httpTimeoutMs?: number;
  /** Largest response body accepted, in bytes (default 64 MiB; `--max-body`). */
  maxBodyBytes?: number;
  /**
   * Threads that run the scenarios (default 1: this one). With more, each Web Worker runs its
   * execution segment of every scenario (see `load/executors/segment.ts`); never more workers
   * than the scenarios have VUs.
   */
  workers?: number;
  /** Scheduling priority (nice value, 0-19) of the worker threads (Linux; default 0). */
  workerNice?: number;
  /** How often workers send their metrics to this thread, in ms (default 500). */
  workerDrainIntervalMs?: number;
}

/** What a run will do, for the banner. */
export interface RunInfo {
  /** The script's file URL. */
  scriptUrl: string;
  /** Each scenario's k6-like description. */
  scenarios: Array<{ name: string; description: string }>;
  /** Most VUs the scenarios may hold at once (sum over scenarios). */
  maxVus: number;
  /** Upper bound of the scenarios' duration, in ms. */
  maxDurationMs: number;
  /** Options that have no effect here. */
  warnings: string[];
  /** Threads running the scenarios (1: the main thread). */
  workers: number;
  /** The worker threads' nice value (when `workers` > 1). */
  workerNice: number;
}

/** The outcome of a run. */
export interface LoadResult {
  /** Summary data (render with `renderSummary`, export with `summaryExport`). */
  summary: SummaryData;
  /** Threshold outcomes. */
  thresholds: ThresholdResult[];
  /** The exit code (see {@linkcode LoadExitCode}). */
  exitCode: number;
  /** Why the run stopped early, if it did. */
  abortReason: string | null;
  /** Reasons given to `exec.test.fail()`. */
  failReasons: string[];
  /** The error that ended the run, if any (setup failure, a VU that could not start). */
  error: string | null;
  /**
   * Why the target counts as unreachable (exit code 3), or null. `probe` is true when the
   * connection probe failed and nothing ran (no setup, no iterations, no teardown).
   */
  unreachable: { message: string; probe: boolean } | null;
  /** Counts per scenario (scenarios that did not run are absent). */
  scenarios: Record<string, ExecutorResult>;
  /** Per-second timeline. */
  timeline: TimelinePoint[];
  /** Latency distributions (HDR percentile points) for the HTML report. */
  distribution: LatencyDistribution;
  /** The plan that ran. */
  info: RunInfo;
}

function _scriptUrl(script: string): string {
  if (/^file:\/\//.test(script)) return script;
  return pathToFileURL(resolve(script)).href;
}

async function _assertReadable(url: string, script: string): Promise<void> {
  try {
    const stat = await Deno.stat(new URL(url));
    if (!stat.isFile) throw new LoadConfigError([`Cannot run ${script}: it is not a file`]);
  } catch (e) {
    if (e instanceof LoadConfigError) throw e;
    throw new LoadConfigError([
      `Cannot read script ${script}: ${
        e instanceof Deno.errors.NotFound ? "no such file" : (e as Error).message
      }`,
    ]);
  }
}

/** The script module's default export shape we call. */
type _Fn = (data?: unknown) => unknown;

/**
 * Runs a script; see the module documentation.
 * @throws {LoadConfigError} when the script cannot be loaded or its options are invalid.
 */
export async function runLoad(options: RunLoadOptions): Promise<LoadResult> {
  const scriptUrl = _scriptUrl(options.script);
  await _assertReadable(scriptUrl, options.script);
  const log = options.log ?? ((line: string) => console.error(line));
  const scheduler = systemScheduler;
  const clock = new PinnableClock();
  const registry = new MetricsRegistry(clock);
  registry.defineBuiltins();
  const stopper = new AbortController();
  let abortReason: string | null = null;
  let refused = false;
  const failReasons: string[] = [];
  const stopRun = (reason: string) => {
    if (abortReason === null) abortReason = reason;
    if (!stopper.signal.aborted) stopper.abort(new Error(reason));
  };
  const env = { ...(options.env ?? {}) };
  // exec.instance counters: a slot for this thread and one per worker there may be.
  const countersBuffer = InstanceCounters.sharedBuffer(1 + Math.max(1, options.workers ?? 1));
  const counters = new InstanceCounters(countersBuffer, 0);
  const engine = new Engine({
    registry,
    clock,
    counters,
    scriptUrl,
    env,
    refuseUrl: options.allowPublicCloud ? undefined : (url) => {
      const reason = refuseCloudUrl(url);
      if (reason !== null) refused = true;
      return reason;
    },
    log,
    initTimeoutMs: options.initTimeoutMs,
    httpTimeoutMs: options.httpTimeoutMs,
    maxBodyBytes: options.maxBodyBytes,
    target: options.target,
    onAbort: (reason) => stopRun(reason),
    onFail: (reason) => {
      if (!failReasons.includes(reason)) failReasons.push(reason);
    },
  });

  let vu0: VirtualUser;
  try {
    vu0 = await _initVu0(engine);
  } catch (e) {
    registry.destroy();
    throw e;
  }
  let plan: LoadPlan;
  try {
    plan = buildPlan(vu0.exports.options, options, vu0.exports);
    plan.thresholds.register(registry);
  } catch (e) {
    vu0.close();
    registry.destroy();
    if (e instanceof ThresholdConfigError) throw new LoadConfigError([...e.errors]);
    throw e;
  }
  const maxDurationMs = options.maxDurationMs ?? DEFAULT_MAX_DURATION_MS;
  if (plan.maxDurationMs > maxDurationMs) {
    vu0.close();
    registry.destroy();
    throw new LoadConfigError([
      `Cannot run the scenarios: they may last up to ${
        formatDuration(plan.maxDurationMs)
      } (with gracefulStop), more than the ${
        formatDuration(maxDurationMs)
      } cap; shorten them or raise the cap with --max-duration`,
    ]);
  }
  engine.configure({
    scriptOptions: (vu0.exports.options ?? {}) as Record<string, unknown>,
    discardResponseBodies: plan.discardResponseBodies,
    testTags: plan.tags,
    userAgent: plan.userAgent,
    connectionsPerHost: plan.connectionsPerHost,
  });
  if (typeof vu0.exports.handleSummary === "function") {
    plan.warnings.push(
      "handleSummary() is not supported by smsgate-testkit: the standard summary is printed (use --summary-export or --out for files)",
    );
  }
  const maxVus = plan.executors.reduce((n, ex) => n + ex.maxVus(), 0);
  const info: RunInfo = {
    scriptUrl,
    scenarios: plan.executors.map((ex) => ({ name: ex.base.scenario, description: ex.describe() })),
    maxVus,
    maxDurationMs: plan.maxDurationMs,
    warnings: plan.warnings,
    workers: Math.max(1, Math.min(options.workers ?? 1, maxVus)),
    workerNice: options.workerNice ?? 0,
  };
  let unreachable: LoadResult["unreachable"] = null;
  if (options.target !== undefined) {
    const timeoutMs = options.probeTimeoutMs ??
      Math.min(PROBE_TIMEOUT_MS, options.httpTimeoutMs ?? PROBE_TIMEOUT_MS);
    const failure = await probeTarget(options.target, timeoutMs);
    if (failure !== null) {
      unreachable = {
        probe: true,
        message:
          `Cannot reach the target ${options.target}: ${failure.message} (error code ${failure.code}); check the URL and that the server is running`,
      };
    }
  }
  // Nothing runs when the probe failed: the caller prints one line instead of the banner.
  const runs = unreachable === null;
  if (runs) options.onStart?.(info);

  // --- metrics the coordinator records ---
  const vusGauge = registry.get(VUS)!;
  const vusMaxGauge = registry.get(VUS_MAX)!;
  const dropped = registry.get(DROPPED_ITERATIONS)!;
  const iterationsMetric = registry.get(ITERATIONS)!;
  const httpReqs = registry.get(HTTP_REQS)!;
  let scenariosStarted = false;
  const hasArrival = plan.executors.some((ex) => ex.base.executor.includes("arrival-rate"));

  // --- scenarios' facts ---
  let scenariosStartMs = 0;
  addScenarios(engine, plan.executors, env, () => scenariosStarted ? scenariosStartMs : 0);
  const plannedMs = plan.executors.reduce(
    (max, ex) => Math.max(max, ex.base.startTimeMs + ex.maxDurationMs() - ex.base.gracefulStopMs),
    0,
  );

  // The vus and vus_max gauges: sampled every second (as k6), and when the number of VUs rises
  // once a burst of changes has settled (VUs are acquired one by one). VUs released at the end
  // are not sampled, so a constant-vus run reads "vus: 10 min=10 max=10" as in k6.
  let vusSampleTimer: ReturnType<typeof setTimeout> | undefined;
  let lastVusSample = 0;
  let pendingVus = 0;
  let vusActive = 0;
  const onActiveVus = (total: number) => {
    vusActive = total;
    // With workers, each of them counts its own VUs in the shared counters.
    if (group === null) engine.setActiveVus(total);
    if (vusActive <= lastVusSample) return;
    pendingVus = Math.max(pendingVus, vusActive);
    // Workers report one by one: give the others a moment before sampling the total.
    vusSampleTimer ??= setTimeout(recordVus, group === null ? 0 : 100);
  };
  let group: WorkerGroup | null = null;
  if (runs && info.workers > 1) {
    try {
      group = await WorkerGroup.start({
        init: {
          scriptUrl,
          env,
          scenarios: plan.scenarios,
          count: info.workers,
          settings: {
            scriptOptions: _jsonCopy(vu0.exports.options ?? {}),
            discardResponseBodies: plan.discardResponseBodies,
            testTags: plan.tags,
            userAgent: plan.userAgent,
            connectionsPerHost: plan.connectionsPerHost,
          },
          metrics: registry.metrics().map((m) => ({
            name: m.name,
            type: m.type,
            contains: m.contains,
          })),
          submetrics: registry.metrics().flatMap((m) =>
            m._subs.map((sub) => `${m.name}{${sub.selector}}`)
          ),
          allowPublicCloud: options.allowPublicCloud === true,
          initTimeoutMs: options.initTimeoutMs,
          httpTimeoutMs: options.httpTimeoutMs,
          maxBodyBytes: options.maxBodyBytes,
          target: options.target,
          lagIntervalMs: options.lagIntervalMs,
          drainIntervalMs: options.workerDrainIntervalMs ?? 500,
          nice: info.workerNice,
          counters: countersBuffer,
        },
        registry,
        tally: engine.tally,
        log,
        onAbort: (reason) => stopRun(reason),
        onFail: (reason) => {
          if (!failReasons.includes(reason)) failReasons.push(reason);
        },
        onRefused: () => refused = true,
        onActiveVus,
      });
    } catch (e) {
      vu0.close();
      registry.destroy();
      throw new LoadConfigError([(e as Error).message]);
    }
  }
  const scenarios: _Scenarios = group ?? new _LocalScenarios(engine, registry, plan, onActiveVus);
  const recordVus = () => {
    if (vusSampleTimer !== undefined) clearTimeout(vusSampleTimer);
    vusSampleTimer = undefined;
    const n = Math.max(vusActive, pendingVus);
    pendingVus = 0;
    if (n > 0) vusGauge.add(lastVusSample = n);
    if (scenarios.vusMax > 0) vusMaxGauge.add(scenarios.vusMax);
  };

  // --- periodic work: progress, vus gauge, abortOnFail ---
  let phase: ProgressSnapshot["phase"] = "setup";
  let lastReqs = 0;
  let lastAt = registry.now();
  const snapshot = (): ProgressSnapshot => {
    const now = registry.now();
    const reqs = httpReqs.aggregate("count");
    const rate = now > lastAt ? ((reqs - lastReqs) * 1000) / (now - lastAt) : 0;
    lastReqs = reqs;
    lastAt = now;
    return {
      phase,
      elapsedMs: registry.durationMs(),
      plannedMs,
      scenariosElapsedMs: scenariosStarted ? now - scenariosStartMs : 0,
      vusActive,
      vusMax: scenarios.vusMax,
      iterations: iterationsMetric.aggregate("count"),
      interrupted: scenarios.interrupted,
      httpReqs: reqs,
      reqRate: rate,
      dropped: dropped.aggregate("count"),
    };
  };
  const timers: Array<ReturnType<typeof setTimeout>> = [];
  const progressMs = options.progressIntervalMs ?? 1000;
  timers.push(setInterval(() => {
    if (scenariosStarted) recordVus();
    options.onProgress?.(snapshot());
  }, progressMs));
  if (plan.thresholds.hasAbortOnFail) {
    timers.push(setInterval(() => {
      const decision = plan.thresholds.checkAbort(registry, registry.durationMs());
      if (decision.abort) stopRun(decision.message ?? "a threshold with abortOnFail failed");
    }, options.abortCheckIntervalMs ?? 2000));
  }
  // With workers, each measures its own event loop (the one that runs iterations).
  const stopLag = group === null
    ? startLagMonitor(registry.get(EVENT_LOOP_LAG)!, scheduler, options.lagIntervalMs)
    : () => {};

  // --- stop signals ---
  const kill = options.kill;
  let killed = false;
  const killed$ = new Promise<void>((resolveKill) => {
    const onKill = () => {
      killed = true;
      stopRun(abortReason ?? "stopped at once (second interrupt)");
      scenarios.kill();
      vu0.interrupt();
      resolveKill();
    };
    if (kill?.aborted) onKill();
    else kill?.addEventListener("abort", onKill, { once: true });
  });
  const onStop = () => stopRun("stopped by the user (interrupt)");
  if (options.stop?.aborted) onStop();
  else options.stop?.addEventListener("abort", onStop, { once: true });
  // A safety net on top of the executors' own bounds: the whole run, VU initialisation, setup
  // and teardown included, never exceeds the cap plus the phase timeouts.
  const watchdogMs = plan.maxDurationMs + plan.setupTimeoutMs + plan.teardownTimeoutMs +
    (options.initTimeoutMs ?? 60_000) + 30_000;
  timers.push(setTimeout(() => {
    stopRun(`the run exceeded its time bound of ${formatDuration(watchdogMs)}`);
    scenarios.kill();
  }, watchdogMs));

  const stopUncaught = catchUncaught((e) => engine.uncaughtError(e));
  let error: string | null = null;

  // --- init: the VUs the scenarios start with, before setup() and off the test's clock (as k6) ---
  if (runs && !stopper.signal.aborted) {
    try {
      await Promise.race([scenarios.prepare(), killed$]);
    } catch (e) {
      error = scenarioFailureMessage(e);
      stopRun(error);
    }
  }

  registry.start();
  engine.markStart(registry.startMs);
  let scenarioResults: Record<string, ExecutorResult> = {};
  let setupJson: string | undefined;
  let setupOk = true;
  // Teardown runs only when the test got past setup (as k6: not when stopped before it).
  let setupDone = false;

  // --- setup ---
  const setup = vu0.exports.setup;
  if (runs && typeof setup === "function" && !stopper.signal.aborted) {
    try {
      const data = await Promise.race([
        vu0.callPhase(
          "setup",
          setup as _Fn,
          undefined,
          plan.setupTimeoutMs,
          `${formatDuration(plan.setupTimeoutMs)} (options.setupTimeout)`,
        ),
        killed$.then(() => {
          throw new Error("setup() was stopped");
        }),
      ]);
      setupJson = data === undefined ? undefined : JSON.stringify(data);
      setupDone = true;
    } catch (e) {
      setupOk = false;
      error = `setup() failed: ${(e as Error).message ?? String(e)}`;
      stopRun(error);
    }
  }
  if (typeof setup !== "function") setupDone = runs && !stopper.signal.aborted;

  // --- scenarios ---
  if (runs && setupOk && !stopper.signal.aborted) {
    phase = "running";
    scenariosStarted = true;
    scenariosStartMs = registry.now();
    const running = scenarios.run(setupJson, scenariosStartMs, stopper.signal);
    stopper.signal.addEventListener("abort", () => {
      if (!killed) phase = "stopping";
    }, { once: true });
    try {
      const outcome = await Promise.race([running, killed$.then(() => null)]);
      if (outcome !== null) scenarioResults = outcome;
      else running.catch(() => {});
    } catch (e) {
      error = scenarioFailureMessage(e);
      stopRun(error);
    }
  }
  vusActive = 0;
  // No thread's scenarios hold VUs now (a worker that was stopped may not have said so).
  counters.clearActiveVus();

  // --- teardown ---
  const teardown = vu0.exports.teardown;
  if (setupDone && typeof teardown === "function" && !killed) {
    phase = "teardown";
    try {
      await Promise.race([
        vu0.callPhase(
          "teardown",
          teardown as _Fn,
          setupJson === undefined ? undefined : JSON.parse(setupJson),
          plan.teardownTimeoutMs,
          `${formatDuration(plan.teardownTimeoutMs)} (options.teardownTimeout)`,
        ),
        killed$,
      ]);
    } catch (e) {
      const message = `teardown() failed: ${(e as Error).message ?? String(e)}`;
      log(`error: ${message}`);
      error ??= message;
    }
  }

  // --- end ---
  registry.stop();
  stopLag();
  stopUncaught();
  for (const t of timers) clearTimeout(t);
  options.stop?.removeEventListener("abort", onStop);
  if (vusSampleTimer !== undefined) recordVus(); // a run shorter than the sampling delay
  const finalProgress = snapshot();
  finalProgress.phase = "done";
  finalProgress.vusActive = 0;
  finalProgress.reqRate = finalProgress.elapsedMs > 0
    ? (finalProgress.httpReqs * 1000) / finalProgress.elapsedMs
    : 0;
  await scenarios.close();
  vu0.close();
  // Closing the VUs failed their requests in flight: let those reach the target's tally.
  await engine.requestsSettled(1000);
  engine.flushWarnings();
  if (runs) options.onProgress?.(finalProgress);

  const thresholdResults = plan.thresholds.evaluate(registry);
  const durationS = registry.durationMs() / 1000;
  const summary = buildSummaryData(registry, {
    thresholds: thresholdResults,
    intendedIterationRate: hasArrival && durationS > 0
      ? scenarios.arrivalScheduled / durationS
      : null,
    trendStats: plan.summaryTrendStats,
  });
  const timeline = registry.timeline();
  const distribution = latencyDistribution(registry);
  registry.destroy();
  const silence = engine.tally?.verdict() ?? null;
  if (unreachable === null && silence !== null) {
    unreachable = { probe: false, message: `the target could not be reached: ${silence}` };
  }

  // A refused URL is a usage error; a run that failed (setup, a VU that could not start) or
  // whose target never answered says nothing about thresholds; otherwise failed thresholds win
  // over an early stop, as in k6.
  let exitCode: number = LoadExitCode.ok;
  if (refused) exitCode = LoadExitCode.usage;
  else if (error !== null || unreachable !== null) exitCode = LoadExitCode.incomplete;
  else if (thresholdsFailed(thresholdResults) || failReasons.length > 0) {
    exitCode = LoadExitCode.thresholdFailed;
  } else if (abortReason !== null) exitCode = LoadExitCode.incomplete;
  return {
    summary,
    thresholds: thresholdResults,
    exitCode,
    abortReason,
    failReasons,
    error,
    unreachable,
    scenarios: scenarioResults,
    timeline,
    distribution,
    info,
  };
}

async function _initVu0(engine: Engine): Promise<VirtualUser> {
  try {
    return await VirtualUser.create(engine, 0);
  } catch (e) {
    const cause = (e as Error).cause;
    const message = cause instanceof Error ? cause.message : (e as Error).message;
    throw new LoadConfigError([`Cannot load the script: ${message}`]);
  }
}

/** The scenarios of a run, on this thread or in workers. */
interface _Scenarios {
  /** VUs created. */
  readonly vusMax: number;
  /** Iterations interrupted so far. */
  readonly interrupted: number;
  /** Arrival-rate iterations scheduled (started or dropped). */
  readonly arrivalScheduled: number;
  /** Initialises the VUs the scenarios start with (k6's init phase, before `setup()`). */
  prepare(): Promise<void>;
  /** Runs every scenario with the setup data; aborting `signal` stops them gracefully. */
  run(
    setupJson: string | undefined,
    startMs: number,
    signal: AbortSignal,
  ): Promise<Record<string, ExecutorResult>>;
  /** Interrupts every running iteration. */
  kill(): void;
  /** Closes the VUs (or workers: after a kill they still report their last metrics, within 2 s). */
  close(): Promise<void>;
}

/** The scenarios on this thread: its VU pool and {@linkcode ScenarioHost}. */
class _LocalScenarios implements _Scenarios {
  readonly #engine: Engine;
  readonly #pool: VuPool;
  readonly #host: ScenarioHost;
  readonly #plan: LoadPlan;

  constructor(
    engine: Engine,
    registry: MetricsRegistry,
    plan: LoadPlan,
    onActiveVus: (total: number) => void,
  ) {
    this.#engine = engine;
    this.#plan = plan;
    this.#pool = new VuPool(engine);
    this.#host = new ScenarioHost({
      registry,
      pool: this.#pool,
      scheduler: systemScheduler,
      shares: splitExecutors(plan.executors, WHOLE.count)[WHOLE.index],
      onActiveVus,
    });
  }

  get vusMax(): number {
    return this.#pool.size;
  }

  get interrupted(): number {
    return this.#engine.instance().iterationsInterrupted;
  }

  get arrivalScheduled(): number {
    return this.#host.arrivalScheduled;
  }

  prepare(): Promise<void> {
    return this.#pool.prewarm(initVusNeeded(this.#plan.executors));
  }

  async run(
    setupJson: string | undefined,
    _startMs: number,
    signal: AbortSignal,
  ): Promise<Record<string, ExecutorResult>> {
    this.#pool.setData(setupJson);
    try {
      return await runExecutors(this.#host.host, this.#plan.executors, signal);
    } finally {
      this.#host.flushAll();
    }
  }

  kill(): void {
    this.#pool.interruptAll();
  }

  close(): Promise<void> {
    this.#pool.close();
    return Promise.resolve();
  }
}

/** A JSON copy of the script's options (functions and cycles are dropped or refused). */
function _jsonCopy(value: unknown): Readonly<Record<string, unknown>> {
  try {
    return JSON.parse(JSON.stringify(value)) ?? {};
  } catch {
    return {};
  }
}
