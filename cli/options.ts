/**
 * Parsers for CLI option values, each failing with a UsageError that names the flag and the
 * expected form.
 *
 * @module
 */

import { parseDuration } from "../load/duration.ts";
import { UsageError } from "./errors.ts";

/** Parses a Go-style duration with a unit ("15m", "90s", "1h30m") into whole seconds. */
export function parseSecondsFlag(flag: string, value: string): number {
  if (/^\s*[0-9.]+\s*$/.test(value)) {
    throw new UsageError(`Cannot parse ${flag} "${value}": add a unit such as ${value}s or 15m`);
  }
  let ms: number;
  try {
    ms = parseDuration(value);
  } catch (e) {
    throw new UsageError(`Cannot parse ${flag} "${value}": ${(e as Error).message}`);
  }
  if (!(ms >= 1000) || ms % 1000 !== 0) {
    throw new UsageError(
      `Cannot parse ${flag} "${value}": expected a positive whole number of seconds such as 90s or 15m`,
    );
  }
  return ms / 1000;
}

/** Parses a TCP port (0 = any free port). */
export function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) {
    throw new UsageError(`Cannot parse --port "${value}": expected a number from 0 to 65535`);
  }
  return n;
}

/** Parses `U:P` credentials. */
export function parseUserPass(value: string): { username: string; password: string } {
  const i = value.indexOf(":");
  if (i <= 0 || i === value.length - 1) {
    throw new UsageError(`Cannot parse --user: expected USER:PASSWORD with both parts non-empty`);
  }
  return { username: value.slice(0, i), password: value.slice(i + 1) };
}

/** Splits a comma-separated list flag, dropping blanks. */
export function parseList(value: string): string[] {
  return value.split(",").map((s) => s.trim()).filter((s) => s !== "");
}
