/**
 * The coordinator's side of a multi-worker load run: starts the workers (`load/worker.ts`), each
 * with its execution segment, merges their metrics into the run's registry as they arrive, sums
 * their VU counts for the `vus` gauge and the progress line, forwards the script's
 * `exec.test.abort()` / `exec.test.fail()` and refused URLs, and collects their scenario counts
 * and target tallies at the end.
 *
 * @module
 */

import type { ExecutorResult } from "./executors/types.ts";
import type { MetricsRegistry } from "./metrics.ts";
import type { TargetTally } from "./reachability.ts";
import { ScenarioFailure } from "./scenario_host.ts";
import type { FromWorker, ToWorker, WorkerInit, WorkerStatus } from "./worker.ts";

/** Options of {@linkcode WorkerGroup.start}. */
export interface WorkerGroupOptions {
  /** What every worker gets (`index` is set per worker; `count` is the number of workers). */
  init: Omit<WorkerInit, "type" | "index">;
  /** The coordinator's registry: worker snapshots are merged into it. */
  registry: MetricsRegistry;
  /** The coordinator's target tally, if any: worker tallies are merged into it. */
  tally: TargetTally | null;
  /** Warnings and script errors of the workers. */
  log(line: string): void;
  /** The script called `exec.test.abort()` (or loaded a refused URL). */
  onAbort(reason: string): void;
  /** The script called `exec.test.fail()`. */
  onFail(reason: string): void;
  /** The script tried to load a refused URL. */
  onRefused(): void;
  /** The number of VUs the scenarios hold (all workers) changed. */
  onActiveVus(total: number): void;
}

/** How long workers get to report after a kill before they are terminated, in ms. */
const _KILL_GRACE_MS = 2000;

interface _Member {
  worker: Worker;
  status: WorkerStatus;
  prepared: PromiseWithResolvers<string | null>;
  done: PromiseWithResolvers<{ results: Record<string, ExecutorResult>; error: string | null }>;
  finished: boolean;
}

/** A running group of workers; see the module documentation. */
export class WorkerGroup {
  readonly #options: WorkerGroupOptions;
  readonly #members: _Member[] = [];
  #started = false;
  #terminated = false;

  private constructor(options: WorkerGroupOptions) {
    this.#options = options;
  }

  /**
   * Starts `options.init.count` workers and resolves once every one has loaded its share.
   * @throws {Error} when a worker cannot start (every worker is terminated first).
   */
  static async start(options: WorkerGroupOptions): Promise<WorkerGroup> {
    const group = new WorkerGroup(options);
    const ready: Promise<void>[] = [];
    for (let index = 0; index < options.init.count; index++) {
      ready.push(group.#spawn(index));
    }
    try {
      await Promise.all(ready);
    } catch (e) {
      group.terminate();
      throw e;
    }
    return group;
  }

  #spawn(index: number): Promise<void> {
    const worker = new Worker(new URL("./worker.ts", import.meta.url).href, { type: "module" });
    const member: _Member = {
      worker,
      status: { vusActive: 0, vusMax: 0, interrupted: 0, arrivalScheduled: 0 },
      prepared: Promise.withResolvers(),
      done: Promise.withResolvers(),
      finished: false,
    };
    this.#members.push(member);
    const ready = Promise.withResolvers<void>();
    const fail = (error: string) => {
      ready.reject(new Error(`Cannot start load worker ${index + 1}: ${error}`));
      this.#finish(member, {}, `load worker ${index + 1} failed: ${error}`);
    };
    worker.onmessage = (e: MessageEvent<FromWorker>) => this.#receive(member, e.data, ready, fail);
    worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      fail(e.message);
    };
    const init: WorkerInit = { ...this.#options.init, type: "init", index };
    worker.postMessage(init satisfies ToWorker);
    return ready.promise;
  }

  #receive(
    member: _Member,
    m: FromWorker,
    ready: PromiseWithResolvers<void>,
    fail: (error: string) => void,
  ): void {
    const o = this.#options;
    switch (m.type) {
      case "ready":
        ready.resolve();
        break;
      case "failed":
        fail(m.error);
        break;
      case "prepared":
        this.#status(member, m);
        member.prepared.resolve(m.error);
        break;
      case "status":
        this.#status(member, m);
        break;
      case "metrics":
        o.registry.merge(m.snapshot);
        this.#status(member, m);
        break;
      case "log":
        o.log(m.line);
        break;
      case "abort":
        o.onAbort(m.reason);
        break;
      case "fail":
        o.onFail(m.reason);
        break;
      case "refused":
        o.onRefused();
        break;
      case "done":
        o.registry.merge(m.snapshot);
        if (m.tally !== null) o.tally?.merge(m.tally);
        this.#status(member, m);
        this.#finish(member, m.results, m.error);
        break;
    }
  }

  #status(member: _Member, s: WorkerStatus): void {
    const previous = this.vusActive;
    member.status = {
      vusActive: s.vusActive,
      vusMax: s.vusMax,
      interrupted: s.interrupted,
      arrivalScheduled: s.arrivalScheduled,
    };
    const total = this.vusActive;
    if (total !== previous) this.#options.onActiveVus(total);
  }

  #finish(member: _Member, results: Record<string, ExecutorResult>, error: string | null): void {
    if (member.finished) return;
    member.finished = true;
    member.prepared.resolve(error ?? "the load worker ended before its VUs were initialised");
    member.done.resolve({ results, error });
    member.worker.terminate();
  }

  #sum(key: keyof WorkerStatus): number {
    let n = 0;
    for (const m of this.#members) n += m.status[key];
    return n;
  }

  /** VUs the scenarios hold, over all workers. */
  get vusActive(): number {
    return this.#sum("vusActive");
  }

  /** VUs created, over all workers. */
  get vusMax(): number {
    return this.#sum("vusMax");
  }

  /** Iterations interrupted so far, over all workers. */
  get interrupted(): number {
    return this.#sum("interrupted");
  }

  /** Arrival-rate iterations scheduled (started or dropped), over all workers. */
  get arrivalScheduled(): number {
    return this.#sum("arrivalScheduled");
  }

  /**
   * Initialises in every worker the VUs its scenarios start with (k6's init phase).
   * @throws {ScenarioFailure} with the first worker's error (a VU that could not start).
   */
  async prepare(): Promise<void> {
    this.#post({ type: "prepare" });
    const errors = await Promise.all(this.#members.map((m) => m.prepared.promise));
    const error = errors.find((e) => e !== null);
    if (error !== undefined && error !== null) throw new ScenarioFailure(error);
  }

  /**
   * Starts the scenarios in every worker and resolves with each scenario's counts (summed over
   * the workers) once all are done. Aborting `signal` stops them gracefully.
   * @throws {Error} with the first worker's error (a VU that could not start, a crash).
   */
  async run(
    setupJson: string | undefined,
    scenariosStartMs: number,
    signal: AbortSignal,
  ): Promise<Record<string, ExecutorResult>> {
    const onStop = () => this.#post({ type: "stop" });
    const startMs = this.#options.registry.startMs;
    this.#started = true;
    for (const m of this.#members) {
      m.worker.postMessage(
        { type: "start", setupJson, startMs, scenariosStartMs } satisfies ToWorker,
      );
    }
    if (signal.aborted) onStop();
    else signal.addEventListener("abort", onStop, { once: true });
    const outcomes = await Promise.all(this.#members.map((m) => m.done.promise));
    signal.removeEventListener("abort", onStop);
    const results: Record<string, ExecutorResult> = {};
    for (const outcome of outcomes) {
      for (const [scenario, r] of Object.entries(outcome.results)) {
        const sum = results[scenario] ??= { iterations: 0, dropped: 0, interrupted: 0 };
        sum.iterations += r.iterations;
        sum.dropped += r.dropped;
        sum.interrupted += r.interrupted;
      }
    }
    const failed = outcomes.find((o) => o.error !== null);
    if (failed !== undefined) throw new ScenarioFailure(failed.error!);
    return results;
  }

  /** Interrupts every iteration in every worker; each then reports and is terminated. */
  kill(): void {
    this.#post({ type: "kill" });
  }

  /**
   * Resolves once every worker has reported its end (its last metrics merged), or after
   * `timeoutMs` (default 2 s); then terminates the workers that have not. Before
   * {@linkcode run}, terminates them at once.
   */
  async close(timeoutMs = _KILL_GRACE_MS): Promise<void> {
    if (!this.#started) {
      // Stopped before the scenarios started: no worker has metrics to report.
      this.terminate();
      return;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.all(this.#members.map((m) => m.done.promise)),
      new Promise((resolve) => timer = setTimeout(resolve, timeoutMs)),
    ]);
    clearTimeout(timer);
    this.terminate();
  }

  #post(message: ToWorker): void {
    for (const m of this.#members) if (!m.finished) m.worker.postMessage(message);
  }

  /** Terminates every worker at once. */
  terminate(): void {
    if (this.#terminated) return;
    this.#terminated = true;
    for (const m of this.#members) this.#finish(m, {}, null);
  }
}
