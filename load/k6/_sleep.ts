/**
 * The sleeps of VUs: timers the engine can end early when an iteration is interrupted. Private to
 * `load/`.
 *
 * @module
 */

import type { ExecContext, VuHandle } from "./_context.ts";

const _wakers = new WeakMap<object, Set<() => void>>();

/**
 * Starts a sleep of `ms` for the VU of `ctx`, after any sleep it already has pending; records
 * it as the VU's pending sleep and resolves when it ends (at once when the iteration is
 * interrupted).
 */
export function sleepFor(vu: VuHandle, ms: number, ctx: ExecContext): Promise<void> {
  const before = vu.pendingSleep;
  const p: Promise<void> = new Promise<void>((resolve) => {
    const start = () => {
      if (ctx.interrupted) {
        if (vu.pendingSleep === p) vu.pendingSleep = null;
        return resolve();
      }
      let wakers = _wakers.get(vu);
      if (wakers === undefined) _wakers.set(vu, wakers = new Set());
      const done = () => {
        clearTimeout(timer);
        wakers.delete(done);
        if (vu.pendingSleep === p) vu.pendingSleep = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      wakers.add(done);
    };
    if (before === null) start();
    else before.then(start);
  });
  vu.pendingSleep = p;
  return p;
}

/** Ends every sleep of a VU at once, when its iteration is interrupted (called by the engine). */
export function wakeSleepers(vu: VuHandle): void {
  const wakers = _wakers.get(vu);
  if (wakers !== undefined) { for (const wake of [...wakers]) wake(); }
  vu.pendingSleep = null;
}
