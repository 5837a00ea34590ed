/**
 * A k6 script for the breakdown of `bench/engine_bench.ts`: the engine's VU machinery around the
 * bare HTTP client, without `k6/http` (no http_req_* samples, no response object, no tags) and
 * without a check. It borrows the running VU's own client (one keep-alive connection per VU,
 * closed with the VU) through the engine's private context module, so it runs only here.
 *
 * @module
 */

import { currentContext } from "../load/k6/_context.ts";

// The same scenario as the engine variant.
export { options } from "./_engine_bench_script.ts";

const target = new URL(__ENV.URL);

export default async function (): Promise<void> {
  await currentContext()!.vu.client().request({ method: "GET", url: target });
}
