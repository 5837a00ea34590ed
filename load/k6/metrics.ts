/**
 * The embedded `k6/metrics` module: custom `Counter`, `Gauge`, `Rate` and `Trend` metrics with the
 * signatures of `@types/k6` (deno.json maps `"k6/metrics"` here). As in k6, metrics are created in
 * the init context (at the top level of the script) and samples are added from VU code; every
 * sample carries the scenario and group tags plus the tags given to `add()`.
 *
 * @module
 */

import type { Metric as RegistryMetric, MetricType, Tags } from "../metrics.ts";
import { installGlobals, storage, vuContext } from "./_context.ts";

installGlobals();

/** A custom metric. */
export abstract class Metric {
  /** Metric name. */
  name: string;
  #metric: RegistryMetric;

  /**
   * Creates (or, in every VU after the first, finds) the metric `name`. `isTime` marks a trend of
   * milliseconds, printed as durations. Only allowed in the init context.
   */
  constructor(name: string, isTime?: boolean) {
    const ctx = storage.getStore();
    const type = (new.target as unknown as { readonly type: MetricType }).type;
    if (ctx === undefined || ctx.phase !== "init") {
      throw new Error(
        `Cannot create metric ${
          JSON.stringify(name)
        } outside the init context: create it at the top level of the script`,
      );
    }
    this.name = name;
    this.#metric = ctx.vu.engine.registry.define(name, type, {
      isTime: isTime === true ? true : undefined,
    });
  }

  /**
   * Adds a sample: a number, or a boolean (true is 1, false is 0). `tags` are added to the
   * sample's scenario and group tags.
   */
  add(value: number | boolean, tags?: { [name: string]: string }): void {
    const ctx = vuContext(`${this.name}.add()`);
    let v: number;
    if (typeof value === "number") v = value;
    else if (typeof value === "boolean") v = value ? 1 : 0;
    else {
      throw new TypeError(
        `Cannot add ${
          JSON.stringify(value)
        } to metric "${this.name}": expected a number or a boolean`,
      );
    }
    const base = ctx.baseTags();
    this.#metric.add(v, tags === undefined ? base : _merge(base, tags));
  }
}

function _merge(base: Tags, tags: { [name: string]: string }): Tags {
  const out: Record<string, string> = { ...base };
  for (const k in tags) out[k] = String(tags[k]);
  return out;
}

/** A metric that sums its samples (reported as `count` and `rate` per second). */
export class Counter extends Metric {
  /** @internal the registry type. */
  static readonly type: MetricType = "counter";
}

/** A metric that keeps the last sample (reported as `value`, `min`, `max`). */
export class Gauge extends Metric {
  /** @internal the registry type. */
  static readonly type: MetricType = "gauge";
}

/** A metric that counts the share of non-zero samples (reported as `rate`). */
export class Rate extends Metric {
  /** @internal the registry type. */
  static readonly type: MetricType = "rate";
}

/** A metric of a distribution (reported as `avg`, `min`, `med`, `max`, `p(N)`). */
export class Trend extends Metric {
  /** @internal the registry type. */
  static readonly type: MetricType = "trend";
}

/** The module's default export, as `import metrics from "k6/metrics"`. */
const metrics: {
  Counter: typeof Counter;
  Gauge: typeof Gauge;
  Rate: typeof Rate;
  Trend: typeof Trend;
} = { Counter, Gauge, Rate, Trend };
export default metrics;
