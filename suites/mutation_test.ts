import assert from "node:assert/strict";
import { renderKillMatrix, runMutation } from "./mutation.ts";

Deno.test("runMutation() kills every defect, every check kills one, and the correct server passes", async () => {
  const report = await runMutation({ concurrency: 16 });
  console.log(renderKillMatrix(report).split("\n").slice(-5).join("\n"));
  assert.deepEqual(report.falseAlarms, [], "checks failing on a correct reference server");
  assert.deepEqual(report.survivors, [], "defects no check detects");
  assert.deepEqual(report.unkillable, [], "checks that no defect makes fail");
  assert.equal(report.score, 100);
});
