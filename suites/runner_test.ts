// Tests of the runner: bounded concurrency, requirement coverage, the result document, and the
// "profile may be wrong" hint when an explicit profile contradicts detection.
import assert from "node:assert/strict";
import { REQUIREMENTS } from "./requirements.ts";
import { ALL_CHECKS, selectChecks } from "./registry.ts";
import { type CheckResult, ConformanceResultSchema } from "./result.ts";
import { coverage, mapConcurrent, runConformance } from "./runner.ts";
import { getProfile } from "../smsgate/profiles.ts";
import { startVirtual, withVirtual } from "./testdata/harness.ts";

const tick = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

Deno.test("mapConcurrent() keeps at most `limit` calls in flight and the input order in the output", async () => {
  let inFlight = 0;
  let peak = 0;
  const items = Array.from({ length: 10 }, (_, i) => i);
  const out = await mapConcurrent(items, 3, async (i) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    await tick(10 - i); // later items finish first
    inFlight--;
    return i * 2;
  });
  assert.equal(peak, 3);
  assert.deepEqual(out, items.map((i) => i * 2));
});

Deno.test("mapConcurrent() handles limits above the item count, below one, and no items", async () => {
  const peakOf = async (n: number, limit: number) => {
    let inFlight = 0;
    let peak = 0;
    await mapConcurrent(Array.from({ length: n }), limit, async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await tick(1);
      inFlight--;
    });
    return peak;
  };
  assert.equal(await peakOf(4, 32), 4);
  assert.equal(await peakOf(4, 0), 1);
  let calls = 0;
  assert.deepEqual(
    await mapConcurrent([], 4, () => {
      calls++;
      return Promise.resolve(1);
    }),
    [],
  );
  assert.equal(calls, 0);
});

function result(
  id: string,
  requirements: string[],
  status: CheckResult["status"],
  message?: string,
): CheckResult {
  return {
    id,
    suite: "test",
    title: id,
    requirements,
    profile: "server",
    status,
    durationMs: 1,
    transcript: [],
    ...(message ? { message } : {}),
  };
}

Deno.test("coverage() marks each requirement pass, fail, not-applicable or uncovered", () => {
  const [a, b, c, d, e, f] = REQUIREMENTS.map((r) => r.id);
  const cov = coverage([
    result("P1", [a, b], "pass"),
    result("F1", [b], "fail"),
    result("E1", [c], "error"),
    result("S1", [d], "skip", "Not applicable: applies to local only"),
    result("S2", [e], "skip", "Not applicable: applies to local only"),
    result("S3", [e], "skip", "Needs the deployment's JWT secret to sign test tokens"),
  ]);
  assert.deepEqual(cov.map((r) => r.id), REQUIREMENTS.map((r) => r.id));
  const by = new Map(cov.map((r) => [r.id, r]));
  assert.deepEqual([by.get(a)!.status, by.get(a)!.checks], ["pass", ["P1"]]);
  assert.deepEqual([by.get(b)!.status, by.get(b)!.checks], ["fail", ["P1", "F1"]]);
  assert.equal(by.get(c)!.status, "fail", "an error counts against the requirement");
  assert.deepEqual([by.get(d)!.status, by.get(d)!.checks], ["not-applicable", []]);
  assert.equal(by.get(e)!.status, "uncovered", "skipped for want of a secret is not N/A");
  assert.equal(by.get(f)!.status, "uncovered");
  assert.equal(by.get(a)!.statement, REQUIREMENTS[0].statement);
});

Deno.test("runConformance() runs checks concurrently up to `concurrency`", async () => {
  let inFlight = 0;
  let peak = 0;
  const slow: typeof fetch = async (input, init) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    try {
      await tick(5);
      return await fetch(input, init);
    } finally {
      inFlight--;
    }
  };
  await withVirtual({ profile: "server", fetch: slow }, async (v) => {
    const checks = selectChecks(["issuance", "revocation"]);
    const seen: string[] = [];
    const doc = await runConformance({
      target: v.target,
      checks,
      profileSource: "explicit",
      embedded: true,
      concurrency: 2,
      deps: v.deps,
      onResult: (r) => seen.push(r.id),
    });
    assert.equal(peak, 2);
    assert.deepEqual(doc.checks.map((c) => c.id), checks.map((c) => c.id), "input order");
    assert.deepEqual([...seen].sort(), checks.map((c) => c.id).sort(), "onResult once each");
  });
});

Deno.test("runConformance() assembles a valid result document with a consistent summary", async () => {
  const v = await startVirtual({ profile: "server", defects: ["revoke-noop"] });
  try {
    const doc = await runConformance({
      target: v.target,
      checks: ALL_CHECKS,
      profileSource: "auto",
      detection: { profile: "server", evidence: ["probe"] },
      embedded: false,
      deps: v.deps,
    });
    const parsed = ConformanceResultSchema.safeParse(doc);
    assert.equal(parsed.success, true, parsed.error?.message);
    const count = (s: string) => doc.checks.filter((c) => c.status === s).length;
    assert.deepEqual(doc.summary, {
      total: ALL_CHECKS.length,
      passed: count("pass"),
      failed: count("fail"),
      skipped: count("skip"),
      errors: count("error"),
    });
    assert.ok(doc.summary.failed > 0, "revoke-noop is caught");
    assert.equal(doc.target.url, v.server.url);
    assert.equal(doc.target.profile, "server");
    assert.deepEqual(doc.target.detection, { profile: "server", evidence: ["probe"] });
    const failedReqs = doc.requirements.filter((r) => r.status === "fail").map((r) => r.id);
    assert.ok(failedReqs.includes("AUTH-REVOKE-204"), failedReqs.join(", "));
    assert.ok(doc.checks.every((c) => c.hint === undefined), "no hint when auto-detected");
  } finally {
    await v.close();
  }
});

Deno.test("runConformance() strips credentials from the target URL in the document", async () => {
  const doc = await runConformance({
    target: {
      url: "http://user:secret-pw@127.0.0.1:9/api/",
      username: "u",
      password: "p",
      profile: getProfile("server"),
      allowSend: false,
      timeoutMs: 1,
    },
    checks: [],
    profileSource: "explicit",
    embedded: false,
  });
  assert.equal(doc.target.url, "http://127.0.0.1:9/api");
  assert.equal(doc.summary.total, 0);
});

Deno.test("runConformance() hints that an explicit profile may be wrong when detection disagrees", async () => {
  // A local (Android) server checked as `server`.
  await withVirtual({ profile: "local" }, async (v) => {
    const evidence = ["GET /devices without credentials: 404", "the Android local server"];
    const doc = await runConformance({
      target: { ...v.target, profile: getProfile("server") },
      checks: selectChecks(["issuance", "basic"]),
      profileSource: "explicit",
      detection: { profile: "local", evidence },
      embedded: false,
      deps: v.deps,
    });
    const failing = doc.checks.filter((c) => c.status === "fail" || c.status === "error");
    assert.ok(failing.length > 0);
    for (const c of failing) {
      assert.equal(
        c.hint,
        'The target looks like profile "local" (the Android local server); --profile server may be wrong: try --profile local or --profile auto',
      );
    }
    for (const c of doc.checks.filter((c) => c.status === "pass" || c.status === "skip")) {
      assert.equal(c.hint, undefined, `${c.id} ${c.status}`);
    }
  });
});

Deno.test("runConformance() adds no hint when the explicit profile matches detection", async () => {
  await withVirtual({ profile: "server", defects: ["issue-200"] }, async (v) => {
    const doc = await runConformance({
      target: v.target,
      checks: selectChecks(["issuance"]),
      profileSource: "explicit",
      detection: { profile: "server", evidence: ["x"] },
      embedded: false,
      deps: v.deps,
    });
    assert.ok(doc.summary.failed > 0);
    assert.ok(doc.checks.every((c) => c.hint === undefined));
  });
});
