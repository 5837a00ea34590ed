/**
 * Token issuance: status, response body, claims, TTL handling and request validation.
 *
 * @module
 */

import type { CheckInput } from "../model.ts";

const JWT = { tokens: "jwt" };
const ISSUE = (json: unknown) => ({ route: "token.issue", auth: "basic" as const, json });
const BAD = (json: unknown) => ({
  request: ISSUE(json),
  expect: { status: 400, envelope: true as const },
});

/** The issuance suite. */
export const checks: CheckInput[] = [
  {
    id: "TOKEN-ISSUE-201",
    suite: "issuance",
    title: "Basic credentials obtain a token pair with 201 and the documented body",
    requirements: ["AUTH-TOKEN-201", "AUTH-TOKEN-BODY"],
    when: JWT,
    steps: [{
      request: ISSUE({ scopes: ["devices:list"], ttl: 300 }),
      expect: {
        status: "$issueStatus",
        body: [
          { path: "id", type: "string" },
          { path: "token_type", equals: "Bearer" },
          { path: "access_token", jwt: true },
          { path: "expires_at", rfc3339: true },
          { path: "refresh_token", present: "$refresh" },
        ],
      },
    }],
  },
  {
    id: "TOKEN-CLAIMS",
    suite: "issuance",
    title: "The access token's claims match the response and the request",
    requirements: ["AUTH-TOKEN-CLAIMS"],
    when: JWT,
    steps: [{
      request: ISSUE({ scopes: ["devices:list", "webhooks:list"], ttl: 300 }),
      expect: {
        status: "$issueStatus",
        body: [
          { path: "access_token#jti", equalsPath: "id" },
          { path: "access_token#exp", sameTimeAs: "expires_at", tolerance: "1s" },
          { path: "access_token#scopes", equals: ["devices:list", "webhooks:list"] },
          { path: "access_token#iss", equals: "$issuer" },
        ],
      },
    }],
  },
  {
    id: "TOKEN-TTL",
    suite: "issuance",
    title: "A requested short ttl is honoured (expires_at is now + ttl)",
    requirements: ["AUTH-TOKEN-TTL"],
    when: JWT,
    steps: [{
      request: ISSUE({ scopes: ["devices:list"], ttl: 120 }),
      expect: {
        status: "$issueStatus",
        body: [{ path: "expires_at", near: { offset: "120s", tolerance: "3s" } }],
      },
    }],
  },
  {
    id: "TOKEN-TTL-CAP",
    suite: "issuance",
    title: "A ttl above the access TTL is silently capped",
    requirements: ["AUTH-TOKEN-TTL-MAX"],
    when: { ...JWT, ttlOverMax: "cap" },
    steps: [{
      request: ISSUE({ scopes: ["devices:list"], ttl: 315360000 }),
      expect: { status: "$issueStatus", body: [{ path: "expires_at", before: "87599h" }] },
    }],
  },
  {
    id: "TOKEN-TTL-REJECT",
    suite: "issuance",
    title: "A ttl above the maximum is refused with 400",
    requirements: ["AUTH-TOKEN-TTL-MAX", "AUTH-TOKEN-400"],
    when: { ...JWT, ttlOverMax: "reject" },
    steps: [BAD({ scopes: ["devices:list"], ttl: 31536001 })],
  },
  {
    id: "TOKEN-400-NO-SCOPES",
    suite: "issuance",
    title: "A token request without scopes is refused with 400",
    requirements: ["AUTH-TOKEN-400"],
    when: JWT,
    steps: [BAD({ ttl: 60 })],
  },
  {
    id: "TOKEN-400-EMPTY-SCOPES",
    suite: "issuance",
    title: "A token request with an empty scope list is refused with 400",
    requirements: ["AUTH-TOKEN-400"],
    when: JWT,
    steps: [BAD({ scopes: [] })],
  },
  {
    id: "TOKEN-400-NEGATIVE-TTL",
    suite: "issuance",
    title: "A token request with a negative ttl is refused with 400",
    requirements: ["AUTH-TOKEN-400"],
    when: JWT,
    steps: [BAD({ scopes: ["devices:list"], ttl: -1 })],
  },
  {
    id: "TOKEN-400-NOT-JSON",
    suite: "issuance",
    title: "A token request that is not JSON is refused with 400",
    requirements: ["AUTH-TOKEN-400"],
    when: JWT,
    steps: [{
      request: {
        route: "token.issue",
        auth: "basic",
        raw: { body: "scopes=devices:list", contentType: "application/x-www-form-urlencoded" },
      },
      expect: { status: 400, envelope: true },
    }],
  },
  {
    id: "TOKEN-UNKNOWN-SCOPE",
    suite: "issuance",
    title: "Unknown scope names are refused with 400",
    requirements: ["AUTH-SCOPE-VOCAB"],
    when: { ...JWT, rejectsUnknownScopes: true },
    steps: [BAD({ scopes: ["smsgate-testkit:unknown"] })],
  },
];
