/**
 * The execution context the embedded k6 modules (`load/k6/*`) read: which VU is running, in
 * which phase (init, setup, iteration, teardown), scenario and group. Private to `load/`.
 *
 * Every VU is its own instance of the script module (imported with `?vu=N`), so module-level
 * variables are per VU as in k6. The k6 modules themselves are shared, and the iterations of all
 * VUs interleave on one event loop, so the current VU cannot live in a global variable. It is
 * carried by an `AsyncLocalStorage`: the engine enters a context when it imports a VU's module
 * and when it starts an iteration, and every continuation of that code (after `await`) sees the
 * same context. Measured here under Deno 2.9: `run()` costs about 0.23 µs (once per iteration) and
 * `getStore()` about 6 ns (once per k6 call).
 *
 * @module
 */

import { AsyncLocalStorage } from "node:async_hooks";
import { denoCore } from "../_deno_core.ts";
import type { HttpClient, HttpResult } from "../http_client.ts";
import type { Metric, MetricsRegistry, Tags } from "../metrics.ts";

/** What the code currently running is: k6's init context, setup, a VU iteration or teardown. */
export type Phase = "init" | "setup" | "iteration" | "teardown";

/** The built-in metrics the k6 modules record, resolved once per engine. */
export interface BuiltinMetrics {
  /** `http_reqs`. */
  httpReqs: Metric;
  /** `http_req_duration`. */
  httpReqDuration: Metric;
  /** `http_req_blocked`. */
  httpReqBlocked: Metric;
  /** `http_req_connecting`. */
  httpReqConnecting: Metric;
  /** `http_req_tls_handshaking`. */
  httpReqTlsHandshaking: Metric;
  /** `http_req_sending`. */
  httpReqSending: Metric;
  /** `http_req_waiting`. */
  httpReqWaiting: Metric;
  /** `http_req_receiving`. */
  httpReqReceiving: Metric;
  /** `http_req_failed`. */
  httpReqFailed: Metric;
  /** `http_req_latency_intended` (coordinated-omission corrected latency). */
  httpReqLatencyIntended: Metric;
  /** `data_sent`. */
  dataSent: Metric;
  /** `data_received`. */
  dataReceived: Metric;
  /** `checks`. */
  checks: Metric;
  /** `group_duration`. */
  groupDuration: Metric;
  /** `iterations`. */
  iterations: Metric;
  /** `iteration_duration`. */
  iterationDuration: Metric;
}

/** A response callback made by `http.expectedStatuses()`: which statuses count as expected. */
export interface StatusMatcher {
  /** True when `status` is expected (the request did not fail). */
  matches(status: number): boolean;
}

/** Scenario facts for `k6/execution`. */
export interface ScenarioFacts {
  /** Scenario name. */
  readonly name: string;
  /** k6 executor name. */
  readonly executor: string;
  /** Unix time (ms) the scenario started, 0 before it started. */
  readonly startTime: number;
  /** Fraction of the scenario's regular duration that has elapsed, 0 to 1. */
  progress(): number;
}

/** The per-thread engine as the k6 modules see it. */
export interface EngineHandle {
  /** The registry of this thread. */
  readonly registry: MetricsRegistry;
  /** Built-in metrics. */
  readonly metrics: BuiltinMetrics;
  /** `options.discardResponseBodies`: the default response type is `none`. */
  readonly discardResponseBodies: boolean;
  /** `options.tags`: tags added to every sample. */
  readonly testTags: Tags | null;
  /** The script's options as exported (for `exec.test.options`). */
  readonly scriptOptions: Readonly<Record<string, unknown>>;
  /** The registry's clock: pin it to a time already read while recording a batch of samples. */
  readonly clock: { pin(perfNowMs: number): void; unpin(): void };
  /** Throws when the URL may not receive load (the public cloud without the owner's consent). */
  guardUrl(url: string): void;
  /** Counts a request about to be sent (each is later passed to `observeResponse`). */
  requestStarted(): void;
  /** Records the outcome of a request (for the target's reachability). */
  observeResponse(url: string, result: HttpResult): void;
  /** Prints a warning, rate-limited per `key`. */
  warn(key: string, message: string): void;
  /** Stops the test (`exec.test.abort()`); the run ends as aborted. */
  abortTest(reason: string): void;
  /** Marks the test failed (`exec.test.fail()`) without stopping it. */
  failTest(reason: string): void;
  /** Scenario facts by name. */
  scenario(name: string): ScenarioFacts | undefined;
  /** `exec.instance` counters. */
  instance(): InstanceFacts;
}

/** `exec.instance` counters. */
export interface InstanceFacts {
  /** Iterations interrupted so far. */
  iterationsInterrupted: number;
  /** Iterations completed so far. */
  iterationsCompleted: number;
  /** VUs currently held by scenarios. */
  vusActive: number;
  /** VUs initialised so far. */
  vusInitialized: number;
  /** Elapsed run time in ms. */
  currentTestRunDuration: number;
}

/** A VU as the k6 modules see it. */
export interface VuHandle {
  /** `__VU`: 1-based, 0 for the init probe, setup and teardown. */
  readonly id: number;
  /** The engine. */
  readonly engine: EngineHandle;
  /** The VU's HTTP client (one per VU: its connections are reused across iterations). */
  client(): HttpClient;
  /** `http.setResponseCallback()` for this VU; null disables `http_req_failed`. */
  responseCallback: StatusMatcher | null;
  /** `__ITER`: iterations this VU started since a scenario activated it, 0-based. */
  iter: number;
  /** Iterations this VU started in any scenario, 0-based (`exec.vu.iterationInInstance`). */
  iterationInInstance: number;
  /** Iterations this VU started in the current scenario, 0-based. */
  iterationInScenario: number;
  /** `exec.vu.tags`: tags the script set on this VU, added to its samples. */
  readonly tags: Record<string, string>;
  /** Changes whenever `tags` changes, so tag caches know when to rebuild. */
  tagsVersion: number;
  /** A `sleep()` still running, which the next request and the iteration's end wait for. */
  pendingSleep: Promise<void> | null;
}

/** The context of the code that runs now. One per VU and scenario, reused across iterations. */
export class ExecContext {
  /** The VU. */
  readonly vu: VuHandle;
  /** What runs. */
  readonly phase: Phase;
  /** Scenario name, empty outside iterations. */
  readonly scenario: string;
  /** Group path: `""` at the root, `::outer::inner` inside groups. */
  readonly group: string;
  /** `__ENV` for this code: the run's environment plus the scenario's `env`. */
  readonly env: Record<string, string>;
  /** Set when the iteration was interrupted (gracefulStop elapsed, hard stop): k6 calls throw. */
  interrupted = false;
  /** Scheduler time the current iteration was meant to start (arrival-rate executors). */
  intendedStart: number | undefined = undefined;
  /** Scheduler time (`performance.now()`) the current iteration started. */
  iterationStart = 0;
  /** The iteration's index among all iterations of its scenario (`exec.scenario.iterationInInstance`). */
  iterationInTest = 0;
  /** Parent context (inside a group), or null. */
  readonly parent: ExecContext | null;
  #baseTags: Tags | null = null;
  #baseVersion = -1;
  #checkTags = new Map<string, Tags>();
  #children: Map<string, ExecContext> | null = null;
  /** Request tags by URL, method and status slot (see `load/k6/http.ts`). */
  httpTags = new Map<string, Map<string, Tags[]>>();
  /** The last request tags `httpTags` gave, with their URL, method and slot (a one-entry cache). */
  lastHttp: { url: string; method: string; slot: number; tags: Tags } | null = null;
  /** Version of the tags the caches were built with. */
  cacheVersion = -1;
  /** The async-context frame that carries this context (see {@linkcode runInContext}). */
  frame: unknown = undefined;

  /** Creates a context; `group` is the full group path. */
  constructor(
    vu: VuHandle,
    phase: Phase,
    scenario: string,
    env: Record<string, string>,
    group = "",
    parent: ExecContext | null = null,
  ) {
    this.vu = vu;
    this.phase = phase;
    this.scenario = scenario;
    this.env = env;
    this.group = group;
    this.parent = parent;
  }

  /** Tags every sample of this context carries: test tags, VU tags, scenario and group. */
  baseTags(): Tags {
    this.#sync();
    if (this.#baseTags === null) {
      const tags: Record<string, string> = {};
      const testTags = this.vu.engine.testTags;
      if (testTags !== null) Object.assign(tags, testTags);
      Object.assign(tags, this.vu.tags);
      if (this.scenario !== "") tags.scenario = this.scenario;
      tags.group = this.group;
      this.#baseTags = Object.freeze(tags);
    }
    return this.#baseTags;
  }

  /** The tags of a `check` sample named `name` (cached). */
  checkTags(name: string): Tags {
    this.#sync();
    let tags = this.#checkTags.get(name);
    if (tags === undefined) {
      tags = Object.freeze({ ...this.baseTags(), check: name });
      if (this.#checkTags.size < 1024) this.#checkTags.set(name, tags);
    }
    return tags;
  }

  /** The context of group `name` inside this one (cached, so it is reused across iterations). */
  child(name: string): ExecContext {
    this.#children ??= new Map();
    let c = this.#children.get(name);
    if (c === undefined) {
      c = new ExecContext(
        this.vu,
        this.phase,
        this.scenario,
        this.env,
        `${this.group}::${name}`,
        this,
      );
      if (this.#children.size < 256) this.#children.set(name, c);
    }
    c.intendedStart = this.intendedStart;
    c.iterationStart = this.iterationStart;
    c.iterationInTest = this.iterationInTest;
    return c;
  }

  /** Marks this context and its group contexts interrupted. */
  interrupt(): void {
    this.interrupted = true;
    if (this.#children !== null) { for (const c of this.#children.values()) c.interrupt(); }
  }

  #sync(): void {
    if (this.cacheVersion === this.vu.tagsVersion) return;
    this.cacheVersion = this.vu.tagsVersion;
    this.#baseTags = null;
    this.#checkTags.clear();
    this.httpTags.clear();
    this.lastHttp = null;
  }
}

/** The storage carrying the current {@linkcode ExecContext}. */
export const storage: AsyncLocalStorage<ExecContext> = new AsyncLocalStorage<ExecContext>();

/** Deno's async-context primitives (V8 continuation-preserved embedder data), when reachable. */
interface _AsyncContextCore {
  getAsyncContext(): unknown;
  setAsyncContext(frame: unknown): void;
}

function _asyncContextCore(): _AsyncContextCore | null {
  // Without them (not Deno, or its internals changed), runInContext uses AsyncLocalStorage.run.
  const core = denoCore();
  return typeof core?.getAsyncContext === "function" &&
      typeof core.setAsyncContext === "function"
    ? core as unknown as _AsyncContextCore
    : null;
}

const _core = _asyncContextCore();

/**
 * Calls `fn(arg)` with `ctx` as the current context (and every continuation of it). The same as
 * `storage.run(ctx, fn, arg)`, but `run()` builds a new async-context frame on every call (an
 * object spread and a WeakMap entry, about 0.23 µs, and more under GC pressure), which showed
 * up as a fifth of the engine's per-iteration cost. Here the frame `storage.run()` builds is
 * kept per context and re-entered through Deno's async-context primitives (about 20 ns); when
 * those are not reachable, `storage.run()` is used.
 */
export function runInContext<A, R>(ctx: ExecContext, fn: (arg: A) => R, arg: A): R {
  if (_core === null) return storage.run(ctx, fn, arg);
  let frame = ctx.frame;
  if (frame === undefined) frame = ctx.frame = storage.run(ctx, () => _core.getAsyncContext());
  const previous = _core.getAsyncContext();
  _core.setAsyncContext(frame);
  try {
    return fn(arg);
  } finally {
    _core.setAsyncContext(previous);
  }
}

/** The current context, or undefined outside any VU code. */
export function currentContext(): ExecContext | undefined {
  return storage.getStore();
}

/** Thrown by k6 calls made from an iteration that was interrupted. */
export class InterruptedError extends Error {
  /** Creates the error. */
  constructor() {
    super("the iteration was interrupted (gracefulStop elapsed or the test stopped)");
    this.name = "InterruptedError";
  }
}

/**
 * The current context for a call that VU code may make (`check`, requests, metrics `add`);
 * throws outside VU code, in the init context, or after the iteration was interrupted.
 */
export function vuContext(what: string): ExecContext {
  const ctx = storage.getStore();
  if (ctx === undefined) {
    throw new Error(
      `Cannot use ${what} outside a running test: call it from the script's functions`,
    );
  }
  if (ctx.phase === "init") {
    throw new Error(
      `Cannot use ${what} in the init context: call it from the default function, setup() or teardown()`,
    );
  }
  if (ctx.interrupted) throw new InterruptedError();
  return ctx;
}

declare global {
  /** k6 `__VU`: the current VU number (0 in the init probe, setup and teardown). */
  var __VU: number;
  /** k6 `__ITER`: the current VU's iteration number, 0-based. */
  var __ITER: number;
  /** k6 `__ENV`: environment variables (`-e KEY=VALUE` and the process environment). */
  var __ENV: { [name: string]: string };
}

const _NO_ENV: Record<string, string> = Object.freeze({}) as Record<string, string>;
let _installed = false;

/**
 * Defines the k6 globals `__VU`, `__ITER` and `__ENV` on `globalThis` as getters reading the
 * current context (idempotent).
 */
export function installGlobals(): void {
  if (_installed) return;
  _installed = true;
  Object.defineProperties(globalThis, {
    __VU: {
      configurable: true,
      get: () => storage.getStore()?.vu.id ?? 0,
    },
    __ITER: {
      configurable: true,
      get: () => storage.getStore()?.vu.iter ?? 0,
    },
    __ENV: {
      configurable: true,
      get: () => storage.getStore()?.env ?? _NO_ENV,
    },
  });
}
