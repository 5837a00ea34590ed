/**
 * Helpers shared by the SMSGate load scripts: the target from `__ENV`, Basic credentials, token
 * requests and small `__ENV` readers. Plain JavaScript only (no Deno or Node APIs), so the
 * scripts also run under real k6. It holds no state: per-VU state lives in each script.
 *
 * @module
 */

import http from "k6/http";
import type { RefinedResponse } from "k6/http";

/** Where the scripts send load, from `__ENV` (`-e` under k6; the `load` command sets them). */
export interface Target {
  /** API root without a trailing slash, e.g. `http://127.0.0.1:3000/3rdparty/v1`. */
  url: string;
  /** `Basic ...` header value. */
  basic: string;
}

/** A token pair as the token endpoints return it, with its expiry in epoch ms. */
export interface TokenPair {
  /** Access token id (jti), for `DELETE /auth/token/{id}`. */
  id: string;
  /** Access token. */
  access: string;
  /** Refresh token (empty when the deployment returns none). */
  refresh: string;
  /** Access token expiry, epoch ms (NaN when it cannot be parsed). */
  expiresAt: number;
  /** When the client obtained it, epoch ms. */
  obtainedAt: number;
}

const _B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

function _utf8(text: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else {
      out.push(
        0xf0 | (c >> 18),
        0x80 | ((c >> 12) & 63),
        0x80 | ((c >> 6) & 63),
        0x80 | (c & 63),
      );
    }
  }
  return out;
}

/** Base64 of the UTF-8 bytes of `text` (k6 has no `btoa`). */
export function base64(text: string): string {
  const b = _utf8(text);
  let out = "";
  for (let i = 0; i < b.length; i += 3) {
    const n = (b[i] << 16) | ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0);
    out += _B64[(n >> 18) & 63] + _B64[(n >> 12) & 63] +
      (i + 1 < b.length ? _B64[(n >> 6) & 63] : "=") +
      (i + 2 < b.length ? _B64[n & 63] : "=");
  }
  return out;
}

/** A string from `__ENV`, or `fallback` when unset or empty. */
export function envString(name: string, fallback: string): string {
  const v = __ENV[name];
  return v === undefined || v === "" ? fallback : v;
}

/** A number from `__ENV`, or `fallback`; throws when set but not a number. */
export function envNumber(name: string, fallback: number): number {
  const v = __ENV[name];
  if (v === undefined || v === "") return fallback;
  const n = Number(v);
  if (!isFinite(n)) throw new Error(`Cannot use ${name}=${v}: expected a number`);
  return n;
}

/** The target from `__ENV`; throws with what to set when it is incomplete. */
export function targetFromEnv(): Target {
  const url = __ENV.SMSGATE_URL;
  const username = __ENV.SMSGATE_USERNAME;
  const password = __ENV.SMSGATE_PASSWORD;
  if (!url || !username || !password) {
    throw new Error(
      "Cannot find the target: set SMSGATE_URL, SMSGATE_USERNAME and SMSGATE_PASSWORD (k6 run -e NAME=VALUE ...)",
    );
  }
  return { url: url.replace(/\/+$/, ""), basic: `Basic ${base64(`${username}:${password}`)}` };
}

/** Whether the URL's host is a loopback address (`localhost`, `127.x.x.x`, `[::1]`). */
export function isLoopback(url: string): boolean {
  const m = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/]*@)?(\[[^\]]*\]|[^:/?#]*)/i.exec(url);
  if (m === null) return false;
  const host = m[1].toLowerCase();
  return host === "localhost" || host.endsWith(".localhost") || /^127\./.test(host) ||
    host === "[::1]";
}

/** Parses a token response body; null when it is not a token pair. */
export function tokenPair(res: RefinedResponse<"text">, now: number): TokenPair | null {
  let body: unknown;
  try {
    body = res.json();
  } catch {
    return null;
  }
  if (typeof body !== "object" || body === null) return null;
  const b = body as Record<string, unknown>;
  if (typeof b.access_token !== "string" || typeof b.id !== "string") return null;
  return {
    id: b.id,
    access: b.access_token,
    refresh: typeof b.refresh_token === "string" ? b.refresh_token : "",
    expiresAt: typeof b.expires_at === "string" ? Date.parse(b.expires_at) : NaN,
    obtainedAt: now,
  };
}

/**
 * `POST /auth/token` with Basic credentials for `scopes` (and a TTL in seconds when given);
 * tagged `name:issue`.
 */
export function requestToken(
  t: Target,
  scopes: string[],
  ttlSeconds?: number,
): Promise<RefinedResponse<"text">> {
  const body: Record<string, unknown> = { scopes };
  if (ttlSeconds !== undefined && ttlSeconds > 0) body.ttl = ttlSeconds;
  return http.asyncRequest("POST", `${t.url}/auth/token`, JSON.stringify(body), {
    headers: { Authorization: t.basic, "Content-Type": "application/json" },
    tags: { name: "issue" },
    responseType: "text",
  });
}

/** `POST /auth/token/refresh` with the refresh token as bearer; tagged `name:refresh`. */
export function requestRefresh(t: Target, refreshToken: string): Promise<RefinedResponse<"text">> {
  return http.asyncRequest("POST", `${t.url}/auth/token/refresh`, null, {
    headers: { Authorization: `Bearer ${refreshToken}` },
    tags: { name: "refresh" },
    responseType: "text",
  });
}

/** Whether a token endpoint answered with success (201 on the server, 200 on Android). */
export function tokenIssued(res: { status: number }): boolean {
  return res.status === 200 || res.status === 201;
}
