// Tests of `report` through the real CLI (a subprocess of main.ts): a saved result document is
// re-rendered with other reporters, identically to rendering the document in-process.
import assert from "node:assert/strict";
import { join } from "node:path";
import { renderConsole } from "../reports/console.ts";
import { jsonReporter, parseResult } from "../reports/json.ts";
import { junitReporter } from "../reports/junit.ts";
import { selectChecks } from "../suites/registry.ts";
import { runConformance } from "../suites/runner.ts";
import { runCli, withVirtual } from "../suites/testdata/harness.ts";

/** A saved result of the revocation suite against a server with a defect. */
async function savedResult(dir: string): Promise<string> {
  const doc = await withVirtual(
    { profile: "server", defects: ["revoke-noop"] },
    (v) =>
      runConformance({
        target: v.target,
        checks: selectChecks(["revocation", "basic"]),
        profileSource: "explicit",
        embedded: true,
        deps: v.deps,
      }),
  );
  const path = join(dir, "result.json");
  await Deno.writeTextFile(path, jsonReporter.render(doc, { color: false }));
  return path;
}

Deno.test("report FILE --reporter junit --out DIR re-renders a saved result", async () => {
  const dir = await Deno.makeTempDir({ prefix: "smsgate-report-" });
  try {
    const file = await savedResult(dir);
    const out = join(dir, "rendered");
    const r = await runCli(["report", file, "--reporter", "junit", "--out", out]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), `wrote ${join(out, "junit.xml")}`);
    const doc = parseResult(await Deno.readTextFile(file), file);
    assert.equal(
      await Deno.readTextFile(join(out, "junit.xml")),
      junitReporter.render(doc, { color: false }),
    );
    assert.ok(doc.summary.failed > 0, "the saved run has failures to render");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("report FILE prints the console report by default", async () => {
  const dir = await Deno.makeTempDir({ prefix: "smsgate-report-" });
  try {
    const file = await savedResult(dir);
    const r = await runCli(["report", file]);
    assert.equal(r.code, 0, r.stderr);
    const doc = parseResult(await Deno.readTextFile(file), file);
    assert.equal(r.stdout, renderConsole(doc, { color: false }) + "\n");
    assert.match(r.stdout, /✗ REVOKE-204/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("report re-renders the result.json that check --reporter json wrote", async () => {
  const dir = await Deno.makeTempDir({ prefix: "smsgate-report-" });
  try {
    const checked = await runCli([
      "check",
      "--profile",
      "local",
      "--suite",
      "basic",
      "--reporter",
      "json",
      "--out",
      dir,
    ]);
    assert.equal(checked.code, 0, checked.stderr);
    const r = await runCli([
      "report",
      join(dir, "result.json"),
      "--reporter",
      "junit,json",
      "--out",
      join(dir, "again"),
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      await Deno.readTextFile(join(dir, "again", "result.json")),
      await Deno.readTextFile(join(dir, "result.json")),
      "json -> json is the identity",
    );
    assert.match(await Deno.readTextFile(join(dir, "again", "junit.xml")), /<testsuites /);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("report refuses a missing file, an invalid document and an unknown reporter with exit 2", async () => {
  const dir = await Deno.makeTempDir({ prefix: "smsgate-report-" });
  try {
    const file = await savedResult(dir);
    const bad = join(dir, "bad.json");
    const doc = JSON.parse(await Deno.readTextFile(file));
    doc.checks[0].status = "maybe";
    await Deno.writeTextFile(bad, JSON.stringify(doc));
    const missing = join(dir, "missing.json");
    const [noFile, invalid, reporter] = await Promise.all([
      runCli(["report", missing]),
      runCli(["report", bad]),
      runCli(["report", file, "--reporter", "pdf"]),
    ]);
    assert.equal(
      noFile.stderr.trimEnd(),
      `error: Cannot read result file ${missing}: no such file`,
    );
    assert.match(
      invalid.stderr,
      /^error: Cannot read result file .*bad\.json: checks\[0\]\.status: /,
    );
    assert.match(reporter.stderr, /^error: Unknown reporter "pdf": expected one of console/);
    for (const r of [noFile, invalid, reporter]) {
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
      assert.equal(r.stdout, "");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
