// Tests of baselines of expected failures: parsing with located errors, comparison of real runs
// (the reference server with and without a defect, on virtual time) in both directions, and
// writing a baseline from a run.
import assert from "node:assert/strict";
import { join } from "node:path";
import { runChecks } from "../reports/testdata/conformance_run.ts";
import {
  applyBaseline,
  type Baseline,
  BaselineError,
  baselineFromResults,
  countedFailures,
  entriesFor,
  loadBaseline,
  parseBaselineText,
  renderBaseline,
} from "./baseline.ts";
import { ALL_CHECKS, selectChecks } from "./registry.ts";
import type { ConformanceResult } from "./result.ts";

const KNOWN = ALL_CHECKS.map((c) => c.id);
const REVOCATION = selectChecks(["revocation"], ALL_CHECKS);
const REVOKE_NOOP_FAILURES = ["REVOKE-204", "REVOKE-PAIRED-REFRESH", "REVOKE-REVOKED-CANNOT-ACT"];

function problemsOf(text: string, file = "b.yaml"): string[] {
  try {
    parseBaselineText(text, file, { knownIds: KNOWN });
  } catch (e) {
    assert.ok(e instanceof BaselineError, `expected a BaselineError, got ${e}`);
    assert.equal(e.message, `Invalid baseline file ${file}:\n  ${e.problems.join("\n  ")}`);
    return e.problems;
  }
  throw new Error("the baseline loaded, but it is invalid");
}

function run(defects: string[], profile = "server"): Promise<ConformanceResult> {
  return runChecks({ profile, defects, checks: REVOCATION, detect: false });
}

function baseline(...entries: Baseline["expectedFailures"]): Baseline {
  return { version: 1, expectedFailures: entries };
}

Deno.test("parseBaselineText() reads YAML and JSON baselines alike", () => {
  const yaml = `version: 1
expectedFailures:
  - id: REVOKE-204
    reason: revocation is a no-op until 2.3
  - { id: TOKEN-TTL-REJECT, reason: "ttl cap", profile: local }
`;
  const json = JSON.stringify({
    version: 1,
    expectedFailures: [
      { id: "REVOKE-204", reason: "revocation is a no-op until 2.3" },
      { id: "TOKEN-TTL-REJECT", reason: "ttl cap", profile: "local" },
    ],
  });
  const expected = baseline(
    { id: "REVOKE-204", reason: "revocation is a no-op until 2.3" },
    { id: "TOKEN-TTL-REJECT", reason: "ttl cap", profile: "local" },
  );
  assert.deepEqual(parseBaselineText(yaml, "b.yaml", { knownIds: KNOWN }), expected);
  assert.deepEqual(parseBaselineText(json, "b.json", { knownIds: KNOWN }), expected);
  assert.deepEqual(parseBaselineText("version: 1\nexpectedFailures: []\n", "e.yaml"), baseline());
});

Deno.test("parseBaselineText() points every schema problem at file:line:col and its path", () => {
  assert.deepEqual(
    problemsOf(`version: 2
expectedFailures:
  - id: REVOKE-204
  - id: REVOKE-PAIRED-REFRESH
    reason: "  "
    profile: cloud
    ticket: 12
`),
    [
      "b.yaml:1:10: version: expected 1",
      "b.yaml:3:5: expectedFailures[0].reason: missing (expected string)",
      "b.yaml:5:13: expectedFailures[1].reason: expected a reason: say why this check is expected to fail",
      "b.yaml:6:14: expectedFailures[1].profile: expected one of server, server-nojwt, local, local-legacy",
      'b.yaml:4:5: expectedFailures[1]: unknown key "ticket": expected version and expectedFailures (entries: id, reason, profile)',
    ],
  );
  assert.deepEqual(problemsOf(`{"version": 1}`, "b.json"), [
    "b.json:1:1: expectedFailures: missing (expected array)",
  ]);
  assert.deepEqual(problemsOf("version: 1\nexpectedFailures: [\n"), [
    "b.yaml:3:1: Flow sequence in block collection must be sufficiently indented and end with a ]",
  ]);
});

Deno.test("parseBaselineText() refuses ids that name no check and entries listed twice", () => {
  assert.deepEqual(
    problemsOf(`version: 1
expectedFailures:
  - id: REVOKE-204
    reason: a
  - id: NO-SUCH-CHECK
    reason: b
  - id: REVOKE-204
    reason: c
  - id: REVOKE-204
    reason: d
    profile: server
`),
    [
      'b.yaml:5:9: expectedFailures[1].id: no check has the id "NO-SUCH-CHECK": fix the id or remove the entry (run `list` to see every check)',
      'b.yaml:7:9: expectedFailures[2].id: "REVOKE-204" is already listed at expectedFailures[0]: remove one of them',
    ],
  );
});

Deno.test("loadBaseline() names the file it cannot read", async () => {
  await assert.rejects(loadBaseline("/nonexistent/baseline.yaml"), {
    name: "BaselineError",
    message:
      "Invalid baseline file /nonexistent/baseline.yaml:\n  /nonexistent/baseline.yaml: cannot read: no such file",
  });
});

Deno.test("applyBaseline() does not count listed failures and passes the run when all are listed", async () => {
  const doc = await run(["revoke-noop"]);
  assert.deepEqual(countedFailures(doc).map((c) => c.id), REVOKE_NOOP_FAILURES);
  const compared = applyBaseline(
    doc,
    baseline(...REVOKE_NOOP_FAILURES.map((id) => ({ id, reason: `known: ${id}` }))),
    "ci/baseline.yaml",
  );
  assert.deepEqual(compared.baseline, {
    file: "ci/baseline.yaml",
    expectedFailures: REVOKE_NOOP_FAILURES,
    fixed: [],
    unexpected: [],
  });
  assert.deepEqual(countedFailures(compared), []);
  const listed = compared.checks.find((c) => c.id === "REVOKE-204")!;
  assert.equal(listed.status, "fail", "the observed status is kept");
  assert.equal(listed.expectedFailure, true);
  assert.equal(listed.baselineReason, "known: REVOKE-204");
  assert.deepEqual(compared.summary, doc.summary, "summary counts stay as observed");
  assert.equal(doc.baseline, undefined, "the input document is not changed");
});

Deno.test("applyBaseline() counts a failure the baseline does not list (a new failure)", async () => {
  const compared = applyBaseline(
    await run(["revoke-noop"]),
    baseline({ id: "REVOKE-204", reason: "known" }),
    "b.yaml",
  );
  assert.deepEqual(compared.baseline!.unexpected, [
    "REVOKE-PAIRED-REFRESH",
    "REVOKE-REVOKED-CANNOT-ACT",
  ]);
  assert.deepEqual(countedFailures(compared).map((c) => c.id), compared.baseline!.unexpected);
});

Deno.test("applyBaseline() reports a listed check that passes now (the list must shrink)", async () => {
  const compared = applyBaseline(
    await run([]),
    baseline({ id: "REVOKE-204", reason: "fixed in 2.3?" }, { id: "TOKEN-TTL", reason: "not run" }),
    "b.yaml",
  );
  assert.deepEqual(compared.baseline, {
    file: "b.yaml",
    expectedFailures: [],
    fixed: ["REVOKE-204"],
    unexpected: [],
  });
  const fixed = compared.checks.find((c) => c.id === "REVOKE-204")!;
  assert.equal(fixed.status, "pass");
  assert.equal(fixed.baselineReason, "fixed in 2.3?");
  assert.equal(fixed.expectedFailure, undefined);
});

Deno.test("applyBaseline() applies profile-specific entries only to runs on that profile", async () => {
  const b = baseline(
    { id: "REVOKE-204", reason: "local only", profile: "local" },
    { id: "REVOKE-PAIRED-REFRESH", reason: "everywhere" },
    { id: "REVOKE-PAIRED-REFRESH", reason: "server says", profile: "server" },
  );
  assert.deepEqual(entriesFor(b, "server").map((e) => e.reason), ["everywhere", "server says"]);
  const compared = applyBaseline(await run(["revoke-noop"]), b, "b.yaml");
  assert.deepEqual(compared.baseline!.expectedFailures, ["REVOKE-PAIRED-REFRESH"]);
  assert.deepEqual(compared.baseline!.unexpected, ["REVOKE-204", "REVOKE-REVOKED-CANNOT-ACT"]);
  assert.equal(
    compared.checks.find((c) => c.id === "REVOKE-PAIRED-REFRESH")!.baselineReason,
    "server says",
    "the profile's own reason wins",
  );
});

Deno.test("baselineFromResults() lists the failures with their messages as reasons, or the given reason", async () => {
  const doc = await run(["revoke-noop"]);
  const written = baselineFromResults([doc]);
  assert.deepEqual(written.expectedFailures.map((e) => e.id), REVOKE_NOOP_FAILURES);
  assert.deepEqual(
    written.expectedFailures.map((e) => e.reason),
    REVOKE_NOOP_FAILURES.map((id) => doc.checks.find((c) => c.id === id)!.message),
  );
  assert.ok(written.expectedFailures.every((e) => e.profile === undefined));
  assert.deepEqual(
    baselineFromResults([doc], { reason: "JIRA-1" }).expectedFailures.map((e) => e.reason),
    ["JIRA-1", "JIRA-1", "JIRA-1"],
  );
  const kept = baselineFromResults([doc], {
    previous: baseline({ id: "REVOKE-204", reason: "explained earlier" }),
  });
  assert.equal(kept.expectedFailures[0].reason, "explained earlier");
  assert.deepEqual(applyBaseline(doc, written, "w.yaml").baseline!.unexpected, []);
  assert.deepEqual(baselineFromResults([await run([])]), baseline());
});

Deno.test("baselineFromResults() over several profiles adds a profile only where a check failed on some", async () => {
  // revoke-noop applies to server and local; local-legacy skips the revocation checks.
  const docs = await Promise.all([
    run(["revoke-noop"], "server"),
    run([], "local"),
    run([], "local-legacy"),
  ]);
  const written = baselineFromResults(docs);
  assert.deepEqual(
    written.expectedFailures.map((e) => [e.id, e.profile]),
    REVOKE_NOOP_FAILURES.map((id) => [id, "server"]),
  );
  const both = baselineFromResults([docs[0], await run(["revoke-noop"], "local"), docs[2]]);
  assert.ok(both.expectedFailures.length > 0);
  assert.ok(
    both.expectedFailures.filter((e) => REVOKE_NOOP_FAILURES.includes(e.id))
      .every((e) => e.profile === undefined),
    "failing wherever it ran: one entry without profile",
  );
});

Deno.test("renderBaseline() writes YAML (with a header) or JSON that parse back to the same baseline", async () => {
  const written = baselineFromResults([await run(["revoke-noop"])]);
  const dir = await Deno.makeTempDir({ prefix: "baseline_test_" });
  try {
    for (const name of ["b.yaml", "b.json"]) {
      const path = join(dir, name);
      const text = renderBaseline(written, path);
      if (name.endsWith(".yaml")) assert.match(text, /^# Expected failures for smsgate-testkit/);
      else assert.deepEqual(JSON.parse(text), written);
      await Deno.writeTextFile(path, text);
      assert.deepEqual(await loadBaseline(path, { knownIds: KNOWN }), written);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
