import assert from "node:assert/strict";
import { FakeHost, settle } from "./_fake_host.ts";
import { perVuIterationsExecutor } from "./per_vu_iterations.ts";

const signal = () => new AbortController().signal;
const create = (config: Record<string, unknown>) =>
  perVuIterationsExecutor.create("per_vu", { executor: "per-vu-iterations", ...config });

Deno.test("per-vu-iterations run() runs exactly `iterations` iterations on each VU", async () => {
  const host = new FakeHost({ iterationMs: 50 });
  const { value, at } = await settle(
    host.clock,
    create({ vus: 4, iterations: 3 }).run(host, signal()),
    10_000,
  );
  assert.deepEqual(value, { iterations: 12, dropped: 0, interrupted: 0 });
  assert.equal(at, 150);
  const perVu = new Map<number, number>();
  for (const it of host.iterations) perVu.set(it.vu, (perVu.get(it.vu) ?? 0) + 1);
  assert.deepEqual([...perVu.values()], [3, 3, 3, 3]);
  assert.equal(host.held, 0);
});

Deno.test("per-vu-iterations run() drops what is left at maxDuration and interrupts after gracefulStop", async () => {
  const host = new FakeHost({ iterationMs: 1100 });
  const executor = create({ vus: 2, iterations: 10, maxDuration: "2s", gracefulStop: "0s" });
  const { value, at } = await settle(host.clock, executor.run(host, signal()), 10_000);
  // Each VU starts iterations at 0 and 1.1 s; the second is still running at 2 s.
  assert.deepEqual(value, { iterations: 2, dropped: 16, interrupted: 2 });
  assert.equal(at, 2000);
  assert.deepEqual(host.dropped, [{ scenario: "per_vu", count: 16, at: 2000 }]);
  assert.equal(host.held, 0);
});

Deno.test("per-vu-iterations validate() returns every error", () => {
  assert.deepEqual(
    perVuIterationsExecutor.validate("p", { vus: -1, iterations: 0, maxDuration: 0.5 }),
    [
      'Scenario "p": the number of VUs must be more than 0 (vus: -1)',
      'Scenario "p": the number of iterations must be more than 0 (iterations: 0)',
      'Scenario "p": the maxDuration must be at least 1s, but is 500µs (maxDuration: 0.5)',
    ],
  );
  assert.deepEqual(perVuIterationsExecutor.validate("p", { vus: "2", env: { A: 1 }, tags: [] }), [
    'Scenario "p": env values must be strings (env.A: 1)',
    'Scenario "p": tags must be an object of string values (tags: [])',
    'Scenario "p": vus must be a whole number (vus: "2")',
  ]);
});

Deno.test("per-vu-iterations describes itself like k6", () => {
  const executor = create({ vus: 5, iterations: 10, gracefulStop: 0, tags: { kind: "smoke" } });
  assert.equal(executor.describe(), "10 iterations for each of 5 VUs (maxDuration: 10m0s)");
  assert.equal(executor.maxDurationMs(), 600_000);
  assert.deepEqual(executor.base.tags, { kind: "smoke" });
});
