/**
 * Property-based tests (fast-check) of the suite-file loader: whatever text a user hands to
 * `check --suite-file`, `parseSuiteText()` returns checks or throws a SuiteFileError that points
 * at the file, never another error and never a hang. Inputs: arbitrary text, YAML built from its
 * structural tokens (anchors, aliases, tags, flow and block collections), JSON values, and the
 * valid example suite with random structural mutations and random character edits.
 *
 * Seeds are random; a failure prints the seed and the shrunk input (replay with
 * `{ seed, path }` in the `fc.assert` options). `FUZZ_RUNS=20000` digs deeper.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { parseSuiteText, SuiteFileError } from "./suite_file.ts";

const RUNS = Number(Deno.env.get("FUZZ_RUNS") ?? 500);
const FILE = "f.yaml";
/** Longest time one parse may take, in ms (a generous bound: a parse takes well under 5 ms). */
const PARSE_BOUND_MS = 1000;

const VALID_TEXT = Deno.readTextFileSync(new URL("./testdata/valid_suite.yaml", import.meta.url));
const VALID = parseYaml(VALID_TEXT) as Record<string, unknown>;

/** Parses `text`; asserts the outcome is checks or a clean SuiteFileError, within the bound. */
function _parses(text: string): "checks" | "error" {
  const t0 = performance.now();
  try {
    const checks = parseSuiteText(text, FILE);
    assert.ok(Array.isArray(checks) && checks.length > 0, "a suite has at least one check");
    for (const c of checks) assert.equal(typeof c.id, "string");
    return "checks";
  } catch (e) {
    if (!(e instanceof SuiteFileError)) {
      throw new Error(
        `parseSuiteText() threw ${(e as Error)?.name ?? typeof e} instead of a SuiteFileError for ${
          JSON.stringify(text)
        }`,
        { cause: e },
      );
    }
    assert.ok(e.problems.length > 0, "a SuiteFileError lists its problems");
    assert.ok(e.message.startsWith(`Invalid suite file ${FILE}:`), e.message);
    for (const p of e.problems) {
      assert.ok(p.startsWith(FILE), `a problem points at the file: ${JSON.stringify(p)}`);
    }
    return "error";
  } finally {
    const ms = performance.now() - t0;
    assert.ok(ms < PARSE_BOUND_MS, `parsing took ${ms.toFixed(0)} ms for ${JSON.stringify(text)}`);
  }
}

/** YAML's structural pieces and some SMSGate suite vocabulary, to assemble YAML-ish text. */
const YAML_TOKEN = fc.constantFrom(
  "checks:",
  "\n",
  "\n  ",
  "\n    ",
  "  ",
  "- ",
  "id: ",
  "suite: ",
  "title: ",
  "requirements: ",
  "steps:",
  "request: ",
  "route: ",
  "health",
  "expect: ",
  "status: ",
  "200",
  "{",
  "}",
  "[",
  "]",
  ", ",
  ": ",
  "&a ",
  "*a",
  "&b ",
  "*b",
  "!!set ",
  "!!binary ",
  "!!map ",
  "!!str ",
  "!!int ",
  "!custom ",
  "? ",
  "---",
  "...",
  "'",
  '"',
  "# c",
  "|\n  ",
  ">-\n  ",
  "%YAML 1.2\n",
  "<<: ",
  "__proto__",
  "constructor",
  "USER-X",
  "AUTH-HEALTH-OPEN",
  "null",
  "~",
  "true",
  "-1",
  "1e999",
  "\t",
  "\u0000",
  "\uFEFF",
  "\\",
  "@",
  "`",
);

const yamlish = fc.array(YAML_TOKEN, { maxLength: 40 }).map((parts) => parts.join(""));

/** Walks a JSON-like value and lists the paths of its nodes (the root is []). */
function _paths(value: unknown, at: (string | number)[] = [], out: (string | number)[][] = []) {
  out.push(at);
  if (Array.isArray(value)) value.forEach((v, i) => _paths(v, [...at, i], out));
  else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) _paths(v, [...at, k], out);
  }
  return out;
}

type _Edit = ["delete" | "replace" | "duplicate" | "rename" | "wrap", number, unknown];

/** Applies structural edits to a deep copy of `base`, each at a node chosen by index. */
function _mutate(base: unknown, edits: _Edit[]): unknown {
  let root = structuredClone(base);
  for (const [kind, pick, value] of edits) {
    const paths = _paths(root);
    const path = paths[pick % paths.length];
    if (path.length === 0) {
      root = kind === "wrap" ? [root] : kind === "replace" ? value : root;
      continue;
    }
    let parent = root as Record<string | number, unknown>;
    for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
    const key = path[path.length - 1];
    if (kind === "delete") {
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key];
    } else if (kind === "replace") parent[key] = value;
    else if (kind === "duplicate") {
      if (Array.isArray(parent)) parent.push(structuredClone(parent[key]));
      else parent[`${key}2`] = structuredClone(parent[key]);
    } else if (kind === "rename" && !Array.isArray(parent)) {
      const v = parent[key];
      delete parent[key];
      // JSON text, not String(): a generated object may carry "toString" or "valueOf" keys.
      const name = typeof value === "string" ? value : JSON.stringify(value) ?? "";
      parent[name.slice(0, 12) || "x"] = v;
    } else if (kind === "wrap") parent[key] = [parent[key]];
  }
  return root;
}

const edit: fc.Arbitrary<_Edit> = fc.tuple(
  fc.constantFrom("delete", "replace", "duplicate", "rename", "wrap") as fc.Arbitrary<_Edit[0]>,
  fc.nat(),
  fc.oneof(
    fc.jsonValue({ maxDepth: 2 }),
    fc.constantFrom("health", "$refreshStatus", "none", "basic", 0, -1, 1.5, "", "1s", "t", null),
  ),
);

/** The valid example suite after 1 to 4 structural edits, as YAML or JSON text. */
const mutatedSuite = fc.tuple(
  fc.array(edit, { minLength: 1, maxLength: 4 }),
  fc.constantFrom("yaml", "json", "json-pretty"),
).map(([edits, format]) => {
  const value = _mutate(VALID, edits);
  if (format === "yaml") return stringifyYaml(value ?? null);
  return JSON.stringify(value ?? null, null, format === "json" ? undefined : 2) ?? "null";
});

/** Random character edits of a valid suite text (YAML or JSON). */
const editedText = fc.tuple(
  fc.constantFrom(VALID_TEXT, JSON.stringify(VALID), JSON.stringify(VALID, null, 2)),
  fc.array(
    fc.tuple(
      fc.constantFrom("insert", "delete", "replace"),
      fc.nat(),
      fc.oneof(fc.string({ minLength: 1, maxLength: 3 }), YAML_TOKEN),
    ),
    { minLength: 1, maxLength: 5 },
  ),
).map(([text, edits]) => {
  let s = text;
  for (const [kind, at, piece] of edits) {
    const i = at % (s.length + 1);
    if (kind === "insert") s = s.slice(0, i) + piece + s.slice(i);
    else if (kind === "delete") s = s.slice(0, i) + s.slice(i + piece.length);
    else s = s.slice(0, i) + piece + s.slice(i + piece.length);
  }
  return s;
});

Deno.test("parseSuiteText() returns checks or throws SuiteFileError for arbitrary text", () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string({ unit: "binary", maxLength: 200 }),
        fc.string({ unit: "grapheme", maxLength: 200 }),
      ),
      (text) => {
        _parses(text);
      },
    ),
    { numRuns: RUNS },
  );
});

Deno.test("parseSuiteText() returns checks or throws SuiteFileError for YAML-ish text", () => {
  fc.assert(fc.property(yamlish, (text) => void _parses(text)), { numRuns: RUNS });
});

Deno.test("parseSuiteText() returns checks or throws SuiteFileError for any JSON value", () => {
  fc.assert(
    fc.property(
      fc.jsonValue({ maxDepth: 4 }),
      fc.boolean(),
      (value, asYaml) => {
        _parses(asYaml ? stringifyYaml(value) : JSON.stringify(value));
      },
    ),
    { numRuns: RUNS },
  );
});

Deno.test("parseSuiteText() returns checks or throws SuiteFileError for mutated suites", () => {
  const outcomes = { checks: 0, error: 0 };
  fc.assert(
    fc.property(mutatedSuite, (text) => {
      outcomes[_parses(text)]++;
    }),
    { numRuns: RUNS },
  );
  // Both outcomes occur: the mutations keep some suites valid and break others.
  assert.ok(outcomes.checks > 0 && outcomes.error > 0, JSON.stringify(outcomes));
});

Deno.test("parseSuiteText() returns checks or throws SuiteFileError for edited suite text", () => {
  fc.assert(fc.property(editedText, (text) => void _parses(text)), { numRuns: RUNS });
});

Deno.test("parseSuiteText() loads the example suite in YAML and JSON form", () => {
  for (const text of [VALID_TEXT, JSON.stringify(VALID), stringifyYaml(VALID)]) {
    assert.equal(_parses(text), "checks");
  }
});

// Regression inputs of the crashes the fuzzer found in suites/suite_file.ts (now clean errors).
const BILLION_LAUGHS = [
  'a: &a ["x","x","x","x","x","x","x","x","x"]',
  "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]",
  "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]",
  "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]",
  "",
].join("\n");

Deno.test({
  name: "parseSuiteText() reports an alias without its anchor as a SuiteFileError",
  fn() {
    assert.throws(() => parseSuiteText("checks: *a\n", FILE), SuiteFileError);
  },
});

Deno.test({
  name: "parseSuiteText() reports an excessive alias expansion as a SuiteFileError",
  fn() {
    assert.throws(() => parseSuiteText(BILLION_LAUGHS, FILE), SuiteFileError);
  },
});
