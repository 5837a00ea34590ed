/**
 * Runs a set of checks against one target concurrently (each check uses its own tokens, so
 * independent checks and their expiry waits overlap) and assembles the result document.
 *
 * @module
 */

import pkg from "../package.json" with { type: "json" };
import { Engine, type EngineDeps, type Target } from "./engine.ts";
import type { Check } from "./model.ts";
import { REQUIREMENTS } from "./requirements.ts";
import type { CheckResult, ConformanceResult, Detection, RequirementCoverage } from "./result.ts";

/** Options of a conformance run. */
export interface RunOptions {
  /** The deployment. */
  target: Target;
  /** Checks to run. */
  checks: readonly Check[];
  /** How the profile was chosen. */
  profileSource: "explicit" | "auto";
  /** Detection outcome, when probed. */
  detection?: Detection;
  /** Whether the target is the embedded reference server. */
  embedded: boolean;
  /** Checks in flight at once (default 32). */
  concurrency?: number;
  /** Injected effects (tests). */
  deps?: Partial<EngineDeps>;
  /** Called after each check finishes (progress). */
  onResult?: (r: CheckResult) => void;
}

/** Runs `fn` over `items` with at most `limit` in flight, keeping input order in the output. */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

/** Requirement coverage of a set of results. */
export function coverage(results: readonly CheckResult[]): RequirementCoverage[] {
  return REQUIREMENTS.map((r) => {
    const exercised = results.filter((c) => c.requirements.includes(r.id) && c.status !== "skip");
    const related = results.filter((c) => c.requirements.includes(r.id));
    const notApplicable = related.length > 0 &&
      related.every((c) => c.status === "skip" && (c.message ?? "").startsWith("Not applicable"));
    const status: RequirementCoverage["status"] = exercised.length === 0
      ? (notApplicable ? "not-applicable" : "uncovered")
      : exercised.some((c) => c.status === "fail" || c.status === "error")
      ? "fail"
      : "pass";
    return { ...r, checks: exercised.map((c) => c.id), status };
  });
}

/** Runs the checks and returns the result document. */
export async function runConformance(o: RunOptions): Promise<ConformanceResult> {
  const startedAt = new Date();
  const engine = new Engine(o.target, o.deps);
  const detected = o.detection?.profile;
  const mismatch = o.profileSource === "explicit" && detected && detected !== o.target.profile.name;
  const results = await mapConcurrent(o.checks, o.concurrency ?? 32, async (check) => {
    const r = await engine.run(check);
    if (mismatch && (r.status === "fail" || r.status === "error")) {
      r.hint = `The target looks like profile "${detected}" (${
        o.detection!.evidence.at(-1)
      }); --profile ${o.target.profile.name} may be wrong: try --profile ${detected} or --profile auto`;
    }
    o.onResult?.(r);
    return r;
  });
  const finishedAt = new Date();
  const count = (s: CheckResult["status"]) => results.filter((r) => r.status === s).length;
  return {
    schemaVersion: 1,
    kind: "conformance",
    tool: { name: "smsgate-testkit", version: pkg.version },
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - startedAt.getTime(),
    target: {
      url: _stripCredentials(o.target.url),
      embedded: o.embedded,
      profile: o.target.profile.name,
      profileSource: o.profileSource,
      ...(o.detection ? { detection: o.detection } : {}),
    },
    summary: {
      total: results.length,
      passed: count("pass"),
      failed: count("fail"),
      skipped: count("skip"),
      errors: count("error"),
    },
    checks: results,
    requirements: coverage(results),
  };
}

function _stripCredentials(u: string): string {
  try {
    const url = new URL(u);
    url.username = "";
    url.password = "";
    return url.toString().replace(/\/$/, "");
  } catch {
    return u;
  }
}

/**
 * The result document of a run that could not start because the target is unreachable: every
 * selected check is an error naming the cause, so reports are still written (exit code 3).
 */
export function unreachableResult(
  o: Pick<RunOptions, "checks" | "profileSource" | "detection" | "embedded"> & {
    url: string;
    profile: string;
  },
  cause: string,
): ConformanceResult {
  const now = new Date().toISOString();
  const results: CheckResult[] = o.checks.map((c) => ({
    id: c.id,
    suite: c.suite,
    title: c.title,
    requirements: c.requirements,
    profile: o.profile,
    status: "error",
    durationMs: 0,
    message: `Not run: ${cause}`,
    transcript: [],
  }));
  return {
    schemaVersion: 1,
    kind: "conformance",
    tool: { name: "smsgate-testkit", version: pkg.version },
    startedAt: now,
    finishedAt: now,
    durationMs: 0,
    target: {
      url: _stripCredentials(o.url),
      embedded: o.embedded,
      profile: o.profile,
      profileSource: o.profileSource,
      ...(o.detection ? { detection: o.detection } : {}),
    },
    unreachable: cause,
    summary: { total: results.length, passed: 0, failed: 0, skipped: 0, errors: results.length },
    checks: results,
    requirements: coverage(results),
  };
}
