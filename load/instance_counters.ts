/**
 * The `exec.instance` counters of one load run. With worker threads every thread (the
 * coordinator and each worker) writes only its own slot of one `SharedArrayBuffer`, and
 * {@linkcode InstanceCounters.totals} sums the slots, so a VU in any worker reads the counts of
 * the whole instance, as in k6 (one k6 process is one instance). A slot is one cache line (eight
 * float64 values), so threads never write the same line and recording stays a plain store.
 *
 * @example
 * ```ts
 * const buffer = InstanceCounters.sharedBuffer(3); // the coordinator and two workers
 * const coordinator = new InstanceCounters(buffer, 0);
 * const worker = new InstanceCounters(buffer, 1); // in worker 1, from its init message
 * worker.iterationCompleted();
 * console.log(coordinator.totals().iterationsCompleted); // 1
 * ```
 *
 * @module
 */

/** Float64 values per slot: one 64-byte cache line. */
const _STRIDE = 8;
const _COMPLETED = 0;
const _INTERRUPTED = 1;
const _ACTIVE = 2;
const _INITIALIZED = 3;

/** The instance-wide counts `exec.instance` reports. */
export interface InstanceTotals {
  /** Iterations completed so far. */
  iterationsCompleted: number;
  /** Iterations interrupted so far. */
  iterationsInterrupted: number;
  /** VUs the scenarios hold now. */
  vusActive: number;
  /** VUs initialised so far. */
  vusInitialized: number;
}

/** One thread's view of the counters; see the module documentation. */
export class InstanceCounters {
  readonly #all: Float64Array;
  readonly #own: Float64Array;

  /**
   * A buffer with a slot for each of `threads` threads, to post to the workers (each uses the
   * slot of its index + 1; the coordinator uses slot 0).
   */
  static sharedBuffer(threads: number): SharedArrayBuffer {
    return new SharedArrayBuffer(Math.max(1, threads) * _STRIDE * 8);
  }

  /**
   * Counters in `slot` of `buffer`; without a buffer, private counters of a single-threaded run.
   * @throws {RangeError} when the buffer has no such slot.
   */
  constructor(buffer: SharedArrayBuffer | ArrayBuffer = new ArrayBuffer(_STRIDE * 8), slot = 0) {
    this.#all = new Float64Array(buffer);
    const slots = this.#all.length / _STRIDE;
    if (!Number.isInteger(slot) || slot < 0 || slot >= slots) {
      throw new RangeError(`Cannot use counter slot ${slot}: the buffer has ${slots} slot(s)`);
    }
    this.#own = this.#all.subarray(slot * _STRIDE, (slot + 1) * _STRIDE);
  }

  /** Counts an iteration this thread completed. */
  iterationCompleted(): void {
    this.#own[_COMPLETED]++;
  }

  /** Counts an iteration this thread interrupted. */
  iterationInterrupted(): void {
    this.#own[_INTERRUPTED]++;
  }

  /** Sets the number of VUs this thread's scenarios hold. */
  setActiveVus(n: number): void {
    this.#own[_ACTIVE] = n;
  }

  /** Sets the number of VUs this thread initialised. */
  setInitializedVus(n: number): void {
    this.#own[_INITIALIZED] = n;
  }

  /** Sets every thread's active VUs to 0 (the coordinator, once every worker has finished). */
  clearActiveVus(): void {
    for (let i = _ACTIVE; i < this.#all.length; i += _STRIDE) this.#all[i] = 0;
  }

  /** The counts of every thread added up. */
  totals(): InstanceTotals {
    const all = this.#all;
    const t: InstanceTotals = {
      iterationsCompleted: 0,
      iterationsInterrupted: 0,
      vusActive: 0,
      vusInitialized: 0,
    };
    for (let base = 0; base < all.length; base += _STRIDE) {
      t.iterationsCompleted += all[base + _COMPLETED];
      t.iterationsInterrupted += all[base + _INTERRUPTED];
      t.vusActive += all[base + _ACTIVE];
      t.vusInitialized += all[base + _INITIALIZED];
    }
    return t;
  }
}
