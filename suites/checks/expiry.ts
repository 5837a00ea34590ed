/**
 * Expiry: a short-lived token works before expires_at and is refused after it, everywhere.
 *
 * @module
 */

import type { CheckInput } from "../model.ts";
import { FAMILIES } from "./_families.ts";

/** The expiry suite. */
export const checks: CheckInput[] = [
  {
    id: "EXPIRY-401",
    suite: "expiry",
    title: "A 2-second token works before expires_at and gets 401 after it on every route family",
    requirements: ["AUTH-EXPIRY-401", "AUTH-TOKEN-TTL"],
    when: { tokens: "jwt" },
    steps: [
      { issue: { scopes: ["all:any"], ttl: 2 }, as: "t" },
      {
        request: { route: "devices.list", auth: { bearer: "t.access_token" } },
        forEach: FAMILIES,
        expect: { status: { not: [401, 403] } },
      },
      // One second of tolerated leeway, plus a margin for the request itself.
      { waitExpiry: "t", plus: "1100ms" },
      {
        request: { route: "devices.list", auth: { bearer: "t.access_token" } },
        forEach: FAMILIES,
        expect: { unauthorized: true },
      },
    ],
  },
];
