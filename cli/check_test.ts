// Tests of `check` through the real CLI (a subprocess of main.ts). Targets are reference servers
// this test process starts on loopback; the subprocess reaches them over real HTTP. Runs against a
// real-time server are limited with --suite so they skip the 3-second expiry check.
import assert from "node:assert/strict";
import { join } from "node:path";
import { type ReferenceServer, startReferenceServer } from "../fixtures/reference_server.ts";
import { parseXml } from "../reports/testdata/mini_xml.ts";
import { ALL_CHECKS, selectChecks } from "../suites/registry.ts";
import { ConformanceResultSchema } from "../suites/result.ts";
import { closedPortUrl, runCli } from "../suites/testdata/harness.ts";

const PASSWORD = "cli-test-Pa55word-9Z";
const USER = "clitester";

async function withServer<T>(
  profile: string,
  defects: string[],
  fn: (s: ReferenceServer) => Promise<T>,
): Promise<T> {
  const server = await startReferenceServer({
    profile,
    defects,
    users: [{ username: USER, password: PASSWORD }],
  });
  try {
    return await fn(server);
  } finally {
    await server.close();
  }
}

function assertOneLineError(stderr: string, pattern: RegExp) {
  const lines = stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `one line expected, got:\n${stderr}`);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(stderr, /^\s+at /m, "no stack trace");
}

Deno.test("check with no arguments checks the embedded server in all four profiles and exits 0", async () => {
  const r = await runCli(["check"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, "");
  for (const p of ["server", "server-nojwt", "local", "local-legacy"]) {
    assert.match(r.stdout, new RegExp(`^profile\\s+${p} `, "m"), `header for ${p}`);
  }
  const total = ALL_CHECKS.length * 4;
  assert.match(
    r.stdout,
    new RegExp(
      `all profiles \\(server, server-nojwt, local, local-legacy\\): ${total} checks, \\d+ passed, 0 failed, \\d+ skipped, 0 errors`,
    ),
  );
  assert.match(r.stdout, /\(embedded reference server\)/);
});

Deno.test("check --target against a defective server exits 1 and names the violated requirement", async () => {
  await withServer("server", ["issue-200"], async (s) => {
    const r = await runCli([
      "check",
      "--target",
      s.url,
      "--username",
      USER,
      "--password",
      PASSWORD,
      "--suite",
      "issuance",
    ]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /✗ TOKEN-ISSUE-201\s/);
    assert.match(r.stdout, /^\s+✗ AUTH-TOKEN-201\s/m, "listed among failed requirements");
    assert.match(r.stdout, /profile\s+server \(auto/, "profile detected");
    assert.ok(!r.stdout.includes(PASSWORD), "the password is not printed");
    // --password on the command line is visible to other users: one warning line.
    assert.match(r.stderr, /^warning: --password is visible in the process list/m);
  });
});

Deno.test("check --profile server against an Android local server hints that the profile may be wrong", async () => {
  await withServer("local", [], async (s) => {
    const r = await runCli(
      [
        "check",
        "--target",
        s.url,
        "--username",
        USER,
        "--profile",
        "server",
        "--suite",
        "issuance",
      ],
      { SMSGATE_PASSWORD: PASSWORD },
    );
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /profile\s+server \(explicit/);
    assert.match(r.stdout, /--profile server may be wrong: try --profile local or --profile auto/);
    assert.equal(r.stderr, "", "no --password warning when the password comes from the env");
  });
});

Deno.test("check takes the target and credentials from SMSGATE_URL, SMSGATE_USERNAME and SMSGATE_PASSWORD", async () => {
  await withServer("local-legacy", [], async (s) => {
    const r = await runCli(["check", "--suite", "basic,unavailable"], {
      SMSGATE_URL: s.url,
      SMSGATE_USERNAME: USER,
      SMSGATE_PASSWORD: PASSWORD,
    });
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, new RegExp(`^target\\s+${s.url.replace(/\./g, "\\.")}\\s*$`, "m"));
    assert.match(r.stdout, /profile\s+local-legacy \(auto/);
    const n = selectChecks(["basic", "unavailable"]).length;
    assert.match(r.stdout, new RegExp(`${n} checks: \\d+ passed, 0 failed`));
  });
});

Deno.test("check usage errors exit 2 with one error line and no stack trace", async () => {
  const cases: [string[], RegExp][] = [
    [["check", "--bogus"], /^error: unknown option '--bogus'/],
    [["check", "--suite", "nope"], /^error: Unknown suite "nope": expected one of issuance, /],
    [["check", "--reporter", "xml"], /^error: Unknown reporter "xml": expected one of console/],
    [["check", "--phone", "123"], /^error: Cannot parse --phone "123": expected E\.164/],
    [["check", "--allow-send"], /^error: Cannot use --allow-send without --phone/],
    [
      ["check", "--profile", "nope"],
      /^error: option '--profile <name>' argument 'nope' is invalid/,
    ],
    [["check", "--target", "not a url"], /^error: Cannot parse --target "not a url"/],
    [
      ["check", "--username", "u"],
      /^error: Cannot use --username, --password or --password-file without --target/,
    ],
    [["check", "--timeout", "soon"], /^error: Cannot parse --timeout "soon"/],
  ];
  const runs = await Promise.all(cases.map(([args]) => runCli(args)));
  for (const [i, r] of runs.entries()) {
    const [args, pattern] = cases[i];
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assertOneLineError(r.stderr, pattern);
    assert.equal(r.stdout, "", `${args.join(" ")} prints nothing on stdout`);
  }
});

Deno.test("check against a closed port exits 3 with one clear line", async () => {
  const url = closedPortUrl();
  const r = await runCli(["check", "--target", url, "--username", USER], {
    SMSGATE_PASSWORD: PASSWORD,
  });
  assert.equal(r.code, 3, r.stderr);
  assertOneLineError(r.stderr, new RegExp(`^error: Cannot reach ${url.replace(/\./g, "\\.")}: `));
  assert.equal(r.stdout, "");
});

Deno.test("check with refused credentials exits 2 and says to check the credentials", async () => {
  await withServer("server", [], async (s) => {
    const r = await runCli(["check", "--target", s.url, "--username", USER], {
      SMSGATE_PASSWORD: "wrong-password",
    });
    assert.equal(r.code, 2, r.stderr);
    assertOneLineError(r.stderr, /^error: The target refused the credentials .*--username/);
  });
});

Deno.test("check --reporter junit,json --out writes both files and the JSON validates", async () => {
  const dir = await Deno.makeTempDir({ prefix: "smsgate-check-" });
  try {
    await withServer("server", ["revoke-noop"], async (s) => {
      const r = await runCli([
        "check",
        "--target",
        s.url,
        "--username",
        USER,
        "--suite",
        "revocation",
        "--reporter",
        "junit,json",
        "--out",
        dir,
      ], { SMSGATE_PASSWORD: PASSWORD });
      assert.equal(r.code, 1, r.stderr);
      assert.equal(
        r.stdout.trim(),
        `reports: ${join(dir, "junit.xml")}, ${join(dir, "result.json")}`,
        "no console report was asked for",
      );
    });
    const json = await Deno.readTextFile(join(dir, "result.json"));
    assert.ok(!json.includes(PASSWORD), "no password in the result document");
    const parsed = ConformanceResultSchema.safeParse(JSON.parse(json));
    assert.equal(parsed.success, true, parsed.error?.message);
    const doc = parsed.data!;
    const revocation = selectChecks(["revocation"]);
    assert.deepEqual(doc.checks.map((c) => c.id), revocation.map((c) => c.id));
    assert.equal(doc.target.profile, "server");
    assert.ok(doc.summary.failed > 0);

    const xml = parseXml(await Deno.readTextFile(join(dir, "junit.xml")));
    assert.equal(xml.name, "testsuites");
    const cases = xml.children.flatMap((s) => s.children.filter((c) => c.name === "testcase"));
    assert.equal(cases.length, revocation.length);
    const failures = cases.filter((c) => c.children.some((x) => x.name === "failure"));
    assert.equal(failures.length, doc.summary.failed);
    assert.equal(xml.attrs.failures, String(doc.summary.failed));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("check treats an empty SMSGATE_JWT_SECRET as unset, like the other SMSGATE_* variables", async () => {
  const r = await runCli(["check", "--profile", "server", "--suite", "hardening"], {
    SMSGATE_JWT_SECRET: "",
  });
  assert.equal(r.code, 0, r.stderr);
  // The embedded server's own secret signs the test tokens: nothing is skipped for want of it.
  const skipped = r.stdout.match(/^\s+- (JWT-SIGNED-\S+)/gm) ?? [];
  assert.deepEqual(skipped.map((l) => l.trim()), [], "signed-token checks skipped");
});
