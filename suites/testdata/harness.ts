/**
 * Test harness for the suites and CLI tests: a reference server and an engine target sharing one
 * fake clock (as suites/mutation.ts runs them, so expiry waits cost no real time), a tiny scripted
 * HTTP server for crafted responses, a closed loopback port, JWT decoding, and a runner for the
 * real CLI as a subprocess.
 *
 * @module
 */

import { createHmac } from "node:crypto";
import { fileURLToPath } from "node:url";
import FakeTimers from "@sinonjs/fake-timers";
import {
  type Credentials,
  type ReferenceServer,
  startReferenceServer,
} from "../../fixtures/reference_server.ts";
import { getProfile } from "../../smsgate/profiles.ts";
import type { EngineDeps, Target } from "../engine.ts";
import { type Check, type CheckInput, CheckSchema } from "../model.ts";

/** The repository root (where main.ts lives). */
export const REPO_ROOT: string = fileURLToPath(new URL("../../", import.meta.url));

/** Options of a reference server on virtual time. */
export interface VirtualOptions {
  /** Deployment profile (default `server`). */
  profile?: string;
  /** Active defects. */
  defects?: string[];
  /** Users (default: one generated user). */
  users?: Credentials[];
  /** Server access TTL in seconds. */
  accessTtl?: number;
  /** Give the engine the server's JWT secret (default true). */
  withSecret?: boolean;
  /** Let side-effect checks run. */
  allowSend?: boolean;
  /** Per-request timeout of the engine (default 10 s). */
  timeoutMs?: number;
  /** HTTP client for the engine (default: global fetch). */
  fetch?: typeof fetch;
}

/** A reference server and an engine target on one fake clock. */
export interface VirtualServer {
  /** The running server. */
  server: ReferenceServer;
  /** The shared fake clock. */
  clock: FakeTimers.Clock;
  /** The engine's view of the server. */
  target: Target;
  /** Engine effects on the fake clock: `sleep` advances it and records the duration. */
  deps: EngineDeps;
  /** Every duration (ms) the engine slept. */
  slept: number[];
  /** Stops the server. */
  close(): Promise<void>;
}

/** Starts a reference server whose clock the engine shares; sleeps advance it instantly. */
export async function startVirtual(options: VirtualOptions = {}): Promise<VirtualServer> {
  const profile = options.profile ?? "server";
  const clock = FakeTimers.createClock(Date.now());
  const server = await startReferenceServer({
    profile,
    defects: options.defects ?? [],
    users: options.users,
    accessTtl: options.accessTtl,
    clock: { now: () => clock.now },
  });
  const slept: number[] = [];
  const u = server.users[0];
  return {
    server,
    clock,
    slept,
    target: {
      url: server.url,
      username: u.username,
      password: u.password,
      profile: getProfile(profile),
      jwtSecret: options.withSecret === false ? undefined : server.app.tokens.secretText,
      allowSend: options.allowSend ?? false,
      timeoutMs: options.timeoutMs ?? 10_000,
    },
    deps: {
      fetch: options.fetch ?? ((input, init) => fetch(input, init)),
      now: () => clock.now,
      sleep: (ms) => {
        slept.push(ms);
        clock.tick(ms);
        return Promise.resolve();
      },
    },
    close: () => server.close(),
  };
}

/** Runs `fn` with a virtual server and always closes it. */
export async function withVirtual<T>(
  options: VirtualOptions,
  fn: (v: VirtualServer) => Promise<T>,
): Promise<T> {
  const v = await startVirtual(options);
  try {
    return await fn(v);
  } finally {
    await v.close();
  }
}

/** A scripted loopback server answering whatever the test's handler returns. */
export interface ScriptedServer {
  /** Base URL, e.g. `http://127.0.0.1:12345`. */
  url: string;
  /** Requests received, in order (method, path, headers, body text). */
  received: { method: string; path: string; headers: Headers; body: string }[];
  /** Stops the server. */
  close(): Promise<void>;
}

/** Starts a loopback server that records requests and answers with `handler`. */
export function startScripted(
  handler: (req: Request, body: string) => Response | Promise<Response>,
): ScriptedServer {
  const received: ScriptedServer["received"] = [];
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen() {} },
    async (req) => {
      const body = await req.text();
      received.push({
        method: req.method,
        path: new URL(req.url).pathname,
        headers: req.headers,
        body,
      });
      return await handler(req, body);
    },
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    received,
    close: () => server.shutdown(),
  };
}

/** A loopback URL whose port was free a moment ago and is closed now (connection refused). */
export function closedPortUrl(): string {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return `http://127.0.0.1:${port}`;
}

/** Validates a check as written (applies the schema's defaults). */
export function makeCheck(input: CheckInput): Check {
  return CheckSchema.parse(input);
}

/** Encodes text or JSON as base64url without padding. */
export function b64url(value: string | Uint8Array): string {
  const bytes = typeof value === "string" ? new TextEncoder().encode(value) : value;
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The three parts of a JWT, header and claims decoded (throws when it is not a JWT). */
export function decodeJwt(token: string): {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  signature: string;
  signingInput: string;
} {
  const parts = token.split(".");
  if (parts.length !== 3) throw new Error(`Cannot decode "${token}": expected three parts`);
  const json = (seg: string) => {
    const b64 = seg.replace(/-/g, "+").replace(/_/g, "/");
    const bin = atob(b64 + "===".slice((b64.length + 3) % 4));
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0))));
  };
  return {
    header: json(parts[0]),
    claims: json(parts[1]),
    signature: parts[2],
    signingInput: `${parts[0]}.${parts[1]}`,
  };
}

/** The HS256 signature (base64url) of `input` under `key`. */
export function hs256(input: string, key: string): string {
  return b64url(new Uint8Array(createHmac("sha256", key).update(input).digest()));
}

/** Builds an unsigned-looking JWT from header and claims with the given signature text. */
export function fakeJwt(claims: Record<string, unknown>, signature = "c2lnbmF0dXJl"): string {
  return `${b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }))}.${
    b64url(JSON.stringify(claims))
  }.${signature}`;
}

/** What a CLI subprocess did. */
export interface CliRun {
  /** Exit code. */
  code: number;
  /** Standard output. */
  stdout: string;
  /** Standard error. */
  stderr: string;
}

/**
 * Runs `main.ts` with `args` as a subprocess from the repository root. SMSGATE_* variables of the
 * test's own environment are blanked (an empty value counts as unset) unless `env` sets them;
 * NO_COLOR is set.
 */
export async function runCli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "main.ts", ...args],
    cwd: REPO_ROOT,
    env: {
      NO_COLOR: "1",
      SMSGATE_URL: "",
      SMSGATE_USERNAME: "",
      SMSGATE_PASSWORD: "",
      SMSGATE_PASSWORD_FILE: "",
      GITHUB_STEP_SUMMARY: "",
      ...env,
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}
