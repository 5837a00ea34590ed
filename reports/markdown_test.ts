import assert from "node:assert/strict";
import { applyBaseline } from "../suites/baseline.ts";
import type { ConformanceResult } from "../suites/result.ts";
import { codeOrText, escapeMarkdown, MAX_ROWS, renderMarkdown } from "./markdown.ts";
import { runChecks } from "./testdata/conformance_run.ts";
import { FAIL, sampleResult } from "./testdata/sample_result.ts";

let failingRun: ConformanceResult | undefined;
async function failing(): Promise<ConformanceResult> {
  failingRun ??= await runChecks({ defects: ["revoke-noop"] });
  return structuredClone(failingRun);
}

function tableRows(md: string): string[] {
  return md.split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| | Failing"));
}

Deno.test("escapeMarkdown() escapes Markdown punctuation and HTML and keeps one line", () => {
  assert.equal(
    escapeMarkdown("a|b *c* _d_ `e` [f](g) <script>&\nnext ~x~ \\"),
    "a\\|b \\*c\\* \\_d\\_ \\`e\\` \\[f\\](g) &lt;script&gt;&amp; next \\~x\\~ \\\\",
  );
  assert.equal(escapeMarkdown("bidi\u202e"), "bidi\\\\u202e");
});

Deno.test("codeOrText() uses a code span only when the text cannot break out of it", () => {
  assert.equal(codeOrText("REVOKE-204"), "`REVOKE-204`");
  assert.equal(codeOrText("http://h:1/a?b=c"), "`http://h:1/a?b=c`");
  assert.equal(codeOrText("a`b"), "a\\`b");
  assert.equal(codeOrText("a|b"), "a\\|b");
  assert.equal(codeOrText(" lead"), " lead");
  assert.equal(codeOrText(""), "");
});

Deno.test("renderMarkdown() summarises a failing run: verdict, totals, failing checks table, coverage", async () => {
  const doc = await failing();
  const md = renderMarkdown(doc);
  const lines = md.split("\n");
  assert.equal(lines[0], "### ❌ Conformance failed: server");
  assert.ok(lines.includes("3 of 64 checks failed."));
  assert.match(
    md,
    /^\*\*Target\*\* `http:\/\/127\.0\.0\.1:\d+\/3rdparty\/v1` \(embedded reference server\) · \*\*profile\*\* `server` \(auto-detected\) · smsgate-testkit \d+\.\d+\.\d+$/m,
  );
  assert.match(
    md,
    /^\*\*64\*\* checks: \*\*53\*\* passed, \*\*3\*\* failed, \*\*0\*\* errors, \*\*8\*\* skipped in \d/m,
  );
  assert.deepEqual(tableRows(md), [
    "| ❌ fail | `REVOKE-204` | `AUTH-REVOKE-204` | Step 4 (messages.list): expected 401 Unauthorized, got 200 |",
    "| ❌ fail | `REVOKE-PAIRED-REFRESH` | `AUTH-REVOKE-PAIR` | Step 3 (token.refresh): expected 401 Unauthorized, got 201 |",
    "| ❌ fail | `REVOKE-REVOKED-CANNOT-ACT` | `AUTH-REVOKE-204` | Step 4 (token.revoke): expected 401 Unauthorized, got 204 |",
  ]);
  assert.match(
    md,
    /^\*\*Requirements\*\* 30: 24 passed, 2 failed, 0 not exercised, 4 not applicable$/m,
  );
  assert.match(md, /^\(failed: `AUTH-REVOKE-204`, `AUTH-REVOKE-PAIR`\)$/m);
  assert.ok(md.endsWith("\n") && lines.length < 20, "short");
});

Deno.test("renderMarkdown() says passed and has no table when nothing failed", async () => {
  const md = renderMarkdown(await runChecks({ profile: "local-legacy" }));
  assert.match(md, /^### ✅ Conformance passed: local-legacy\n/);
  assert.equal(tableRows(md).length, 0);
  assert.ok(!md.includes("Failing check"));
});

Deno.test("renderMarkdown() keeps hostile messages inside their cell and caps the table", () => {
  const doc = sampleResult();
  doc.checks[1].message = "bad | cell <img src=x onerror=alert(1)>\nsecond line " + "y".repeat(300);
  const many = Array.from({ length: MAX_ROWS + 5 }, (_, i) => ({ ...FAIL, id: `FAIL-${i}` }));
  doc.checks.push(...many);
  const md = renderMarkdown(doc);
  const rows = tableRows(md);
  assert.equal(rows.length, MAX_ROWS);
  assert.ok(
    rows[0].startsWith(
      "| ❌ fail | `AUTH-EXPIRY-401` | `TOKEN-EXPIRY`, `RFC6750-3.1` | bad \\| cell &lt;img",
    ),
  );
  assert.equal(rows[0].split(" | ").length, 4, "the | inside the message does not add a cell");
  assert.match(rows[0], /second line y+… \(\d+ more characters\) \|$/);
  assert.ok(!md.includes("<img"));
  // The error row comes second; the rest are cut with a count.
  assert.match(rows[1], /^\| ⚠️ error \| `SCOPE-WEBHOOKS-403` /);
  assert.match(md, /^…and 7 more failing checks \(see the full report\)\.$/m);
});

Deno.test("renderMarkdown() reports baseline expected failures and listed checks passing now", async () => {
  const doc = applyBaseline(await failing(), {
    version: 1,
    expectedFailures: [
      { id: "REVOKE-204", reason: "known" },
      { id: "REVOKE-PAIRED-REFRESH", reason: "known" },
      { id: "REVOKE-REVOKED-CANNOT-ACT", reason: "known" },
      { id: "BASIC-NO-HEADER", reason: "was broken" },
    ],
  }, "ci/baseline.yaml");
  const md = renderMarkdown(doc);
  assert.equal(md.split("\n")[0], "### ❌ Conformance failed: server");
  assert.equal(tableRows(md).length, 0, "expected failures are not in the failing table");
  assert.match(
    md,
    /^\*\*Listed in the baseline `ci\/baseline\.yaml` but passing now\*\* \(remove it from the baseline\): `BASIC-NO-HEADER`$/m,
  );
  assert.match(
    md,
    /^Expected failures \(baseline `ci\/baseline\.yaml`, not counted\): `REVOKE-204`, `REVOKE-PAIRED-REFRESH`, `REVOKE-REVOKED-CANNOT-ACT`$/m,
  );
  assert.match(md, /\*\*3\*\* expected failures in/);
  const fine = applyBaseline(await failing(), {
    version: 1,
    expectedFailures: doc.baseline!.expectedFailures.map((id) => ({ id, reason: "known" })),
  }, "b.json");
  assert.match(renderMarkdown(fine), /^### ✅ Conformance passed: server\n/);
});
