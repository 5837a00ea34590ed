/**
 * Safe payloads for routes with side effects: each is rejected by a correct server at
 * validation (or addresses a non-existent object), so even a deployment with broken auth sends,
 * writes or deletes nothing when a check probes the route (design brief: safety).
 *
 * @module
 */

import type { RouteRole } from "../smsgate/profiles.ts";

/** A request body (JSON or raw) used by `safeBody: true`. */
export type SafeBody = { json: unknown } | { raw: { body: string; contentType: string } };

const NOT_JSON: SafeBody = {
  raw: { body: "smsgate-testkit probe: not JSON", contentType: "text/plain" },
};

/** Safe bodies by route role; routes not listed take no body. */
export const SAFE_BODIES: Partial<Record<RouteRole, SafeBody>> = {
  // An empty recipient list: a correct server answers 400, nobody can receive anything.
  "messages.send": {
    json: { textMessage: { text: "smsgate-testkit probe" }, phoneNumbers: [] },
  },
  "messages.export": NOT_JSON,
  "settings.write": NOT_JSON,
  "settings.replace": NOT_JSON,
  "inbox.refresh": NOT_JSON,
  "webhooks.write": { json: { url: "not a url", event: "sms:received" } },
  "token.issue": { json: { scopes: ["devices:list"], ttl: 60 } },
};

/** Path parameters not given by a check get this prefix plus a random suffix (never exists). */
export const PROBE_ID_PREFIX = "probe";
