import assert from "node:assert/strict";
import { join } from "node:path";
import { renderConsole } from "./console.ts";
import { readResultFile } from "./json.ts";
import { renderJunit } from "./junit.ts";
import { parseReporterList, reporterNames, REPORTERS, writeReports } from "./registry.ts";
import { sampleResult } from "./testdata/sample_result.ts";

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "registry_test_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

Deno.test("REPORTERS lists every reporter with distinct names and files", () => {
  assert.deepEqual(reporterNames(), ["console", "junit", "json", "html", "markdown"]);
  assert.deepEqual(REPORTERS.map((r) => r.fileName), [
    undefined,
    "junit.xml",
    "result.json",
    "report.html",
    "summary.md",
  ]);
  for (const r of REPORTERS) assert.ok(r.description.length > 0);
});

Deno.test("parseReporterList() keeps order, trims and drops duplicates", () => {
  assert.deepEqual(parseReporterList("console,junit"), ["console", "junit"]);
  assert.deepEqual(parseReporterList(" json , console,json,"), ["json", "console"]);
});

Deno.test("parseReporterList() refuses unknown names and an empty list", () => {
  assert.throws(() => parseReporterList("console,x"), {
    message: 'Unknown reporter "x": expected one of console, junit, json, html, markdown',
  });
  assert.throws(() => parseReporterList("JUnit"), {
    message: 'Unknown reporter "JUnit": expected one of console, junit, json, html, markdown',
  });
  assert.throws(() => parseReporterList(" , "), {
    message:
      'Cannot parse reporter list " , ": expected one or more of console, junit, json, html, markdown',
  });
});

Deno.test("writeReports() writes file reporters into a new directory and returns console text", async () => {
  await withTempDir(async (dir) => {
    const doc = sampleResult();
    const out = join(dir, "nested", "out");
    const written = await writeReports(doc, ["console", "junit", "json"], out, { color: true });
    assert.deepEqual(written, [
      { name: "console", text: renderConsole(doc, { color: true }) },
      { name: "junit", path: join(out, "junit.xml") },
      { name: "json", path: join(out, "result.json") },
    ]);
    assert.equal(await Deno.readTextFile(join(out, "junit.xml")), renderJunit(doc));
    assert.deepEqual(await readResultFile(join(out, "result.json")), doc);
    assert.deepEqual([...Deno.readDirSync(out)].map((e) => e.name).sort(), [
      "junit.xml",
      "result.json",
    ]);
  });
});

Deno.test("writeReports() creates no directory for console output alone", async () => {
  await withTempDir(async (dir) => {
    const out = join(dir, "out");
    const written = await writeReports(sampleResult(), ["console"], out, { color: false });
    assert.equal(written.length, 1);
    assert.match(written[0].text!, /^4 checks: 1 passed/m);
    assert.equal(await exists(out), false);
  });
});

Deno.test("writeReports() refuses an unknown reporter before writing anything", async () => {
  await withTempDir(async (dir) => {
    const out = join(dir, "out");
    await assert.rejects(writeReports(sampleResult(), ["junit", "pdf"], out, { color: false }), {
      message: 'Unknown reporter "pdf": expected one of console, junit, json, html, markdown',
    });
    assert.equal(await exists(out), false);
  });
});
