import assert from "node:assert/strict";
import { join } from "node:path";
import { formatIssuePath, parseResult, readResultFile, renderJson } from "./json.ts";
import { sampleResult } from "./testdata/sample_result.ts";

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "json_test_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("renderJson() writes pretty JSON that readResultFile() reads back unchanged", async () => {
  const doc = sampleResult();
  const text = renderJson(doc);
  assert.ok(text.startsWith('{\n  "schemaVersion": 1,\n  "kind": "conformance",\n'));
  assert.ok(text.endsWith("}\n"));
  await withTempDir(async (dir) => {
    const path = join(dir, "result.json");
    await Deno.writeTextFile(path, text);
    assert.deepEqual(await readResultFile(path), doc);
  });
});

Deno.test("renderJson() refuses a document the schema rejects", () => {
  const doc = sampleResult();
  (doc.checks[0] as { durationMs: unknown }).durationMs = "fast";
  assert.throws(() => renderJson(doc), {
    message:
      "Cannot write the result document: checks[0].durationMs: expected number, received string",
  });
});

Deno.test("readResultFile() names the file and the first bad path", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "result.json");
    const doc = sampleResult() as unknown as { checks: { status: string }[] };
    doc.checks[3].status = "broken";
    await Deno.writeTextFile(path, JSON.stringify(doc));
    await assert.rejects(readResultFile(path), {
      message:
        `Cannot read result file ${path}: checks[3].status: expected one of pass, fail, skip, error`,
    });
  });
});

Deno.test("readResultFile() explains a missing file, bad JSON and a wrong document", async () => {
  await withTempDir(async (dir) => {
    const missing = join(dir, "nope.json");
    await assert.rejects(readResultFile(missing), {
      message: `Cannot read result file ${missing}: no such file`,
    });
    await assert.rejects(readResultFile(dir), {
      message: new RegExp(`^Cannot read result file ${dir}: `),
    });
    const bad = join(dir, "bad.json");
    await Deno.writeTextFile(bad, "{ not json");
    await assert.rejects(readResultFile(bad), {
      message: new RegExp(`^Cannot read result file ${bad}: invalid JSON: `),
    });
  });
  assert.throws(() => parseResult("[]", "a.json"), {
    message: "Cannot read result file a.json: expected object, received array",
  });
  const future = { ...sampleResult(), schemaVersion: 2 };
  assert.throws(() => parseResult(JSON.stringify(future), "a.json"), {
    message: "Cannot read result file a.json: schemaVersion: expected 1",
  });
  const { tool: _, ...noTool } = sampleResult();
  assert.throws(() => parseResult(JSON.stringify(noTool), "a.json"), {
    message: "Cannot read result file a.json: tool: missing (expected object)",
  });
});

Deno.test("formatIssuePath() writes JavaScript accessors", () => {
  assert.equal(formatIssuePath([]), "");
  assert.equal(
    formatIssuePath(["checks", 3, "transcript", 0, "request"]),
    "checks[3].transcript[0].request",
  );
  assert.equal(formatIssuePath(["headers", "content-type"]), 'headers["content-type"]');
});
