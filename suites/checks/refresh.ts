/**
 * Refresh: rotation with the deployment's status, single use, original scopes, Basic refused.
 *
 * @module
 */

import type { CheckInput } from "../model.ts";

const REFRESH = { tokens: "jwt", refresh: true };

/** The refresh suite. */
export const checks: CheckInput[] = [
  {
    id: "REFRESH-ROTATE",
    suite: "refresh",
    title: "A refresh token obtains a new pair with the deployment's status",
    requirements: ["AUTH-REFRESH-ROTATE"],
    when: REFRESH,
    steps: [
      { issue: { scopes: ["devices:list"] }, as: "t" },
      {
        refresh: "t.refresh_token",
        as: "r",
        expect: {
          status: "$refreshStatus",
          body: [
            { path: "token_type", equals: "Bearer" },
            { path: "access_token", jwt: true },
            { path: "refresh_token", jwt: true },
            { path: "expires_at", rfc3339: true },
            { path: "id", differsFrom: "t.id" },
            { path: "refresh_token", differsFrom: "t.refresh_token" },
          ],
        },
      },
      {
        request: { route: "devices.list", auth: { bearer: "r.access_token" } },
        expect: { status: 200 },
      },
    ],
  },
  {
    id: "REFRESH-REPLAY-401",
    suite: "refresh",
    title: "A used refresh token is refused with 401",
    requirements: ["AUTH-REFRESH-REPLAY"],
    when: REFRESH,
    steps: [
      { issue: { scopes: ["devices:list"] }, as: "t" },
      { refresh: "t.refresh_token", as: "r" },
      { refresh: "t.refresh_token", as: "replay", expect: { unauthorized: true } },
    ],
  },
  {
    id: "REFRESH-SCOPES",
    suite: "refresh",
    title: "The refreshed access token has exactly the original scopes",
    requirements: ["AUTH-REFRESH-SCOPES"],
    when: REFRESH,
    steps: [
      { issue: { scopes: ["devices:list", "webhooks:list"] }, as: "t" },
      {
        refresh: "t.refresh_token",
        as: "r",
        expect: {
          status: "$refreshStatus",
          body: [{ path: "access_token#scopes", equals: ["devices:list", "webhooks:list"] }],
        },
      },
      {
        request: { route: "webhooks.list", auth: { bearer: "r.access_token" } },
        expect: { status: 200 },
      },
      {
        request: { route: "settings.read", auth: { bearer: "r.access_token" } },
        expect: { forbidden: "settings:read" },
      },
    ],
  },
  {
    id: "REFRESH-BASIC",
    suite: "refresh",
    title: "Basic credentials at the refresh route get the deployment's answer",
    requirements: ["AUTH-REFRESH-BASIC"],
    when: REFRESH,
    steps: [{
      request: { route: "token.refresh", auth: "basic" },
      expect: { status: "$basicRefreshStatus", envelope: true },
    }],
  },
];
