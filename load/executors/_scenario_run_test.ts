import assert from "node:assert/strict";
import { constantArrivalRateExecutor } from "./constant_arrival_rate.ts";
import { constantVusExecutor } from "./constant_vus.ts";
import { ScenarioRun } from "./_scenario_run.ts";
import FakeTimers from "@sinonjs/fake-timers";
import { fakeScheduler } from "./_fake_host.ts";
import { type ExecutionHost, type IterationInfo, systemScheduler, type Vu } from "./types.ts";

/** A host on wall-clock time whose iterations run `body`. */
function realHost(body: (info: IterationInfo) => Promise<void>) {
  let nextId = 1;
  const host = {
    scheduler: systemScheduler,
    held: 0,
    late: [] as number[],
    acquireVu: () => {
      host.held++;
      return Promise.resolve({ id: nextId++ });
    },
    releaseVu: () => void host.held--,
    runIteration: (_vu: Vu, info: IterationInfo) => {
      if (info.intendedStart !== undefined) host.late.push(performance.now() - info.intendedStart);
      return body(info);
    },
    onDroppedIterations: () => {},
    onActiveVus: () => {},
  } satisfies ExecutionHost & Record<string, unknown>;
  return host;
}

Deno.test("ScenarioRun ends on wall-clock time even when iterations settle without I/O", async () => {
  const host = realHost(() => Promise.resolve());
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 50);
  const started = performance.now();
  const result = await constantVusExecutor
    .create("spin", { vus: 4, duration: "10s", gracefulStop: "0s" })
    .run(host, controller.signal);
  clearTimeout(timer);
  const elapsed = performance.now() - started;
  assert.ok(elapsed < 1000, `took ${elapsed} ms`);
  assert.ok(result.iterations > 100, `${result.iterations} iterations`);
  assert.equal(host.held, 0);
});

Deno.test("ScenarioRun starts arrival-rate iterations no earlier than intended on wall-clock time", async () => {
  const host = realHost(() => new Promise((resolve) => setTimeout(resolve, 2)));
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 300);
  const result = await constantArrivalRateExecutor
    .create("open", { rate: 200, duration: "10s", preAllocatedVUs: 5, maxVUs: 20 })
    .run(host, controller.signal);
  clearTimeout(timer);
  assert.ok(result.iterations + result.dropped >= 30, JSON.stringify(result));
  assert.ok(host.late.every((late) => late >= 0), "an iteration started early");
  assert.equal(host.held, 0);
});

Deno.test("ScenarioRun.begin() and end() count iterations, interrupt running ones at the hard stop and fail on rejection", async () => {
  const pending: Array<() => void> = [];
  const host = realHost(() => new Promise<void>((resolve) => pending.push(resolve)));
  const run = new ScenarioRun(host, "s", new AbortController().signal, 60_000, 0);
  const vu = { id: 1 };
  const a = run.begin(vu);
  const b = run.begin(vu);
  const c = run.begin(vu);
  pending[1]();
  await b.promise;
  run.end(b, false);
  run.hardStop(); // a and c are still running: both interrupted
  pending[0]();
  pending[2]();
  await Promise.all([a.promise, c.promise]);
  run.end(a, false);
  run.end(c, false);
  assert.deepEqual(await run.finish(), { iterations: 1, dropped: 0, interrupted: 2 });

  const failing = new ScenarioRun(
    realHost(() => Promise.reject(new Error("host broke"))),
    "f",
    new AbortController().signal,
    60_000,
    0,
  );
  const d = failing.begin(vu);
  const error = await d.promise.then(() => undefined, (e) => e);
  failing.end(d, true, error);
  await assert.rejects(failing.finish(), /host broke/);
});

Deno.test("ScenarioRun.sleepUntil() aims its first timer at the millisecond before the target, then waits out the rest", async () => {
  const clock = FakeTimers.createClock(0);
  const delays: number[] = [];
  const scheduler = fakeScheduler(clock);
  const host = {
    ...realHost(() => Promise.resolve()),
    scheduler: {
      ...scheduler,
      setTimeout: (fn: () => void, ms: number) => {
        delays.push(ms);
        return scheduler.setTimeout(fn, ms);
      },
    },
  };
  const run = new ScenarioRun(host, "s", new AbortController().signal, 60_000, 0);
  delays.length = 0; // the run's own end timers
  let resolvedAt = -1;
  const sleeping = run.sleepUntil(10.4).then((stopped) => {
    assert.equal(stopped, false);
    resolvedAt = clock.now;
  });
  await clock.tickAsync(10);
  assert.equal(resolvedAt, -1, "resolved before the target");
  await clock.tickAsync(1);
  await sleeping;
  assert.deepEqual(delays, [10, 1]);
  assert.equal(resolvedAt, 11);

  delays.length = 0;
  const short = run.sleepUntil(11.5); // under a millisecond away: one timer, rounded up
  await clock.tickAsync(1);
  assert.equal(await short, false);
  assert.deepEqual(delays, [1]);
  run.hardStop();
  await run.finish();
});
