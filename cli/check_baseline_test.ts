// Tests of `check --baseline`, `--write-baseline` and GITHUB_STEP_SUMMARY through the real CLI
// (a subprocess of main.ts) against reference servers on loopback, limited to the revocation
// suite (no expiry waits); and of exitCodeOf() on documents built in-process.
import assert from "node:assert/strict";
import { join } from "node:path";
import { type ReferenceServer, startReferenceServer } from "../fixtures/reference_server.ts";
import { runChecks } from "../reports/testdata/conformance_run.ts";
import { applyBaseline, loadBaseline } from "../suites/baseline.ts";
import { runCli } from "../suites/testdata/harness.ts";
import { exitCodeOf } from "./check.ts";

const USER = "baseliner";
const PASSWORD = "baseline-Pa55word-7Q";
const FAILURES = ["REVOKE-204", "REVOKE-PAIRED-REFRESH", "REVOKE-REVOKED-CANNOT-ACT"];

async function withServer<T>(
  defects: string[],
  fn: (s: ReferenceServer) => Promise<T>,
): Promise<T> {
  const server = await startReferenceServer({
    profile: "server",
    defects,
    users: [{ username: USER, password: PASSWORD }],
  });
  try {
    return await fn(server);
  } finally {
    await server.close();
  }
}

async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "check_baseline_test_" });
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function check(url: string, ...args: string[]) {
  return runCli(
    ["check", "--target", url, "--username", USER, "--suite", "revocation", ...args],
    { SMSGATE_PASSWORD: PASSWORD, GITHUB_STEP_SUMMARY: "" },
  );
}

Deno.test("check --write-baseline records the failures and exits 0; --baseline then passes the same run", async () => {
  await withTempDir(async (dir) => {
    const file = join(dir, "baseline.yaml");
    await withServer(["revoke-noop"], async (s) => {
      const write = await check(
        s.url,
        "--write-baseline",
        file,
        "--reporter",
        "json",
        "--out",
        dir,
      );
      assert.equal(write.code, 0, write.stderr);
      assert.match(
        write.stdout,
        /wrote baseline .*baseline\.yaml: 3 expected failures \(reasons are the failure messages/,
      );
      const written = await loadBaseline(file);
      assert.deepEqual(written.expectedFailures.map((e) => e.id), FAILURES);
      assert.match(written.expectedFailures[0].reason, /^Step \d+ \(.+\): expected 401/);

      const again = await check(s.url, "--baseline", file);
      assert.equal(again.code, 0, again.stdout + again.stderr);
      assert.match(
        again.stdout,
        /^baseline {2}.*baseline\.yaml: 3 expected failures, 0 listed checks passing now, 0 new failures$/m,
      );
      assert.match(again.stdout, /^ {2}✗ REVOKE-204 .* expected failure \(baseline\)$/m);
    });
    // The same baseline against a correct server: the listed checks pass now, so the run fails.
    await withServer([], async (s) => {
      const fixed = await check(s.url, "--baseline", file);
      assert.equal(fixed.code, 1, fixed.stdout + fixed.stderr);
      for (const id of FAILURES) {
        assert.match(
          fixed.stderr,
          new RegExp(
            `^baseline: ${id} passes now but .*baseline\\.yaml lists it as an expected failure: remove it from the baseline$`,
            "m",
          ),
        );
      }
      assert.match(fixed.stdout, /passing now: remove from .*baseline\.yaml:/);
    });
  });
});

Deno.test("check --baseline fails on a new failure the baseline does not list", async () => {
  await withTempDir(async (dir) => {
    const file = join(dir, "baseline.json");
    await Deno.writeTextFile(
      file,
      JSON.stringify({ version: 1, expectedFailures: [{ id: "REVOKE-204", reason: "known" }] }),
    );
    await withServer(["revoke-noop"], async (s) => {
      const r = await check(s.url, "--baseline", file, "--reporter", "json", "--out", dir);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      const doc = JSON.parse(await Deno.readTextFile(join(dir, "result.json")));
      assert.deepEqual(doc.baseline, {
        file,
        expectedFailures: ["REVOKE-204"],
        fixed: [],
        unexpected: ["REVOKE-PAIRED-REFRESH", "REVOKE-REVOKED-CANNOT-ACT"],
      });
      assert.equal(doc.schemaVersion, 1);
    });
  });
});

Deno.test("check --baseline with an unknown check id or a bad file is a usage error (exit 2)", async () => {
  await withTempDir(async (dir) => {
    const file = join(dir, "baseline.yaml");
    await Deno.writeTextFile(
      file,
      "version: 1\nexpectedFailures:\n  - id: NOT-A-CHECK\n    reason: x\n",
    );
    const unknown = await runCli(["check", "--profile", "server", "--baseline", file]);
    assert.equal(unknown.code, 2);
    assert.equal(
      unknown.stderr,
      `error: Invalid baseline file ${file}:\n  ${file}:3:9: expectedFailures[0].id: no check has the id "NOT-A-CHECK": fix the id or remove the entry (run \`list\` to see every check)\n`,
    );
    const missing = await runCli(["check", "--baseline", join(dir, "nope.yaml")]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read: no such file/);
    const reason = await runCli(["check", "--baseline-reason", "x"]);
    assert.equal(reason.code, 2);
    assert.match(reason.stderr, /^error: Cannot use --baseline-reason without --write-baseline/);
  });
});

Deno.test("check appends the Markdown summary to GITHUB_STEP_SUMMARY when it is set", async () => {
  await withTempDir(async (dir) => {
    const summary = join(dir, "step_summary.md");
    await Deno.writeTextFile(summary, "earlier step\n");
    await withServer(["revoke-noop"], async (s) => {
      const env = { SMSGATE_PASSWORD: PASSWORD, GITHUB_STEP_SUMMARY: summary };
      const args = ["check", "--target", s.url, "--username", USER, "--suite", "revocation"];
      const r = await runCli(args, env);
      assert.equal(r.code, 1);
      await runCli(args, env);
    });
    const text = await Deno.readTextFile(summary);
    assert.ok(text.startsWith("earlier step\n### ❌ Conformance failed: server\n"));
    assert.equal(text.match(/^### /gm)?.length, 2, "appended once per run");
    assert.match(text, /^\| ❌ fail \| `REVOKE-204` \| `AUTH-REVOKE-204` \| Step 4/m);
  });
});

Deno.test("exitCodeOf() is 1 for new failures or fixed listed checks, 3 for unlisted errors only, else 0", async () => {
  const doc = await runChecks({ defects: ["revoke-noop"], detect: false });
  const entries = FAILURES.map((id) => ({ id, reason: "known" }));
  const all = applyBaseline(doc, { version: 1, expectedFailures: entries }, "b");
  const quiet = (fn: () => number) => {
    const error = console.error;
    console.error = () => {};
    try {
      return fn();
    } finally {
      console.error = error;
    }
  };
  assert.equal(quiet(() => exitCodeOf([doc])), 1, "no baseline: failures count");
  assert.equal(quiet(() => exitCodeOf([all])), 0, "every failure listed");
  const partial = applyBaseline(doc, { version: 1, expectedFailures: entries.slice(1) }, "b");
  assert.equal(quiet(() => exitCodeOf([partial])), 1, "a new failure");
  const fixed = applyBaseline(doc, {
    version: 1,
    expectedFailures: [...entries, { id: "HEALTH-NO-AUTH", reason: "was broken" }],
  }, "b");
  assert.equal(quiet(() => exitCodeOf([fixed])), 1, "a listed check passes now");
  assert.equal(quiet(() => exitCodeOf([all, fixed])), 1, "any run decides");
  const errored = structuredClone(all);
  errored.checks.find((c) => c.status === "pass")!.status = "error";
  assert.equal(
    quiet(() =>
      exitCodeOf([applyBaseline(errored, { version: 1, expectedFailures: entries }, "b")])
    ),
    3,
  );
});
