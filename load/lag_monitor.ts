/**
 * The generator's own saturation: how late its event loop runs timers. A timer is armed every
 * `intervalMs`; the time by which it fires late is recorded in the `event_loop_lag` trend. A
 * generator whose event loop is busy sends requests late and reads responses late, so its
 * timings grow although the target did not slow down; a high p99 lag says so.
 *
 * @module
 */

import type { Scheduler } from "./executors/types.ts";
import type { Metric } from "./metrics.ts";

/** Default sampling interval in ms. */
export const DEFAULT_LAG_INTERVAL_MS = 100;

/**
 * Starts recording the event-loop lag into `metric` every `intervalMs`; returns a function that
 * stops it.
 */
export function startLagMonitor(
  metric: Pick<Metric, "add">,
  scheduler: Scheduler,
  intervalMs: number = DEFAULT_LAG_INTERVAL_MS,
): () => void {
  let timer: unknown;
  let stopped = false;
  const arm = () => {
    const expected = scheduler.now() + intervalMs;
    timer = scheduler.setTimeout(() => {
      if (stopped) return;
      metric.add(Math.max(0, scheduler.now() - expected));
      arm();
    }, intervalMs);
  };
  arm();
  return () => {
    stopped = true;
    scheduler.clearTimeout(timer);
  };
}
