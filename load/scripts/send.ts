/**
 * Message send throughput and latency in an open model: `RATE` sends per second for `DURATION`
 * (constant-arrival-rate, so latency under overload shows, and iterations that find no free VU
 * are counted in `dropped_iterations`). Each VU behaves like the seed client: it gets a token with
 * scope `messages:send`, sends with it (202 expected) and, on 401, gets a fresh token and retries
 * once.
 *
 * Real messages go to the recipient `PHONE`: against anything but a loopback target the script
 * refuses to run without `-e PHONE=<the target's test number>`.
 *
 * Runs unchanged under k6 v0.57+:
 *   k6 run -e SMSGATE_URL=... -e SMSGATE_USERNAME=... -e SMSGATE_PASSWORD=... -e PHONE=+1... send.ts
 *
 * __ENV: RATE (per second, 20), DURATION (20s), PRE_VUS (5), MAX_VUS (50), PHONE (required off
 * loopback; +15550001234 on loopback), TEXT (message text).
 *
 * @module
 */

import http from "k6/http";
import { check } from "k6";
import { Counter, Trend } from "k6/metrics";
import {
  envNumber,
  envString,
  isLoopback,
  requestToken,
  type Target,
  targetFromEnv,
  tokenIssued,
  tokenPair,
} from "./_smsgate.ts";

export const options = {
  scenarios: {
    send: {
      executor: "constant-arrival-rate",
      rate: envNumber("RATE", 20),
      timeUnit: "1s",
      duration: envString("DURATION", "20s"),
      preAllocatedVUs: envNumber("PRE_VUS", 5),
      maxVUs: envNumber("MAX_VUS", 50),
      gracefulStop: "10s",
    },
  },
  thresholds: {
    "http_req_duration{name:send}": ["p(95)<500"],
    "http_req_failed{name:send}": ["rate<0.01"],
    checks: ["rate>0.99"],
  },
};

/** What every VU gets from setup(). */
interface SendData extends Target {
  phone: string;
  text: string;
}

const sendDuration = new Trend("message_send_duration", true);
const retries = new Counter("message_send_retries");

// Per-VU state: this VU's bearer token.
let token: string | null = null;

/** Checks the target and the recipient once. */
export function setup(): SendData {
  const t = targetFromEnv();
  const phone = __ENV.PHONE;
  if (!phone && !isLoopback(t.url)) {
    throw new Error(
      `Cannot send to ${t.url} without a recipient: pass the target's test number with -e PHONE=+15550001234 (messages are really sent)`,
    );
  }
  return {
    ...t,
    phone: phone || "+15550001234",
    text: envString("TEXT", "smsgate-testkit load test"),
  };
}

async function freshToken(d: SendData): Promise<string | null> {
  const res = await requestToken(d, ["messages:send"]);
  check(res, { "token issued": (r) => tokenIssued(r) });
  return tokenIssued(res) ? tokenPair(res, Date.now())?.access ?? null : null;
}

const SEND_STATUSES = http.expectedStatuses(202);

function send(d: SendData, bearer: string) {
  return http.asyncRequest(
    "POST",
    `${d.url}/messages`,
    JSON.stringify({ textMessage: { text: d.text }, phoneNumbers: [d.phone] }),
    {
      headers: { Authorization: `Bearer ${bearer}`, "Content-Type": "application/json" },
      tags: { name: "send" },
      responseCallback: SEND_STATUSES,
    },
  );
}

export default async function (d: SendData): Promise<void> {
  token ??= await freshToken(d);
  if (token === null) return;
  let res = await send(d, token);
  if (res.status === 401) {
    // The seed client's behaviour: one retry with a fresh token.
    retries.add(1);
    token = await freshToken(d);
    if (token === null) return;
    res = await send(d, token);
  }
  sendDuration.add(res.timings.duration);
  check(res, { "message accepted (202)": (r) => r.status === 202 });
}
