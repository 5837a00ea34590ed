import assert from "node:assert/strict";
import { CLOCK_SOURCE, nowMs } from "./clock.ts";

Deno.test("nowMs() reads clock_gettime directly on Linux when FFI is granted", () => {
  // The test suite runs with -A: on Linux the direct source must have been taken.
  if (Deno.build.os === "linux") assert.equal(CLOCK_SOURCE, "clock_gettime");
  else assert.equal(CLOCK_SOURCE, "performance.now");
});

Deno.test("nowMs() is on performance.now()'s scale and never goes back", () => {
  let previous = nowMs();
  for (let i = 0; i < 100_000; i++) {
    const perfBefore = performance.now();
    const t = nowMs();
    const perfAfter = performance.now();
    assert(t >= previous, `the clock went back from ${previous} to ${t}`);
    // Bracketed by performance.now() up to the calibration error (well under 0.05 ms).
    assert(
      t > perfBefore - 0.05 && t < perfAfter + 0.05,
      `nowMs() ${t} is outside performance.now()'s [${perfBefore}, ${perfAfter}]`,
    );
    previous = t;
  }
});

Deno.test("nowMs() advances with real time", async () => {
  // Each nowMs() read is bracketed by performance.now() reads, so that a preemption between two
  // reads widens the bounds instead of failing the test.
  const before0 = performance.now();
  const t0 = nowMs();
  const after0 = performance.now();
  await new Promise((resolve) => setTimeout(resolve, 20));
  const before1 = performance.now();
  const t1 = nowMs();
  const after1 = performance.now();
  const elapsed = t1 - t0;
  assert(elapsed >= 19, `only ${elapsed} ms passed over a 20 ms timer`);
  // Offset calibration error: well under 0.05 ms at each end.
  assert(
    elapsed >= before1 - after0 - 0.1 && elapsed <= after1 - before0 + 0.1,
    `${elapsed} ms outside performance.now()'s [${before1 - after0}, ${after1 - before0}]`,
  );
});

Deno.test("nowMs() falls back to performance.now() without FFI permission", async () => {
  // A child process without --allow-ffi: no prompt, no failure, performance.now() as the source.
  const dir = await Deno.makeTempDir();
  try {
    const script = `${dir}/probe.ts`;
    await Deno.writeTextFile(
      script,
      `import { CLOCK_SOURCE, nowMs } from ${
        JSON.stringify(new URL("./clock.ts", import.meta.url).href)
      };
      const a = nowMs(); const p = performance.now(); const b = nowMs();
      console.log(CLOCK_SOURCE, a <= p && p <= b);`,
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-config", "--no-prompt", script],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout).trim();
    assert.equal(text, "performance.now true", new TextDecoder().decode(out.stderr));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
