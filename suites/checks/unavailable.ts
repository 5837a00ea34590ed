/**
 * Deployments without tokens: the server with JWT disabled and the Android local server
 * v1.52.1-v1.54.0 answer 501 on token routes and refuse every Bearer token.
 *
 * @module
 */

import type { CheckInput } from "../model.ts";
import { FAMILIES } from "./_families.ts";

const NO_TOKENS = { tokens: ["disabled", "placeholder"] };

/** The unavailable suite. */
export const checks: CheckInput[] = [
  {
    id: "UNAVAILABLE-ISSUE-501",
    suite: "unavailable",
    title: "Token issuance answers 501 with the deployment's body",
    requirements: ["AUTH-501"],
    when: NO_TOKENS,
    steps: [{
      request: { route: "token.issue", auth: "basic", json: { scopes: ["devices:list"] } },
      expect: { notImplemented: true },
    }],
  },
  {
    id: "UNAVAILABLE-REVOKE-501",
    suite: "unavailable",
    title: "Token revocation answers 501 with the deployment's body",
    requirements: ["AUTH-501"],
    when: NO_TOKENS,
    steps: [{
      request: { route: "token.revoke", auth: "basic" },
      expect: { notImplemented: true },
    }],
  },
  {
    id: "UNAVAILABLE-400-FIRST",
    suite: "unavailable",
    title: "An invalid token request gets 400 before 501",
    requirements: ["AUTH-501-ORDER", "AUTH-TOKEN-400"],
    when: { tokens: "disabled" },
    steps: [{
      request: { route: "token.issue", auth: "basic", json: { scopes: [] } },
      expect: { status: 400, envelope: true },
    }],
  },
  {
    id: "UNAVAILABLE-BEARER-401",
    suite: "unavailable",
    title: "Any Bearer token gets 401, even one signed with an empty key",
    requirements: ["AUTH-501-BEARER", "JWT-KEY-STRENGTH"],
    when: NO_TOKENS,
    steps: [
      {
        forge: {
          kind: "resign",
          key: "",
          claims: {
            jti: "smsgate-testkit-probe",
            iss: "$issuer",
            sub: "${username}",
            user_id: "${username}",
            iat: "@now",
            exp: "@now+3600",
            scopes: ["all:any"],
            token_use: "access",
          },
        },
        as: "f",
      },
      {
        request: { route: "devices.list", auth: { bearer: "f" } },
        forEach: FAMILIES,
        expect: { unauthorized: true },
      },
    ],
  },
  {
    id: "UNAVAILABLE-REFRESH-403",
    suite: "unavailable",
    title: "Basic credentials at the refresh route get 403 (exact scope) with JWT disabled",
    requirements: ["AUTH-REFRESH-BASIC", "AUTH-REFRESH-EXACT"],
    when: { tokens: "disabled" },
    steps: [{
      request: { route: "token.refresh", auth: "basic" },
      expect: { forbidden: "tokens:refresh" },
    }],
  },
];
