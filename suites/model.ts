/**
 * The check model: a check is data (`{id, requirements, title, when, steps}`), validated by the
 * zod schema below, which also loads user-written suites from YAML/JSON. The engine
 * (suites/engine.ts) interprets the steps; a check contains no imperative code.
 *
 * Values in steps may reference:
 * - captures with `${name.path}` (e.g. `${t.id}`, `${t.access_token}`), and `${username}`;
 * - profile facts with `$fact` as a whole string (e.g. `$refreshStatus`, `$issuer`);
 * - the route under test (checks generated per route) with `${route.scope}`,
 *   `${route.otherScope}` (a scope of the vocabulary that is not the route's).
 *
 * @module
 */

import { z } from "zod";
import { PROFILE_NAMES } from "../smsgate/profiles.ts";

const Ref = z.string().min(1);

/** How a request authenticates. */
export const AuthSchema = z.union([
  z.literal("none"),
  z.literal("basic"),
  z.object({ basic: z.object({ username: z.string(), password: z.string() }) }).strict(),
  z.object({ bearer: Ref }).strict(),
  z.object({ raw: z.string() }).strict(),
], {
  error: 'expected "none", "basic", {basic: {username, password}}, {bearer: REF} or {raw: HEADER}',
});
/** How a request authenticates. */
export type Auth = z.infer<typeof AuthSchema>;

/** A status expectation: exact, one of, a profile fact, or "not one of". */
export const StatusSchema = z.union([
  z.number().int(),
  z.array(z.number().int()).min(1),
  z.string().regex(
    /^\$\w+$/,
    "expected a status code, a list of codes, a profile fact such as $refreshStatus, or {not: [codes]}",
  ),
  z.object({ not: z.array(z.number().int()).min(1) }).strict(),
], {
  error:
    "expected a status code, a list of codes, a profile fact such as $refreshStatus, or {not: [codes]}",
});

/** One condition on a JSON response body or a JWT in it (one tiny assertion each). */
export const ConditionSchema = z.union([
  z.object({ path: z.string(), equals: z.unknown() }).strict(),
  z.object({ path: z.string(), present: z.union([z.boolean(), z.string()]) }).strict(),
  z.object({ path: z.string(), type: z.enum(["string", "number", "boolean", "array", "object"]) })
    .strict(),
  z.object({ path: z.string(), rfc3339: z.literal(true) }).strict(),
  z.object({ path: z.string(), jwt: z.literal(true) }).strict(),
  z.object({ path: z.string(), differsFrom: z.string() }).strict(),
  /** Equal to another path of the same response (e.g. `access_token#jti` and `id`). */
  z.object({ path: z.string(), equalsPath: z.string() }).strict(),
  /** A time (RFC 3339 string or JWT seconds) within `tolerance` of now + `offset`. */
  z.object({
    path: z.string(),
    near: z.object({ offset: z.string(), tolerance: z.string() }).strict(),
  }).strict(),
  /** A time earlier than now + `offset`. */
  z.object({ path: z.string(), before: z.string() }).strict(),
  /** Two times within `tolerance` (e.g. JWT exp vs expires_at). */
  z.object({ path: z.string(), sameTimeAs: z.string(), tolerance: z.string() }).strict(),
], {
  error:
    "expected a condition: {path} with one of equals, present, type, rfc3339, jwt, differsFrom, equalsPath, near, before, sameTimeAs",
});
/** One condition on a response. */
export type Condition = z.infer<typeof ConditionSchema>;

/** What a response must look like. */
export const ExpectSchema = z.object({
  status: StatusSchema.optional(),
  /** The profile's authentication failure: 401 and its body shape. */
  unauthorized: z.literal(true).optional(),
  /** The profile's missing-scope answer for this scope: 403 and its body. */
  forbidden: z.string().optional(),
  /** The profile's 501 for unavailable token routes. */
  notImplemented: z.literal(true).optional(),
  /** The error envelope: JSON object with a string `message`. */
  envelope: z.literal(true).optional(),
  /** The body is empty. */
  emptyBody: z.literal(true).optional(),
  /** Conditions on the JSON body; `path` may go into a JWT's claims: `access_token#scopes`. */
  body: z.array(ConditionSchema).optional(),
}).strict();
/** What a response must look like. */
export type Expect = z.infer<typeof ExpectSchema>;

/** A request to a route (by role, resolved through the profile) or a raw path. */
export const RequestSchema = z.object({
  route: z.string().optional(),
  method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE"]).optional(),
  path: z.string().optional(),
  params: z.record(z.string(), z.string()).optional(),
  auth: AuthSchema.default("none"),
  /** JSON body (serialised, content-type application/json). */
  json: z.unknown().optional(),
  /** Raw body with a content type. */
  raw: z.object({ body: z.string(), contentType: z.string() }).strict().optional(),
  /** Use the route's safe payload: rejected at validation by a correct server. */
  safeBody: z.literal(true).optional(),
}).strict().refine((r) => (r.route ? !r.path : !!r.path && !!r.method), {
  message: "give either route, or method and path",
});

/** A token forgery derived from a captured token. */
export const ForgeSchema = z.object({
  /** The token to derive from; absent: start from empty claims (for `resign` / `sign`). */
  from: Ref.optional(),
  kind: z.enum([
    "alg-none",
    "strip-signature",
    "tamper",
    "resign",
    "sign",
  ]),
  /** Claims to set (null deletes): for tamper / resign / sign. */
  claims: z.record(z.string(), z.unknown()).optional(),
  /** Key for resign: the literal secret ("" for empty). */
  key: z.string().optional(),
}).strict();

/** One step of a check. */
export const StepSchema = z.union([
  z.object({
    issue: z.object({
      scopes: z.array(z.string()).min(1),
      ttl: z.number().int().optional(),
    }).strict(),
    as: z.string().regex(/^\w+$/),
  }).strict(),
  z.object({
    refresh: Ref,
    as: z.string().regex(/^\w+$/),
    expect: ExpectSchema.optional(),
  }).strict(),
  z.object({
    request: RequestSchema,
    /** Several routes at once: the request is repeated for each role. */
    forEach: z.array(z.string()).optional(),
    expect: ExpectSchema,
    as: z.string().regex(/^\w+$/).optional(),
  }).strict(),
  z.object({
    /** Wait until the token captured as this name has expired, plus `plus`. */
    waitExpiry: z.string(),
    plus: z.string().default("0s"),
  }).strict(),
  z.object({ forge: ForgeSchema, as: z.string().regex(/^\w+$/) }).strict(),
], {
  error:
    "expected a step: an object with one of issue, refresh, request, waitExpiry or forge (and its fields)",
});
/** One step of a check. */
export type Step = z.infer<typeof StepSchema>;

/** Conditions on profile facts under which a check applies. */
export const WhenSchema = z.record(z.string(), z.unknown());

/** A check. */
export const CheckSchema = z.object({
  id: z.string().regex(/^[A-Z0-9][A-Z0-9.-]*$/, "upper-case letters, digits, dots and dashes"),
  suite: z.string().regex(/^[a-z][a-z0-9-]*$/),
  title: z.string().min(1),
  requirements: z.array(z.string()).min(1),
  /** Profile facts that must hold (e.g. `{ tokens: "jwt" }`); a list means one of. */
  when: WhenSchema.optional(),
  /** Restrict to these profiles (prefer `when`). */
  profiles: z.array(z.enum(PROFILE_NAMES)).optional(),
  /** Needs `--allow-send`: success on a real deployment has side effects. */
  sideEffect: z.boolean().optional(),
  /** Needs the JWT secret to sign test tokens (`--jwt-secret`). */
  needsSecret: z.boolean().optional(),
  /** The route the check is about (checks generated per route). */
  route: z.string().optional(),
  tags: z.array(z.string()).optional(),
  steps: z.array(StepSchema).min(1),
}).strict();
/** A check. */
export type Check = z.infer<typeof CheckSchema>;
/** A check as written (defaults not applied yet). */
export type CheckInput = z.input<typeof CheckSchema>;

/** A suite file: a list of checks. */
export const SuiteFileSchema = z.object({
  checks: z.array(CheckSchema).min(1),
}).strict();
