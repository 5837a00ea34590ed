// Tests of the suite registry: the built-in checks are valid data, their ids are unique, the
// requirement catalogue is fully used, every check applies somewhere, and suite selection refuses
// unknown names.
import assert from "node:assert/strict";
import { PROFILE_NAMES, PROFILES } from "../smsgate/profiles.ts";
import { Engine } from "./engine.ts";
import { CheckSchema } from "./model.ts";
import { ALL_CHECKS, selectChecks, SUITE_NAMES, validateChecks } from "./registry.ts";
import { findRequirement, REQUIREMENTS } from "./requirements.ts";

Deno.test("ALL_CHECKS: every built-in check validates against the schema users' suites use", () => {
  assert.ok(ALL_CHECKS.length > 0);
  for (const c of ALL_CHECKS) {
    const parsed = CheckSchema.safeParse(c);
    assert.equal(parsed.success, true, `${c.id}: ${parsed.error?.message}`);
  }
  assert.equal(validateChecks(ALL_CHECKS).length, ALL_CHECKS.length);
});

Deno.test("ALL_CHECKS: ids are unique and every requirement id exists", () => {
  const ids = ALL_CHECKS.map((c) => c.id);
  const dupes = ids.filter((id, i) => ids.indexOf(id) !== i);
  assert.deepEqual(dupes, []);
  for (const c of ALL_CHECKS) {
    for (const r of c.requirements) assert.ok(findRequirement(r), `${c.id}: unknown ${r}`);
  }
});

Deno.test("REQUIREMENTS: every requirement is exercised by at least one built-in check", () => {
  const used = new Set(ALL_CHECKS.flatMap((c) => c.requirements));
  assert.deepEqual(REQUIREMENTS.filter((r) => !used.has(r.id)).map((r) => r.id), []);
  const ids = REQUIREMENTS.map((r) => r.id);
  assert.equal(new Set(ids).size, ids.length, "requirement ids are unique");
  for (const r of REQUIREMENTS) {
    assert.ok(r.statement.length > 10 && /^https:\/\//.test(r.link), `${r.id}: statement and link`);
  }
});

Deno.test("ALL_CHECKS: every check applies to at least one profile", () => {
  const engines = PROFILE_NAMES.map((p) =>
    new Engine({
      url: "http://127.0.0.1:9",
      username: "u",
      password: "p",
      profile: PROFILES[p],
      allowSend: true,
      timeoutMs: 1,
    })
  );
  const nowhere = ALL_CHECKS.filter((c) => engines.every((e) => e.applies(c) !== null));
  assert.deepEqual(nowhere.map((c) => c.id), []);
  // And every profile has checks that apply to it.
  for (const [i, e] of engines.entries()) {
    assert.ok(ALL_CHECKS.some((c) => e.applies(c) === null), `${PROFILE_NAMES[i]} has checks`);
  }
});

Deno.test("SUITE_NAMES lists each suite once, in run order", () => {
  assert.deepEqual(SUITE_NAMES, [...new Set(ALL_CHECKS.map((c) => c.suite))]);
  assert.ok(SUITE_NAMES.includes("expiry") && SUITE_NAMES.includes("hardening"));
});

Deno.test("selectChecks() returns every check for no names, and only the named suites otherwise", () => {
  assert.deepEqual(selectChecks([]), [...ALL_CHECKS]);
  const picked = selectChecks(["expiry", "refresh"]);
  assert.ok(picked.length > 0);
  assert.ok(picked.every((c) => c.suite === "expiry" || c.suite === "refresh"));
  assert.equal(
    picked.length,
    ALL_CHECKS.filter((c) => c.suite === "expiry" || c.suite === "refresh").length,
  );
});

Deno.test("selectChecks() throws on an unknown suite, naming the known ones", () => {
  assert.throws(
    () => selectChecks(["expiry", "nope"]),
    { message: `Unknown suite "nope": expected one of ${SUITE_NAMES.join(", ")}` },
  );
});

Deno.test("validateChecks() reports every problem with the check's position and source", () => {
  const good = {
    id: "X-1",
    suite: "user",
    title: "t",
    requirements: ["AUTH-HEALTH-OPEN"],
    steps: [{ request: { route: "health" }, expect: { status: 200 } }],
  };
  assert.throws(
    () =>
      validateChecks(
        [
          good,
          { ...good, requirements: ["NOPE"] },
          { ...good, id: "X-2", steps: [] },
          good,
        ],
        "my-suite.yaml",
      ),
    (e: unknown) => {
      const lines = (e as Error).message.split("\n");
      assert.equal(lines[0], "Invalid checks in my-suite.yaml:");
      assert.deepEqual(lines.slice(1).map((l) => l.trim().replace(/: .*/, "")), [
        "checks[1].id",
        "checks[1].requirements",
        "checks[2].steps",
        "checks[3].id",
      ]);
      assert.match(lines[1], /duplicate check id "X-1"/);
      assert.match(lines[2], /unknown requirement "NOPE"/);
      return true;
    },
  );
});

Deno.test("ALL_CHECKS: every profile fact in `when` and every route role a check names exists", () => {
  const facts = new Set(PROFILE_NAMES.flatMap((p) => Object.keys(PROFILES[p])));
  const roles = new Set(PROFILE_NAMES.flatMap((p) => PROFILES[p].routes.map((r) => r.role)));
  const unknown: string[] = [];
  for (const c of ALL_CHECKS) {
    for (const fact of Object.keys(c.when ?? {})) {
      if (!facts.has(fact)) unknown.push(`${c.id}: fact ${fact}`);
    }
    const named = [
      c.route,
      ...c.steps.flatMap((s) => ("request" in s ? [s.request.route, ...(s.forEach ?? [])] : [])),
    ].filter((r): r is string => r !== undefined && !r.includes("$"));
    for (const role of named) if (!roles.has(role as never)) unknown.push(`${c.id}: role ${role}`);
  }
  assert.deepEqual(unknown, []);
});
