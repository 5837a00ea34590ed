/**
 * Revocation: 204, then 401 everywhere; the paired refresh token dies too; unknown ids are a
 * silent 204; a revoked token cannot act.
 *
 * @module
 */

import type { CheckInput } from "../model.ts";
import { FAMILIES } from "./_families.ts";

const JWT = { tokens: "jwt" };

/** The revocation suite. */
export const checks: CheckInput[] = [
  {
    id: "REVOKE-204",
    suite: "revocation",
    title: "Revoking a token answers 204 and the token gets 401 everywhere afterwards",
    requirements: ["AUTH-REVOKE-204"],
    when: JWT,
    steps: [
      { issue: { scopes: ["all:any"] }, as: "t" },
      {
        request: { route: "devices.list", auth: { bearer: "t.access_token" } },
        expect: { status: { not: [401, 403] } },
      },
      {
        request: { route: "token.revoke", params: { jti: "${t.id}" }, auth: "basic" },
        expect: { status: 204, emptyBody: true },
      },
      {
        request: { route: "devices.list", auth: { bearer: "t.access_token" } },
        forEach: FAMILIES,
        expect: { unauthorized: true },
      },
    ],
  },
  {
    id: "REVOKE-PAIRED-REFRESH",
    suite: "revocation",
    title: "Revoking an access token also revokes its refresh token",
    requirements: ["AUTH-REVOKE-PAIR"],
    when: { ...JWT, refresh: true },
    steps: [
      { issue: { scopes: ["devices:list"] }, as: "t" },
      {
        request: { route: "token.revoke", params: { jti: "${t.id}" }, auth: "basic" },
        expect: { status: 204 },
      },
      {
        request: { route: "token.refresh", auth: { bearer: "t.refresh_token" } },
        expect: { unauthorized: true },
      },
    ],
  },
  {
    id: "REVOKE-UNKNOWN-204",
    suite: "revocation",
    title: "Revoking an unknown id answers 204 and leaves other tokens working",
    requirements: ["AUTH-REVOKE-IDEMPOTENT"],
    when: JWT,
    steps: [
      { issue: { scopes: ["devices:list"] }, as: "t" },
      { request: { route: "token.revoke", auth: "basic" }, expect: { status: 204 } },
      {
        request: { route: "devices.list", auth: { bearer: "t.access_token" } },
        expect: { status: 200 },
      },
    ],
  },
  {
    id: "REVOKE-REVOKED-CANNOT-ACT",
    suite: "revocation",
    title: "A revoked token can neither revoke nor issue tokens",
    requirements: ["AUTH-REVOKE-204"],
    when: JWT,
    steps: [
      { issue: { scopes: ["tokens:manage"] }, as: "t" },
      { issue: { scopes: ["devices:list"] }, as: "victim" },
      {
        request: {
          route: "token.revoke",
          params: { jti: "${t.id}" },
          auth: { bearer: "t.access_token" },
        },
        expect: { status: 204 },
      },
      {
        request: {
          route: "token.revoke",
          params: { jti: "${victim.id}" },
          auth: { bearer: "t.access_token" },
        },
        expect: { unauthorized: true },
      },
      {
        request: { route: "token.issue", auth: { bearer: "t.access_token" }, safeBody: true },
        expect: { unauthorized: true },
      },
      {
        request: { route: "devices.list", auth: { bearer: "victim.access_token" } },
        expect: { status: 200 },
      },
    ],
  },
];
