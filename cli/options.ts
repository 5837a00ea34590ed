/**
 * CLI flag values, validated with zod. Each command declares a schema for its flags; commander
 * only collects strings, and `parseFlags` turns every problem into one UsageError line that
 * names the flag, the value and the expected form (exit 2, no stack trace).
 *
 * @module
 */

import { z } from "zod";
import { parseByteSize } from "../load/byte_size.ts";
import { parseDuration } from "../load/duration.ts";
import { UsageError } from "./errors.ts";

/** A duration such as `10s`, `1m30s`, `500ms` (k6/Go syntax), as milliseconds. */
export const durationMs = z.string().transform((v, ctx) => {
  try {
    const ms = parseDuration(v);
    if (ms > 0) return ms;
  } catch {
    // reported below
  }
  ctx.addIssue({
    code: "custom",
    message: "expected a positive duration such as 10s, 500ms or 1m30s",
  });
  return z.NEVER;
});

/** A duration checked but kept as text (for commands that parse it themselves). */
export const durationText = z.string().refine(
  (v) => durationMs.safeParse(v).success,
  "expected a positive duration such as 10s, 500ms or 1m30s",
);

/** A size checked but kept as text. */
export const byteSizeText = z.string().refine((v) => {
  try {
    parseByteSize(v);
    return true;
  } catch {
    return false;
  }
}, "expected a size such as 10MB, 64MiB or 1048576 (bytes)");

/** A duration with a unit, in whole seconds (`15m`, `90s`): token TTLs. */
export const durationSeconds = z.string().transform((v, ctx) => {
  if (/^\s*[0-9.]+\s*$/.test(v)) {
    ctx.addIssue({ code: "custom", message: `add a unit, such as ${v.trim()}s or 15m` });
    return z.NEVER;
  }
  let ms = NaN;
  try {
    ms = parseDuration(v);
  } catch {
    // reported below
  }
  if (!(ms >= 1000) || ms % 1000 !== 0) {
    ctx.addIssue({
      code: "custom",
      message: "expected a whole number of seconds such as 90s or 15m",
    });
    return z.NEVER;
  }
  return ms / 1000;
});

/** A size such as `1MiB`, `10MB` or a number of bytes. */
export const byteSize = z.string().transform((v, ctx) => {
  try {
    return parseByteSize(v);
  } catch (e) {
    ctx.addIssue({ code: "custom", message: (e as Error).message });
    return z.NEVER;
  }
});

/** A TCP port, 0 meaning any free port. */
export const port = z.string().regex(/^\d{1,5}$/, "expected a number from 0 to 65535")
  .transform(Number).refine((n) => n <= 65535, "expected a number from 0 to 65535");

/** A whole number within bounds. */
export function wholeNumber(min: number, max: number) {
  return z.string().regex(/^\d+$/, `expected a whole number from ${min} to ${max}`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `expected a whole number from ${min} to ${max}`);
}

/** `-e KEY=VALUE` with a name of letters, digits and underscores. */
export const envPair = z.string().regex(
  /^[A-Za-z_][A-Za-z0-9_]*=/,
  "expected KEY=VALUE with a name of letters, digits and underscores",
);

/** A phone number in E.164. */
export const e164 = z.string().regex(/^\+[1-9][0-9]{6,14}$/, "expected E.164, e.g. +15550001234");

/** `USER:PASSWORD` with both parts non-empty. */
export const userPass = z.string().regex(
  /^[^:]+:.+$/,
  "expected USER:PASSWORD with both parts non-empty",
)
  .transform((v) => {
    const i = v.indexOf(":");
    return { username: v.slice(0, i), password: v.slice(i + 1) };
  });

/** The flag spelling of an option key: `maxBody` is `--max-body`. */
export function flagName(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/**
 * Validates `opts` (commander's parsed strings) with `schema`; throws one UsageError naming every
 * bad flag, its value and the expected form. Secret-bearing flags never echo their value.
 */
export function parseFlags<S extends z.ZodType>(schema: S, opts: unknown): z.output<S> {
  const r = schema.safeParse(opts);
  if (r.success) return r.data;
  const lines = r.error.issues.map((issue) => {
    const key = String(issue.path[0] ?? "");
    const raw = (opts as Record<string, unknown>)[key];
    const value = Array.isArray(raw) ? raw[Number(issue.path[1] ?? 0)] : raw;
    const secret = /password|secret/i.test(key) || key === "user";
    const shown = value === undefined || secret ? "" : ` ${JSON.stringify(value)}`;
    return `Cannot parse ${key ? flagName(key) : "the options"}${shown}: ${issue.message}`;
  });
  throw new UsageError(lines.join("\n"));
}

/** Collects a repeatable flag. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Splits a comma-separated list flag, dropping blanks. */
export function parseList(value: string): string[] {
  return value.split(",").map((s) => s.trim()).filter((s) => s !== "");
}
