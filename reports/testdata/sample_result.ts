/**
 * Sample conformance result documents for the reporter tests: one check of each status, a
 * failure with a two-exchange transcript and a long body, an error without a response,
 * requirements that passed, failed and were not exercised.
 *
 * @module
 */

import type { CheckResult, ConformanceResult, Exchange } from "../../suites/result.ts";

/** A response body longer than the failure-details limit (500 characters). */
export const LONG_BODY = JSON.stringify({
  token_type: "Bearer",
  id: "tok_1",
  access_token: "[redacted]",
  filler: "x".repeat(600),
  tail: "END-OF-BODY",
});

const issueExchange: Exchange = {
  step: "step 1: issue token t",
  request: {
    method: "POST",
    url: "http://127.0.0.1:41234/3rdparty/v1/auth/token",
    headers: { authorization: "Basic [redacted]", "content-type": "application/json" },
    body: '{"scopes":["devices:list"],"ttl":1}',
  },
  response: {
    status: 201,
    headers: { "content-type": "application/json" },
    body: LONG_BODY,
  },
  durationMs: 4.2,
};

const expiredExchange: Exchange = {
  step: "step 4: request devices.list",
  request: {
    method: "GET",
    url: "http://127.0.0.1:41234/3rdparty/v1/devices",
    headers: { authorization: "Bearer [redacted]" },
  },
  response: {
    status: 200,
    headers: { "content-type": "application/json", "x-request-id": "r-42" },
    body: LONG_BODY,
  },
  durationMs: 2.9,
};

/** The passing check. */
export const PASS: CheckResult = {
  id: "AUTH-TOKEN-201",
  suite: "auth",
  title: "Issuing a token answers 201 Created",
  requirements: ["TOKEN-ISSUE-201"],
  profile: "server",
  status: "pass",
  durationMs: 12.4,
  transcript: [issueExchange],
};

/** The failing check, with a transcript whose last exchange is the failing one. */
export const FAIL: CheckResult = {
  id: "AUTH-EXPIRY-401",
  suite: "auth",
  title: "An access token is refused once it has expired",
  requirements: ["TOKEN-EXPIRY", "RFC6750-3.1"],
  profile: "server",
  status: "fail",
  durationMs: 1043,
  message: "Expected status 401, got 200",
  expected: "401",
  actual: "200",
  hint: "If this deployment is an Android Local Server, run with --profile local",
  transcript: [issueExchange, expiredExchange],
};

/** The skipped check. */
export const SKIP: CheckResult = {
  id: "SCOPE-UNKNOWN-400",
  suite: "scopes",
  title: "Unknown scopes are refused with 400",
  requirements: ["SCOPE-UNKNOWN"],
  profile: "server",
  status: "skip",
  durationMs: 0,
  message: "profile server accepts unknown scopes",
  transcript: [],
};

/** The errored check: the request never got a response. */
export const ERROR: CheckResult = {
  id: "SCOPE-WEBHOOKS-403",
  suite: "scopes",
  title: "Listing webhooks without webhooks:list is forbidden",
  requirements: ["SCOPE-ENFORCED"],
  profile: "server",
  status: "error",
  durationMs: 5002,
  message: "Request timed out after 5s",
  transcript: [{
    step: "step 2: request webhooks.list",
    request: {
      method: "GET",
      url: "http://127.0.0.1:41234/3rdparty/v1/webhooks",
      headers: { authorization: "Bearer [redacted]" },
    },
    error: "timed out after 5000ms",
    durationMs: 5000,
  }],
};

/** A complete, schema-valid document holding the four checks above. */
export function sampleResult(): ConformanceResult {
  return structuredClone(
    {
      schemaVersion: 1,
      kind: "conformance",
      tool: { name: "smsgate-testkit", version: "0.1.0" },
      startedAt: "2026-01-02T03:04:05.678Z",
      finishedAt: "2026-01-02T03:04:08.878Z",
      durationMs: 3200,
      target: {
        url: "http://127.0.0.1:41234/3rdparty/v1",
        embedded: true,
        profile: "server",
        profileSource: "auto",
        detection: {
          profile: "server",
          evidence: [
            "POST /auth/token with Basic auth answered 201",
            '403 body is JSON with message "Forbidden"',
          ],
        },
      },
      summary: { total: 4, passed: 1, failed: 1, skipped: 1, errors: 1 },
      checks: [PASS, FAIL, SKIP, ERROR],
      requirements: [
        {
          id: "TOKEN-ISSUE-201",
          statement: "Issuing a token answers 201 Created",
          source: "server source",
          link: "https://example.invalid/issue",
          checks: ["AUTH-TOKEN-201"],
          status: "pass",
        },
        {
          id: "TOKEN-EXPIRY",
          statement: "An expired access token is refused with 401",
          source: "RFC 6750 section 3.1",
          link: "https://www.rfc-editor.org/rfc/rfc6750#section-3.1",
          checks: ["AUTH-EXPIRY-401"],
          status: "fail",
        },
        {
          id: "RFC6750-3.1",
          statement: "Invalid tokens are answered with 401 and WWW-Authenticate",
          source: "RFC 6750 section 3.1",
          link: "https://www.rfc-editor.org/rfc/rfc6750#section-3.1",
          checks: ["AUTH-EXPIRY-401"],
          status: "fail",
        },
        {
          id: "SCOPE-UNKNOWN",
          statement: "Unknown scope names are refused with 400",
          source: "seed doc",
          link: "https://example.invalid/scopes",
          checks: [],
          status: "uncovered",
        },
        {
          id: "SCOPE-ENFORCED",
          statement: "Each route refuses tokens without its scope with 403",
          source: "seed doc",
          link: "https://example.invalid/scopes",
          checks: [],
          status: "uncovered",
        },
      ],
    } satisfies ConformanceResult,
  );
}
