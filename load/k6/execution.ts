/**
 * The embedded `k6/execution` module: facts about the running VU, scenario, instance and test,
 * and `test.abort()` / `test.fail()`, with the shapes of `@types/k6` (deno.json maps
 * `"k6/execution"` here). Every property is read from the current context when accessed.
 *
 * One process runs the whole test, so `idInInstance` equals `idInTest` and
 * `iterationInInstance` equals `iterationInTest` (both unique over the whole test). The
 * `exec.instance` counts (`iterationsCompleted`, `iterationsInterrupted`, `vusActive`,
 * `vusInitialized`) are the whole process's, also with several worker threads (`load --workers`):
 * each worker adds its own to counters it shares with the others (load/instance_counters.ts).
 *
 * @module
 */

import { currentContext, type ExecContext, installGlobals, vuContext } from "./_context.ts";

installGlobals();

function _ctx(what: string): ExecContext {
  const ctx = currentContext();
  if (ctx === undefined) {
    throw new Error(`Cannot read exec.${what} outside a running test`);
  }
  return ctx;
}

function _iterationCtx(what: string): ExecContext {
  const ctx = _ctx(what);
  if (ctx.phase !== "iteration") {
    throw new Error(
      `Cannot read exec.${what} in ${
        ctx.phase === "init" ? "the init context" : `${ctx.phase}()`
      }: it exists only while a scenario runs`,
    );
  }
  return ctx;
}

const _vuTags = new WeakMap<object, Record<string, string | number | boolean>>();

function _tagsProxy(ctx: ExecContext): Record<string, string | number | boolean> {
  const vu = ctx.vu;
  let proxy = _vuTags.get(vu);
  if (proxy === undefined) {
    proxy = new Proxy(vu.tags as Record<string, string | number | boolean>, {
      set(target, key, value) {
        if (typeof key !== "string") return false;
        if (typeof value === "object" || typeof value === "function" || value === undefined) {
          vu.engine.warn(
            "vu-tags",
            `exec.vu.tags: the value of tag "${key}" must be a string, number or boolean; it was ignored`,
          );
          return true;
        }
        (target as Record<string, string>)[key] = String(value);
        vu.tagsVersion++;
        return true;
      },
      deleteProperty(target, key) {
        if (typeof key !== "string") return false;
        delete target[key];
        vu.tagsVersion++;
        return true;
      },
    });
    _vuTags.set(vu, proxy);
  }
  return proxy;
}

/** The current VU. */
export const vu: {
  /** Iterations this VU started in any scenario (0-based index of the current one). */
  readonly iterationInInstance: number;
  /** Iterations this VU started in the current scenario (0-based index of the current one). */
  readonly iterationInScenario: number;
  /** The VU id in this instance (`__VU`). */
  readonly idInInstance: number;
  /** The VU id in the whole test. */
  readonly idInTest: number;
  /** Tags added to every sample of this VU; settable. */
  tags: Record<string, number | string | boolean>;
  /** Metric tags and metadata of this VU. */
  metrics: {
    /** Same as `vu.tags`. */
    tags: Record<string, number | string | boolean>;
    /** Metadata (accepted, not recorded). */
    metadata: Record<string, number | string | boolean>;
  };
} = {
  get iterationInInstance() {
    return _ctx("vu.iterationInInstance").vu.iterationInInstance;
  },
  get iterationInScenario() {
    return _iterationCtx("vu.iterationInScenario").vu.iterationInScenario;
  },
  get idInInstance() {
    return _ctx("vu.idInInstance").vu.id;
  },
  get idInTest() {
    return _ctx("vu.idInTest").vu.id;
  },
  get tags() {
    return _tagsProxy(_ctx("vu.tags"));
  },
  set tags(value: Record<string, number | string | boolean>) {
    const proxy = _tagsProxy(_ctx("vu.tags"));
    for (const k of Object.keys(proxy)) delete proxy[k];
    Object.assign(proxy, value);
  },
  metrics: {
    get tags() {
      return _tagsProxy(_ctx("vu.metrics.tags"));
    },
    set tags(value: Record<string, number | string | boolean>) {
      vu.tags = value;
    },
    metadata: {},
  },
};

/** The current scenario. */
export const scenario: {
  /** Scenario name. */
  readonly name: string;
  /** k6 executor name. */
  readonly executor: string;
  /** Unix time (ms) the scenario started. */
  readonly startTime: number;
  /** Fraction of the scenario done, 0 to 1. */
  readonly progress: number;
  /** 0-based index of the current iteration among the scenario's iterations in this instance. */
  readonly iterationInInstance: number;
  /** 0-based index of the current iteration among the scenario's iterations in the test. */
  readonly iterationInTest: number;
} = {
  get name() {
    return _iterationCtx("scenario.name").scenario;
  },
  get executor() {
    const ctx = _iterationCtx("scenario.executor");
    return ctx.vu.engine.scenario(ctx.scenario)?.executor ?? "";
  },
  get startTime() {
    const ctx = _iterationCtx("scenario.startTime");
    return ctx.vu.engine.scenario(ctx.scenario)?.startTime ?? 0;
  },
  get progress() {
    const ctx = _iterationCtx("scenario.progress");
    return ctx.vu.engine.scenario(ctx.scenario)?.progress() ?? 0;
  },
  get iterationInInstance() {
    return _iterationCtx("scenario.iterationInInstance").iterationInTest;
  },
  get iterationInTest() {
    return _iterationCtx("scenario.iterationInTest").iterationInTest;
  },
};

/** This instance: the process, or with several workers the worker thread running the VU. */
export const instance: {
  /** Iterations interrupted so far. */
  readonly iterationsInterrupted: number;
  /** Iterations completed so far. */
  readonly iterationsCompleted: number;
  /** VUs currently held by scenarios. */
  readonly vusActive: number;
  /** VUs initialised so far. */
  readonly vusInitialized: number;
  /** Elapsed test time in ms. */
  readonly currentTestRunDuration: number;
} = {
  get iterationsInterrupted() {
    return _ctx("instance.iterationsInterrupted").vu.engine.instance().iterationsInterrupted;
  },
  get iterationsCompleted() {
    return _ctx("instance.iterationsCompleted").vu.engine.instance().iterationsCompleted;
  },
  get vusActive() {
    return _ctx("instance.vusActive").vu.engine.instance().vusActive;
  },
  get vusInitialized() {
    return _ctx("instance.vusInitialized").vu.engine.instance().vusInitialized;
  },
  get currentTestRunDuration() {
    return _ctx("instance.currentTestRunDuration").vu.engine.instance().currentTestRunDuration;
  },
};

/** The test. */
export const test: {
  /** Stops the test now; the run ends as aborted (exit code 3) after printing the summary. */
  abort(input?: string): void;
  /** Marks the test failed (exit code 99) and lets it continue. */
  fail(message?: string): void;
  /** The script's options. */
  readonly options: Record<string, unknown>;
} = {
  abort(input?: string): void {
    const ctx = vuContext("exec.test.abort()");
    ctx.vu.engine.abortTest(input ?? "the script called exec.test.abort()");
    ctx.interrupt();
    throw new Error(`test aborted: ${input ?? "exec.test.abort() was called"}`);
  },
  fail(message?: string): void {
    const ctx = vuContext("exec.test.fail()");
    ctx.vu.engine.failTest(message ?? "the script called exec.test.fail()");
  },
  get options() {
    return _ctx("test.options").vu.engine.scriptOptions as Record<string, unknown>;
  },
};

/** The module's default export, as `import exec from "k6/execution"`. */
const execution: {
  vu: typeof vu;
  scenario: typeof scenario;
  instance: typeof instance;
  test: typeof test;
} = { vu, scenario, instance, test };
export default execution;
