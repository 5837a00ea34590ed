/**
 * `npm run bench`: the load engine side by side with reference tools in one run, against one
 * fast null HTTP server on loopback: wrk (installed from Debian's packages when missing and
 * running as root), the bare HTTP client, this engine as `load` runs it against a server on this
 * machine (a k6 script doing `http.asyncRequest` and one check per iteration, constant-vus; one
 * worker thread per core at nice 19) and autocannon (npm) when present; then the
 * coordinated-omission check. Ends with `engine/wrk ratio: X.XX` (and the autocannon ratio).
 *
 * ```sh
 * npm run bench -- [--duration 10] [--vus 64] [--rounds 3] [--workers N] [--nice 0..19]
 *   [--breakdown 0|1]
 * ```
 *
 * @module
 */

import { autocannonPath, parseEngineBenchArgs, runEngineBench } from "./engine_bench.ts";
import { runCoCheck } from "./co_check.ts";

async function _ensureWrk(): Promise<void> {
  const has = async () => {
    try {
      return (await new Deno.Command("wrk", { args: ["-v"], stdout: "null", stderr: "null" })
        .output()) !== null;
    } catch {
      return false;
    }
  };
  if (await has()) return;
  console.log("wrk is missing: installing it from Debian's packages (apt-get install -y wrk)");
  const apt = (args: string[]) =>
    new Deno.Command("apt-get", { args, stdout: "inherit", stderr: "inherit" }).output();
  await apt(["update", "-qq"]);
  const out = await apt(["install", "-y", "-qq", "wrk"]);
  if (!out.success || !(await has())) {
    throw new Error("Cannot run the benchmark without wrk: install it with apt-get install -y wrk");
  }
}

if (import.meta.main) {
  const args = [...Deno.args];
  const o = parseEngineBenchArgs(args.length ? args : []);
  await _ensureWrk();
  const medians = await runEngineBench(o);
  console.log("");
  await runCoCheck();
  console.log("");
  console.log(`engine ${Math.round(medians.engine)} requests/s, wrk ${Math.round(medians.wrk)}`);
  if (autocannonPath() !== null && medians.autocannon) {
    console.log(`engine/autocannon ratio: ${(medians.engine / medians.autocannon).toFixed(2)}`);
  }
  console.log(`engine/wrk ratio: ${(medians.engine / medians.wrk).toFixed(2)}`);
}
