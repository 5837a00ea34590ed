/**
 * Basic authentication and the public health endpoint, on every profile.
 *
 * @module
 */

import type { CheckInput } from "../model.ts";
import { FAMILIES } from "./_families.ts";

const WRONG = "smsgate-testkit-wrong-password";

/** A step that sends `auth` to every route family and expects the deployment's 401. */
function _everywhere(auth: unknown): CheckInput["steps"][number] {
  return {
    request: { route: "devices.list", auth: auth as "none" },
    forEach: FAMILIES,
    expect: { unauthorized: true },
  };
}

/** The basic suite. */
export const checks: CheckInput[] = [
  {
    id: "BASIC-WRONG-PASSWORD",
    suite: "basic",
    title: "A wrong password gets 401 on every route family",
    requirements: ["AUTH-BASIC-401"],
    steps: [_everywhere({ basic: { username: "${username}", password: WRONG } })],
  },
  {
    id: "BASIC-UNKNOWN-USER",
    suite: "basic",
    title: "An unknown user gets 401 on every route family",
    requirements: ["AUTH-BASIC-401"],
    steps: [_everywhere({ basic: { username: "smsgate-testkit-nobody", password: WRONG } })],
  },
  {
    id: "BASIC-MALFORMED",
    suite: "basic",
    title: "Malformed Basic headers (bad base64, no colon, empty) get 401",
    requirements: ["AUTH-BASIC-401"],
    steps: [
      _everywhere({ raw: "Basic !!!not-base64!!!" }),
      _everywhere({ raw: `Basic ${btoa("no-colon-here")}` }),
      _everywhere({ raw: "Basic" }),
    ],
  },
  {
    id: "BASIC-NO-HEADER",
    suite: "basic",
    title: "A request without credentials gets 401 on every route family",
    requirements: ["AUTH-BASIC-401"],
    steps: [_everywhere("none")],
  },
  {
    id: "BASIC-UNKNOWN-SCHEME",
    suite: "basic",
    title: "Unknown authorization schemes get 401",
    requirements: ["AUTH-BASIC-401"],
    steps: [_everywhere({ raw: "Token abc123" }), _everywhere({ raw: 'Digest username="sms"' })],
  },
  {
    id: "HEALTH-NO-AUTH",
    suite: "basic",
    title: "The health endpoint answers without credentials",
    requirements: ["AUTH-HEALTH-OPEN"],
    steps: [{ request: { route: "health" }, expect: { status: 200 } }],
  },
  {
    id: "ORDER-401-BEFORE-400",
    suite: "basic",
    title: "An invalid body without credentials gets 401, not 400",
    requirements: ["AUTH-ORDER", "AUTH-BASIC-401"],
    steps: [{
      request: { route: "messages.send", safeBody: true },
      expect: { unauthorized: true },
    }],
  },
];
