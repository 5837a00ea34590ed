/**
 * The engine of one thread: the metrics registry and the built-in metrics the k6 modules record,
 * the scenarios' facts, HTTP client settings, the URL guard, counters for `k6/execution`, and
 * rate-limited warnings. VUs ({@linkcode VirtualUser}) belong to an engine.
 *
 * @module
 */

import { HttpClient, type HttpResult } from "./http_client.ts";
import { InstanceCounters } from "./instance_counters.ts";
import { TargetTally } from "./reachability.ts";
import {
  CHECKS,
  DATA_RECEIVED,
  DATA_SENT,
  GROUP_DURATION,
  HTTP_REQ_BLOCKED,
  HTTP_REQ_CONNECTING,
  HTTP_REQ_DURATION,
  HTTP_REQ_FAILED,
  HTTP_REQ_LATENCY_INTENDED,
  HTTP_REQ_RECEIVING,
  HTTP_REQ_SENDING,
  HTTP_REQ_TLS_HANDSHAKING,
  HTTP_REQ_WAITING,
  HTTP_REQS,
  ITERATION_DURATION,
  ITERATIONS,
  type MetricsRegistry,
  systemClock,
  type Tags,
} from "./metrics.ts";
import type { BuiltinMetrics, EngineHandle, InstanceFacts, ScenarioFacts } from "./k6/_context.ts";

/** What an iteration of a scenario runs, and its facts for `k6/execution`. */
export interface ScenarioState extends ScenarioFacts {
  /** Exported function to call. */
  readonly exec: string;
  /** `__ENV` of the scenario's iterations: the run's environment plus the scenario's `env`. */
  readonly env: Record<string, string>;
}

/** Options of an {@linkcode Engine}. */
export interface EngineOptions {
  /** The registry (built-in metrics must be defined). */
  registry: MetricsRegistry;
  /** The script's URL (each VU imports it with `?vu=N`). */
  scriptUrl: string;
  /** `__ENV` outside scenarios. */
  env: Record<string, string>;
  /** The script's exported options. */
  scriptOptions?: Readonly<Record<string, unknown>>;
  /** `options.discardResponseBodies`. */
  discardResponseBodies?: boolean;
  /** `options.tags`. */
  testTags?: Tags | null;
  /** `options.userAgent`. */
  userAgent?: string;
  /** `options.batchPerHost`: connections per origin and VU (default 6, as k6). */
  connectionsPerHost?: number;
  /** Returns why a URL may not receive load, or null when it may. */
  refuseUrl?: (url: string) => string | null;
  /** Where warnings and script errors go (a line without a newline). */
  log?: (line: string) => void;
  /** `exec.test.abort()` and refused URLs stop the test through this. */
  onAbort?: (reason: string) => void;
  /** `exec.test.fail()` reports through this. */
  onFail?: (reason: string) => void;
  /** Interval (ms) within which repeated warnings of one kind are counted, not printed. */
  warnIntervalMs?: number;
  /** Longest time a VU may take to load the script, in ms (default 60s). */
  initTimeoutMs?: number;
  /** The registry's clock, when it is pinnable (default: a new one, used only by the engine). */
  clock?: PinnableClock;
  /** Default request timeout of the VUs' HTTP clients, in ms (default 60 s; `--timeout`). */
  httpTimeoutMs?: number;
  /** Largest response body the VUs' HTTP clients accept (default 64 MiB; `--max-body`). */
  maxBodyBytes?: number;
  /** The target's URL: requests to its origin are counted in {@linkcode Engine.tally}. */
  target?: string;
  /**
   * This thread's `exec.instance` counters, in a buffer shared with the run's other threads
   * (default: private counters of a single-threaded run).
   */
  counters?: InstanceCounters;
}

/**
 * The registry's clock (epoch ms), which the hot path can pin to a time it already read: a
 * request's samples are recorded with one clock read instead of one per sample that feeds the
 * timeline. Unpinned, it is {@linkcode systemClock}.
 */
export class PinnableClock {
  readonly #origin = performance.timeOrigin;
  #pinned = false;
  #value = 0;

  /** The pinned time, or the current time. */
  now(): number {
    return this.#pinned ? this.#value : systemClock.now();
  }

  /** Pins the clock to `perfNowMs` (a `nowMs()` value) until {@linkcode unpin}. */
  pin(perfNowMs: number): void {
    this.#value = this.#origin + perfNowMs;
    this.#pinned = true;
  }

  /** Lets the clock run again. */
  unpin(): void {
    this.#pinned = false;
  }
}

/** Settings from the script's options; see {@linkcode Engine.configure}. */
export interface EngineSettings {
  /** The script's exported options. */
  scriptOptions: Readonly<Record<string, unknown>>;
  /** `options.discardResponseBodies`. */
  discardResponseBodies: boolean;
  /** `options.tags`. */
  testTags: Tags | null;
  /** `options.userAgent`. */
  userAgent: string | undefined;
  /** `options.batchPerHost`. */
  connectionsPerHost: number | undefined;
}

function _frozenTags(tags: Tags | null | undefined): Tags | null {
  if (tags === undefined || tags === null || Object.keys(tags).length === 0) return null;
  return Object.freeze({ ...tags });
}

let _runs = 0;

interface _WarnState {
  lastAt: number;
  suppressed: number;
  message: string;
}

/** The engine of one thread. */
export class Engine implements EngineHandle {
  /** The registry. */
  readonly registry: MetricsRegistry;
  /** Built-in metrics. */
  readonly metrics: BuiltinMetrics;
  /** The script's URL. */
  readonly scriptUrl: string;
  /** `__ENV` outside scenarios. */
  readonly env: Record<string, string>;
  /** See {@linkcode EngineHandle.discardResponseBodies}. */
  discardResponseBodies: boolean;
  /** See {@linkcode EngineHandle.testTags}. */
  testTags: Tags | null;
  /** See {@linkcode EngineHandle.scriptOptions}. */
  scriptOptions: Readonly<Record<string, unknown>>;
  /** See {@linkcode EngineHandle.clock}. */
  readonly clock: PinnableClock;
  /** Distinguishes the module instances of this run from other runs in the process. */
  readonly runId: number = ++_runs;
  /** Longest time a VU may take to load the script, in ms. */
  readonly initTimeoutMs: number;
  /** Requests to the target and whether they were answered (null without a target). */
  readonly tally: TargetTally | null;

  readonly #options: EngineOptions;
  readonly #scenarios = new Map<string, ScenarioState>();
  readonly #warnings = new Map<string, _WarnState>();
  readonly #warnIntervalMs: number;
  readonly #now: () => number;
  readonly #counters: InstanceCounters;
  #startMs: number;
  #userAgent: string | undefined;
  #connectionsPerHost: number | undefined;
  #lastAllowedUrl = "";
  #inFlight = 0;
  #settled: Array<() => void> = [];

  /** Creates an engine. */
  constructor(options: EngineOptions) {
    this.#options = options;
    this.registry = options.registry;
    this.scriptUrl = options.scriptUrl;
    this.env = options.env;
    this.scriptOptions = options.scriptOptions ?? {};
    this.discardResponseBodies = options.discardResponseBodies ?? false;
    this.testTags = _frozenTags(options.testTags);
    this.#userAgent = options.userAgent;
    this.#connectionsPerHost = options.connectionsPerHost;
    this.#warnIntervalMs = options.warnIntervalMs ?? 10_000;
    this.initTimeoutMs = options.initTimeoutMs ?? 60_000;
    this.clock = options.clock ?? new PinnableClock();
    this.#counters = options.counters ?? new InstanceCounters();
    this.tally = options.target === undefined ? null : new TargetTally(options.target);
    this.#now = systemClock.now;
    this.#startMs = this.#now();
    const m = (name: string) => {
      const metric = this.registry.get(name);
      if (metric === undefined) {
        throw new Error(
          `Cannot create the engine: metric "${name}" is not defined; call registry.defineBuiltins() first`,
        );
      }
      return metric;
    };
    this.metrics = {
      httpReqs: m(HTTP_REQS),
      httpReqDuration: m(HTTP_REQ_DURATION),
      httpReqBlocked: m(HTTP_REQ_BLOCKED),
      httpReqConnecting: m(HTTP_REQ_CONNECTING),
      httpReqTlsHandshaking: m(HTTP_REQ_TLS_HANDSHAKING),
      httpReqSending: m(HTTP_REQ_SENDING),
      httpReqWaiting: m(HTTP_REQ_WAITING),
      httpReqReceiving: m(HTTP_REQ_RECEIVING),
      httpReqFailed: m(HTTP_REQ_FAILED),
      httpReqLatencyIntended: m(HTTP_REQ_LATENCY_INTENDED),
      dataSent: m(DATA_SENT),
      dataReceived: m(DATA_RECEIVED),
      checks: m(CHECKS),
      groupDuration: m(GROUP_DURATION),
      iterations: m(ITERATIONS),
      iterationDuration: m(ITERATION_DURATION),
    };
  }

  /**
   * Applies the settings of the script's options, known once VU 0 has loaded the script (call
   * before other VUs are created).
   */
  configure(settings: EngineSettings): void {
    this.scriptOptions = settings.scriptOptions;
    this.discardResponseBodies = settings.discardResponseBodies;
    this.testTags = _frozenTags(settings.testTags);
    this.#userAgent = settings.userAgent;
    this.#connectionsPerHost = settings.connectionsPerHost;
  }

  /** Marks the start of the run for `exec.instance.currentTestRunDuration`. */
  markStart(atMs: number = this.#now()): void {
    this.#startMs = atMs;
  }

  /** A new HTTP client for a VU. */
  newClient(): HttpClient {
    return new HttpClient({
      userAgent: this.#userAgent,
      maxConnectionsPerOrigin: this.#connectionsPerHost,
      defaultTimeoutMs: this.#options.httpTimeoutMs,
      maxBodyBytes: this.#options.maxBodyBytes,
    });
  }

  /** See {@linkcode EngineHandle.requestStarted}. */
  requestStarted(): void {
    this.#inFlight++;
  }

  /** See {@linkcode EngineHandle.observeResponse}. */
  observeResponse(url: string, result: HttpResult): void {
    const tally = this.tally;
    if (tally !== null && tally.matches(url)) tally.record(result);
    if (--this.#inFlight <= 0) {
      this.#inFlight = 0;
      const waiters = this.#settled;
      this.#settled = [];
      for (const w of waiters) w();
    }
  }

  /**
   * Resolves once every request started has been observed (closed clients fail theirs within a
   * few event-loop turns), or after `timeoutMs`.
   */
  requestsSettled(timeoutMs: number): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#settled.push(done);
    });
  }

  /** Registers a scenario's facts. */
  addScenario(state: ScenarioState): void {
    this.#scenarios.set(state.name, state);
  }

  /** The facts of a registered scenario; throws for an unknown one. */
  scenarioState(name: string): ScenarioState {
    const s = this.#scenarios.get(name);
    if (s === undefined) throw new Error(`Cannot run scenario "${name}": it is not registered`);
    return s;
  }

  /** See {@linkcode EngineHandle.scenario}. */
  scenario(name: string): ScenarioFacts | undefined {
    return this.#scenarios.get(name);
  }

  /** See {@linkcode EngineHandle.guardUrl}. */
  guardUrl(url: string): void {
    const refuse = this.#options.refuseUrl;
    if (refuse === undefined || url === this.#lastAllowedUrl) return;
    const reason = refuse(url);
    if (reason === null) {
      this.#lastAllowedUrl = url;
      return;
    }
    this.abortTest(reason);
    throw new Error(reason);
  }

  /** See {@linkcode EngineHandle.warn}. */
  warn(key: string, message: string): void {
    const now = this.#now();
    const state = this.#warnings.get(key);
    if (state === undefined) {
      if (this.#warnings.size < 1000) {
        this.#warnings.set(key, { lastAt: now, suppressed: 0, message });
      }
      this.#log(`warning: ${message}`);
      return;
    }
    if (now - state.lastAt < this.#warnIntervalMs) {
      state.suppressed++;
      state.message = message;
      return;
    }
    const more = state.suppressed > 0 ? ` (and ${state.suppressed} more like it)` : "";
    state.lastAt = now;
    state.suppressed = 0;
    this.#log(`warning: ${message}${more}`);
  }

  /** Prints how many warnings were suppressed since they were last printed. */
  flushWarnings(): void {
    for (const state of this.#warnings.values()) {
      if (state.suppressed === 0) continue;
      const more = state.suppressed - 1;
      this.#log(`warning: ${state.message}${more > 0 ? ` (and ${more} more like it)` : ""}`);
      state.suppressed = 0;
    }
  }

  /** Reports an error thrown by an iteration (rate-limited per message). */
  scriptError(error: unknown, vu: number, scenario: string): void {
    const e = error instanceof Error ? error : new Error(String(error));
    const frame = _scriptFrame(e.stack ?? "", this.scriptUrl);
    this.warn(
      `error:${e.message}`,
      `iteration of VU ${vu} in scenario ${scenario} failed: ${e.message}${
        frame ? ` (at ${frame})` : ""
      }`,
    );
  }

  /**
   * Reports an error thrown outside any iteration's promise chain, e.g. in a timer callback
   * (rate-limited per message).
   */
  uncaughtError(error: unknown): void {
    const e = error instanceof Error ? error : new Error(String(error));
    const frame = _scriptFrame(e.stack ?? "", this.scriptUrl);
    this.warn(
      `uncaught:${e.message}`,
      `uncaught error in the script (the run goes on): ${e.message}${
        frame ? ` (at ${frame})` : ""
      }`,
    );
  }

  /** See {@linkcode EngineHandle.abortTest}. */
  abortTest(reason: string): void {
    this.#options.onAbort?.(reason);
  }

  /** See {@linkcode EngineHandle.failTest}. */
  failTest(reason: string): void {
    this.#options.onFail?.(reason);
  }

  /** Counts a completed iteration. */
  iterationCompleted(): void {
    this.#counters.iterationCompleted();
  }

  /** Counts an interrupted iteration. */
  iterationInterrupted(): void {
    this.#counters.iterationInterrupted();
  }

  /** Records the number of VUs this thread's scenarios hold. */
  setActiveVus(n: number): void {
    this.#counters.setActiveVus(n);
  }

  /** Records the number of VUs this thread initialised. */
  vuInitialized(n: number): void {
    this.#counters.setInitializedVus(n);
  }

  /** See {@linkcode EngineHandle.instance}: the counts of every thread of the run. */
  instance(): InstanceFacts {
    return {
      ...this.#counters.totals(),
      currentTestRunDuration: Math.max(0, this.#now() - this.#startMs),
    };
  }

  #log(line: string): void {
    (this.#options.log ?? ((l: string) => console.error(l)))(line);
  }
}

/** The first stack frame in the script (`file:line:col` without the `?vu=N` query), or "". */
function _scriptFrame(stack: string, scriptUrl: string): string {
  const base = scriptUrl.split("?")[0];
  for (const line of stack.split("\n")) {
    const i = line.indexOf(base);
    if (i < 0) continue;
    const rest = line.slice(i).replace(/\?[^:)]*/, "").replace(/\)$/, "");
    return rest.startsWith("file://") ? rest.slice("file://".length) : rest;
  }
  return "";
}
