import assert from "node:assert/strict";
import { parseEngineBenchArgs, warmupFigures } from "./engine_bench.ts";

Deno.test("engine bench runs 10 s per tool by default, as wrk does", () => {
  const o = parseEngineBenchArgs([]);
  assert.equal(o.duration, 10);
  assert.equal(o.vus, 64);
  assert.equal(parseEngineBenchArgs(["--duration", "5"]).duration, 5);
});

Deno.test("engine bench rejects an unknown flag with the flags it takes", () => {
  assert.throws(
    () => parseEngineBenchArgs(["--seconds", "5"]),
    /expected --duration, --vus, --rounds, --workers, --breakdown or --nice/,
  );
});

Deno.test("warm-up figures: the first second apart, the median of the full seconds after it", () => {
  const timeline = [
    { t: 0, reqs: 110 },
    { t: 1, reqs: 150 },
    { t: 2, reqs: 170 },
    { t: 3, reqs: 160 },
    { t: 4, reqs: 7 }, // the partial last second of a 4.02 s run
  ];
  assert.deepEqual(warmupFigures(timeline, 4_020), { firstSecond: 110, later: 160 });
  // A run without a full second after the first has no later figure.
  const one = warmupFigures([{ t: 0, reqs: 90 }, { t: 1, reqs: 3 }], 1_010);
  assert.equal(one.firstSecond, 90);
  assert.ok(Number.isNaN(one.later));
});
