/**
 * The requirement catalogue: what a deployment must do, in one sentence each, with the document
 * it comes from. Checks carry requirement ids; `list` and every report show them, and reports show
 * which requirements no check exercised.
 *
 * @module
 */

/** One requirement. */
export interface Requirement {
  /** Stable id, e.g. `AUTH-TOKEN-201`. */
  id: string;
  /** One-sentence statement. */
  statement: string;
  /** Where it comes from (seed doc, server source, RFC section). */
  source: string;
  /** Link to the source. */
  link: string;
}

const S =
  "https://github.com/android-sms-gateway/server/blob/22074dda6adc71414a00c3457ee057e4fdde510f/";
const A =
  "https://github.com/capcom6/android-sms-gateway/blob/0cdc5d86c6f3cc24101f27feefd926e801e8b2c7/app/src/main/java/me/capcom/smsgateway/modules/localserver/";
const DOCS = "https://docs.sms-gate.app/integration/authentication/";
const RFC = (n: number, section: string) =>
  `https://www.rfc-editor.org/rfc/rfc${n}#section-${section}`;

/** Every requirement, by id. */
export const REQUIREMENTS: readonly Requirement[] = [
  {
    id: "AUTH-TOKEN-201",
    statement: "POST /auth/token with Basic credentials answers 201 Created with a token pair.",
    source: "SMSGate docs, Authentication; S:handlers/thirdparty/auth.go postToken",
    link: DOCS,
  },
  {
    id: "AUTH-TOKEN-BODY",
    statement:
      'The token response has id, token_type "Bearer", access_token, expires_at (RFC 3339) and, where refresh exists, refresh_token.',
    source: "S:openapi smsgateway.TokenResponse; A:routes/AuthRoutes.kt",
    link: `${S}internal/sms-gateway/handlers/thirdparty/auth.go`,
  },
  {
    id: "AUTH-TOKEN-CLAIMS",
    statement:
      "The access token's claims match the response: jti equals id, exp equals expires_at, scopes as requested, iss the deployment's issuer.",
    source: "S:jwt/service.go generatePair; RFC 7519 section 4.1",
    link: `${S}internal/sms-gateway/jwt/service.go`,
  },
  {
    id: "AUTH-TOKEN-TTL",
    statement: "A requested ttl below the maximum is honoured: expires_at is now + ttl.",
    source: "SMSGate docs, Authentication (ttl); S:jwt/service.go",
    link: DOCS,
  },
  {
    id: "AUTH-TOKEN-TTL-MAX",
    statement:
      "A ttl above the maximum is capped to the access TTL (server) or refused with 400 (Android local server).",
    source: "S:jwt/service.go generatePair; A:auth/JwtService.kt",
    link: `${S}internal/sms-gateway/jwt/service.go`,
  },
  {
    id: "AUTH-TOKEN-400",
    statement:
      "Invalid token requests (no scopes, empty scopes, negative ttl, non-JSON body) are refused with 400 and the error envelope.",
    source: "S:handlers/base/handler.go BodyParserValidator; A:routes/AuthRoutes.kt",
    link: `${S}internal/sms-gateway/handlers/base/handler.go`,
  },
  {
    id: "AUTH-SCOPE-VOCAB",
    statement: "The Android local server refuses unknown scope names with 400.",
    source: "A:auth/AuthScopes.kt",
    link: `${A}auth/AuthScopes.kt`,
  },
  {
    id: "AUTH-SCOPE-403",
    statement:
      "A token without a route's scope gets 403 with the deployment's message; a token with it is not refused.",
    source:
      "SMSGate docs, Authentication (scopes); S:handlers/middlewares/permissions; RFC 6750 section 3.1",
    link: `${S}internal/sms-gateway/handlers/middlewares/permissions/permissions.go`,
  },
  {
    id: "AUTH-SCOPE-WILDCARD",
    statement:
      "The all:any scope satisfies every scope guard except the exact-scope refresh route.",
    source: "S:handlers/middlewares/permissions (ScopeAll, WithExact)",
    link: `${S}internal/sms-gateway/handlers/middlewares/permissions/permissions.go`,
  },
  {
    id: "AUTH-REFRESH-EXACT",
    statement: "Only a refresh token is accepted at the refresh route; access tokens get 403.",
    source: "S:handlers/thirdparty/auth.go (RequireScope tokens:refresh, WithExact)",
    link: `${S}internal/sms-gateway/handlers/thirdparty/auth.go`,
  },
  {
    id: "AUTH-REFRESH-NOT-ACCESS",
    statement: "A refresh token is not accepted as an access token on other routes.",
    source: "S:jwt RefreshClaims (scopes [tokens:refresh]); RFC 8725 section 3.11",
    link: RFC(8725, "3.11"),
  },
  {
    id: "AUTH-EXPIRY-401",
    statement:
      "An expired access token gets 401 on every route family, with no leeway beyond one second.",
    source: "SMSGate docs, Authentication (expiry); S:jwt ParseToken; RFC 7519 section 4.1.4",
    link: RFC(7519, "4.1.4"),
  },
  {
    id: "AUTH-501",
    statement:
      "Where tokens are not available, the token routes answer 501 (server: JSON message; Android v1.52.1-v1.54.0: empty body).",
    source: "S:jwt/disabled.go; A:commit 5a73fff (JWT placeholders)",
    link: `${S}internal/sms-gateway/jwt/disabled.go`,
  },
  {
    id: "AUTH-501-ORDER",
    statement: "With JWT disabled, an invalid token request is refused with 400 before 501.",
    source: "S:handlers/thirdparty/auth.go postToken (body parsed before the service)",
    link: `${S}internal/sms-gateway/handlers/thirdparty/auth.go`,
  },
  {
    id: "AUTH-501-BEARER",
    statement: "Where tokens are not available, any Bearer token gets 401.",
    source: "S:jwt/disabled.go ParseToken; S:handlers/middlewares/jwtauth",
    link: `${S}internal/sms-gateway/handlers/middlewares/jwtauth/jwtauth.go`,
  },
  {
    id: "AUTH-REVOKE-204",
    statement:
      "DELETE /auth/token/{id} answers 204 and the revoked token gets 401 everywhere afterwards, including on token routes.",
    source: "SMSGate docs, Authentication (revocation); S:jwt/repository.go Revoke",
    link: `${S}internal/sms-gateway/jwt/repository.go`,
  },
  {
    id: "AUTH-REVOKE-PAIR",
    statement: "Revoking an access token also revokes its paired refresh token.",
    source: "S:jwt/repository.go Revoke (id or parent_jti)",
    link: `${S}internal/sms-gateway/jwt/repository.go`,
  },
  {
    id: "AUTH-REVOKE-IDEMPOTENT",
    statement: "Revoking an unknown token id answers 204 and affects no other token.",
    source: "S:jwt/repository.go Revoke (rows affected not checked)",
    link: `${S}internal/sms-gateway/jwt/repository.go`,
  },
  {
    id: "AUTH-REFRESH-ROTATE",
    statement:
      "POST /auth/token/refresh with a refresh token answers the deployment's status (201 server, 200 Android) with a new pair.",
    source: "S:handlers/thirdparty/auth.go postRefreshToken; A:routes/AuthRoutes.kt",
    link: `${S}internal/sms-gateway/handlers/thirdparty/auth.go`,
  },
  {
    id: "AUTH-REFRESH-REPLAY",
    statement: "A refresh token that was already used is refused with 401.",
    source: "S:jwt/repository.go RotateRefreshToken (ErrTokenReplay); RFC 9700 section 4.14",
    link: "https://www.rfc-editor.org/rfc/rfc9700#section-4.14",
  },
  {
    id: "AUTH-REFRESH-SCOPES",
    statement:
      "The refreshed access token carries exactly the original scopes, never broader ones.",
    source: "S:jwt/service.go RefreshTokenPair (original_scopes)",
    link: `${S}internal/sms-gateway/jwt/service.go`,
  },
  {
    id: "AUTH-REFRESH-BASIC",
    statement: "Basic credentials at the refresh route get 403 on the server and 401 on Android.",
    source: "S:permissions WithExact; A:auth/ScopeAuthorization.kt",
    link: `${A}auth/ScopeAuthorization.kt`,
  },
  {
    id: "AUTH-BASIC-401",
    statement:
      "Wrong password, unknown user, malformed header, no header and unknown schemes get 401 with the deployment's body.",
    source: "S:handlers/middlewares/userauth; RFC 7617 section 2; RFC 9110 section 15.5.2",
    link: `${S}internal/sms-gateway/handlers/middlewares/userauth/userauth.go`,
  },
  {
    id: "AUTH-HEALTH-OPEN",
    statement: "The health endpoint answers without authentication.",
    source: "S:handlers/health.go (registered before auth); A:WebService.kt",
    link: `${S}internal/sms-gateway/handlers/health.go`,
  },
  {
    id: "AUTH-ORDER",
    statement:
      "Authentication (401) is decided before scope (403), and both before body validation (400).",
    source: "S:handlers/3rdparty.go (middleware order)",
    link: `${S}internal/sms-gateway/handlers/3rdparty.go`,
  },
  {
    id: "JWT-ALG",
    statement: "Only HS256-signed tokens are accepted: alg none and stripped signatures get 401.",
    source: "S:jwt ParseToken (WithValidMethods HS256); RFC 8725 section 3.1",
    link: RFC(8725, "3.1"),
  },
  {
    id: "JWT-SIGNATURE",
    statement: "A token whose claims were changed after signing (scopes, exp, iss) gets 401.",
    source: "RFC 7515 section 5.2; S:jwt ParseToken",
    link: "https://www.rfc-editor.org/rfc/rfc7515#section-5.2",
  },
  {
    id: "JWT-CLAIMS-VALIDATED",
    statement:
      "A validly signed token with a wrong issuer, an iat in the future or no exp gets 401 (zero clock skew).",
    source:
      "S:jwt ParseToken (WithIssuer, WithIssuedAt, WithExpirationRequired); RFC 8725 section 3.8",
    link: RFC(8725, "3.8"),
  },
  {
    id: "JWT-KEY-STRENGTH",
    statement: "Tokens re-signed with an empty or guessable HMAC key get 401.",
    source: "S:jwt/config.go Validate (secret >= 32 bytes); RFC 8725 section 3.5",
    link: RFC(8725, "3.5"),
  },
  {
    id: "JWT-GARBAGE",
    statement:
      "Malformed bearer values (not a JWT, bad base64, empty parts) get 401 with the deployment's body.",
    source: "S:handlers/middlewares/jwtauth; RFC 6750 section 3.1",
    link: RFC(6750, "3.1"),
  },
];

/** Looks up a requirement by id. */
export function findRequirement(id: string): Requirement | undefined {
  return REQUIREMENTS.find((r) => r.id === id);
}
