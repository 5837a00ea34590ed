/**
 * Where a command points: an explicit target (flags, then SMSGATE_* environment variables) or
 * the embedded reference server started in-process on a free loopback port.
 *
 * @module
 */

import type { Command, OptionValues } from "@commander-js/extra-typings";
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
  /** File holding the Basic password (first line). */
  passwordFile?: string;
}

/**
 * Declares the {@linkcode TargetFlags} on a command: `--target`, `--username`, `--password` and
 * `--password-file`. `verb` ends the `--target` help: "omit to <verb> the embedded server".
 */
export function withTargetOptions<
  Args extends unknown[],
  Opts extends OptionValues,
  GlobalOpts extends OptionValues,
>(command: Command<Args, Opts, GlobalOpts>, verb: string) {
  return command
    .option(
      "--target <url>",
      `API root of the deployment (env SMSGATE_URL); omit to ${verb} the embedded server`,
    )
    .option("--username <user>", "Basic username (env SMSGATE_USERNAME)")
    .option(
      "--password <password>",
      "Basic password (prefer env SMSGATE_PASSWORD: flags are visible in ps)",
    )
    .option(
      "--password-file <file>",
      "file whose first line is the Basic password (env SMSGATE_PASSWORD_FILE)",
    );
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
    if (flags.username || flags.password || flags.passwordFile) {
      throw new UsageError(
        "Cannot use --username, --password or --password-file without --target (or SMSGATE_URL)",
      );
    }
    return null;
  }
  const url = parseTargetUrl(rawUrl, flags.target ? "--target" : "SMSGATE_URL");
  const username = flags.username ?? env("SMSGATE_USERNAME");
  if (flags.password !== undefined && flags.passwordFile !== undefined) {
    throw new UsageError("Cannot use both --password and --password-file: give the password once");
  }
  const file = flags.passwordFile ?? env("SMSGATE_PASSWORD_FILE");
  const password = flags.password ?? (file !== undefined ? readPasswordFile(file) : undefined) ??
    env("SMSGATE_PASSWORD");
  if (flags.password !== undefined) {
    warn("--password is visible in the process list and shell history; prefer SMSGATE_PASSWORD");
  }
  if (!username || !password) {
    throw new UsageError(
      "Cannot authenticate: give the Basic credentials with --username (or SMSGATE_USERNAME) and SMSGATE_PASSWORD (or --password-file)",
    );
  }
  return { url, username, password };
}

/**
 * Reads a password from a file (its first line, without the line ending), the way secret
 * stores mount them (Kubernetes secrets, Docker secrets, CI secret files).
 */
export function readPasswordFile(path: string): string {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (e) {
    const why = e instanceof Deno.errors.NotFound ? "no such file" : (e as Error).message;
    throw new UsageError(`Cannot read --password-file ${path}: ${why}`);
  }
  const first = text.split(/\r?\n/)[0];
  if (first === "") {
    throw new UsageError(`Cannot use --password-file ${path}: its first line is empty`);
  }
  return first;
}

/** Starts the embedded reference server for `profile`. */
export async function embeddedTarget(profile: string): Promise<ResolvedTarget> {
  const server = await startReferenceServer({ profile });
  const u = server.users[0];
  return { url: server.url, username: u.username, password: u.password, embedded: server };
}
