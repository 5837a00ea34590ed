/**
 * The k6 script of `bench/memory_bench.ts`: a constant arrival rate of requests, each tagged with
 * a rotating name, plus one check and a custom trend, so every metric kind grows.
 *
 * @module
 */

import http from "k6/http";
import { check } from "k6";
import { Trend } from "k6/metrics";

const size = new Trend("body_size");

export const options = {
  scenarios: {
    open: {
      executor: "constant-arrival-rate",
      rate: Number(__ENV.RATE || 2000),
      timeUnit: "1s",
      duration: __ENV.DURATION || "60s",
      preAllocatedVUs: 50,
      maxVUs: 500,
      gracefulStop: "5s",
    },
  },
  thresholds: { "http_req_duration{name:n3}": ["p(99)<1000"] },
};

export default async function (): Promise<void> {
  const res = await http.asyncRequest("GET", __ENV.URL, null, {
    tags: { name: `n${__ITER % 8}` },
  });
  check(res, { "status 200": (r) => r.status === 200 });
  size.add((res.body as string).length);
}
