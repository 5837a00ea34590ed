import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  ERROR_TYPE,
  escapeXmlAttr,
  escapeXmlText,
  FAILURE_TYPE,
  renderJunit,
  stripInvalidXmlChars,
} from "./junit.ts";
import { parseXml, type XmlElement } from "./testdata/mini_xml.ts";
import { sampleResult } from "./testdata/sample_result.ts";

const XSD = fileURLToPath(new URL("./testdata/junit-4.xsd", import.meta.url));

/**
 * The content models of testdata/junit-4.xsd (Jenkins/Ant): children in sequence with
 * occurrence bounds, and attributes (required ones marked). `testcase` additionally allows one
 * leading `properties`, the documented extension the reporter uses.
 */
const JUNIT4: Record<string, {
  children: [name: string, min: number, max: number][];
  required: string[];
  optional: string[];
  text: boolean;
}> = {
  testsuites: {
    children: [["testsuite", 0, Infinity]],
    required: [],
    optional: ["name", "time", "tests", "failures", "disabled", "errors"],
    text: false,
  },
  testsuite: {
    children: [
      ["properties", 0, 1],
      ["testcase", 0, Infinity],
      ["system-out", 0, 1],
      ["system-err", 0, 1],
    ],
    required: ["name", "tests"],
    optional: [
      "failures",
      "errors",
      "time",
      "disabled",
      "skipped",
      "timestamp",
      "hostname",
      "id",
      "package",
    ],
    text: false,
  },
  properties: { children: [["property", 1, Infinity]], required: [], optional: [], text: false },
  property: { children: [], required: ["name", "value"], optional: [], text: false },
  testcase: {
    children: [
      ["properties", 0, 1], // extension: testcase properties
      ["skipped", 0, 1],
      ["error", 0, Infinity],
      ["failure", 0, Infinity],
      ["system-out", 0, Infinity],
      ["system-err", 0, Infinity],
    ],
    required: ["name"],
    optional: ["assertions", "time", "classname", "status"],
    text: false,
  },
  skipped: { children: [], required: [], optional: ["message"], text: true },
  error: { children: [], required: [], optional: ["type", "message"], text: true },
  failure: { children: [], required: [], optional: ["type", "message"], text: true },
  "system-out": { children: [], required: [], optional: [], text: true },
  "system-err": { children: [], required: [], optional: [], text: true },
};

/** Returns every structural violation of `el` (and its subtree) against JUNIT4. */
function violations(el: XmlElement, path = el.name): string[] {
  const model = JUNIT4[el.name];
  if (!model) return [`${path}: unknown element`];
  const out: string[] = [];
  for (const name of model.required) {
    if (!(name in el.attrs)) out.push(`${path}: missing attribute ${name}`);
  }
  for (const name of Object.keys(el.attrs)) {
    if (!model.required.includes(name) && !model.optional.includes(name)) {
      out.push(`${path}: attribute ${name} not allowed`);
    }
  }
  if (!model.text && el.text.trim() !== "") out.push(`${path}: text not allowed`);
  let i = 0;
  for (const [name, min, max] of model.children) {
    let n = 0;
    while (i < el.children.length && el.children[i].name === name) {
      n++;
      i++;
    }
    if (n < min || n > max) out.push(`${path}: ${n} <${name}>, expected ${min}..${max}`);
  }
  if (i < el.children.length) {
    out.push(`${path}: <${el.children[i].name}> not allowed at position ${i + 1}`);
  }
  el.children.forEach((child, k) => out.push(...violations(child, `${path}/${child.name}[${k}]`)));
  return out;
}

function find(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}

function testcase(root: XmlElement, id: string): XmlElement {
  for (const suite of find(root, "testsuite")) {
    for (const tc of find(suite, "testcase")) {
      if (tc.attrs.name.startsWith(`${id}: `)) return tc;
    }
  }
  throw new Error(`no testcase ${id}`);
}

async function xmllint(args: string[]): Promise<{ code: number; stderr: string } | null> {
  try {
    const out = await new Deno.Command("xmllint", { args, stdout: "null", stderr: "piped" })
      .output();
    return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
}

Deno.test("renderJunit() output is well-formed and follows the junit-4.xsd structure", () => {
  const root = parseXml(renderJunit(sampleResult()));
  assert.equal(root.name, "testsuites");
  assert.deepEqual(violations(root), []);
});

Deno.test("violations() catches misordered elements and missing attributes", () => {
  const bad = parseXml(
    '<testsuites><testsuite name="s"><testcase name="a"><system-out>x</system-out>' +
      '<failure message="m"/></testcase><testcase/></testsuite></testsuites>',
  );
  assert.deepEqual(violations(bad), [
    "testsuites/testsuite[0]: missing attribute tests",
    "testsuites/testsuite[0]/testcase[0]: <failure> not allowed at position 2",
    "testsuites/testsuite[0]/testcase[1]: missing attribute name",
  ]);
});

Deno.test("renderJunit() writes one testsuite per suite with counts, time and timestamp", () => {
  const root = parseXml(renderJunit(sampleResult()));
  assert.deepEqual(root.attrs, {
    name: "smsgate-testkit conformance",
    tests: "4",
    failures: "1",
    errors: "1",
    time: "3.200",
  });
  const suites = find(root, "testsuite");
  assert.deepEqual(suites.map((s) => s.attrs), [
    {
      name: "auth",
      tests: "2",
      failures: "1",
      errors: "0",
      skipped: "0",
      time: "1.055",
      timestamp: "2026-01-02T03:04:05",
    },
    {
      name: "scopes",
      tests: "2",
      failures: "0",
      errors: "1",
      skipped: "1",
      time: "5.002",
      timestamp: "2026-01-02T03:04:05",
    },
  ]);
  const props = find(find(suites[0], "properties")[0], "property").map((p) => p.attrs);
  assert.deepEqual(props, [
    { name: "target", value: "http://127.0.0.1:41234/3rdparty/v1" },
    { name: "embedded", value: "true" },
    { name: "profile", value: "server" },
    { name: "profileSource", value: "auto" },
    { name: "tool", value: "smsgate-testkit 0.1.0" },
  ]);
});

Deno.test("renderJunit() writes testcases with requirement and profile properties", () => {
  const root = parseXml(renderJunit(sampleResult()));
  const tc = testcase(root, "AUTH-EXPIRY-401");
  assert.deepEqual(tc.attrs, {
    classname: "smsgate.auth",
    name: "AUTH-EXPIRY-401: An access token is refused once it has expired",
    time: "1.043",
  });
  assert.deepEqual(find(find(tc, "properties")[0], "property").map((p) => p.attrs), [
    { name: "requirement", value: "TOKEN-EXPIRY" },
    { name: "requirement", value: "RFC6750-3.1" },
    { name: "profile", value: "server" },
  ]);
  const pass = testcase(root, "AUTH-TOKEN-201");
  assert.deepEqual(pass.children.map((c) => c.name), ["properties", "system-out"]);
});

Deno.test("renderJunit() writes a failure with details and the failing exchange", () => {
  const tc = testcase(parseXml(renderJunit(sampleResult())), "AUTH-EXPIRY-401");
  assert.deepEqual(tc.children.map((c) => c.name), ["properties", "failure", "system-out"]);
  const [failure] = find(tc, "failure");
  assert.deepEqual(failure.attrs, { message: "Expected status 401, got 200", type: FAILURE_TYPE });
  const lines = failure.text.split("\n");
  assert.deepEqual(lines.slice(0, 8), [
    "Expected status 401, got 200",
    "expected:     401",
    "actual:       200",
    "hint:         If this deployment is an Android Local Server, run with --profile local",
    "requirements: TOKEN-EXPIRY, RFC6750-3.1",
    "",
    "step 4: request devices.list (3ms)",
    "> GET http://127.0.0.1:41234/3rdparty/v1/devices",
  ]);
  assert.match(failure.text, /… \(\d+ more characters\)$/);
  assert.doesNotMatch(failure.text, /POST /);
  const [out] = find(tc, "system-out");
  assert.match(out.text, /^step 1: issue token t \(4ms\)\n> POST http/);
  assert.match(out.text, /\n\nstep 4: request devices.list \(3ms\)\n/);
  assert.match(out.text, /END-OF-BODY/);
});

Deno.test("renderJunit() writes error and skipped elements", () => {
  const root = parseXml(renderJunit(sampleResult()));
  const err = testcase(root, "SCOPE-WEBHOOKS-403");
  assert.deepEqual(err.children.map((c) => c.name), ["properties", "error", "system-out"]);
  assert.deepEqual(find(err, "error")[0].attrs, {
    message: "Request timed out after 5s",
    type: ERROR_TYPE,
  });
  assert.match(find(err, "error")[0].text, /! timed out after 5000ms$/);
  const skip = testcase(root, "SCOPE-UNKNOWN-400");
  assert.deepEqual(skip.children.map((c) => c.name), ["properties", "skipped"]);
  assert.deepEqual(find(skip, "skipped")[0].attrs, {
    message: "profile server accepts unknown scopes",
  });
});

Deno.test("renderJunit() escapes markup and quotes and strips characters XML forbids", () => {
  const doc = sampleResult();
  const nasty =
    `a < b && c > d "quoted" 'single' bell\x07 nul\0 esc\x1b ffff\uFFFF lone\uD800 ok😀\nline 2\tend`;
  doc.checks[1].message = nasty;
  doc.checks[1].title = `</testcase><testcase name="x">`;
  doc.checks[1].transcript[1].response!.body = "]]> <![CDATA[ & \x0b";
  const xml = renderJunit(doc);
  // deno-lint-ignore no-control-regex
  assert.doesNotMatch(xml, /[\x00-\x08\x0b\x0c\x0e-\x1f\uFFFE\uFFFF]/);
  const root = parseXml(xml);
  assert.deepEqual(violations(root), []);
  const tc = testcase(root, "AUTH-EXPIRY-401");
  assert.equal(tc.attrs.name, `AUTH-EXPIRY-401: </testcase><testcase name="x">`);
  const expected = `a < b && c > d "quoted" 'single' bell nul esc ffff lone ok😀\nline 2\tend`;
  assert.equal(find(tc, "failure")[0].attrs.message, expected);
  assert.ok(find(tc, "failure")[0].text.startsWith(expected + "\n"));
  assert.match(find(tc, "system-out")[0].text, /< \]\]> <!\[CDATA\[ & $/);
});

Deno.test("escapeXmlText() and escapeXmlAttr() escape exactly the markup characters", () => {
  assert.equal(escapeXmlText(`<a & "b"> ]]>`), `&lt;a &amp; "b"> ]]&gt;`);
  assert.equal(
    escapeXmlAttr(`<a & "b" 'c'>\n\t\r`),
    "&lt;a &amp; &quot;b&quot; &apos;c&apos;&gt;&#10;&#9;&#13;",
  );
  assert.equal(stripInvalidXmlChars("a\x00\x1f\uD83D\uDE00\uDFFFb"), "a\uD83D\uDE00b");
});

Deno.test("renderJunit() output validates against junit-4.xsd with xmllint", async (t) => {
  const xml = renderJunit(sampleResult());
  // Testcase-level properties are the reporter's one documented extension to junit-4.xsd;
  // remove them so the rest is validated against the schema as written.
  const strict = xml.replace(/(<testcase\b[^>]*>\n)\s*<properties>[\s\S]*?<\/properties>\n/g, "$1");
  assert.notEqual(strict, xml);
  assert.doesNotMatch(strict, /<testcase\b[^>]*>\s*<properties>/);
  const dir = await Deno.makeTempDir({ prefix: "junit_test_" });
  try {
    const file = `${dir}/junit.xml`;
    await Deno.writeTextFile(file, strict);
    const result = await xmllint(["--noout", "--schema", XSD, file]);
    if (result === null) {
      await t.step({
        name: "xmllint not installed (apt-get install -y libxml2-utils): schema check skipped",
        ignore: true,
        fn: () => {},
      });
      return;
    }
    assert.equal(result.code, 0, result.stderr);
    // The unmodified output differs from the schema only by those testcase properties.
    await Deno.writeTextFile(file, xml);
    const full = await xmllint(["--noout", "--schema", XSD, file]);
    assert.notEqual(full!.code, 0);
    const complaints = full!.stderr.split("\n").filter((l) => l.includes("error"));
    assert.ok(complaints.length > 0);
    for (const line of complaints) {
      assert.match(line, /Element 'properties': This element is not expected/);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
