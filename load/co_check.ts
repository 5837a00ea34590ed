/**
 * Coordinated-omission check. A loopback server answers at once, except that it holds every
 * request arriving during one stall (1 s, 2 s into the run) until the stall ends. The same
 * request is then measured
 * - in a closed model (constant-vus): during the stall the VUs wait, so only as many requests as
 *   there are VUs see the stall and the percentiles hide it (coordinated omission);
 * - in an open model (constant-arrival-rate) with enough VUs: requests keep being sent on
 *   schedule, so every request of the stall window is delayed, as users would be;
 * - in an open model with too few VUs: the iterations that cannot start are counted in
 *   `dropped_iterations` instead of being silently skipped.
 * `http_req_latency_intended` (latency from the intended start) matches `http_req_duration`
 * when the generator keeps up; it exceeds it when the generator starts iterations late.
 *
 * ```sh
 * npx deno run -A load/co_check.ts
 * ```
 *
 * @module
 */

import { runLoad } from "./runner.ts";
import { humanizeDuration } from "./summary.ts";

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
    await _run("open model, 200/s, 20 VUs", {
      MODEL: "open",
      RATE: "200",
      PRE_VUS: "20",
      MAX_VUS: "20",
    }),
  ];
  console.log(`server stall: ${STALL_MS} ms, ${STALL_AT_MS} ms into a 5 s run`);
  for (const r of runs) {
    console.log(`${r.label}:`);
    console.log(`  http_req_duration          ${_fmt(r.duration)}`);
    if (r.intended) console.log(`  http_req_latency_intended  ${_fmt(r.intended)}`);
    console.log(`  dropped_iterations         ${r.dropped}`);
  }
  return runs;
}

if (import.meta.main) await runCoCheck();
