/**
 * Where a command points: an explicit target (flags, then SMSGATE_* environment variables) or
 * the embedded reference server started in-process on a free loopback port.
 *
 * @module
 */

import { type ReferenceServer, startReferenceServer } from "../fixtures/reference_server.ts";
import { UsageError } from "./errors.ts";
import { warn } from "./output.ts";

/** Flags every targeting command shares. */
export interface TargetFlags {
  /** API root URL. */
  target?: string;
  /** Basic username. */
  username?: string;
  /** Basic password. */
  password?: string;
}

/** A resolved target. */
export interface ResolvedTarget {
  /** API root URL. */
  url: string;
  /** Basic username. */
  username: string;
  /** Basic password. */
  password: string;
  /** The embedded server, when no target was given (stop it when done). */
  embedded?: ReferenceServer;
}

/** Validates an API root URL. */
export function parseTargetUrl(value: string, flag = "--target"): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(
      `Cannot parse ${flag} "${value}": expected an http(s) URL of the API root, e.g. https://api.sms-gate.app/3rdparty/v1`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`Cannot use ${flag} "${value}": only http and https URLs are supported`);
  }
  if (url.username || url.password) {
    throw new UsageError(
      `Cannot use credentials inside ${flag}: pass them with --username and SMSGATE_PASSWORD instead`,
    );
  }
  return url.toString().replace(/\/+$/, "");
}

/**
 * Resolves the target from flags and environment. Returns null when no target is given (the
 * caller then embeds the reference server).
 */
export function resolveExplicitTarget(flags: TargetFlags): Omit<ResolvedTarget, "embedded"> | null {
  const env = (k: string) => {
    const v = Deno.env.get(k);
    return v === undefined || v === "" ? undefined : v;
  };
  const rawUrl = flags.target ?? env("SMSGATE_URL");
  if (rawUrl === undefined) {
    if (flags.username || flags.password) {
      throw new UsageError("Cannot use --username or --password without --target (or SMSGATE_URL)");
    }
    return null;
  }
  const url = parseTargetUrl(rawUrl, flags.target ? "--target" : "SMSGATE_URL");
  const username = flags.username ?? env("SMSGATE_USERNAME");
  const password = flags.password ?? env("SMSGATE_PASSWORD");
  if (flags.password !== undefined) {
    warn("--password is visible in the process list and shell history; prefer SMSGATE_PASSWORD");
  }
  if (!username || !password) {
    throw new UsageError(
      "Cannot authenticate: give the Basic credentials with --username (or SMSGATE_USERNAME) and SMSGATE_PASSWORD",
    );
  }
  return { url, username, password };
}

/** Starts the embedded reference server for `profile`. */
export async function embeddedTarget(profile: string): Promise<ResolvedTarget> {
  const server = await startReferenceServer({ profile });
  const u = server.users[0];
  return { url: server.url, username: u.username, password: u.password, embedded: server };
}
