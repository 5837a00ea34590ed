/**
 * Real result documents for reporter tests, built in-process: the reference server (optionally
 * with defects) and the conformance engine share a fake clock, as suites/mutation.ts runs them,
 * so the expiry waits cost no real time and a full run of every suite takes a fraction of a
 * second. Also a hostile variant of a document whose strings try to inject markup.
 *
 * @module
 */

import { detectProfile } from "../../suites/detect.ts";
import type { Check } from "../../suites/model.ts";
import { ALL_CHECKS } from "../../suites/registry.ts";
import type { ConformanceResult } from "../../suites/result.ts";
import { runConformance } from "../../suites/runner.ts";
import { withVirtual } from "../../suites/testdata/harness.ts";

/** What {@linkcode runChecks} runs. */
export interface RunChecksOptions {
  /** Deployment profile of the reference server (default `server`). */
  profile?: string;
  /** Defects to inject. */
  defects?: string[];
  /** Checks (default: every built-in check). */
  checks?: readonly Check[];
  /** Probe the server first and record the detection as `--profile auto` would (default true). */
  detect?: boolean;
}

/** Runs checks against an in-process reference server on virtual time; returns the document. */
export async function runChecks(options: RunChecksOptions = {}): Promise<ConformanceResult> {
  return await withVirtual(
    { profile: options.profile ?? "server", defects: options.defects ?? [] },
    async (v) => {
      const detect = options.detect ?? true;
      const found = detect
        ? await detectProfile(v.target.url, v.target.username, v.target.password)
        : undefined;
      return await runConformance({
        target: v.target,
        checks: options.checks ?? ALL_CHECKS,
        profileSource: detect ? "auto" : "explicit",
        detection: found ? { profile: found.profile, evidence: found.evidence } : undefined,
        embedded: true,
        deps: v.deps,
      });
    },
  );
}

/** Markup a hostile target might send: it must show up as text, never run or load. */
export const HOSTILE =
  `</pre></td></tr></table><script>window.__pwned=1</script><img src="http://127.0.0.1:9/x.png" onerror="window.__pwned=2"><a href="javascript:window.__pwned=3">x</a>\u202e`;

/**
 * A copy of `doc` whose target-controlled strings carry {@linkcode HOSTILE} markup: the first
 * failing check's message, actual value and last response body and headers, a passing check's
 * title, a detection evidence line, and a requirement link with a `javascript:` URL.
 */
export function hostileCopy(doc: ConformanceResult): ConformanceResult {
  const out = structuredClone(doc);
  const failing = out.checks.find((c) => c.status === "fail");
  if (!failing) throw new Error("Cannot make a hostile copy: the document has no failing check");
  failing.message = `Got ${HOSTILE}`;
  failing.actual = `200 ${HOSTILE}`;
  const last = failing.transcript.at(-1);
  if (last?.response) {
    last.response.body = HOSTILE;
    last.response.headers["x-evil"] = `"><script>window.__pwned=4</script>`;
  }
  const passing = out.checks.find((c) => c.status === "pass");
  if (passing) passing.title += ` <b onmouseover="window.__pwned=5">bold</b>`;
  out.target.detection?.evidence.push(`server says ${HOSTILE}`);
  if (out.requirements[0]) out.requirements[0].link = "javascript:window.__pwned=6";
  return out;
}
