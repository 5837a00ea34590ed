/**
 * The embedded `k6` module: `check`, `group`, `sleep`, `fail` and `randomSeed`, with the
 * signatures of `@types/k6` (deno.json maps `"k6"` here).
 *
 * Differences from k6, all compatible with scripts that also run under real k6:
 * - `sleep()` cannot block a thread that runs many VUs, so it returns a promise (typed `void` as in
 *   k6): `await sleep(1)` pauses the VU. Without `await` the sleep still delays the VU's next
 *   request and the end of its iteration, which is where k6's blocking sleep has visible effects.
 * - `group()` accepts async functions: the group (its tags and `group_duration`) lasts until the
 *   returned promise settles (k6 measures only the synchronous part).
 *
 * @module
 */

import { nowMs } from "../clock.ts";
import { type ExecContext, installGlobals, runInContext, storage, vuContext } from "./_context.ts";
import { sleepFor } from "./_sleep.ts";

installGlobals();

/**
 * Check procedure.
 * @template VT - Value type.
 */
export interface Checker<VT> {
  /**
   * Check procedure.
   * @param val - Value to check.
   * @returns Whether check passed.
   */
  (val: VT): boolean;
}

/**
 * Named check procedures.
 * @template VT - Value type.
 */
export interface Checkers<VT> {
  [description: string]: Checker<VT>;
}

/** JavaScript value representable with JSON. */
export type JSONValue = null | boolean | number | string | JSONArray | JSONObject;

/** Array representable with JSON. */
export interface JSONArray extends Array<JSONValue> {}

/** Object representable with JSON. */
export interface JSONObject {
  [key: string]: JSONValue;
}

/**
 * Runs checks on a value: each passing check adds a 1 to the `checks` rate, each failing one a 0,
 * tagged with the check name (`check`), group and scenario. A check may also be a plain value
 * (truthy passes). Returns true when every check passed.
 */
export function check<VT>(val: VT, sets: Checkers<VT>, tags?: object): boolean {
  const ctx = vuContext("check()");
  const metric = ctx.vu.engine.metrics.checks;
  let all = true;
  for (const name in sets) {
    const c = sets[name] as unknown;
    const ok = typeof c === "function" ? !!(c as Checker<VT>)(val) : !!c;
    const base = ctx.checkTags(name);
    metric.add(ok ? 1 : 0, tags === undefined ? base : _withTags(base, tags));
    if (!ok) all = false;
  }
  return all;
}

/** Throws an error that ends the current iteration (the message is printed). */
export function fail(err?: string): never {
  throw new Error(err ?? "fail() was called");
}

/**
 * Runs `fn` inside a group: samples recorded meanwhile carry the group path (`::name`), and the
 * group's duration is recorded in `group_duration`. Returns what `fn` returns.
 */
export function group<RT>(name: string, fn: () => RT): RT {
  const ctx = vuContext("group()");
  if (typeof name !== "string" || name === "" || name.includes("::")) {
    throw new Error(
      `Cannot run group ${
        JSON.stringify(name)
      }: a group name must be a non-empty string without "::"`,
    );
  }
  const child = ctx.child(name);
  const start = nowMs();
  let result: RT;
  try {
    result = runInContext(child, _call, fn);
  } catch (e) {
    _groupDone(child, start);
    throw e;
  }
  if (result instanceof Promise) {
    return result.finally(() => _groupDone(child, start)) as RT;
  }
  _groupDone(child, start);
  return result;
}

function _call<R>(fn: () => R): R {
  return fn();
}

function _groupDone(ctx: ExecContext, start: number): void {
  if (ctx.interrupted) return;
  ctx.vu.engine.metrics.groupDuration.add(nowMs() - start, ctx.baseTags());
}

/**
 * Suspends the VU for `t` seconds. Returns a promise at run time (typed `void` as in k6): await
 * it to pause; see the module documentation.
 */
export function sleep(t: number): void {
  const ctx = vuContext("sleep()");
  const ms = Number(t) * 1000;
  const vu = ctx.vu;
  if (!(ms > 0)) return (vu.pendingSleep ?? Promise.resolve()) as unknown as void;
  return sleepFor(vu, ms, ctx) as unknown as void;
}

/**
 * Seeds `Math.random` for the current VU, so its random numbers repeat from run to run. Other
 * VUs keep the unseeded generator.
 */
export function randomSeed(int: number): void {
  const ctx = storage.getStore();
  if (ctx === undefined) throw new Error("Cannot use randomSeed() outside a running test");
  _installSeededRandom();
  _seeds.set(ctx.vu, _mulberry32(Math.trunc(Number(int)) >>> 0));
}

const _seeds = new WeakMap<object, () => number>();
let _seededInstalled = false;

function _installSeededRandom(): void {
  if (_seededInstalled) return;
  _seededInstalled = true;
  const original = Math.random;
  Math.random = () => {
    const ctx = storage.getStore();
    const seeded = ctx === undefined ? undefined : _seeds.get(ctx.vu);
    return seeded === undefined ? original() : seeded();
  };
}

/** A small seeded PRNG (mulberry32). */
function _mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function _withTags(base: Readonly<Record<string, string>>, extra: object): Record<string, string> {
  const tags: Record<string, string> = { ...base };
  for (const [k, v] of Object.entries(extra)) tags[k] = String(v);
  return tags;
}

/** The module's default export, as `import k6 from "k6"`. */
const k6: {
  check: typeof check;
  fail: typeof fail;
  group: typeof group;
  randomSeed: typeof randomSeed;
  sleep: typeof sleep;
} = { check, fail, group, randomSeed, sleep };
export default k6;
