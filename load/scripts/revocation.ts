/**
 * Revocation propagation: how long after `DELETE /auth/token/{jti}` requests with that token get
 * 401. Each iteration issues a token, checks it works, revokes it, then probes it with `PROBES`
 * concurrent requests per round (separate connections, like separate clients, which may reach
 * different server instances behind a load balancer) until a whole round gets 401.
 *
 * Metrics: `revocation_propagation` (Trend, ms: from sending the DELETE until the first 401),
 * `revocation_full_propagation` (Trend, ms: until every probe of a round got 401),
 * `revoked_token_accepted` (Counter: probes that succeeded after the DELETE had completed, i.e.
 * a revoked token was still honoured), `revocation_timeouts` (Counter: tokens still accepted after
 * `MAX_WAIT`), plus k6's HTTP metrics tagged `name` issue / use / revoke / probe.
 *
 * Runs unchanged under k6 v0.57+:
 *   k6 run -e SMSGATE_URL=... -e SMSGATE_USERNAME=... -e SMSGATE_PASSWORD=... revocation.ts
 *
 * __ENV: VUS (4), DURATION (20s), PROBES (4), MAX_WAIT (seconds, 10), POLL_INTERVAL (seconds
 * between rounds, 0), PAUSE (seconds between iterations, 0.05), PROBE_PATH (/devices; /device on
 * Android), PROBE_SCOPE (devices:list).
 *
 * @module
 */

import http from "k6/http";
import { check, sleep } from "k6";
import { Counter, Trend } from "k6/metrics";
import {
  envNumber,
  envString,
  requestToken,
  type Target,
  targetFromEnv,
  tokenIssued,
  tokenPair,
} from "./_smsgate.ts";

export const options = {
  scenarios: {
    revocation: {
      executor: "constant-vus",
      vus: envNumber("VUS", 4),
      duration: envString("DURATION", "20s"),
      gracefulStop: "15s",
    },
  },
  thresholds: {
    revoked_token_accepted: ["count==0"],
    revocation_timeouts: ["count==0"],
    revocation_propagation: ["p(95)<1000"],
    "http_req_duration{name:revoke}": ["p(95)<500"],
    checks: ["rate>0.99"],
  },
};

const propagation = new Trend("revocation_propagation", true);
const fullPropagation = new Trend("revocation_full_propagation", true);
const accepted = new Counter("revoked_token_accepted");
const timeouts = new Counter("revocation_timeouts");

const PROBES = Math.max(1, Math.floor(envNumber("PROBES", 4)));
const MAX_WAIT_MS = envNumber("MAX_WAIT", 10) * 1000;
const POLL_INTERVAL_S = envNumber("POLL_INTERVAL", 0);
const PAUSE_S = envNumber("PAUSE", 0.05);
const PROBE_PATH = envString("PROBE_PATH", "/devices");
const SCOPES = [envString("PROBE_SCOPE", "devices:list")];

/** Checks the target once and hands it to every VU. */
export function setup(): Target {
  return targetFromEnv();
}

// After the DELETE, 401 is the expected answer and 2xx the failure.
const REVOKED_STATUSES = http.expectedStatuses(401);

function probe(t: Target, access: string, name: "use" | "probe") {
  return http.asyncRequest("GET", `${t.url}${PROBE_PATH}`, null, {
    headers: { Authorization: `Bearer ${access}` },
    tags: { name },
    ...(name === "probe" ? { responseCallback: REVOKED_STATUSES } : {}),
  });
}

export default async function (t: Target): Promise<void> {
  const issued = await requestToken(t, SCOPES);
  if (!check(issued, { "token issued": (r) => tokenIssued(r) })) return;
  const pair = tokenPair(issued, Date.now());
  if (pair === null) return;
  const before = await probe(t, pair.access, "use");
  check(before, { "token accepted before revocation": (r) => r.status >= 200 && r.status < 300 });

  const sentAt = Date.now();
  const revoke = await http.asyncRequest("DELETE", `${t.url}/auth/token/${pair.id}`, null, {
    headers: { Authorization: t.basic },
    tags: { name: "revoke" },
  });
  if (!check(revoke, { "token revoked (204)": (r) => r.status === 204 })) return;

  let first401 = -1;
  while (true) {
    const round = await Promise.all(
      Array.from({ length: PROBES }, () => probe(t, pair.access, "probe")),
    );
    const now = Date.now();
    let refused = 0;
    for (const r of round) {
      if (r.status === 401) refused++;
      else if (r.status >= 200 && r.status < 300) accepted.add(1);
    }
    if (refused > 0 && first401 < 0) {
      first401 = now;
      propagation.add(now - sentAt);
    }
    if (refused === round.length) {
      fullPropagation.add(now - sentAt);
      break;
    }
    if (now - sentAt > MAX_WAIT_MS) {
      timeouts.add(1);
      break;
    }
    if (POLL_INTERVAL_S > 0) await sleep(POLL_INTERVAL_S);
  }
  check(first401, { "revocation propagated": (v) => v >= 0 });
  await sleep(PAUSE_S);
}
