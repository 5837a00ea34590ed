import assert from "node:assert/strict";
import { FakeHost, settle } from "./_fake_host.ts";
import { constantVusExecutor } from "./constant_vus.ts";

const signal = () => new AbortController().signal;
const create = (config: Record<string, unknown>) =>
  constantVusExecutor.create("steady", { executor: "constant-vus", ...config });

Deno.test("constant-vus run() keeps `vus` VUs looping for the duration", async () => {
  const host = new FakeHost({ iterationMs: 300 });
  const run = create({ vus: 5, duration: "10s" }).run(host, signal());
  const { value, at } = await settle(host.clock, run, 60_000);
  // Each VU starts iterations at 0, 300, ..., 9900 ms (34 of them); the last ends at 10.2 s.
  assert.deepEqual(value, { iterations: 170, dropped: 0, interrupted: 0 });
  assert.equal(at, 10_200);
  for (const t of [0, 1000, 5000, 9999, 10_100]) assert.equal(host.activeAt("steady", t), 5);
  assert.equal(host.activeAt("steady", 10_200), 0);
  assert.equal(host.startedBy("steady", 1000), 20);
  assert.equal(host.startedBy("steady", 5000), 85);
  assert.equal(host.maxHeld, 5);
  assert.equal(host.held, 0);
});

Deno.test("constant-vus run() interrupts iterations still running after gracefulStop", async () => {
  const host = new FakeHost({ iterationMs: 2000 });
  const run = create({ vus: 2, duration: "1s", gracefulStop: "500ms" }).run(host, signal());
  const { value, at } = await settle(host.clock, run, 60_000);
  assert.deepEqual(value, { iterations: 0, dropped: 0, interrupted: 2 });
  assert.equal(at, 1500);
  assert.deepEqual(host.iterations.map((i) => [i.endedAt, i.interrupted]), [
    [1500, true],
    [1500, true],
  ]);
});

Deno.test("constant-vus run() stops starting iterations on abort and lets running ones finish", async () => {
  const host = new FakeHost({ iterationMs: 1500 });
  const controller = new AbortController();
  host.clock.setTimeout(() => controller.abort(), 4000);
  const run = create({ vus: 3, duration: "60s", gracefulStop: "2s" }).run(
    host,
    controller.signal,
  );
  const { value, at } = await settle(host.clock, run, 120_000);
  // Iterations start at 0, 1.5 and 3 s; the ones started at 3 s end at 4.5 s, within gracefulStop.
  assert.deepEqual(value, { iterations: 9, dropped: 0, interrupted: 0 });
  assert.equal(at, 4500);
});

Deno.test("constant-vus run() aborts running iterations gracefulStop after an abort", async () => {
  const host = new FakeHost({ iterationMs: 5000 });
  const controller = new AbortController();
  host.clock.setTimeout(() => controller.abort(), 1000);
  const run = create({ vus: 3, duration: "60s", gracefulStop: "2s" }).run(
    host,
    controller.signal,
  );
  const { value, at } = await settle(host.clock, run, 120_000);
  assert.deepEqual(value, { iterations: 0, dropped: 0, interrupted: 3 });
  assert.equal(at, 3000);
});

Deno.test("constant-vus run() does not start when already aborted", async () => {
  const host = new FakeHost({ iterationMs: 5 });
  const { value } = await settle(
    host.clock,
    create({ vus: 3, duration: "1s" }).run(host, AbortSignal.abort()),
    0,
  );
  assert.deepEqual(value, { iterations: 0, dropped: 0, interrupted: 0 });
  assert.equal(host.held, 0);
  assert.equal(host.iterations.length, 0);
});

Deno.test("constant-vus run() ends on time even when iterations take no time", async () => {
  const host = new FakeHost({ iterationMs: 0 });
  const { value, at } = await settle(
    host.clock,
    create({ vus: 2, duration: "1s" }).run(host, signal()),
    2000,
  );
  assert.equal(at, 1000);
  assert.ok(value.iterations > 1000, `only ${value.iterations} iterations`);
});

Deno.test("constant-vus run() rejects when a VU cannot be initialised", async () => {
  const host = new FakeHost({ iterationMs: 10, failAcquireAfter: 1 });
  await assert.rejects(
    settle(host.clock, create({ vus: 2, duration: "1s" }).run(host, signal()), 0),
    { message: "VU initialisation failed" },
  );
  assert.equal(host.held, 0);
});

Deno.test("constant-vus validate() returns every error", () => {
  assert.deepEqual(constantVusExecutor.validate("c", { vus: 0 }), [
    'Scenario "c": the number of VUs must be more than 0 (vus: 0)',
    'Scenario "c": the duration is unspecified (duration)',
  ]);
  assert.deepEqual(constantVusExecutor.validate("c", { vus: 1.5, duration: "0.5s" }), [
    'Scenario "c": vus must be a whole number (vus: 1.5)',
    'Scenario "c": the duration must be at least 1s, but is 500ms (duration: "0.5s")',
  ]);
  assert.deepEqual(constantVusExecutor.validate("c", { duration: "30s" }), []);
});

Deno.test("constant-vus describes itself like k6", () => {
  const executor = create({ vus: 64, duration: "30s" });
  assert.equal(executor.describe(), "64 looping VUs for 30s (gracefulStop: 30s)");
  assert.equal(executor.maxVus(), 64);
  assert.equal(executor.maxDurationMs(), 60_000);
  assert.equal(executor.base.exec, "default");
});
