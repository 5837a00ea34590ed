/**
 * Coordinated-omission check. A loopback server answers at once, except that it holds every
 * request arriving during one stall (1 s, 2 s into the run) until the stall ends. The same
 * request is then measured
 * - in a closed model (constant-vus): during the stall the VUs wait, so only as many requests as
 *   there are VUs see the stall and the percentiles hide it (coordinated omission);
 * - in an open model (constant-arrival-rate) with enough VUs: requests keep being sent on
 *   schedule, so every request of the stall window is delayed, as users would be;
 * - in an open model with few VUs (wrk2's setting, -c10 -R1000): the iterations that cannot
 *   start are counted in `dropped_iterations`, and each contributes its wait (intended start to
 *   the next free VU) to `http_req_latency_intended`, so the corrected p99 shows the stall the
 *   way wrk2's does while the uncorrected `http_req_duration` p99 does not.
 *
 * ```sh
 * npx deno run -A bench/co_check.ts
 * ```
 *
 * @module
 */

import { runLoad } from "../load/runner.ts";
import { humanizeDuration } from "../load/summary.ts";

const STALL_AT_MS = 2000;
const STALL_MS = 1000;

/** One measured run. */
export interface CoRun {
  /** What was run. */
  label: string;
  /** `http_req_duration` values (med, p(90), p(99), max, count). */
  duration: Record<string, number>;
  /** `http_req_latency_intended` values, for open models. */
  intended: Record<string, number> | null;
  /** Dropped iterations. */
  dropped: number;
}

async function _run(label: string, env: Record<string, string>): Promise<CoRun> {
  let stallFrom = Infinity;
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, async () => {
    const now = performance.now();
    if (stallFrom === Infinity) stallFrom = now + STALL_AT_MS;
    if (now >= stallFrom && now < stallFrom + STALL_MS) {
      await new Promise((r) => setTimeout(r, stallFrom + STALL_MS - now));
    }
    return new Response("ok");
  });
  try {
    const r = await runLoad({
      script: new URL("./_co_check_script.ts", import.meta.url).href,
      env: { URL: `http://127.0.0.1:${server.addr.port}/`, DURATION: "5s", ...env },
      log: () => {},
    });
    const m = r.summary.metrics;
    return {
      label,
      duration: m.http_req_duration.values,
      intended: m.http_req_latency_intended?.values ?? null,
      dropped: r.summary.saturation?.droppedIterations ?? 0,
    };
  } finally {
    await server.shutdown();
  }
}

function _fmt(v: Record<string, number>): string {
  return `med=${humanizeDuration(v.med)} p(90)=${humanizeDuration(v["p(90)"])} p(99)=${
    humanizeDuration(v["p(99)"])
  } max=${humanizeDuration(v.max)} (${v.count} requests)`;
}

/** Runs the three measurements and prints them. */
export async function runCoCheck(): Promise<CoRun[]> {
  const runs = [
    await _run("closed model, 10 VUs", { MODEL: "closed", VUS: "10" }),
    await _run("open model, 200/s, up to 400 VUs", { MODEL: "open", RATE: "200" }),
    // The wrk2 setting: a fixed rate over few connections (wrk2 -c10 -R1000).
    await _run("open model, 1000/s, 10 VUs", {
      MODEL: "open",
      RATE: "1000",
      PRE_VUS: "10",
      MAX_VUS: "10",
    }),
  ];
  console.log(`server stall: ${STALL_MS} ms, ${STALL_AT_MS} ms into a 5 s run`);
  for (const r of runs) {
    console.log(`${r.label}:`);
    console.log(`  http_req_duration          ${_fmt(r.duration)}`);
    if (r.intended) console.log(`  http_req_latency_intended  ${_fmt(r.intended)}`);
    console.log(`  dropped_iterations         ${r.dropped}`);
  }
  const few = runs[2];
  if (few.intended) {
    const corrected = few.intended["p(99)"];
    const uncorrected = few.duration["p(99)"];
    // wrk2: with a 1 s stall in a 5 s run at a fixed rate, about 20% of the requests are late by
    // 0..1 s, so the corrected p99 is close to the stall; the uncorrected one sees ~10 requests.
    const ok = corrected >= STALL_MS * 0.8 && uncorrected < STALL_MS * 0.1;
    console.log(
      `CO check (${few.label}): corrected p99 ${humanizeDuration(corrected)}, uncorrected p99 ${
        humanizeDuration(uncorrected)
      }: ${ok ? "the corrected p99 reflects the stall, the uncorrected one does not" : "FAILED"}`,
    );
  }
  return runs;
}

if (import.meta.main) await runCoCheck();
