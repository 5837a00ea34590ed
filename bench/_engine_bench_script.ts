/**
 * The k6 script of `bench/engine_bench.ts`: one request and one check per iteration, looping VUs.
 *
 * @module
 */

import http from "k6/http";
import { check } from "k6";

export const options = {
  scenarios: {
    bench: {
      executor: "constant-vus",
      vus: Number(__ENV.VUS || 64),
      duration: __ENV.DURATION || "5s",
      gracefulStop: "2s",
    },
  },
};

export default async function (): Promise<void> {
  const res = await http.asyncRequest("GET", __ENV.URL);
  check(res, { "status 200": (r) => r.status === 200 });
}
