/**
 * JWT hardening: forged tokens a hardened server must refuse. Forgeries derive from a real token
 * (alg none, stripped or mismatched signature, weak keys); with the deployment's secret
 * (`--jwt-secret`) the suite also signs tokens whose claims are wrong, after proving the key with
 * a correctly signed control token.
 *
 * @module
 */

import type { CheckInput } from "../model.ts";

const JWT = { tokens: "jwt" };
type Step = CheckInput["steps"][number];

const ISSUE: Step = { issue: { scopes: ["devices:list"] }, as: "t" };
const refused = (bearer: string): Step => ({
  request: { route: "devices.list", auth: { bearer } },
  expect: { unauthorized: true },
});
const accepted = (bearer: string): Step => ({
  request: { route: "devices.list", auth: { bearer } },
  expect: { status: 200 },
});

/** A check that derives one forged token from a real one and expects 401. */
function _forged(
  id: string,
  title: string,
  requirements: string[],
  forge: Record<string, unknown>,
): CheckInput {
  return {
    id,
    suite: "hardening",
    title,
    requirements,
    when: JWT,
    steps: [ISSUE, { forge: { from: "t.access_token", ...forge } as never, as: "f" }, refused("f")],
  };
}

/** A check that signs with the deployment's key: a control token passes, the bad one fails. */
function _signed(id: string, title: string, claims: Record<string, unknown>): CheckInput {
  return {
    id,
    suite: "hardening",
    title,
    requirements: ["JWT-CLAIMS-VALIDATED"],
    when: JWT,
    needsSecret: true,
    steps: [
      ISSUE,
      {
        forge: { from: "t.access_token", kind: "sign", claims: { iat: "@now-30" } },
        as: "control",
      },
      accepted("control"),
      { forge: { from: "t.access_token", kind: "sign", claims }, as: "f" },
      refused("f"),
    ],
  };
}

const WEAK_KEYS = ["", "secret", "changeme", "your-256-bit-secret", "sms-gate.app", "password"];

/** The hardening suite. */
export const checks: CheckInput[] = [
  _forged("JWT-ALG-NONE", 'A token with alg "none" and no signature gets 401', ["JWT-ALG"], {
    kind: "alg-none",
  }),
  _forged("JWT-STRIPPED-SIGNATURE", "A token with its signature stripped gets 401", ["JWT-ALG"], {
    kind: "strip-signature",
  }),
  _forged(
    "JWT-TAMPERED-SCOPES",
    "A token whose scopes were widened after signing gets 401",
    ["JWT-SIGNATURE"],
    { kind: "tamper", claims: { scopes: ["all:any"] } },
  ),
  _forged(
    "JWT-TAMPERED-EXP",
    "A token whose exp was extended after signing gets 401",
    ["JWT-SIGNATURE"],
    { kind: "tamper", claims: { exp: "@now+31536000" } },
  ),
  _forged(
    "JWT-TAMPERED-ISS",
    "A token whose issuer was changed after signing gets 401",
    ["JWT-SIGNATURE"],
    { kind: "tamper", claims: { iss: "https://attacker.example" } },
  ),
  {
    id: "JWT-WEAK-KEYS",
    suite: "hardening",
    title: "Tokens re-signed (HS256) with an empty or guessable key get 401",
    requirements: ["JWT-KEY-STRENGTH"],
    when: JWT,
    steps: [
      ISSUE,
      ...WEAK_KEYS.flatMap((key, i): Step[] => [
        { forge: { from: "t.access_token", kind: "resign", key }, as: `k${i}` },
        refused(`k${i}`),
      ]),
    ],
  },
  {
    id: "JWT-GARBAGE",
    suite: "hardening",
    title: "Malformed bearer values get 401",
    requirements: ["JWT-GARBAGE"],
    when: JWT,
    steps: ["not-a-jwt", "a.b.c", "eyJhbGciOiJIUzI1NiJ9.e30.", "....", "eyJ!!!.eyJ!!!.sig"].map(
      (v): Step => ({
        request: { route: "devices.list", auth: { raw: `Bearer ${v}` } },
        expect: { unauthorized: true },
      }),
    ),
  },
  _signed("JWT-SIGNED-WRONG-ISSUER", "A validly signed token from another issuer gets 401", {
    iss: "https://attacker.example",
  }),
  _signed("JWT-SIGNED-FUTURE-IAT", "A validly signed token issued in the future gets 401", {
    iat: "@now+3600",
    exp: "@now+7200",
  }),
  _signed("JWT-SIGNED-NO-EXP", "A validly signed token without exp gets 401", { exp: null }),
];
