/**
 * Virtual users: one instance of the script module each (module-level variables are per VU, as
 * in k6), one keep-alive HTTP client each, and the iteration loop step the executors call.
 *
 * A VU is created by running the script's module body inside the VU's init context: the script
 * is compiled once per thread and instantiated per VU (load/script_instances.ts), or, for a
 * script that cannot be run that way, imported with `?vu=N`. Only the script module itself is
 * instantiated per VU: modules it imports are instantiated once per thread, so state that must
 * be per VU belongs in the script file (k6 instantiates every module per VU).
 *
 * @module
 */

import { nowMs } from "./clock.ts";
import { HttpClient } from "./http_client.ts";
import type { IterationInfo, Vu } from "./executors/types.ts";
import {
  ExecContext,
  type Phase,
  runInContext,
  type StatusMatcher,
  storage,
  type VuHandle,
} from "./k6/_context.ts";
import { DEFAULT_EXPECTED_STATUSES } from "./k6/http.ts";
import { wakeSleepers } from "./k6/_sleep.ts";
import type { Engine, ScenarioState } from "./engine.ts";
import { compileScript, type ScriptInstantiator } from "./script_instances.ts";

/** Thrown when a VU cannot be initialised (the script failed to load or threw at the top level). */
export class VuInitError extends Error {
  /** Creates the error. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "VuInitError";
  }
}

/** What a VU keeps per scenario it runs. */
interface _Slot {
  name: string;
  state: ScenarioState;
  ctx: ExecContext;
  fn: (data: unknown) => unknown;
  iterations: number;
}

const _RESOLVED: Promise<void> = Promise.resolve();

/** The script compiled once per engine (thread and run), or null where it is imported per VU. */
const _compiled = new WeakMap<Engine, Promise<ScriptInstantiator | null>>();

/** The exports of a new instance of the script module, for VU `specifier` names. */
async function _instantiate(engine: Engine, specifier: string): Promise<Record<string, unknown>> {
  let compiled = _compiled.get(engine);
  if (compiled === undefined) _compiled.set(engine, compiled = compileScript(engine.scriptUrl));
  const instantiate = await compiled;
  return instantiate === null ? await import(specifier) : instantiate();
}

/** A virtual user. */
export class VirtualUser implements Vu, VuHandle {
  /** `__VU`. */
  readonly id: number;
  /** The engine of this thread. */
  readonly engine: Engine;
  /** See {@linkcode VuHandle.responseCallback}. */
  responseCallback: StatusMatcher | null = DEFAULT_EXPECTED_STATUSES;
  /** See {@linkcode VuHandle.iter}. */
  iter = 0;
  /** See {@linkcode VuHandle.iterationInInstance}. */
  iterationInInstance = 0;
  /** See {@linkcode VuHandle.iterationInScenario}. */
  iterationInScenario = 0;
  /** See {@linkcode VuHandle.tags}. */
  readonly tags: Record<string, string> = {};
  /** See {@linkcode VuHandle.tagsVersion}. */
  tagsVersion = 0;
  /** See {@linkcode VuHandle.pendingSleep}. */
  pendingSleep: Promise<void> | null = null;

  #module: Record<string, unknown> = {};
  #client: HttpClient | null = null;
  #slots = new Map<string, _Slot>();
  #last: _Slot | null = null;
  #nextIter = 0;
  #nextInInstance = 0;
  #data: unknown = undefined;
  /** The running iteration: its context and start, while `#running`. */
  #runCtx: ExecContext | null = null;
  #runStart = 0;
  #running = false;
  /** The context of a running setup() or teardown() call. */
  #phaseCtx: ExecContext | null = null;
  #signal: AbortSignal | null = null;
  #zombies = 0;
  #onIdle: (() => void) | null = null;
  #closed = false;

  private constructor(engine: Engine, id: number) {
    this.engine = engine;
    this.id = id;
  }

  /**
   * Creates VU `id`: imports the script as a new module instance in the VU's init context.
   * @throws {VuInitError} when the script fails to load or throws while initialising.
   */
  static async create(engine: Engine, id: number): Promise<VirtualUser> {
    const vu = new VirtualUser(engine, id);
    const ctx = new ExecContext(vu, "init", "", engine.env);
    // A module instance per run and VU: Deno keeps modules by URL for the life of the process.
    const specifier = `${engine.scriptUrl}${
      engine.scriptUrl.includes("?") ? "&" : "?"
    }run=${engine.runId}&vu=${id}`;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const loading = storage.run(ctx, () => _instantiate(engine, specifier));
      vu.#module = await Promise.race([
        loading,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            ctx.interrupt();
            reject(
              new Error(
                `the script did not finish loading within ${
                  engine.initTimeoutMs / 1000
                }s; check for top-level awaits that never settle`,
              ),
            );
          }, engine.initTimeoutMs);
        }),
      ]);
    } catch (e) {
      vu.close();
      throw new VuInitError(
        `Cannot initialise VU ${id}: ${e instanceof Error ? e.message : String(e)}`,
        { cause: e },
      );
    } finally {
      clearTimeout(timer);
    }
    return vu;
  }

  /** The script module's exports. */
  get exports(): Readonly<Record<string, unknown>> {
    return this.#module;
  }

  /** Whether an interrupted iteration of this VU is still running (its code has not returned). */
  get busy(): boolean {
    return this.#zombies > 0;
  }

  /** See {@linkcode VuHandle.client}. */
  client(): HttpClient {
    return this.#client ??= this.engine.newClient();
  }

  /** Gives this VU its copy of the setup data (`setup()`'s result as JSON), or none. */
  setData(json: string | undefined): void {
    this.#data = json === undefined ? undefined : JSON.parse(json);
  }

  /** Called when a scenario takes this VU: `__ITER` starts again at 0, as in k6. */
  activate(): void {
    this.#nextIter = 0;
  }

  /** Calls `fn` once the VU has no interrupted iteration still running (at once if it has none). */
  whenIdle(fn: () => void): void {
    if (this.#zombies === 0) fn();
    else this.#onIdle = fn;
  }

  /**
   * Runs one iteration of the scenario's function and resolves when it is done. Never rejects:
   * script errors are reported through the engine. When `info.signal` aborts, the iteration is
   * interrupted: it is counted as such at once, its requests fail, its sleeps end and further
   * k6 calls from it throw, so its code returns soon after.
   */
  runIteration(info: IterationInfo): Promise<void> {
    if (info.signal.aborted || this.#closed) return _RESOLVED;
    const slot = this.#slot(info.scenario);
    const ctx = slot.ctx;
    this.iter = this.#nextIter++;
    this.iterationInInstance = this.#nextInInstance++;
    this.iterationInScenario = slot.iterations++;
    ctx.intendedStart = info.intendedStart;
    ctx.iterationInTest = info.iterationInScenario;
    const start = nowMs();
    ctx.iterationStart = start;
    this.#watch(info.signal);
    let result: unknown;
    try {
      result = runInContext(ctx, slot.fn, this.#data);
    } catch (e) {
      this.#finished(ctx, start, e);
      return _RESOLVED;
    }
    if (!(result instanceof Promise) && this.pendingSleep === null) {
      this.#finished(ctx, start, undefined);
      return _RESOLVED;
    }
    // One iteration at a time per VU: its state lives on the VU, and the handlers are bound once.
    this.#runCtx = ctx;
    this.#runStart = start;
    this.#running = true;
    return (result instanceof Promise ? result : _RESOLVED).then(this.#onBody, this.#onBodyError);
  }

  #onBody = (): Promise<void> | undefined => this.#afterBody(undefined);
  #onBodyError = (e: unknown): Promise<void> | undefined =>
    this.#afterBody(e ?? new Error(String(e)));

  #afterBody(error: unknown): Promise<void> | undefined {
    const ctx = this.#runCtx!;
    const sleep = this.pendingSleep;
    if (sleep !== null && !ctx.interrupted) return sleep.then(() => this.#afterBody(error));
    if (!this.#running) {
      // The iteration was interrupted and already counted; its code has now returned.
      if (--this.#zombies === 0 && this.#onIdle !== null) {
        const fn = this.#onIdle;
        this.#onIdle = null;
        fn();
      }
      return undefined;
    }
    this.#running = false;
    this.#finished(ctx, this.#runStart, error);
    return undefined;
  }

  /** The slot of `scenario`, with a live (not interrupted) context. */
  #slot(scenario: string): _Slot {
    let slot = this.#last;
    if (slot === null || slot.name !== scenario) {
      slot = this.#slots.get(scenario) ?? null;
      if (slot === null) {
        const state = this.engine.scenarioState(scenario);
        slot = {
          name: scenario,
          state,
          ctx: new ExecContext(this, "iteration", scenario, state.env),
          fn: this.#module[state.exec] as (data: unknown) => unknown,
          iterations: 0,
        };
        this.#slots.set(scenario, slot);
      }
      this.#last = slot;
    }
    if (slot.ctx.interrupted) {
      slot.ctx = new ExecContext(this, "iteration", scenario, slot.state.env);
    }
    return slot;
  }

  #finished(ctx: ExecContext, start: number, error: unknown): void {
    if (ctx.interrupted) {
      this.engine.iterationInterrupted();
      return;
    }
    const engine = this.engine;
    const m = engine.metrics;
    const tags = ctx.baseTags();
    const end = nowMs();
    engine.clock.pin(end);
    m.iterations.add(1, tags);
    m.iterationDuration.add(end - start, tags);
    engine.clock.unpin();
    engine.iterationCompleted();
    if (error !== undefined) this.engine.scriptError(error, this.id, ctx.scenario);
  }

  #onAbort = (): void => {
    if (!this.#running) return;
    this.#running = false;
    this.#zombies++;
    this.#interruptContext(this.#runCtx!);
    this.engine.iterationInterrupted();
  };

  #interruptContext(ctx: ExecContext): void {
    ctx.interrupt();
    wakeSleepers(this);
    // Closing the client fails the iteration's requests in flight; the next request reconnects.
    this.#client?.close();
    this.#client = null;
  }

  #watch(signal: AbortSignal): void {
    if (this.#signal === signal) return;
    this.#signal?.removeEventListener("abort", this.#onAbort);
    this.#signal = signal;
    signal.addEventListener("abort", this.#onAbort);
  }

  /**
   * Runs the script's `setup` or `teardown` export (or any function) in this VU (VU 0) and
   * resolves with its result. Rejects with the function's error, or when it has not finished
   * within `timeoutMs` (the call is then interrupted).
   */
  async callPhase(
    phase: Exclude<Phase, "init" | "iteration">,
    fn: (data?: unknown) => unknown,
    arg: unknown,
    timeoutMs: number,
    label: string,
  ): Promise<unknown> {
    const ctx = new ExecContext(this, phase, "", this.engine.env);
    this.#phaseCtx = ctx;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.#interruptContext(ctx);
        reject(new Error(`${phase}() did not finish within ${label}`));
      }, timeoutMs);
    });
    try {
      const result = await Promise.race([
        Promise.resolve().then(() => runInContext(ctx, fn, arg)).then(async (value) => {
          if (this.pendingSleep !== null) await this.pendingSleep;
          return value;
        }),
        timeout,
      ]);
      return result;
    } finally {
      clearTimeout(timer);
      if (this.#phaseCtx === ctx) this.#phaseCtx = null;
    }
  }

  /** Interrupts the running iteration or setup / teardown call, if any (a hard stop). */
  interrupt(): void {
    this.#onAbort();
    const phase = this.#phaseCtx;
    if (phase !== null) {
      this.#phaseCtx = null;
      this.#interruptContext(phase);
    }
  }

  /** Closes the VU's connections; it must not run again. */
  close(): void {
    this.#closed = true;
    this.#signal?.removeEventListener("abort", this.#onAbort);
    this.#signal = null;
    this.#onAbort();
    wakeSleepers(this);
    this.#client?.close();
    this.#client = null;
  }
}

/**
 * Creates VUs (up front with {@linkcode VuPool.prewarm}, or on demand) and reuses released ones
 * (VUs are shared by all scenarios).
 */
export class VuPool {
  readonly #engine: Engine;
  readonly #free: VirtualUser[] = [];
  readonly #all: VirtualUser[] = [];
  readonly #idStep: number;
  #nextId: number;
  #setupData: string | undefined = undefined;
  #closed = false;

  /**
   * Creates an empty pool whose VUs get ids `firstId`, `firstId + idStep`, ... (worker `w` of `n`
   * uses `w + 1` and `n`, so VU ids are unique across workers).
   */
  constructor(engine: Engine, firstId = 1, idStep = 1) {
    this.#engine = engine;
    this.#nextId = firstId;
    this.#idStep = idStep;
  }

  /** Sets the setup data every VU gets a copy of (call before acquiring VUs). */
  setData(json: string | undefined): void {
    this.#setupData = json;
    for (const vu of this.#all) vu.setData(json);
  }

  /** VUs created so far. */
  get size(): number {
    return this.#all.length;
  }

  /** A free VU, or a new one. */
  async acquire(): Promise<VirtualUser> {
    if (this.#closed) throw new Error("Cannot acquire a VU: the test has ended");
    const free = this.#free.pop();
    if (free !== undefined) {
      free.activate();
      return free;
    }
    const id = this.#nextId;
    this.#nextId += this.#idStep;
    const vu = await VirtualUser.create(this.#engine, id);
    if (this.#closed) {
      vu.close();
      throw new Error("Cannot acquire a VU: the test has ended");
    }
    vu.setData(this.#setupData);
    this.#all.push(vu);
    this.#engine.vuInitialized(this.#all.length);
    return vu;
  }

  /**
   * Initialises VUs until the pool holds `count` (k6's init phase, before `setup()`), all free.
   * @throws {VuInitError} for the first VU that could not be initialised (the others are kept).
   */
  async prewarm(count: number): Promise<void> {
    const missing = count - this.#all.length;
    if (missing <= 0) return;
    const outcomes = await Promise.allSettled(
      Array.from({ length: missing }, () => this.acquire()),
    );
    // Freed last to first, so that the scenarios take them in id order.
    for (let i = outcomes.length - 1; i >= 0; i--) {
      const o = outcomes[i];
      if (o.status === "fulfilled") this.release(o.value);
    }
    const failed = outcomes.find((o) => o.status === "rejected");
    if (failed !== undefined) throw (failed as PromiseRejectedResult).reason;
  }

  /** Gives a VU back; it becomes free once an interrupted iteration of it has returned. */
  release(vu: VirtualUser): void {
    vu.whenIdle(() => {
      if (!this.#closed) this.#free.push(vu);
    });
  }

  /** Interrupts every running iteration (a hard stop). */
  interruptAll(): void {
    for (const vu of this.#all) vu.interrupt();
  }

  /** Closes every VU. */
  close(): void {
    this.#closed = true;
    for (const vu of this.#all) vu.close();
    this.#free.length = 0;
  }
}
