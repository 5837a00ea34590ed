import assert from "node:assert/strict";
import FakeTimers from "@sinonjs/fake-timers";
import type { Scheduler } from "./executors/types.ts";
import { startLagMonitor } from "./lag_monitor.ts";

Deno.test("startLagMonitor() records how late its timer fires, until stopped", () => {
  const clock = FakeTimers.createClock();
  let lateBy = 0;
  const scheduler: Scheduler = {
    now: () => clock.now,
    // The fake timer fires on time; the event loop is "busy" for lateBy ms before it runs.
    setTimeout: (fn, ms) =>
      clock.setTimeout(() => {
        clock.tick(lateBy);
        fn();
      }, ms),
    clearTimeout: (id) => clock.clearTimeout(id as Parameters<typeof clock.clearTimeout>[0]),
  };
  const samples: number[] = [];
  const stop = startLagMonitor({ add: (v: number) => samples.push(v) }, scheduler, 100);
  clock.tick(100);
  lateBy = 30;
  clock.tick(100);
  lateBy = 0;
  clock.tick(170);
  stop();
  clock.tick(1000);
  assert.deepEqual(samples, [0, 30, 0]);
});
