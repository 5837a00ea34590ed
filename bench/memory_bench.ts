/**
 * Memory of a long load run: RSS and JavaScript heap before, during and after a
 * constant-arrival-rate run against a null server in its own process
 * (load/_memory_bench_script.ts). Metrics live in HDR histograms and a bounded timeline, so
 * memory should level off after warm-up instead of growing with the number of requests.
 *
 * ```sh
 * npx deno run -A --v8-flags=--expose-gc bench/memory_bench.ts [--rate 2000] [--duration 60]
 *   [--workers N]
 * ```
 * With `--expose-gc` the heap figures are taken after a full garbage collection; they are the main
 * thread's (with `--workers 1`, default, it runs every VU). RSS covers the whole process, worker
 * threads included.
 *
 * @module
 */

import { spawnNullServer } from "./null_server.ts";
import { runLoad } from "../load/runner.ts";

function _rssMb(): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(Deno.readTextFileSync("/proc/self/status"));
  return m ? Number(m[1]) / 1024 : Deno.memoryUsage().rss / 1048576;
}

function _memLine(): string {
  // With --v8-flags=--expose-gc the heap is measured after a full collection (live data only).
  (globalThis as { gc?: () => void }).gc?.();
  const m = Deno.memoryUsage();
  const mb = (n: number) => (n / 1048576).toFixed(1);
  return `rss ${_rssMb().toFixed(1)} MB, heap used ${mb(m.heapUsed)} of ${
    mb(m.heapTotal)
  } MB, external ${mb(m.external)} MB`;
}

/** Runs the measurement and prints RSS and heap over time. */
export async function runMemoryBench(
  rate: number,
  durationS: number,
  workers = 1,
): Promise<void> {
  const server = await spawnNullServer();
  try {
    const script = new URL("./_memory_bench_script.ts", import.meta.url).href;
    // Warm-up: loads the modules and the WebAssembly histograms once.
    await runLoad({
      script,
      env: { URL: server.url, RATE: "100", DURATION: "1s" },
      log: () => {},
      workers,
    });
    console.log(`before: ${_memLine()}`);
    let next = 10_000;
    const result = await runLoad({
      script,
      env: { URL: server.url, RATE: String(rate), DURATION: `${durationS}s` },
      log: () => {},
      workers,
      onProgress: (p) => {
        if (p.elapsedMs < next) return;
        next += 10_000;
        console.log(
          `${
            Math.round(p.elapsedMs / 1000)
          }s: ${p.httpReqs} requests, ${p.vusMax} VUs, ${_memLine()}`,
        );
      },
    });
    const reqs = result.summary.metrics.http_reqs.values;
    console.log(
      `after: ${_memLine()}; ${reqs.count} requests (${reqs.rate.toFixed(0)}/s), ${
        result.summary.saturation?.droppedIterations ?? 0
      } dropped`,
    );
  } finally {
    await server.stop();
  }
}

if (import.meta.main) {
  const args = Deno.args;
  const value = (flag: string, fallback: number) => {
    const i = args.indexOf(flag);
    return i >= 0 ? Number(args[i + 1]) : fallback;
  };
  await runMemoryBench(value("--rate", 2000), value("--duration", 60), value("--workers", 1));
}
