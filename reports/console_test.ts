import assert from "node:assert/strict";
import { ConformanceResultSchema } from "../suites/result.ts";
import { renderConsole, visible } from "./console.ts";
import { sampleResult } from "./testdata/sample_result.ts";

// deno-lint-ignore no-control-regex
const ANSI = /\x1b\[[0-9;]*m/;

function plain(verbose = false): string {
  return renderConsole(sampleResult(), { color: false, verbose });
}

function linesAfter(text: string, start: string, count: number): string[] {
  const lines = text.split("\n");
  const i = lines.findIndex((line) => line.startsWith(start));
  assert.ok(i >= 0, `no line starts with ${JSON.stringify(start)}`);
  return lines.slice(i, i + count);
}

Deno.test("sampleResult() is a valid result document", () => {
  ConformanceResultSchema.parse(sampleResult());
});

Deno.test("renderConsole() writes no ANSI codes when color is false and some when true", () => {
  assert.doesNotMatch(plain(), ANSI);
  assert.doesNotMatch(plain(true), ANSI);
  assert.match(renderConsole(sampleResult(), { color: true }), ANSI);
});

Deno.test("renderConsole() heads the report with target, profile and detection evidence", () => {
  const lines = plain().split("\n");
  assert.deepEqual(lines.slice(0, 6), [
    "smsgate-testkit 0.1.0 conformance check",
    "target   http://127.0.0.1:41234/3rdparty/v1 (embedded reference server)",
    "profile  server (auto-detected)",
    "           · POST /auth/token with Basic auth answered 201",
    '           · 403 body is JSON with message "Forbidden"',
    "started  2026-01-02T03:04:05.678Z",
  ]);
});

Deno.test("renderConsole() says when the profile was explicit or detection was inconclusive", () => {
  const explicit = sampleResult();
  explicit.target.profileSource = "explicit";
  explicit.target.embedded = false;
  const text = renderConsole(explicit, { color: false });
  assert.match(text, /^profile {2}server \(explicit \(--profile\)\)$/m);
  assert.match(text, /^target {3}http:\/\/127\.0\.0\.1:41234\/3rdparty\/v1$/m);
  assert.doesNotMatch(text, /answered 201/);

  const inconclusive = sampleResult();
  inconclusive.target.detection = { profile: null, evidence: ["GET /health refused"] };
  const text2 = renderConsole(inconclusive, { color: false });
  assert.match(text2, /auto: detection inconclusive, fell back to this profile/);
  assert.match(text2, /· GET \/health refused/);
});

Deno.test("renderConsole() groups checks by suite with one line per passing check", () => {
  const text = plain();
  assert.deepEqual(linesAfter(text, "auth", 3), [
    "auth (2 checks)",
    "  ✓ AUTH-TOKEN-201      Issuing a token answers 201 Created  12ms",
    "  ✗ AUTH-EXPIRY-401     An access token is refused once it has expired  1.0s",
  ]);
  assert.deepEqual(linesAfter(text, "scopes", 3), [
    "scopes (2 checks)",
    "  - SCOPE-UNKNOWN-400   Unknown scopes are refused with 400  0ms",
    "      skipped: profile server accepts unknown scopes",
  ]);
});

Deno.test("renderConsole() details a failure with the last exchange, bodies cut at 500", () => {
  const text = plain();
  const details = linesAfter(text, "  ✗ AUTH-EXPIRY-401", 20);
  assert.deepEqual(details.slice(1, 16), [
    "      Expected status 401, got 200",
    "      expected:     401",
    "      actual:       200",
    "      hint:         If this deployment is an Android Local Server, run with --profile local",
    "      requirements: TOKEN-EXPIRY, RFC6750-3.1",
    "      last exchange (1 earlier exchange not shown)",
    "        step 4: request devices.list (3ms)",
    "        > GET http://127.0.0.1:41234/3rdparty/v1/devices",
    "        > authorization: Bearer [redacted]",
    "        < 200",
    "        < content-type: application/json",
    "        < x-request-id: r-42",
    "        <",
    details[14],
    "",
  ]);
  assert.match(details[14], /^ {8}< \{"token_type":"Bearer".*x+… \(\d+ more characters\)$/);
  assert.equal(details[14].length, "        < ".length + 500 + " (NNN more characters)".length + 1);
  assert.doesNotMatch(text, /END-OF-BODY/);
  assert.doesNotMatch(text, /POST http/);
});

Deno.test("renderConsole() shows an error's transport failure", () => {
  const details = linesAfter(plain(), "  ! SCOPE-WEBHOOKS-403", 8);
  assert.deepEqual(details, [
    "  ! SCOPE-WEBHOOKS-403  Listing webhooks without webhooks:list is forbidden  5.0s",
    "      Request timed out after 5s",
    "      requirements: SCOPE-ENFORCED",
    "        step 2: request webhooks.list (5.0s)",
    "        > GET http://127.0.0.1:41234/3rdparty/v1/webhooks",
    "        > authorization: Bearer [redacted]",
    "        ! timed out after 5000ms",
    "",
  ]);
});

Deno.test("renderConsole() summarizes requirement coverage and totals", () => {
  const text = plain();
  assert.deepEqual(linesAfter(text, "requirements", 9), [
    "requirements  5 requirements: 1 passed, 2 failed, 2 not exercised",
    "  failed:",
    "    ✗ TOKEN-EXPIRY    An expired access token is refused with 401  (AUTH-EXPIRY-401)",
    "    ✗ RFC6750-3.1     Invalid tokens are answered with 401 and WWW-Authenticate  (AUTH-EXPIRY-401)",
    "  not exercised:",
    "    - SCOPE-UNKNOWN   Unknown scope names are refused with 400",
    "    - SCOPE-ENFORCED  Each route refuses tokens without its scope with 403",
    "",
    "4 checks: 1 passed, 1 failed, 1 skipped, 1 error in 3.2s",
  ]);
  assert.ok(text.endsWith("in 3.2s\n"));
});

Deno.test("renderConsole() in verbose mode shows whole transcripts and passing requirements", () => {
  const text = plain(true);
  assert.match(text, /✓ AUTH-TOKEN-201 .* 12ms {2}\[TOKEN-ISSUE-201\]$/m);
  assert.match(text, /^ {8}> POST http:\/\/127\.0\.0\.1:41234\/3rdparty\/v1\/auth\/token$/m);
  assert.match(text, /END-OF-BODY/);
  assert.doesNotMatch(text, /earlier exchange/);
});

Deno.test("renderConsole() makes terminal control characters from the target visible", () => {
  const doc = sampleResult();
  doc.checks[1].transcript[1].response!.body = "evil\x1b[2J\x07\u202Egnp.exe\r\nnext";
  doc.checks[1].message = "bad\x1b]0;title\x07";
  const text = renderConsole(doc, { color: false });
  // deno-lint-ignore no-control-regex
  assert.doesNotMatch(text, /[\x1b\x07\u202e\r]/);
  assert.match(text, /bad\\x1b\]0;title\\x07/);
  assert.match(text, /< evil\\x1b\[2J\\x07\\u202egnp\.exe\n {8}< next/);
});

Deno.test("visible() keeps tabs, newlines and ordinary Unicode", () => {
  assert.equal(visible("a\tb\nc ✓ é 😀"), "a\tb\nc ✓ é 😀");
  assert.equal(visible("\u0000\u009b"), "\\x00\\x9b");
});
