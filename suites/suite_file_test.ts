// Tests of user-written suite files (YAML and JSON): they load with the built-in schema, run
// against the reference server, and every error points at file:line:col and the path in the file.
import assert from "node:assert/strict";
import process from "node:process";
import { Engine } from "./engine.ts";
import { loadSuiteFile, parseSuiteText, SuiteFileError } from "./suite_file.ts";
import { REPO_ROOT, withVirtual } from "./testdata/harness.ts";

const DIR = `${REPO_ROOT}suites/testdata`;

/** The problems of a suite file that must fail to load. */
async function problemsOf(path: string): Promise<string[]> {
  try {
    await loadSuiteFile(path);
  } catch (e) {
    assert.ok(e instanceof SuiteFileError, `expected a SuiteFileError, got ${e}`);
    assert.equal(e.message, `Invalid suite file ${path}:\n  ${e.problems.join("\n  ")}`);
    return e.problems;
  }
  throw new Error(`${path} loaded, but it is invalid`);
}

for (const file of ["valid_suite.yaml", "valid_suite.json"]) {
  Deno.test(`loadSuiteFile() loads ${file} with the schema's defaults applied`, async () => {
    const checks = await loadSuiteFile(`${DIR}/${file}`);
    assert.deepEqual(checks.map((c) => c.id), ["USER-HEALTH", "USER-TOKEN-WORKS"]);
    assert.deepEqual(checks[0].steps[0], {
      request: { route: "health", auth: "none" },
      expect: { status: 200 },
    });
    assert.deepEqual(checks[1].when, { tokens: "jwt" });
    assert.deepEqual(checks[1].steps[3], { waitExpiry: "t", plus: "2s" });
  });
}

Deno.test("loadSuiteFile() YAML and JSON twins give the same checks", async () => {
  assert.deepEqual(
    await loadSuiteFile(`${DIR}/valid_suite.yaml`),
    await loadSuiteFile(`${DIR}/valid_suite.json`),
  );
});

Deno.test("a loaded suite passes on the reference server and fails on a defective one", async () => {
  const checks = await loadSuiteFile(`${DIR}/valid_suite.yaml`);
  for (const profile of ["server", "local"]) {
    await withVirtual({ profile }, async (v) => {
      const engine = new Engine(v.target, v.deps);
      for (const c of checks) {
        const r = await engine.run(c);
        assert.equal(r.status, "pass", `${profile} ${c.id}: ${r.message}`);
      }
      assert.ok(v.slept.length === 1 && v.slept[0] > 60_000, "waited past the 60 s ttl");
    });
  }
  await withVirtual({ profile: "server-nojwt" }, async (v) => {
    const r = await new Engine(v.target, v.deps).run(checks[1]);
    assert.equal(r.status, "skip", "the token check does not apply without JWT");
  });
  await withVirtual({ profile: "server", defects: ["health-requires-auth"] }, async (v) => {
    const r = await new Engine(v.target, v.deps).run(checks[0]);
    assert.equal(r.status, "fail");
    assert.equal(r.message, "Step 1 (health): unexpected status 401");
  });
  await withVirtual({ profile: "server", defects: ["expiry-ignored"] }, async (v) => {
    const r = await new Engine(v.target, v.deps).run(checks[1]);
    assert.equal(r.status, "fail");
    assert.match(r.message ?? "", /^Step 5 \(devices\.list\): expected 401 Unauthorized, got 200/);
  });
});

Deno.test("loadSuiteFile() points an unknown step at file:line:col and its path", async () => {
  const path = `${DIR}/unknown_step.yaml`;
  assert.deepEqual(await problemsOf(path), [
    `${path}:9:9: checks[0].steps[1]: expected a step: an object with one of issue, refresh, request, waitExpiry or forge (and its fields)`,
  ]);
});

Deno.test("loadSuiteFile() points a bad status at the value in YAML and in JSON", async () => {
  const message =
    "expected a status code, a list of codes, a profile fact such as $refreshStatus, or {not: [codes]}";
  const yaml = `${DIR}/bad_status.yaml`;
  assert.deepEqual(await problemsOf(yaml), [
    `${yaml}:9:19: checks[0].steps[0].expect.status: ${message}`,
  ]);
  const json = `${DIR}/bad_status.json`;
  assert.deepEqual(await problemsOf(json), [
    `${json}:9:67: checks[0].steps[0].expect.status: ${message}`,
  ]);
});

Deno.test("loadSuiteFile() points a duplicate id at the second check", async () => {
  const path = `${DIR}/duplicate_id.yaml`;
  assert.deepEqual(await problemsOf(path), [
    `${path}:9:9: checks[1].id: duplicate check id "USER-TWICE"`,
  ]);
});

Deno.test("loadSuiteFile() points an unknown requirement at the requirements list", async () => {
  const path = `${DIR}/unknown_requirement.yaml`;
  assert.deepEqual(await problemsOf(path), [
    `${path}:5:19: checks[0].requirements: unknown requirement "NOPE-42"`,
  ]);
});

Deno.test("loadSuiteFile() reports YAML syntax errors at file:line:col", async () => {
  // Written at run time: a broken YAML file in the repository would break `deno fmt --check`.
  const dir = await Deno.makeTempDir({ prefix: "smsgate-suite-" });
  const path = `${dir}/syntax_error.yaml`;
  try {
    await Deno.writeTextFile(
      path,
      [
        "checks:",
        "  - id: USER-BROKEN",
        "    suite: user",
        "    title: An unclosed flow sequence",
        "    requirements: [AUTH-HEALTH-OPEN",
        "    steps:",
        "      - request: { route: health }",
        "        expect: { status: 200 }",
        "",
      ].join("\n"),
    );
    const problems = await problemsOf(path);
    assert.equal(problems.length, 1);
    assert.ok(problems[0].startsWith(`${path}:6:5: Flow sequence`), problems[0]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadSuiteFile() says so when the file does not exist", async () => {
  const path = `${DIR}/no_such_suite.yaml`;
  assert.deepEqual(await problemsOf(path), [`${path}: cannot read: no such file`]);
});

Deno.test("parseSuiteText() lists every problem, each with its own position", () => {
  const text = [
    "checks:",
    "  - id: lower-case",
    "    suite: user",
    "    title: Bad id and an unknown field",
    "    requirements: [AUTH-HEALTH-OPEN]",
    "    titel: typo",
    "    steps:",
    "      - request: { route: health }",
    "        expect: { status: 200 }",
  ].join("\n");
  let problems: string[] = [];
  try {
    parseSuiteText(text, "inline.yaml");
  } catch (e) {
    assert.ok(e instanceof SuiteFileError);
    problems = e.problems;
  }
  assert.equal(problems.length, 2, problems.join("\n"));
  assert.match(
    problems.find((p) => p.includes(".id:")) ?? "",
    /^inline\.yaml:2:9: checks\[0\]\.id: /,
  );
  assert.match(
    problems.find((p) => /titel/.test(p)) ?? "",
    /^inline\.yaml:2:5: checks\[0\]: .*titel/,
  );
});

Deno.test("parseSuiteText() refuses duplicate keys, empty suites and non-mapping documents", () => {
  const fails = (text: string, pattern: RegExp) => {
    assert.throws(() => parseSuiteText(text, "s.yaml"), (e: unknown) => {
      assert.ok(e instanceof SuiteFileError);
      assert.match(e.problems.join("\n"), pattern);
      return true;
    });
  };
  fails("checks: []\nchecks: []\n", /^s\.yaml:2:1: .*[Mm]ap keys must be unique/);
  fails("checks: []\n", /^s\.yaml:1:9: checks: /);
  fails("- just\n- a list\n", /^s\.yaml(:1:1)?: \(root\): /);
});

Deno.test("parseSuiteText() refuses a mapping or list as a key, without a warning on stderr", () => {
  const warnings: unknown[] = [];
  const emitWarning = process.emitWarning;
  const consoleWarn = console.warn;
  process.emitWarning = (w: string | Error) => void warnings.push(w);
  console.warn = (...args: unknown[]) => void warnings.push(args);
  try {
    assert.throws(
      () => parseSuiteText("checks:\n  ? [a, b]\n  : 1\n  ? {c: d}\n  : 2\n", "s.yaml"),
      (e: unknown) => {
        assert.ok(e instanceof SuiteFileError);
        assert.deepEqual(e.problems, [
          "s.yaml:2:5: a key must be a plain value, not a mapping or a list",
          "s.yaml:4:5: a key must be a plain value, not a mapping or a list",
        ]);
        return true;
      },
    );
    // A key the library turns into an object (binary data) is stringified quietly.
    assert.throws(
      () => parseSuiteText("checks: []\n? !!binary aGVsbG8=\n: 3\n", "s.yaml"),
      SuiteFileError,
    );
  } finally {
    process.emitWarning = emitWarning;
    console.warn = consoleWarn;
  }
  assert.deepEqual(warnings, []);
});
