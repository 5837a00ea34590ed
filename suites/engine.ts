/**
 * The conformance engine: interprets one check's steps against a target over real HTTP (fetch),
 * evaluates expectations, records a redacted transcript and returns a CheckResult.
 *
 * @module
 */

import { isDeepStrictEqual } from "node:util";
import { createHmac } from "node:crypto";
import { findRoute, forbiddenMessage, type Profile, type RouteSpec } from "../smsgate/profiles.ts";
import { parseDuration } from "../load/duration.ts";
import type { Auth, Check, Condition, Expect, Step } from "./model.ts";
import { Redactor } from "./redact.ts";
import type { CheckResult, Exchange } from "./result.ts";
import { PROBE_ID_PREFIX, SAFE_BODIES } from "./safe_payloads.ts";

/** The deployment under test. */
export interface Target {
  /** API root URL. */
  url: string;
  /** Basic credentials. */
  username: string;
  /** Basic password. */
  password: string;
  /** Deployment facts the checks read. */
  profile: Profile;
  /** The deployment's JWT secret, when known: enables checks that sign test tokens. */
  jwtSecret?: string;
  /** Run checks with side effects. */
  allowSend: boolean;
  /** Test recipient for side-effect checks (E.164). */
  phone?: string;
  /** Per-request timeout, covering the response body. */
  timeoutMs: number;
  /** Largest response body read (bytes); larger bodies make the check an error. */
  maxBodyBytes?: number;
}

/** Default response body limit of conformance requests: SMSGate answers are small. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** Injectable effects (tests pass fakes). */
export interface EngineDeps {
  /** HTTP client. */
  fetch: typeof fetch;
  /** Sleep. */
  sleep: (ms: number) => Promise<void>;
  /** Local time in ms. */
  now: () => number;
}

/** Default effects: global fetch, real timers, wall clock. */
export const defaultDeps: EngineDeps = {
  fetch: (input, init) => fetch(input, init),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  now: () => Date.now(),
};

/** A failed expectation: what was expected and what came back. */
class Failure extends Error {
  constructor(message: string, readonly expected?: string, readonly actual?: string) {
    super(message);
  }
}

/** A problem that is not the target's fault (bad reference, unreachable target). */
class CheckError extends Error {}

interface Captured {
  body: unknown;
  /** Local expiry estimate (ms) for issued tokens. */
  expiresLocal?: number;
}

interface Response_ {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
  /** Estimated server clock minus local clock (ms), from the Date header. */
  skew: number;
  /** Local time when the request started. */
  startedAt: number;
}

function _random(): string {
  const b = crypto.getRandomValues(new Uint8Array(12));
  return PROBE_ID_PREFIX + Array.from(b, (x) => (x % 36).toString(36)).join("");
}

function _b64url(s: string | Uint8Array): string {
  const bytes = typeof s === "string" ? new TextEncoder().encode(s) : s;
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function _decodeSegment(seg: string): Record<string, unknown> | null {
  try {
    const pad = seg.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((seg.length + 3) % 4);
    const v = JSON.parse(
      new TextDecoder().decode(Uint8Array.from(atob(pad), (c) => c.charCodeAt(0))),
    );
    return v && typeof v === "object" && !Array.isArray(v) ? v : null;
  } catch {
    return null;
  }
}

/** Decodes a JWT's claims without verifying it; null when it is not a JWT. */
export function decodeClaims(token: unknown): Record<string, unknown> | null {
  if (typeof token !== "string") return null;
  const parts = token.split(".");
  return parts.length === 3 ? _decodeSegment(parts[1]) : null;
}

function _show(v: unknown): string {
  if (v === undefined) return "(absent)";
  const s = typeof v === "string" ? JSON.stringify(v) : JSON.stringify(v) ?? String(v);
  return s.length > 300 ? `${s.slice(0, 300)}…` : s;
}

/** Runs checks against one target. */
export class Engine {
  readonly #t: Target;
  readonly #d: EngineDeps;
  readonly #redactor: Redactor;

  /** Creates an engine for `target`. */
  constructor(target: Target, deps: Partial<EngineDeps> = {}) {
    this.#t = target;
    this.#d = { ...defaultDeps, ...deps };
    this.#redactor = new Redactor([target.password, target.jwtSecret]);
  }

  /** Whether `check` applies to the target's profile; returns the reason when it does not. */
  applies(check: Check): string | null {
    const p = this.#t.profile;
    if (check.profiles && !check.profiles.includes(p.name)) {
      return `applies to ${check.profiles.join(", ")} only`;
    }
    for (const [fact, want] of Object.entries(check.when ?? {})) {
      const have = (p as unknown as Record<string, unknown>)[fact];
      const ok = Array.isArray(want)
        ? want.some((w) => isDeepStrictEqual(w, have))
        : isDeepStrictEqual(want, have);
      if (!ok) {
        return `applies when ${fact} is ${_show(want)} (profile ${p.name} has ${_show(have)})`;
      }
    }
    if (check.route && !findRoute(p, check.route as RouteSpec["role"])) {
      return `profile ${p.name} has no ${check.route} route`;
    }
    return null;
  }

  /** Runs one check and returns its result (never throws). */
  async run(check: Check): Promise<CheckResult> {
    const started = this.#d.now();
    const transcript: Exchange[] = [];
    const base = {
      id: check.id,
      suite: check.suite,
      title: check.title,
      requirements: check.requirements,
      profile: this.#t.profile.name,
    };
    const done = (
      status: CheckResult["status"],
      extra: Partial<CheckResult> = {},
    ): CheckResult => ({
      ...base,
      status,
      durationMs: Math.round(this.#d.now() - started),
      transcript,
      ...extra,
    });
    const notApplicable = this.applies(check);
    if (notApplicable) return done("skip", { message: `Not applicable: ${notApplicable}` });
    if (check.needsSecret && !this.#t.jwtSecret) {
      return done("skip", {
        message: "Needs the deployment's JWT secret to sign test tokens: pass --jwt-secret",
      });
    }
    if (check.sideEffect && !this.#t.allowSend) {
      return done("skip", {
        message:
          "Has side effects on a real deployment: pass --allow-send --phone NUMBER to run it",
      });
    }
    const vars = new Map<string, Captured>();
    try {
      for (const [i, step] of check.steps.entries()) {
        await this.#step(check, step, i + 1, vars, transcript);
      }
      return done("pass");
    } catch (e) {
      // Last line of defence: nothing leaves a check unredacted.
      const r = (t: string | undefined) => (t === undefined ? undefined : this.#redactor.text(t));
      if (e instanceof Failure) {
        return done("fail", {
          message: r(e.message),
          expected: r(e.expected),
          actual: r(e.actual),
        });
      }
      return done("error", { message: r((e as Error).message) });
    }
  }

  async #step(check: Check, step: Step, n: number, vars: Map<string, Captured>, tr: Exchange[]) {
    if ("issue" in step) {
      const body: Record<string, unknown> = {
        scopes: step.issue.scopes.map((s) => this.#interp(check, s, vars)),
      };
      if (step.issue.ttl !== undefined) body.ttl = step.issue.ttl;
      const res = await this.#send(
        check,
        `step ${n}: issue ${step.as}`,
        {
          route: "token.issue",
          auth: "basic",
          json: body,
        },
        vars,
        tr,
      );
      const want = this.#t.profile.issueStatus;
      _requireJson(res, `Step ${n}: the token response`);
      if (
        res.status !== want || !res.json ||
        typeof (res.json as Record<string, unknown>).access_token !== "string"
      ) {
        throw new Failure(
          `Step ${n}: could not obtain a token to test with (POST token route with Basic credentials)`,
          `${want} with an access_token`,
          `${res.status} ${_show(_parseOr(this.#redactor.body(res.text)))}`,
        );
      }
      const ttl = step.issue.ttl;
      const claims = decodeClaims((res.json as Record<string, unknown>).access_token);
      let expiresLocal: number | undefined;
      if (ttl !== undefined) expiresLocal = res.startedAt + ttl * 1000;
      else if (typeof claims?.exp === "number") expiresLocal = claims.exp * 1000 - res.skew;
      vars.set(step.as, { body: res.json, expiresLocal });
      return;
    }
    if ("refresh" in step) {
      const res = await this.#send(
        check,
        `step ${n}: refresh ${step.as}`,
        {
          route: "token.refresh",
          auth: { bearer: step.refresh },
        },
        vars,
        tr,
      );
      if (res.status >= 200 && res.status < 300) {
        _requireJson(res, `Step ${n}: the refresh response`);
      }
      this.#expect(check, n, step.expect ?? { status: "$refreshStatus" }, res, vars);
      vars.set(step.as, { body: res.json });
      return;
    }
    if ("request" in step) {
      const roles = step.forEach
        ? step.forEach.map((r) => this.#interp(check, r, vars)).filter((r) =>
          findRoute(this.#t.profile, r as RouteSpec["role"])
        )
        : [undefined];
      for (const role of roles) {
        const req = role ? { ...step.request, route: role } : step.request;
        const label = `step ${n}: ${req.route ?? `${req.method} ${req.path}`}`;
        const res = await this.#send(check, label, req, vars, tr);
        this.#expect(check, n, step.expect, res, vars, req.route);
        if (step.as) vars.set(step.as, { body: res.json });
      }
      return;
    }
    if ("waitExpiry" in step) {
      const v = vars.get(step.waitExpiry);
      if (v?.expiresLocal === undefined) {
        throw new CheckError(`Step ${n}: "${step.waitExpiry}" is not an issued token`);
      }
      const until = v.expiresLocal + parseDuration(step.plus);
      const ms = until - this.#d.now();
      if (ms > 0) await this.#d.sleep(ms);
      return;
    }
    if ("forge" in step) {
      vars.set(step.as, { body: this.#forge(check, step.forge, vars) });
      return;
    }
  }

  #forge(
    check: Check,
    f: Extract<Step, { forge: unknown }>["forge"],
    vars: Map<string, Captured>,
  ): string {
    const token = f.from === undefined ? "e30.e30.e30" : this.#ref(check, f.from, vars);
    if (typeof token !== "string" || token.split(".").length !== 3) {
      throw new CheckError(`Cannot forge from "${f.from}": it is not a JWT`);
    }
    const [h, p, s] = token.split(".");
    const claims = { ...(_decodeSegment(p) ?? {}) };
    const nowSec = Math.floor(this.#d.now() / 1000);
    for (const [k, v] of Object.entries(f.claims ?? {})) {
      if (v === null) delete claims[k];
      else {
        const m = typeof v === "string" ? /^@now([+-]\d+)?$/.exec(v) : null;
        claims[k] = m
          ? nowSec + Number(m[1] ?? 0)
          : typeof v === "string"
          ? this.#interp(check, v, vars)
          : v;
      }
    }
    const payload = _b64url(JSON.stringify(claims));
    const sign = (key: string | Uint8Array, header: string) =>
      _b64url(createHmac("sha256", key).update(`${header}.${payload}`).digest());
    switch (f.kind) {
      case "alg-none":
        return `${_b64url(JSON.stringify({ alg: "none", typ: "JWT" }))}.${payload}.`;
      case "strip-signature":
        return `${h}.${p}.`;
      case "tamper":
        return `${h}.${payload}.${s}`;
      case "resign": {
        const header = _b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
        return `${header}.${payload}.${sign(f.key ?? "", header)}`;
      }
      case "sign": {
        if (!this.#t.jwtSecret) {
          throw new CheckError("Cannot sign test tokens without --jwt-secret");
        }
        const header = _b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
        return `${header}.${payload}.${sign(this.#t.jwtSecret, header)}`;
      }
      default:
        throw new CheckError(`Unknown forgery "${f.kind}"`);
    }
  }

  /** Resolves `name.path` (or `${name.path}`) to a captured value. */
  #ref(check: Check, ref: string, vars: Map<string, Captured>): unknown {
    const m = /^\$\{(.+)\}$/.exec(ref);
    const path = m ? m[1] : ref;
    const [name, ...rest] = path.split(".");
    const v = vars.get(name);
    if (!v) throw new CheckError(`Check ${check.id} refers to "${name}" before it was captured`);
    return rest.length ? _get(v.body, rest.join(".")) : v.body;
  }

  /** Interpolates `${...}` references and `$fact` / `${route.*}` in a string. */
  #interp(check: Check, s: string, vars: Map<string, Captured>): string {
    const whole = /^\$(\w+)$/.exec(s);
    if (whole) return String(this.#fact(whole[1]));
    return s.replace(/\$\{([^}]+)\}/g, (_m, path: string) => {
      if (path.startsWith("route.")) return this.#routeVar(check, path.slice(6));
      if (path === "username") return this.#t.username;
      const v = this.#ref(check, path, vars);
      if (v === undefined) throw new CheckError(`Check ${check.id}: "${path}" is absent`);
      return typeof v === "string" ? v : JSON.stringify(v);
    });
  }

  #routeVar(check: Check, name: string): string {
    const route = check.route
      ? findRoute(this.#t.profile, check.route as RouteSpec["role"])
      : undefined;
    if (!route) throw new CheckError(`Check ${check.id} uses \${route.${name}} but has no route`);
    if (name === "scope") return route.scope ?? "";
    if (name === "otherScope") {
      const other = this.#t.profile.scopes.find((s) =>
        s !== route.scope && s !== "tokens:manage"
      ) ??
        this.#t.profile.scopes.find((s) => s !== route.scope);
      return other ?? "";
    }
    if (name === "role") return route.role;
    throw new CheckError(`Unknown route variable "${name}"`);
  }

  #fact(name: string): unknown {
    const v = (this.#t.profile as unknown as Record<string, unknown>)[name];
    if (v === undefined) throw new CheckError(`Unknown profile fact "$${name}"`);
    return v;
  }

  #resolveValue(check: Check, v: unknown, vars: Map<string, Captured>): unknown {
    if (typeof v === "string") {
      const whole = /^\$(\w+)$/.exec(v);
      if (whole) return this.#fact(whole[1]);
      const ref = /^\$\{([^}]+)\}$/.exec(v);
      if (ref && !ref[1].startsWith("route.") && ref[1] !== "username") {
        return this.#ref(check, ref[1], vars);
      }
      return this.#interp(check, v, vars);
    }
    if (Array.isArray(v)) return v.map((x) => this.#resolveValue(check, x, vars));
    return v;
  }

  async #send(
    check: Check,
    label: string,
    req: Extract<Step, { request: unknown }>["request"],
    vars: Map<string, Captured>,
    tr: Exchange[],
  ): Promise<Response_> {
    const p = this.#t.profile;
    let method = req.method as string | undefined;
    let path = req.path ? this.#interp(check, req.path, vars) : undefined;
    let route: RouteSpec | undefined;
    if (req.route) {
      route = findRoute(p, req.route as RouteSpec["role"]);
      if (!route) throw new CheckError(`Profile ${p.name} has no ${req.route} route`);
      method = route.method;
      path = route.path.replace(/:(\w+)/g, (_m, name: string) => {
        const given = req.params?.[name];
        return encodeURIComponent(
          given !== undefined ? this.#interp(check, given, vars) : _random(),
        );
      });
    }
    const headers: Record<string, string> = {};
    const auth = this.#authHeader(check, req.auth, vars);
    if (auth !== null) headers.authorization = auth;
    let body: string | undefined;
    const safe = req.safeBody && route ? SAFE_BODIES[route.role] : undefined;
    const json = req.json !== undefined ? req.json : safe && "json" in safe ? safe.json : undefined;
    const raw = req.raw ?? (safe && "raw" in safe ? safe.raw : undefined);
    if (json !== undefined) {
      body = JSON.stringify(this.#resolveValue(check, json, vars) ?? json);
      headers["content-type"] = "application/json";
    } else if (raw) {
      body = raw.body;
      headers["content-type"] = raw.contentType;
    }
    const url = this.#t.url.replace(/\/+$/, "") +
      (path === "/" && this.#t.url.endsWith("/") ? "" : path);
    const startedAt = this.#d.now();
    const exchange: Exchange = {
      step: label,
      request: {
        method: method!,
        url: this.#redactor.url(url),
        headers: this.#redactor.headers(headers),
        ...(body !== undefined ? { body: this.#redactor.body(body) } : {}),
      },
      durationMs: 0,
    };
    tr.push(exchange);
    let res: Response;
    try {
      res = await this.#d.fetch(url, {
        method,
        headers,
        body,
        redirect: "manual",
        signal: AbortSignal.timeout(this.#t.timeoutMs),
      });
    } catch (e) {
      exchange.durationMs = Math.round(this.#d.now() - startedAt);
      const err = e as Error;
      const why = err.name === "TimeoutError"
        ? `no response within ${this.#t.timeoutMs} ms`
        : transportCause(err);
      exchange.error = why;
      throw new CheckError(`${label}: request failed: ${why}`);
    }
    if (res.status >= 300 && res.status < 400) {
      await res.body?.cancel();
      exchange.durationMs = Math.round(this.#d.now() - startedAt);
      exchange.response = { status: res.status, headers: this.#redactor.headers(res.headers) };
      const where = res.headers.get("location");
      throw new CheckError(
        `${label}: the target answered ${res.status} redirecting to ${
          where ? this.#redactor.url(where) : "(no Location)"
        }; redirects are not followed: point --target at the API root`,
      );
    }
    let text: string;
    try {
      text = await readBodyLimited(res, this.#t.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
    } catch (e) {
      exchange.durationMs = Math.round(this.#d.now() - startedAt);
      const err = e as Error;
      const why = err.name === "TimeoutError"
        ? `the response body did not complete within ${this.#t.timeoutMs} ms`
        : err instanceof BodyTooLarge
        ? err.message
        : `reading the response body failed: ${transportCause(err)}`;
      exchange.error = why;
      throw new CheckError(`${label}: ${why}`);
    }
    const end = this.#d.now();
    exchange.durationMs = Math.round(end - startedAt);
    exchange.response = {
      status: res.status,
      headers: this.#redactor.headers(res.headers),
      ...(text !== "" ? { body: this.#redactor.body(text) } : {}),
    };
    let parsed: unknown = undefined;
    try {
      parsed = text === "" ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const date = res.headers.get("date");
    const serverMs = date ? Date.parse(date) : NaN;
    const skew = Number.isNaN(serverMs) ? 0 : serverMs + 500 - (startedAt + end) / 2;
    return { status: res.status, headers: res.headers, text, json: parsed, skew, startedAt };
  }

  #authHeader(check: Check, auth: Auth, vars: Map<string, Captured>): string | null {
    if (auth === "none") return null;
    if (auth === "basic") return `Basic ${btoa(`${this.#t.username}:${this.#t.password}`)}`;
    if ("basic" in auth) {
      const u = this.#interp(check, auth.basic.username, vars);
      const pw = this.#interp(check, auth.basic.password, vars);
      return `Basic ${btoa(`${u}:${pw}`)}`;
    }
    if ("bearer" in auth) {
      const token = this.#ref(check, auth.bearer, vars);
      if (typeof token !== "string") {
        throw new Failure(
          `Cannot use "${auth.bearer}" as a bearer token: the response did not contain it`,
          "a token string",
          _show(token),
        );
      }
      return `Bearer ${token}`;
    }
    return this.#interp(check, auth.raw, vars);
  }

  #expect(
    check: Check,
    n: number,
    e: Expect,
    res: Response_,
    vars: Map<string, Captured>,
    role?: string,
  ) {
    const p = this.#t.profile;
    const where = `Step ${n}${role ? ` (${role})` : ""}`;
    // Redact before shortening, so a cut can never leave part of a signature visible.
    const redacted = this.#redactor.body(res.text);
    const bodyShown = res.text === "" ? "(empty body)" : _show(_parseOr(redacted));
    const actual = `${res.status} ${bodyShown}`;
    const fail = (what: string, expected: string) => {
      throw new Failure(
        this.#redactor.text(`${where}: ${what}`),
        this.#redactor.text(expected),
        actual,
      );
    };
    if (e.status !== undefined) {
      const st = e.status;
      if (typeof st === "object" && !Array.isArray(st)) {
        if (st.not.includes(res.status)) {
          fail(`status ${res.status} is not allowed`, `any status but ${st.not.join(", ")}`);
        }
      } else {
        const want = (typeof st === "string"
          ? [this.#fact(st.slice(1))]
          : Array.isArray(st)
          ? st
          : [st]) as number[];
        if (!want.includes(res.status)) {
          fail(`unexpected status ${res.status}`, `status ${want.join(" or ")}`);
        }
      }
    }
    if (e.unauthorized) {
      const u = p.unauthorized;
      if (res.status !== 401) {
        fail(`expected 401 Unauthorized, got ${res.status}`, this.#unauthorizedShape());
      }
      if (u.body === "json") this.#envelope(res, fail, u.message);
      else if (res.text !== "") {
        fail("401 should have an empty body (Ktor challenge)", this.#unauthorizedShape());
      }
    }
    if (e.forbidden !== undefined) {
      const scope = this.#interp(check, e.forbidden, vars);
      const msg = forbiddenMessage(p, scope);
      if (res.status !== 403) {
        fail(
          `expected 403 for the missing scope ${scope}, got ${res.status}`,
          `403 {"message":"${msg}"}`,
        );
      }
      this.#envelope(res, fail, msg);
    }
    if (e.notImplemented) {
      const ni = p.notImplemented;
      const shape = ni.body === "json"
        ? `501 {"message":"${ni.message}"}`
        : "501 with an empty body";
      if (res.status !== 501) fail(`expected 501 Not Implemented, got ${res.status}`, shape);
      if (ni.body === "json") this.#envelope(res, fail, ni.message);
      else if (res.text !== "") fail("501 should have an empty body", shape);
    }
    if (e.envelope) this.#envelope(res, fail);
    if (e.emptyBody && res.text !== "") fail("expected an empty body", "(empty body)");
    if (e.body?.length) _requireJson(res, `Step ${n}: the response`);
    for (const c of e.body ?? []) this.#condition(check, c, res, vars, fail);
  }

  #unauthorizedShape(): string {
    const u = this.#t.profile.unauthorized;
    return u.body === "json"
      ? `401 {"message":"${u.message}"}`
      : `401 with an empty body and WWW-Authenticate`;
  }

  #envelope(res: Response_, fail: (what: string, expected: string) => never, message?: string) {
    const expected = message === undefined
      ? `{"message": "<text>"} as JSON`
      : `{"message":"${message}"} as JSON`;
    const ctype = res.headers.get("content-type") ?? "";
    if (!/json/i.test(ctype)) fail(`error body is not JSON (content-type "${ctype}")`, expected);
    const j = res.json as Record<string, unknown> | undefined;
    if (!j || typeof j !== "object" || typeof j.message !== "string") {
      fail('error body is not the {"message"} envelope', expected);
    }
    if (message !== undefined && j!.message !== message) fail(`error message differs`, expected);
  }

  #condition(
    check: Check,
    c: Condition,
    res: Response_,
    vars: Map<string, Captured>,
    fail: (w: string, e: string) => never,
  ) {
    const value = _getWithJwt(res.json, c.path);
    const nowServer = () => this.#d.now() + res.skew;
    if ("equals" in c) {
      const want = this.#resolveValue(check, c.equals, vars);
      if (!isDeepStrictEqual(value, want)) {
        fail(`${c.path} is ${_show(value)}`, `${c.path} = ${_show(want)}`);
      }
    } else if ("present" in c) {
      const want = typeof c.present === "string"
        ? Boolean(this.#fact(c.present.replace(/^\$/, "")))
        : c.present;
      if ((value !== undefined && value !== null) !== want) {
        fail(
          `${c.path} is ${want ? "missing" : "present"}`,
          `${c.path} ${want ? "present" : "absent"}`,
        );
      }
    } else if ("type" in c) {
      const t = Array.isArray(value) ? "array" : value === null ? "null" : typeof value;
      if (t !== c.type) fail(`${c.path} is ${t}`, `${c.path} of type ${c.type}`);
    } else if ("rfc3339" in c) {
      const ok = typeof value === "string" &&
        /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(value) &&
        !Number.isNaN(Date.parse(value));
      if (!ok) {
        fail(
          `${c.path} is not an RFC 3339 time: ${_show(value)}`,
          `${c.path} as RFC 3339, e.g. "2026-01-02T03:04:05Z"`,
        );
      }
    } else if ("jwt" in c) {
      if (!decodeClaims(value)) {
        fail(`${c.path} is not a JWT`, `${c.path} as a JWT (header.claims.signature)`);
      }
    } else if ("differsFrom" in c) {
      const other = this.#ref(check, c.differsFrom, vars);
      if (isDeepStrictEqual(value, other)) {
        fail(`${c.path} did not change`, `${c.path} different from ${c.differsFrom}`);
      }
    } else if ("equalsPath" in c) {
      const other = _getWithJwt(res.json, c.equalsPath);
      if (value === undefined || !isDeepStrictEqual(value, other)) {
        fail(
          `${c.path} (${_show(value)}) differs from ${c.equalsPath} (${_show(other)})`,
          `${c.path} = ${c.equalsPath}`,
        );
      }
    } else if ("near" in c) {
      const t = _time(value);
      const want = nowServer() + parseDuration(c.near.offset);
      const tol = parseDuration(c.near.tolerance);
      if (t === null || Math.abs(t - want) > tol) {
        fail(
          `${c.path} is ${
            t === null ? _show(value) : `${((t - nowServer()) / 1000).toFixed(1)}s from now`
          }`,
          `${c.path} within ${c.near.tolerance} of now+${c.near.offset}`,
        );
      }
    } else if ("before" in c) {
      const t = _time(value);
      const limit = nowServer() + parseDuration(c.before);
      if (t === null || t >= limit) {
        fail(`${c.path} is not earlier than now+${c.before}`, `${c.path} < now+${c.before}`);
      }
    } else if ("sameTimeAs" in c) {
      const a = _time(value);
      const b = _time(_getWithJwt(res.json, c.sameTimeAs));
      if (a === null || b === null || Math.abs(a - b) > parseDuration(c.tolerance)) {
        fail(
          `${c.path} (${_show(value)}) and ${c.sameTimeAs} differ`,
          `${c.path} = ${c.sameTimeAs} within ${c.tolerance}`,
        );
      }
    }
  }
}

/**
 * The reason a fetch failed: Deno's fetch throws "fetch failed" and keeps the cause (connection
 * refused, DNS, TLS) in `cause`.
 */
export function transportCause(err: Error): string {
  const cause = err.cause instanceof Error ? err.cause.message : "";
  if (!cause) return err.message;
  return cause.replace(/^error sending request for url \([^)]*\): /, "");
}

/** A response body over the limit. */
export class BodyTooLarge extends Error {}

/** Reads a body as text, refusing more than `limit` bytes (cancels the stream past it). */
export async function readBodyLimited(res: Response, limit: number): Promise<string> {
  if (!res.body) return "";
  const declared = Number(res.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > limit) {
    await res.body.cancel();
    throw new BodyTooLarge(
      `the response body is ${declared} bytes, over the ${limit}-byte limit (--max-body)`,
    );
  }
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel();
        throw new BodyTooLarge(
          `the response body exceeded the ${limit}-byte limit (--max-body) before it ended`,
        );
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  return new TextDecoder().decode(all);
}

/** A response the check needs as JSON must be JSON: otherwise the check cannot judge it. */
function _requireJson(res: { text: string; json: unknown; status: number }, what: string): void {
  if (res.text === "" || res.json !== undefined) return;
  let why = "";
  try {
    JSON.parse(res.text);
  } catch (e) {
    why = (e as Error).message;
  }
  throw new CheckError(
    `${what} (${res.status}) is not valid JSON (${why}); ${res.text.length} characters received`,
  );
}

function _parseOr(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function _get(v: unknown, path: string): unknown {
  let cur = v;
  for (const key of path.split(".")) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** `a.b` reads JSON; `access_token#scopes` reads a claim of the JWT at `access_token`. */
function _getWithJwt(v: unknown, path: string): unknown {
  const [field, claim] = path.split("#");
  const base = _get(v, field);
  if (claim === undefined) return base;
  const claims = decodeClaims(base);
  return claims ? _get(claims, claim) : undefined;
}

/** A time in ms from an RFC 3339 string or JWT NumericDate seconds. */
function _time(v: unknown): number | null {
  if (typeof v === "number") return v * 1000;
  if (typeof v === "string") {
    const t = Date.parse(v);
    return Number.isNaN(t) ? null : t;
  }
  return null;
}

/** Marks errors that are not the target's fault (exported for the runner). */
export { CheckError };
