/**
 * Deployment profiles: the per-deployment facts of SMSGate that both the reference server
 * (fixtures/) and the conformance suites (suites/) read. A check never branches on a profile
 * name; it reads a fact from here. Sources are cited per fact (see ../shared/smsgate-spec.md).
 *
 * @module
 */

/** Names of the supported deployment profiles. */
export const PROFILE_NAMES = ["server", "server-nojwt", "local", "local-legacy"] as const;

/** A deployment profile name. */
export type ProfileName = typeof PROFILE_NAMES[number];

/** Roles of the routes a check can address; resolved to a method and path per profile. */
export type RouteRole =
  | "health"
  | "root"
  | "token.issue"
  | "token.refresh"
  | "token.revoke"
  | "messages.list"
  | "messages.send"
  | "messages.get"
  | "messages.cancel"
  | "messages.export"
  | "devices.list"
  | "devices.delete"
  | "settings.read"
  | "settings.write"
  | "settings.replace"
  | "inbox.list"
  | "inbox.refresh"
  | "inbox.attachment"
  | "webhooks.list"
  | "webhooks.write"
  | "webhooks.delete"
  | "logs.read";

/** One route of a deployment: where it lives and which scope guards it. */
export interface RouteSpec {
  /** The role a check uses to address this route. */
  role: RouteRole;
  /** HTTP method. */
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Path relative to the API root; `:name` marks a path parameter. */
  path: string;
  /** Whether any authentication is required. */
  auth: boolean;
  /** Scope the route requires (`null`: authenticated, no scope). */
  scope: string | null;
  /** The wildcard scope does not satisfy this guard (S: `RequireScope(..., WithExact())`). */
  exact?: boolean;
  /** Success may change state on a real deployment (a send, a settings write, a webhook). */
  sideEffect?: boolean;
  /** Extra paths served by the same handler (legacy singular aliases). */
  aliases?: string[];
}

/** How a deployment answers token routes. */
export type TokenSupport = "jwt" | "disabled" | "placeholder";

/** The facts of one deployment profile. */
export interface Profile {
  /** Profile name. */
  name: ProfileName;
  /** Human title. */
  title: string;
  /** Which implementation family: the Go server (S) or the Android app (A). */
  implementation: "go" | "android";
  /** What kind of deployment this is and which versions. */
  description: string;
  /** Default API root path under the origin. */
  pathPrefix: string;
  /** Token routes: real JWT, disabled (501 JSON), or placeholder (501 empty). */
  tokens: TokenSupport;
  /** Whether `/auth/token/refresh` exists and rotates pairs. */
  refresh: boolean;
  /** Status of a successful `POST /auth/token`. */
  issueStatus: number;
  /** Status of a successful refresh (S: 201; Android: 200). */
  refreshStatus: number;
  /** Status for Basic credentials on the refresh route (S: 403 exact scope; Android: 401). */
  basicRefreshStatus: number;
  /** The `iss` claim of issued tokens. */
  issuer: string;
  /** The wildcard scope granted to Basic credentials. */
  wildcardScope: string;
  /** The scope vocabulary the deployment knows (its route guards draw from it). */
  scopes: readonly string[];
  /** Unknown scope names in a token request are refused with 400. */
  rejectsUnknownScopes: boolean;
  /** Default access-token TTL in seconds (S: `jwt.access_ttl` 15m; Android: 86400). */
  defaultTtl: number;
  /** What happens to a requested ttl above the maximum: silently capped, or refused with 400. */
  ttlOverMax: "cap" | "reject";
  /** Largest accepted ttl in seconds when `ttlOverMax` is "reject"; else the cap (configurable). */
  ttlMax: number;
  /** Body text of a 403 for a missing scope; `{scope}` is replaced by the scope name. */
  forbiddenMessage: string;
  /** The body of an authentication failure: JSON envelope, or empty with a challenge header. */
  unauthorized: { body: "json"; message: string } | { body: "empty"; challenge: string };
  /** Body of a 501 from a token route: JSON message, or empty. */
  notImplemented: { body: "json"; message: string } | { body: "empty" };
  /** `expires_at` carries fractional seconds (Android: milliseconds). */
  expiresAtMillis: boolean;
  /** Claims of issued access tokens that identify the caller and token kind. */
  claims: { sub: boolean; userId: boolean; tokenUse: boolean };
  /** Status for an unknown path when unauthenticated (S: 401 since auth runs first). */
  unknownPathStatus: number;
  /** The routes the deployment serves. */
  routes: readonly RouteSpec[];
  /** Where these facts come from. */
  sources: readonly string[];
}

const SERVER_SCOPES = [
  "devices:list",
  "devices:delete",
  "inbox:list",
  "inbox:refresh",
  "logs:read",
  "messages:cancel",
  "messages:send",
  "messages:read",
  "messages:list",
  "messages:export",
  "settings:read",
  "settings:write",
  "tokens:manage",
  "webhooks:list",
  "webhooks:write",
  "webhooks:delete",
] as const;

const LOCAL_SCOPES = [
  "messages:send",
  "messages:read",
  "messages:export",
  "messages:cancel",
  "inbox:list",
  "inbox:read",
  "inbox:refresh",
  "devices:list",
  "webhooks:list",
  "webhooks:write",
  "webhooks:delete",
  "settings:read",
  "settings:write",
  "logs:read",
  "tokens:manage",
] as const;

const SERVER_ROUTES: readonly RouteSpec[] = [
  {
    role: "health",
    method: "GET",
    path: "/health",
    auth: false,
    scope: null,
    aliases: ["/health/live", "/health/ready", "/health/startup"],
  },
  { role: "token.issue", method: "POST", path: "/auth/token", auth: true, scope: "tokens:manage" },
  {
    role: "token.refresh",
    method: "POST",
    path: "/auth/token/refresh",
    auth: true,
    scope: "tokens:refresh",
    exact: true,
  },
  {
    role: "token.revoke",
    method: "DELETE",
    path: "/auth/token/:jti",
    auth: true,
    scope: "tokens:manage",
  },
  {
    role: "messages.list",
    method: "GET",
    path: "/messages",
    auth: true,
    scope: "messages:list",
    aliases: ["/message"],
  },
  {
    role: "messages.send",
    method: "POST",
    path: "/messages",
    auth: true,
    scope: "messages:send",
    sideEffect: true,
    aliases: ["/message"],
  },
  {
    role: "messages.get",
    method: "GET",
    path: "/messages/:id",
    auth: true,
    scope: "messages:read",
    aliases: ["/message/:id"],
  },
  {
    role: "messages.cancel",
    method: "DELETE",
    path: "/messages/:id",
    auth: true,
    scope: "messages:cancel",
    sideEffect: true,
    aliases: ["/message/:id"],
  },
  {
    role: "messages.export",
    method: "POST",
    path: "/messages/inbox/export",
    auth: true,
    scope: "messages:export",
    sideEffect: true,
    aliases: ["/message/inbox/export"],
  },
  {
    role: "devices.list",
    method: "GET",
    path: "/devices",
    auth: true,
    scope: "devices:list",
    aliases: ["/device"],
  },
  {
    role: "devices.delete",
    method: "DELETE",
    path: "/devices/:id",
    auth: true,
    scope: "devices:delete",
    sideEffect: true,
    aliases: ["/device/:id"],
  },
  { role: "settings.read", method: "GET", path: "/settings", auth: true, scope: "settings:read" },
  {
    role: "settings.write",
    method: "PATCH",
    path: "/settings",
    auth: true,
    scope: "settings:write",
    sideEffect: true,
  },
  {
    role: "settings.replace",
    method: "PUT",
    path: "/settings",
    auth: true,
    scope: "settings:write",
    sideEffect: true,
  },
  { role: "inbox.list", method: "GET", path: "/inbox", auth: true, scope: "inbox:list" },
  {
    role: "inbox.refresh",
    method: "POST",
    path: "/inbox/refresh",
    auth: true,
    scope: "inbox:refresh",
    sideEffect: true,
  },
  { role: "webhooks.list", method: "GET", path: "/webhooks", auth: true, scope: "webhooks:list" },
  {
    role: "webhooks.write",
    method: "POST",
    path: "/webhooks",
    auth: true,
    scope: "webhooks:write",
    sideEffect: true,
  },
  {
    role: "webhooks.delete",
    method: "DELETE",
    path: "/webhooks/:id",
    auth: true,
    scope: "webhooks:delete",
    sideEffect: true,
  },
  { role: "logs.read", method: "GET", path: "/logs", auth: true, scope: "logs:read" },
];

const LOCAL_ROUTES: readonly RouteSpec[] = [
  { role: "health", method: "GET", path: "/health", auth: false, scope: null },
  { role: "root", method: "GET", path: "/", auth: true, scope: null },
  { role: "token.issue", method: "POST", path: "/auth/token", auth: true, scope: "tokens:manage" },
  {
    role: "token.refresh",
    method: "POST",
    path: "/auth/token/refresh",
    auth: true,
    scope: "tokens:refresh",
    exact: true,
  },
  {
    role: "token.revoke",
    method: "DELETE",
    path: "/auth/token/:jti",
    auth: true,
    scope: "tokens:manage",
  },
  {
    role: "messages.list",
    method: "GET",
    path: "/messages",
    auth: true,
    scope: "messages:read",
    aliases: ["/message"],
  },
  {
    role: "messages.send",
    method: "POST",
    path: "/messages",
    auth: true,
    scope: "messages:send",
    sideEffect: true,
    aliases: ["/message"],
  },
  {
    role: "messages.get",
    method: "GET",
    path: "/messages/:id",
    auth: true,
    scope: "messages:read",
    aliases: ["/message/:id"],
  },
  {
    role: "messages.cancel",
    method: "DELETE",
    path: "/messages/:id",
    auth: true,
    scope: "messages:cancel",
    sideEffect: true,
    aliases: ["/message/:id"],
  },
  {
    role: "messages.export",
    method: "POST",
    path: "/messages/inbox/export",
    auth: true,
    scope: "messages:export",
    sideEffect: true,
    aliases: ["/message/inbox/export"],
  },
  { role: "devices.list", method: "GET", path: "/device", auth: true, scope: "devices:list" },
  { role: "settings.read", method: "GET", path: "/settings", auth: true, scope: "settings:read" },
  {
    role: "settings.write",
    method: "PATCH",
    path: "/settings",
    auth: true,
    scope: "settings:write",
    sideEffect: true,
  },
  { role: "inbox.list", method: "GET", path: "/inbox", auth: true, scope: "inbox:list" },
  {
    role: "inbox.attachment",
    method: "GET",
    path: "/inbox/:id/attachments/:partId",
    auth: true,
    scope: "inbox:read",
  },
  {
    role: "inbox.refresh",
    method: "POST",
    path: "/inbox/refresh",
    auth: true,
    scope: "inbox:refresh",
    sideEffect: true,
  },
  {
    role: "webhooks.list",
    method: "GET",
    path: "/webhooks",
    auth: true,
    scope: "webhooks:list",
    aliases: ["/webhook"],
  },
  {
    role: "webhooks.write",
    method: "POST",
    path: "/webhooks",
    auth: true,
    scope: "webhooks:write",
    sideEffect: true,
    aliases: ["/webhook"],
  },
  {
    role: "webhooks.delete",
    method: "DELETE",
    path: "/webhooks/:id",
    auth: true,
    scope: "webhooks:delete",
    sideEffect: true,
    aliases: ["/webhook/:id"],
  },
  { role: "logs.read", method: "GET", path: "/logs", auth: true, scope: "logs:read" },
];

/** Android v1.52.1-v1.54.0: Basic only, no scopes; token routes are 501 placeholders. */
const LEGACY_ROUTES: readonly RouteSpec[] = LOCAL_ROUTES
  .filter((r) => r.role !== "token.refresh" && r.role !== "inbox.attachment")
  .map((r) => ({ ...r, scope: null, exact: undefined }));

const SERVER_BASE = {
  implementation: "go",
  pathPrefix: "/3rdparty/v1",
  issueStatus: 201,
  refreshStatus: 201,
  basicRefreshStatus: 403,
  issuer: "sms-gate.app",
  wildcardScope: "all:any",
  scopes: SERVER_SCOPES,
  rejectsUnknownScopes: false,
  defaultTtl: 900,
  ttlOverMax: "cap",
  ttlMax: 900,
  forbiddenMessage: "scope required: {scope}",
  unauthorized: { body: "json", message: "Unauthorized" },
  expiresAtMillis: false,
  claims: { sub: true, userId: true, tokenUse: false },
  unknownPathStatus: 401,
  routes: SERVER_ROUTES,
  sources: [
    "S:internal/sms-gateway/handlers/3rdparty.go",
    "S:internal/sms-gateway/handlers/thirdparty/auth.go",
    "S:internal/sms-gateway/jwt/service.go",
  ],
} as const;

const LOCAL_BASE = {
  implementation: "android",
  pathPrefix: "",
  issueStatus: 201,
  refreshStatus: 200,
  basicRefreshStatus: 401,
  issuer: "me.capcom.smsgateway",
  wildcardScope: "all:any",
  scopes: LOCAL_SCOPES,
  rejectsUnknownScopes: true,
  defaultTtl: 86400,
  ttlOverMax: "reject",
  ttlMax: 31536000,
  forbiddenMessage: "Insufficient permissions",
  unauthorized: { body: "empty", challenge: 'Basic realm="Access to SMS Gateway", charset=UTF-8' },
  expiresAtMillis: true,
  claims: { sub: false, userId: false, tokenUse: true },
  unknownPathStatus: 404,
  sources: [
    "A:app/src/main/java/me/capcom/smsgateway/modules/localserver/WebService.kt",
    "A:app/src/main/java/me/capcom/smsgateway/modules/localserver/routes/AuthRoutes.kt",
    "A:app/src/main/java/me/capcom/smsgateway/modules/localserver/auth/JwtService.kt",
  ],
} as const;

/** Every profile by name. */
export const PROFILES: Readonly<Record<ProfileName, Profile>> = {
  server: {
    ...SERVER_BASE,
    name: "server",
    title: "SMSGate server (cloud / self-hosted, JWT enabled)",
    description: "Go server v1.36+ with jwt.secret set: Basic and JWT bearer, refresh rotation.",
    tokens: "jwt",
    refresh: true,
    notImplemented: { body: "empty" },
  },
  "server-nojwt": {
    ...SERVER_BASE,
    name: "server-nojwt",
    title: "SMSGate server with JWT disabled",
    description: "Go server with jwt.secret empty: token routes answer 501, any Bearer 401.",
    tokens: "disabled",
    refresh: false,
    notImplemented: {
      body: "json",
      message: "token service disabled, contact your administrator",
    },
    sources: [...SERVER_BASE.sources, "S:internal/sms-gateway/jwt/disabled.go"],
  },
  local: {
    ...LOCAL_BASE,
    name: "local",
    title: "Android Local Server v1.64+",
    description: "Android app local server with JWT access/refresh pairs (app v1.64.0+).",
    tokens: "jwt",
    refresh: true,
    routes: LOCAL_ROUTES,
    notImplemented: { body: "empty" },
  },
  "local-legacy": {
    ...LOCAL_BASE,
    name: "local-legacy",
    title: "Android Local Server v1.52.1-v1.54.0",
    description: "Android app local server with placeholder token routes (501, empty body).",
    tokens: "placeholder",
    refresh: false,
    routes: LEGACY_ROUTES,
    notImplemented: { body: "empty" },
    sources: [
      ...LOCAL_BASE.sources,
      "A:commit 5a73fff ([localserver] add placeholders for JWT routes)",
    ],
  },
};

/** Returns the profile named `name`, or throws a usage error listing the valid names. */
export function getProfile(name: string): Profile {
  if ((PROFILE_NAMES as readonly string[]).includes(name)) return PROFILES[name as ProfileName];
  throw new Error(`Unknown profile "${name}": expected one of ${PROFILE_NAMES.join(", ")}`);
}

/** Returns the route with `role` in `profile`, or undefined when the deployment lacks it. */
export function findRoute(profile: Profile, role: RouteRole): RouteSpec | undefined {
  return profile.routes.find((r) => r.role === role);
}

/** The 403 body message for a missing `scope` on `profile`. */
export function forbiddenMessage(profile: Profile, scope: string): string {
  return profile.forbiddenMessage.replace("{scope}", scope);
}
