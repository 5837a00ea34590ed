/**
 * Profile detection (`--profile auto`): a few harmless probes tell the four deployment kinds
 * apart, and every conclusion comes with the evidence that led to it.
 *
 * @module
 */

import type { ProfileName } from "../smsgate/profiles.ts";
import {
  BodyTooLarge,
  decodeClaims,
  DEFAULT_MAX_BODY_BYTES,
  readBodyLimited,
  transportCause,
} from "./engine.ts";

/** What detection found. */
export interface DetectionResult {
  /** The profile, or null when the evidence does not fit any. */
  profile: ProfileName | null;
  /** One line per observation. */
  evidence: string[];
  /** The credentials were refused: a configuration problem, not a conformance failure. */
  credentialsRefused?: boolean;
}

/** The target could not be reached at all. */
export class UnreachableError extends Error {}

interface _Probe {
  status: number;
  text: string;
  headers: Headers;
}

/** Probes `url` with Basic credentials and classifies it. */
export async function detectProfile(
  url: string,
  username: string,
  password: string,
  options: { fetch?: typeof fetch; timeoutMs?: number } = {},
): Promise<DetectionResult> {
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const root = url.replace(/\/+$/, "");
  const basic = `Basic ${btoa(`${username}:${password}`)}`;
  const probe = async (method: string, path: string, init: RequestInit = {}): Promise<_Probe> => {
    try {
      const res = await doFetch(root + path, {
        method,
        redirect: "manual",
        signal: AbortSignal.timeout(timeoutMs),
        ...init,
      });
      const text = await readBodyLimited(res, DEFAULT_MAX_BODY_BYTES);
      return { status: res.status, text, headers: res.headers };
    } catch (e) {
      const err = e as Error;
      if (err instanceof BodyTooLarge) {
        throw new UnreachableError(`Cannot probe ${root}${path}: ${err.message}`);
      }
      const why = err.name === "TimeoutError"
        ? `no response within ${timeoutMs} ms`
        : transportCause(err);
      throw new UnreachableError(`Cannot reach ${root}: ${why}`);
    }
  };
  const evidence: string[] = [];
  const anon = await probe("GET", "/devices");
  const challenge = anon.headers.get("www-authenticate");
  evidence.push(
    `GET /devices without credentials: ${anon.status}${
      anon.text ? " with a body" : ", empty body"
    }${challenge ? `, WWW-Authenticate: ${challenge}` : ""}`,
  );
  const issued = await probe("POST", "/auth/token", {
    headers: { authorization: basic, "content-type": "application/json" },
    body: JSON.stringify({ scopes: ["devices:list"], ttl: 60 }),
  });
  const prefix = `POST /auth/token with Basic credentials: ${issued.status}`;
  if (issued.status === 401) {
    evidence.push(`${prefix}: the credentials were refused`);
    return { profile: null, evidence, credentialsRefused: true };
  }
  if (issued.status === 404) {
    evidence.push(
      `${prefix}: no token route here; is the URL the API root (https://api.sms-gate.app/3rdparty/v1, http://host:3000/api/3rdparty/v1 or http://phone:8080)?`,
    );
    return { profile: null, evidence };
  }
  if (issued.status === 501) {
    if (issued.text === "") {
      evidence.push(
        `${prefix} with an empty body: Android placeholder token routes (v1.52.1-v1.54.0)`,
      );
      return { profile: "local-legacy", evidence };
    }
    evidence.push(`${prefix} with a JSON message: the server with JWT disabled (jwt.secret empty)`);
    return { profile: "server-nojwt", evidence };
  }
  if (issued.status === 200 || issued.status === 201) {
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(issued.text);
    } catch {
      evidence.push(`${prefix} but the body is not JSON`);
      return { profile: null, evidence };
    }
    const claims = decodeClaims(body.access_token) ?? {};
    const hasRefresh = typeof body.refresh_token === "string";
    // Tidy up: the probe token is revoked right away.
    if (typeof body.id === "string") {
      const revoked = await probe("DELETE", `/auth/token/${encodeURIComponent(body.id)}`, {
        headers: { authorization: basic },
      });
      evidence.push(`probe token revoked (DELETE /auth/token/{id}: ${revoked.status})`);
    }
    if ("token_use" in claims || claims.iss === "me.capcom.smsgateway") {
      evidence.push(
        `${prefix}; token claims carry ${
          "token_use" in claims ? "token_use" : "no token_use"
        } and iss ${JSON.stringify(claims.iss)}: the Android local server`,
      );
      if (!hasRefresh) {
        evidence.push(
          "no refresh_token in the response: Android v1.55.0-v1.63.x (access tokens only); the local profile expects v1.64+, so refresh checks will fail",
        );
      }
      return { profile: "local", evidence };
    }
    if ("user_id" in claims) {
      evidence.push(
        `${prefix}; token claims carry user_id and iss ${
          JSON.stringify(claims.iss)
        }: the SMSGate server with JWT enabled`,
      );
      return { profile: "server", evidence };
    }
    evidence.push(`${prefix} but the token claims match no known deployment`);
    return { profile: null, evidence };
  }
  evidence.push(`${prefix}: not a status a correct deployment answers`);
  // Fall back on the unauthenticated answer: the Go server's auth runs first (401 JSON), the
  // Android server's router first (404). The checks then show what is wrong.
  if (anon.status === 401 && /json/i.test(anon.headers.get("content-type") ?? "")) {
    const guess: ProfileName = issued.status >= 500 ? "server-nojwt" : "server";
    evidence.push(`the unauthenticated 401 JSON answer says SMSGate server: checking as ${guess}`);
    return { profile: guess, evidence };
  }
  if (anon.status === 404) {
    evidence.push(
      "the unauthenticated 404 on /devices says Android local server: checking as local",
    );
    return { profile: "local", evidence };
  }
  return { profile: null, evidence };
}
