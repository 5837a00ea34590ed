import assert from "node:assert/strict";
import { FakeHost, settle } from "./_fake_host.ts";
import { createExecutors } from "./registry.ts";
import { everyNth, partsFor, splitExecutors, stripe } from "./segment.ts";
import type { Executor, ExecutorResult } from "./types.ts";

const signal = () => new AbortController().signal;

Deno.test("stripe() splits n units so that the shares add up and differ by at most one", () => {
  for (let count = 1; count <= 5; count++) {
    for (let n = 0; n <= 23; n++) {
      const shares = Array.from({ length: count }, (_, index) => stripe(n, { index, count }));
      assert.equal(shares.reduce((a, b) => a + b, 0), n, `n=${n} count=${count}`);
      assert.ok(Math.max(...shares) - Math.min(...shares) <= 1, `n=${n} count=${count}`);
      // Lower indexes get the extra units: shares never increase with the index.
      shares.forEach((s, i) => assert.ok(i === 0 || s <= shares[i - 1]));
    }
  }
  assert.equal(stripe(5, { index: 0, count: 2 }), 3);
  assert.equal(stripe(5, { index: 1, count: 2 }), 2);
  assert.equal(stripe(1, { index: 1, count: 2 }), 0);
});

Deno.test("everyNth() takes every count-th item from the index-th", () => {
  const items = [0, 1, 2, 3, 4, 5, 6];
  assert.deepEqual([...everyNth(items, { index: 0, count: 3 })], [0, 3, 6]);
  assert.deepEqual([...everyNth(items, { index: 2, count: 3 })], [2, 5]);
  assert.deepEqual([...everyNth(items, { index: 0, count: 1 })], items);
});

Deno.test("partsFor() splits a scenario among at most one worker per VU", () => {
  assert.equal(partsFor(64, 2), 2);
  assert.equal(partsFor(1, 4), 1);
  assert.equal(partsFor(3, 4), 3);
  assert.equal(partsFor(0, 2), 1);
});

/** Runs every worker's shares on its own fake host; returns the hosts and summed counts. */
async function runShares(executors: Executor[], workers: number) {
  const perWorker = splitExecutors(executors, workers);
  const hosts: FakeHost[] = [];
  const totals: Record<string, ExecutorResult> = {};
  const numbered: Record<string, number[]> = {};
  for (const shares of perWorker) {
    const host = new FakeHost({ iterationMs: 100 });
    hosts.push(host);
    for (const { executor, first, stride } of shares) {
      const { value } = await settle(host.clock, executor.run(host, signal()), 600_000);
      const name = executor.base.scenario;
      const t = totals[name] ??= { iterations: 0, dropped: 0, interrupted: 0 };
      t.iterations += value.iterations;
      t.dropped += value.dropped;
      t.interrupted += value.interrupted;
      (numbered[name] ??= []).push(
        ...host.iterations.filter((i) => i.scenario === name).map((i) =>
          first + i.iterationInScenario * stride
        ),
      );
    }
  }
  return { perWorker, hosts, totals, numbered };
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const range = (n: number) => Array.from({ length: n }, (_, k) => k);

Deno.test("splitExecutors() shares looping VUs and iterations so the totals match the whole", async () => {
  const executors = createExecutors({
    shared: { executor: "shared-iterations", vus: 5, iterations: 23 },
    perVu: { executor: "per-vu-iterations", vus: 3, iterations: 4 },
    single: { executor: "shared-iterations", vus: 1, iterations: 7 },
  });
  const { perWorker, totals, numbered } = await runShares(executors, 2);
  const vus = (w: number, name: string) =>
    perWorker[w].find((s) => s.executor.base.scenario === name)?.executor.maxVus() ?? 0;
  assert.deepEqual([vus(0, "shared"), vus(1, "shared")], [3, 2]);
  assert.deepEqual([vus(0, "perVu"), vus(1, "perVu")], [2, 1]);
  // A scenario with one VU runs in one worker only.
  assert.deepEqual([vus(0, "single"), vus(1, "single")], [1, 0]);
  assert.deepEqual(totals, {
    shared: { iterations: 23, dropped: 0, interrupted: 0 },
    perVu: { iterations: 12, dropped: 0, interrupted: 0 },
    single: { iterations: 7, dropped: 0, interrupted: 0 },
  });
  // exec.scenario.iterationInTest: every number once, over all workers.
  assert.deepEqual(sorted(numbered.shared), range(23));
  assert.deepEqual(sorted(numbered.perVu), range(12));
  assert.deepEqual(sorted(numbered.single), range(7));
});

Deno.test("splitExecutors() stripes arrivals: each worker starts every other intended start", async () => {
  const whole = createExecutors({
    open: {
      executor: "constant-arrival-rate",
      rate: 10,
      duration: "3s",
      preAllocatedVUs: 4,
      maxVUs: 5,
    },
    ramp: {
      executor: "ramping-arrival-rate",
      startRate: 2,
      stages: [{ target: 20, duration: "2s" }, { target: 0, duration: "1s" }],
      preAllocatedVUs: 6,
    },
  });
  const single = new FakeHost({ iterationMs: 100 });
  for (const ex of whole) await settle(single.clock, ex.run(single, signal()), 600_000);
  const { perWorker, hosts, totals, numbered } = await runShares(whole, 2);
  for (const name of ["open", "ramp"]) {
    const expected = single.iterations.filter((i) => i.scenario === name);
    const got = hosts.flatMap((h) => h.iterations.filter((i) => i.scenario === name));
    assert.deepEqual(
      sorted(got.map((i) => i.intendedStart!)),
      sorted(expected.map((i) => i.intendedStart!)),
      `${name}: the workers' arrivals together are the whole schedule`,
    );
    assert.deepEqual(sorted(numbered[name]), range(expected.length));
    // Worker 0 starts arrivals 0, 2, 4, ... of the schedule.
    const mine = hosts[0].iterations.filter((i) => i.scenario === name).map((i) => i.intendedStart);
    assert.deepEqual(mine, expected.filter((_, k) => k % 2 === 0).map((i) => i.intendedStart));
  }
  assert.equal(totals.open.iterations, 30);
  const pool = (w: number, name: string) => {
    const ex = perWorker[w].find((s) => s.executor.base.scenario === name)!.executor;
    return (ex as unknown as { options: { preAllocatedVUs: number; maxVUs: number } }).options;
  };
  assert.deepEqual([pool(0, "open").preAllocatedVUs, pool(1, "open").preAllocatedVUs], [2, 2]);
  assert.deepEqual([pool(0, "open").maxVUs, pool(1, "open").maxVUs], [3, 2]);
});

Deno.test("splitExecutors() stripes ramping VUs' start and stage targets", async () => {
  const executors = createExecutors({
    ramp: {
      executor: "ramping-vus",
      startVUs: 1,
      stages: [{ target: 5, duration: "1s" }, { target: 0, duration: "1s" }],
      gracefulRampDown: "0s",
    },
  });
  const { perWorker, hosts } = await runShares(executors, 2);
  const opts = perWorker.map((shares) =>
    (shares[0].executor as unknown as {
      options: { startVUs: number; stages: { target: number }[] };
    }).options
  );
  assert.deepEqual(opts.map((o) => o.startVUs), [1, 0]);
  assert.deepEqual(opts.map((o) => o.stages.map((s) => s.target)), [[3, 0], [2, 0]]);
  assert.deepEqual(hosts.map((h) => h.maxHeld), [3, 2]);
});

Deno.test("splitExecutors() with one worker runs the whole scenarios unchanged", () => {
  const executors = createExecutors({
    s: { executor: "constant-vus", vus: 3, duration: "1s" },
  });
  const [shares] = splitExecutors(executors, 1);
  assert.equal(shares.length, 1);
  assert.equal(shares[0].executor.maxVus(), 3);
  assert.deepEqual([shares[0].first, shares[0].stride], [0, 1]);
});
