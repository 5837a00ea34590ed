/**
 * The latency distribution of a load run for HDR-style percentile plots: `[percentile, ms]`
 * points of `http_req_duration` (uncorrected: from when the request was sent) and, for runs with
 * an arrival-rate executor, `http_req_latency_intended` (coordinated-omission corrected: from
 * when the iteration was scheduled to start).
 *
 * The points come from the HDR histograms ({@linkcode Metric.percentilePoints}): a fixed number
 * of points in each half of the remaining distance to 100% (0, 10, ..., 50, 55, ..., 75, ...),
 * down to the percentile whose tail holds less than one sample, then `[100, max]`. So their
 * number grows with the logarithm of the sample count (about 5 per doubling) and is capped at
 * {@linkcode MAX_DISTRIBUTION_POINTS}: plain JSON, small enough for the result document.
 *
 * @module
 */

import {
  HTTP_REQ_DURATION,
  HTTP_REQ_LATENCY_INTENDED,
  type Metric,
  type MetricsRegistry,
} from "./metrics.ts";

/** One point of a percentile plot: `[percentile in [0, 100], value in ms]`. */
export type PercentilePoint = [number, number];

/** The latency distributions of a run, as `[percentile, ms]` points in percentile order. */
export interface LatencyDistribution {
  /** `http_req_duration`: latency from when the request was sent (uncorrected). Empty without requests. */
  http_req_duration: PercentilePoint[];
  /**
   * `http_req_latency_intended`: latency from the iteration's intended start (corrected for
   * coordinated omission). Present only when it has samples (arrival-rate executors ran).
   */
  http_req_latency_intended?: PercentilePoint[];
}

/** Most points kept per series. */
export const MAX_DISTRIBUTION_POINTS = 300;

/** Points per halving of the remaining distance to 100% (HdrHistogram's "ticks per half distance"). */
export const TICKS_PER_HALF_DISTANCE = 5;

/**
 * The points of `metric`'s distribution, at most `maxPoints` (the first and the last, `[100,
 * max]`, are always kept; in between points are thinned evenly). Empty for a missing or empty
 * metric.
 */
export function distributionPoints(
  metric: Metric | undefined,
  maxPoints = MAX_DISTRIBUTION_POINTS,
): PercentilePoint[] {
  if (metric === undefined || metric.isEmpty()) return [];
  const points = metric.percentilePoints(TICKS_PER_HALF_DISTANCE);
  return _thin(points.map(([p, v]) => [p, v] as PercentilePoint), Math.max(2, maxPoints));
}

function _thin(points: PercentilePoint[], maxPoints: number): PercentilePoint[] {
  if (points.length <= maxPoints) return points;
  const out: PercentilePoint[] = [];
  const step = (points.length - 1) / (maxPoints - 1);
  for (let i = 0; i < maxPoints; i++) out.push(points[Math.round(i * step)]);
  return out;
}

/**
 * The latency distribution of a run's registry: `http_req_duration` always (empty when no
 * request was made) and `http_req_latency_intended` when it has samples.
 */
export function latencyDistribution(registry: MetricsRegistry): LatencyDistribution {
  const out: LatencyDistribution = {
    http_req_duration: distributionPoints(registry.get(HTTP_REQ_DURATION)),
  };
  const intended = distributionPoints(registry.get(HTTP_REQ_LATENCY_INTENDED));
  if (intended.length > 0) out.http_req_latency_intended = intended;
  return out;
}
