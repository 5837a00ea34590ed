// Tests of `list` through the real CLI (a subprocess of main.ts) and of listChecks().
import assert from "node:assert/strict";
import { ALL_CHECKS, selectChecks } from "../suites/registry.ts";
import { REQUIREMENTS } from "../suites/requirements.ts";
import { runCli } from "../suites/testdata/harness.ts";
import { type CheckListing, listChecks } from "./list.ts";

Deno.test("list --format json lists every check with requirements, profiles and needs", async () => {
  const r = await runCli(["list", "--format", "json"]);
  assert.equal(r.code, 0, r.stderr);
  const rows = JSON.parse(r.stdout) as CheckListing[];
  assert.deepEqual(rows.map((x) => x.id), ALL_CHECKS.map((c) => c.id));
  assert.deepEqual(rows, listChecks(ALL_CHECKS));
  for (const row of rows) {
    assert.ok(row.profiles.length > 0, `${row.id} applies somewhere`);
    for (const q of row.requirements) {
      const known = REQUIREMENTS.find((x) => x.id === q.id);
      assert.ok(known, `${row.id}: ${q.id}`);
      assert.equal(q.statement, known.statement);
      assert.match(q.link, /^https:\/\//);
    }
  }
  const by = new Map(rows.map((x) => [x.id, x]));
  assert.deepEqual(by.get("HEALTH-NO-AUTH")!.profiles, [
    "server",
    "server-nojwt",
    "local",
    "local-legacy",
  ]);
  assert.deepEqual(by.get("EXPIRY-401")!.profiles, ["server", "local"]);
  assert.deepEqual(by.get("UNAVAILABLE-ISSUE-501")!.profiles, ["server-nojwt", "local-legacy"]);
  assert.deepEqual(by.get("TOKEN-UNKNOWN-SCOPE")!.profiles, ["local"]);
  assert.deepEqual(by.get("JWT-SIGNED-NO-EXP")!.needs, ["--jwt-secret"]);
  assert.deepEqual(by.get("REVOKE-204")!.needs, []);
});

Deno.test("list --suite restricts the listing to the named suites", async () => {
  const r = await runCli(["list", "--suite", "hardening,refresh", "--format", "json"]);
  assert.equal(r.code, 0, r.stderr);
  const rows = JSON.parse(r.stdout) as CheckListing[];
  assert.deepEqual(
    rows.map((x) => x.id),
    selectChecks(["hardening", "refresh"]).map((c) => c.id),
  );
});

Deno.test("list prints a plain table with every check and the requirements it covers", async () => {
  const r = await runCli(["list"]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split("\n");
  assert.match(lines[0], /^\s*check\s+suite\s+requirements\s+profiles\s+title\s*$/);
  for (const c of ALL_CHECKS) {
    const row = lines.find((l) => l.trim().startsWith(`${c.id} `));
    assert.ok(row, `a row for ${c.id}`);
    assert.ok(row.includes(c.requirements.join(" ")), `${c.id} shows its requirement ids`);
  }
  assert.doesNotMatch(r.stdout, /[┌─│└]/, "no box drawing when not a terminal");
  const used = new Set(ALL_CHECKS.flatMap((c) => c.requirements));
  assert.match(
    r.stdout,
    new RegExp(`^${ALL_CHECKS.length} checks covering ${used.size} requirements:$`, "m"),
  );
  for (const id of used) assert.match(r.stdout, new RegExp(`^  ${id}  `, "m"));
  const needs = lines.find((l) => l.trim().startsWith("JWT-SIGNED-NO-EXP "));
  assert.match(needs!, /\(needs --jwt-secret\)/);
});

Deno.test("list refuses an unknown suite or format with exit 2", async () => {
  const [suite, format] = await Promise.all([
    runCli(["list", "--suite", "nope"]),
    runCli(["list", "--format", "xml"]),
  ]);
  assert.equal(suite.code, 2);
  assert.match(suite.stderr, /^error: Unknown suite "nope": expected one of /);
  assert.equal(format.code, 2);
  assert.match(format.stderr, /^error: option '--format <format>' argument 'xml' is invalid/);
  for (const r of [suite, format]) {
    assert.equal(r.stderr.trimEnd().split("\n").length, 1);
    assert.equal(r.stdout, "");
  }
});
