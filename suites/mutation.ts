/**
 * Mutation testing of the suites: the reference server is started once per defect (on every
 * profile the defect applies to) and the suites run against it. Every defect must be killed (at
 * least one check fails), every check must kill at least one defect, and the correct server
 * must pass everything. `npm run mutation` prints the kill matrix and the kill score.
 *
 * @module
 */

import FakeTimers from "@sinonjs/fake-timers";
import { DEFECTS } from "../fixtures/defects.ts";
import { startReferenceServer } from "../fixtures/reference_server.ts";
import { getProfile, PROFILE_NAMES } from "../smsgate/profiles.ts";
import type { Check } from "./model.ts";
import { ALL_CHECKS } from "./registry.ts";
import { mapConcurrent, runConformance } from "./runner.ts";

/** One server run: a defect (or none) on a profile. */
export interface MutantRun {
  /** Defect name, or null for the correct server. */
  defect: string | null;
  /** Profile. */
  profile: string;
  /** Ids of failing (or erroring) checks. */
  failing: string[];
}

/** The outcome of a mutation run. */
export interface MutationReport {
  /** Every run, correct servers first. */
  runs: MutantRun[];
  /** Defects no check detected on some profile: `defect@profile`. */
  survivors: string[];
  /** Checks that detected no defect at all. */
  unkillable: string[];
  /** Checks failing on a correct server: `check@profile`. */
  falseAlarms: string[];
  /** Killed mutants / all mutants, in percent. */
  score: number;
  /** Wall time in ms. */
  durationMs: number;
}

/**
 * One run on virtual time: the server and the engine share a fake clock, and the engine's waits
 * (token expiry) advance it instead of sleeping, so a run takes only its requests' real time.
 */
async function _run(
  checks: readonly Check[],
  defect: string | null,
  profile: string,
): Promise<MutantRun> {
  const clock = FakeTimers.createClock(Date.now());
  const server = await startReferenceServer({
    profile,
    defects: defect ? [defect] : [],
    clock: { now: () => clock.now },
  });
  try {
    const u = server.users[0];
    const doc = await runConformance({
      target: {
        url: server.url,
        username: u.username,
        password: u.password,
        profile: getProfile(profile),
        jwtSecret: server.app.tokens.secretText,
        allowSend: false,
        timeoutMs: 10_000,
      },
      checks,
      profileSource: "explicit",
      embedded: true,
      deps: {
        now: () => clock.now,
        sleep: (ms) => {
          clock.tick(ms);
          return Promise.resolve();
        },
      },
    });
    const failing = doc.checks.filter((c) => c.status === "fail" || c.status === "error").map((c) =>
      c.id
    );
    return { defect, profile, failing };
  } finally {
    await server.close();
  }
}

/** Runs every defect on every profile it applies to, plus the correct server on every profile. */
export async function runMutation(
  options: { checks?: readonly Check[]; concurrency?: number } = {},
): Promise<MutationReport> {
  const started = Date.now();
  const checks = options.checks ?? ALL_CHECKS;
  const jobs: { defect: string | null; profile: string }[] = [
    ...PROFILE_NAMES.map((profile) => ({ defect: null, profile })),
    ...DEFECTS.flatMap((d) => d.profiles.map((profile) => ({ defect: d.name as string, profile }))),
  ];
  const runs = await mapConcurrent(
    jobs,
    options.concurrency ?? 16,
    (j) => _run(checks, j.defect, j.profile),
  );
  const mutants = runs.filter((r) => r.defect !== null);
  const killers = new Set(mutants.flatMap((r) => r.failing));
  const killed = mutants.filter((r) => r.failing.length > 0).length;
  return {
    runs,
    survivors: mutants.filter((r) => r.failing.length === 0).map((r) => `${r.defect}@${r.profile}`),
    unkillable: checks.filter((c) => !killers.has(c.id)).map((c) => c.id),
    falseAlarms: runs.filter((r) => r.defect === null).flatMap((r) =>
      r.failing.map((id) => `${id}@${r.profile}`)
    ),
    score: mutants.length ? Math.round((killed / mutants.length) * 1000) / 10 : 100,
    durationMs: Date.now() - started,
  };
}

/** Renders the kill matrix: one row per defect, one column per check (numbered below). */
export function renderKillMatrix(
  report: MutationReport,
  checks: readonly Check[] = ALL_CHECKS,
): string {
  const mutants = report.runs.filter((r) => r.defect !== null);
  const byDefect = new Map<string, { profiles: string[]; failing: Set<string> }>();
  for (const r of mutants) {
    const row = byDefect.get(r.defect!) ?? { profiles: [], failing: new Set<string>() };
    row.profiles.push(r.profile);
    for (const id of r.failing) row.failing.add(id);
    byDefect.set(r.defect!, row);
  }
  const width = Math.max(...[...byDefect.keys()].map((k) => k.length));
  const lines: string[] = [];
  const tens = checks.map((_, i) => (i + 1 >= 10 ? String(Math.floor((i + 1) / 10)) : " ")).join(
    "",
  );
  const ones = checks.map((_, i) => String((i + 1) % 10)).join("");
  lines.push(`${"".padEnd(width)}  ${tens}`);
  lines.push(`${"defect \\ check".padEnd(width)}  ${ones}  kills`);
  for (const [name, row] of byDefect) {
    const cells = checks.map((c) => (row.failing.has(c.id) ? "x" : ".")).join("");
    lines.push(`${name.padEnd(width)}  ${cells}  ${row.failing.size}`);
  }
  lines.push("");
  lines.push("checks:");
  checks.forEach((c, i) => {
    const n = mutants.filter((r) => r.failing.includes(c.id)).length;
    lines.push(`  ${String(i + 1).padStart(2)} ${c.id.padEnd(28)} killed ${n} mutant(s)`);
  });
  const total = mutants.length;
  const killed = mutants.filter((r) => r.failing.length > 0).length;
  lines.push("");
  lines.push(
    `defects: ${byDefect.size} (${total} defect x profile mutants), checks: ${checks.length}`,
  );
  lines.push(`survivors: ${report.survivors.length ? report.survivors.join(", ") : "none"}`);
  lines.push(
    `checks killing no defect: ${report.unkillable.length ? report.unkillable.join(", ") : "none"}`,
  );
  lines.push(
    `failures on the correct server: ${
      report.falseAlarms.length ? report.falseAlarms.join(", ") : "none"
    }`,
  );
  lines.push(
    `kill score: ${report.score}% (${killed}/${total} mutants killed) in ${
      (report.durationMs / 1000).toFixed(1)
    }s`,
  );
  return lines.join("\n");
}

if (import.meta.main) {
  const report = await runMutation();
  console.log(renderKillMatrix(report));
  const ok = report.survivors.length === 0 && report.unkillable.length === 0 &&
    report.falseAlarms.length === 0;
  Deno.exit(ok ? 0 : 1);
}
