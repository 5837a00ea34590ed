/**
 * Token issuance and refresh under concurrency. Each VU behaves like a careful client holding a
 * token pair: it calls an authenticated route with its access token, refreshes the pair before
 * it expires (`REFRESH_MARGIN` before `expires_at`, or once the pair is `ROTATE_EVERY` seconds
 * old, so a short run exercises refresh too), and re-authenticates once when a request gets 401.
 *
 * Metrics: `token_issue_duration` and `token_refresh_duration` (Trends, ms), `token_reauthentications`
 * (Counter: 401 answered by issuing a new pair), `unauthorized_after_refresh` (Counter: 401 on the
 * first request made with a just-refreshed token, a propagation bug), plus k6's HTTP metrics
 * tagged `name` issue / refresh / call.
 *
 * Runs unchanged under k6 v0.57+:
 *   k6 run -e SMSGATE_URL=... -e SMSGATE_USERNAME=... -e SMSGATE_PASSWORD=... token_refresh.ts
 *
 * __ENV: VUS (4), DURATION (20s), ROTATE_EVERY (seconds, 2), REFRESH_MARGIN (seconds, 30),
 * PAUSE (seconds between calls, 0.05), PROBE_PATH (/devices; /device on Android), PROBE_SCOPE
 * (devices:list), TOKEN_TTL (seconds requested at issue, unset = the server's default).
 *
 * @module
 */

import http from "k6/http";
import { check, sleep } from "k6";
import { Counter, Trend } from "k6/metrics";
import {
  envNumber,
  envString,
  requestRefresh,
  requestToken,
  type Target,
  targetFromEnv,
  tokenIssued,
  type TokenPair,
  tokenPair,
} from "./_smsgate.ts";

export const options = {
  scenarios: {
    token_refresh: {
      executor: "constant-vus",
      vus: envNumber("VUS", 4),
      duration: envString("DURATION", "20s"),
      gracefulStop: "5s",
    },
  },
  thresholds: {
    token_issue_duration: ["p(95)<500"],
    token_refresh_duration: ["p(95)<500"],
    "http_req_failed{name:refresh}": ["rate<0.01"],
    unauthorized_after_refresh: ["count==0"],
    checks: ["rate>0.99"],
  },
};

const issueDuration = new Trend("token_issue_duration", true);
const refreshDuration = new Trend("token_refresh_duration", true);
const reauthentications = new Counter("token_reauthentications");
const unauthorizedAfterRefresh = new Counter("unauthorized_after_refresh");

const ROTATE_EVERY_MS = envNumber("ROTATE_EVERY", 2) * 1000;
const MARGIN_MS = envNumber("REFRESH_MARGIN", 30) * 1000;
const PAUSE_S = envNumber("PAUSE", 0.05);
const PROBE_PATH = envString("PROBE_PATH", "/devices");
const SCOPES = [envString("PROBE_SCOPE", "devices:list")];
const TOKEN_TTL = envNumber("TOKEN_TTL", 0);

// Per-VU state (module-level variables are per VU in k6 and in smsgate-testkit).
let pair: TokenPair | null = null;
let justRefreshed = false;

/** Checks the target once and hands it to every VU. */
export function setup(): Target {
  return targetFromEnv();
}

async function issue(t: Target): Promise<TokenPair | null> {
  const res = await requestToken(t, SCOPES, TOKEN_TTL);
  issueDuration.add(res.timings.duration);
  const ok = check(res, { "token issued": (r) => tokenIssued(r) });
  justRefreshed = false;
  return ok ? tokenPair(res, Date.now()) : null;
}

async function refresh(t: Target, current: TokenPair): Promise<TokenPair | null> {
  const res = await requestRefresh(t, current.refresh);
  refreshDuration.add(res.timings.duration);
  const ok = check(res, { "token refreshed": (r) => tokenIssued(r) });
  const next = ok ? tokenPair(res, Date.now()) : null;
  justRefreshed = next !== null;
  return next;
}

function refreshDue(p: TokenPair, now: number): boolean {
  const byExpiry = isNaN(p.expiresAt) ? Infinity : p.expiresAt - MARGIN_MS;
  return now >= Math.min(byExpiry, p.obtainedAt + ROTATE_EVERY_MS);
}

// A 401 on a call is handled (re-authentication), not a failed request.
const CALL_STATUSES = http.expectedStatuses({ min: 200, max: 299 }, 401);

function call(t: Target, p: TokenPair) {
  return http.asyncRequest("GET", `${t.url}${PROBE_PATH}`, null, {
    headers: { Authorization: `Bearer ${p.access}` },
    tags: { name: "call" },
    responseCallback: CALL_STATUSES,
  });
}

export default async function (t: Target): Promise<void> {
  if (pair === null) pair = await issue(t);
  else if (pair.refresh !== "" && refreshDue(pair, Date.now())) {
    pair = (await refresh(t, pair)) ?? (await issue(t));
  }
  if (pair === null) return;
  let res = await call(t, pair);
  if (res.status === 401) {
    if (justRefreshed) unauthorizedAfterRefresh.add(1);
    reauthentications.add(1);
    pair = await issue(t);
    if (pair === null) return;
    res = await call(t, pair);
  }
  justRefreshed = false;
  check(res, { "authorized call succeeded": (r) => r.status >= 200 && r.status < 300 });
  await sleep(PAUSE_S);
}
