/**
 * `check` against hostile and broken targets (fixtures/hostile_server.ts): every mode finishes
 * within its time bound, marks the affected checks error (never pass for what it did not see),
 * still writes every requested report, and exits with the documented code.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { HOSTILE_MODES, type HostileMode, startHostileServer } from "../fixtures/hostile_server.ts";
import { ConformanceResultSchema } from "../suites/result.ts";
import { runCli } from "../suites/testdata/harness.ts";

/** What each mode must produce. */
const EXPECT: Record<HostileMode, { code: number; cause: RegExp }> = {
  "never-answer": { code: 3, cause: /no response within 1000 ms/ },
  "slow": { code: 3, cause: /no response within 1000 ms/ },
  "close-mid-response": { code: 3, cause: /Cannot reach .*(reading a body|closed|reset)/i },
  "malformed-http": { code: 3, cause: /Cannot reach .*(invalid|parse|malformed|HTTP)/i },
  // Reachable, but the token answers are not JSON: the checks that need them are errors, and
  // the ones that saw a wrong status (200 for everything) fail.
  "non-json": { code: 1, cause: /is not valid JSON/ },
  "truncated-json": { code: 1, cause: /is not valid JSON/ },
  "huge-body": { code: 3, cause: /over the 1048576-byte limit \(--max-body\)/ },
  "endless-chunked": { code: 3, cause: /no response within 1000 ms/ },
  "redirect-loop": { code: 3, cause: /302 redirecting to .*redirects are not followed/ },
  "tls-bad-cert": { code: 3, cause: /Cannot reach https:.*(certificate|UnknownIssuer|TLS)/i },
};

for (const mode of HOSTILE_MODES) {
  Deno.test(`check against a ${mode} target finishes in time, writes reports and exits ${EXPECT[mode].code}`, async () => {
    const server = await startHostileServer({ mode });
    const dir = await Deno.makeTempDir({ prefix: `smsgate-hostile-${mode}-` });
    try {
      const started = performance.now();
      const r = await runCli([
        "check",
        "--target",
        server.url,
        "--username",
        "hostile",
        "--profile",
        "server",
        "--timeout",
        "1s",
        "--suite",
        "issuance,basic",
        "--reporter",
        "console,json,junit,html",
        "--out",
        dir,
      ], { SMSGATE_PASSWORD: "hostile-secret-pw" });
      const seconds = (performance.now() - started) / 1000;
      const want = EXPECT[mode];
      assert.equal(r.code, want.code, `${r.stdout}\n${r.stderr}`);
      assert.ok(seconds < 12, `took ${seconds.toFixed(1)} s`);
      assert.ok(!/\n\s+at /.test(r.stderr), `no stack trace:\n${r.stderr}`);
      for (const f of ["result.json", "junit.xml", "report.html"]) {
        await Deno.stat(join(dir, f)); // every requested report is written
      }
      const doc = ConformanceResultSchema.parse(
        JSON.parse(await Deno.readTextFile(join(dir, "result.json"))),
      );
      assert.ok(doc.summary.errors > 0, "the affected checks are errors");
      const text = JSON.stringify(doc) + r.stderr;
      assert.match(text, want.cause);
      assert.ok(!text.includes("hostile-secret-pw"), "the password never appears");
      // Nothing the target did not really show passes: only checks that saw an answer can.
      for (const c of doc.checks.filter((c) => c.status === "pass")) {
        assert.ok(c.transcript.every((x) => x.response !== undefined), `${c.id} passed unseen`);
      }
      if (want.code === 3) {
        assert.ok(doc.checks.every((c) => c.status !== "pass"), "nothing passes");
      }
      if (doc.unreachable !== undefined) {
        // One clear line for a target that cannot be reached at all.
        assert.equal(r.stderr.trim().split("\n").filter((l) => l.startsWith("error:")).length, 1);
        assert.ok(doc.checks.every((c) => c.status === "error"));
      }
    } finally {
      await server.close();
      await Deno.remove(dir, { recursive: true });
    }
  });
}
