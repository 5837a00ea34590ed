/**
 * Scope enforcement: a matrix generated from the route-to-scope table (one check per guarded
 * route), the wildcard, and token kinds at the wrong routes.
 *
 * @module
 */

import { PROFILES } from "../../smsgate/profiles.ts";
import type { CheckInput } from "../model.ts";
import { GUARDED_ROLES } from "./_families.ts";

const JWT = { tokens: "jwt" };

/** Guarded, non-exact route roles of any profile, in table order. */
function _matrixRoles(): string[] {
  const roles: string[] = [];
  for (const p of Object.values(PROFILES)) {
    for (const r of p.routes) {
      if (r.scope && !r.exact && !roles.includes(r.role)) roles.push(r.role);
    }
  }
  return roles;
}

/** One check per guarded route: without its scope 403, with it not refused. */
const matrix: CheckInput[] = _matrixRoles().map((role) => ({
  id: `SCOPE-${role.toUpperCase()}`,
  suite: "scopes",
  title: `${role} requires its scope: 403 without it, accepted with it`,
  requirements: ["AUTH-SCOPE-403", "AUTH-ORDER"],
  when: JWT,
  route: role,
  steps: [
    { issue: { scopes: ["${route.otherScope}"] }, as: "other" },
    {
      request: { route: role, auth: { bearer: "other.access_token" }, safeBody: true },
      expect: { forbidden: "${route.scope}" },
    },
    { issue: { scopes: ["${route.scope}"] }, as: "own" },
    {
      request: { route: role, auth: { bearer: "own.access_token" }, safeBody: true },
      expect: { status: { not: [401, 403] } },
    },
  ],
}));

/** The scopes suite. */
export const checks: CheckInput[] = [
  ...matrix,
  {
    id: "SCOPE-WILDCARD",
    suite: "scopes",
    title: "all:any passes every scope guard",
    requirements: ["AUTH-SCOPE-WILDCARD"],
    when: JWT,
    steps: [
      { issue: { scopes: ["all:any"] }, as: "t" },
      {
        request: { route: "devices.list", auth: { bearer: "t.access_token" }, safeBody: true },
        forEach: GUARDED_ROLES,
        expect: { status: { not: [401, 403] } },
      },
    ],
  },
  {
    id: "SCOPE-WILDCARD-NOT-REFRESH",
    suite: "scopes",
    title: "all:any does not pass the exact-scope refresh route",
    requirements: ["AUTH-SCOPE-WILDCARD", "AUTH-REFRESH-EXACT"],
    when: { ...JWT, refresh: true },
    steps: [
      { issue: { scopes: ["all:any"] }, as: "t" },
      {
        request: { route: "token.refresh", auth: { bearer: "t.access_token" } },
        expect: { forbidden: "tokens:refresh" },
      },
    ],
  },
  {
    id: "SCOPE-ACCESS-AT-REFRESH",
    suite: "scopes",
    title: "An access token is refused at the refresh route with 403",
    requirements: ["AUTH-REFRESH-EXACT"],
    when: { ...JWT, refresh: true },
    steps: [
      { issue: { scopes: ["tokens:manage"] }, as: "t" },
      {
        request: { route: "token.refresh", auth: { bearer: "t.access_token" } },
        expect: { forbidden: "tokens:refresh" },
      },
    ],
  },
  {
    id: "SCOPE-REFRESH-AS-ACCESS",
    suite: "scopes",
    title: "A refresh token is refused as an access token",
    requirements: ["AUTH-REFRESH-NOT-ACCESS"],
    when: { ...JWT, refresh: true },
    steps: [
      { issue: { scopes: ["devices:list"] }, as: "t" },
      {
        request: { route: "devices.list", auth: { bearer: "t.refresh_token" } },
        expect: { forbidden: "devices:list" },
      },
    ],
  },
];
