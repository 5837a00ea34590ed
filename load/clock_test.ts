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
  const t0 = nowMs();
  const p0 = performance.now();
  await new Promise((resolve) => setTimeout(resolve, 20));
  const elapsed = nowMs() - t0;
  const perfElapsed = performance.now() - p0;
  assert(elapsed >= 19, `only ${elapsed} ms passed over a 20 ms timer`);
  assert(
    Math.abs(elapsed - perfElapsed) < 0.1,
    `${elapsed} ms vs performance.now()'s ${perfElapsed}`,
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
