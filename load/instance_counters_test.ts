import assert from "node:assert/strict";
import { InstanceCounters } from "./instance_counters.ts";

Deno.test("InstanceCounters: each thread writes its slot, totals() adds every slot", () => {
  const buffer = InstanceCounters.sharedBuffer(3);
  const [coordinator, a, b] = [0, 1, 2].map((slot) => new InstanceCounters(buffer, slot));
  a.iterationCompleted();
  a.iterationCompleted();
  b.iterationCompleted();
  b.iterationInterrupted();
  a.setActiveVus(2);
  b.setActiveVus(3);
  a.setInitializedVus(2);
  b.setInitializedVus(4);
  const expected = {
    iterationsCompleted: 3,
    iterationsInterrupted: 1,
    vusActive: 5,
    vusInitialized: 6,
  };
  assert.deepEqual(coordinator.totals(), expected);
  assert.deepEqual(a.totals(), expected);
  // Another view of the same slot sees the same memory (a worker's copy of the buffer).
  assert.deepEqual(new InstanceCounters(buffer, 1).totals(), expected);
  coordinator.clearActiveVus();
  assert.equal(b.totals().vusActive, 0);
  assert.equal(b.totals().iterationsCompleted, 3);
});

Deno.test("InstanceCounters: private counters by default, and no slot beyond the buffer", () => {
  const c = new InstanceCounters();
  c.iterationCompleted();
  c.setActiveVus(1);
  assert.deepEqual(c.totals(), {
    iterationsCompleted: 1,
    iterationsInterrupted: 0,
    vusActive: 1,
    vusInitialized: 0,
  });
  assert.throws(
    () => new InstanceCounters(InstanceCounters.sharedBuffer(2), 2),
    /Cannot use counter slot 2: the buffer has 2 slot\(s\)/,
  );
});
