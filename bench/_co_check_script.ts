/**
 * The k6 script of `bench/co_check.ts`: one GET per iteration, closed model (constant VUs) or
 * open model (constant arrival rate), chosen with `MODEL`.
 *
 * @module
 */

import http from "k6/http";

const closed = {
  executor: "constant-vus",
  vus: Number(__ENV.VUS || 10),
  duration: __ENV.DURATION || "5s",
};
const open = {
  executor: "constant-arrival-rate",
  rate: Number(__ENV.RATE || 200),
  timeUnit: "1s",
  duration: __ENV.DURATION || "5s",
  preAllocatedVUs: Number(__ENV.PRE_VUS || 50),
  maxVUs: Number(__ENV.MAX_VUS || 400),
};

export const options = {
  scenarios: { co: __ENV.MODEL === "open" ? open : closed },
  summaryTrendStats: ["avg", "med", "p(90)", "p(99)", "max", "count"],
};

export default async function (): Promise<void> {
  await http.asyncRequest("GET", __ENV.URL);
}
