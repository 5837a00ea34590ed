// Tests of redaction: the Redactor itself, and whole conformance runs (every built-in suite, on
// virtual time, against correct and defective reference servers) whose result documents must
// never carry the Basic password, a token signature the server issued or the engine sent, a raw
// Authorization value or the JWT secret, while JWT headers and claims stay readable.
import assert from "node:assert/strict";
import { DEFECTS } from "../fixtures/defects.ts";
import { getProfile, PROFILE_NAMES } from "../smsgate/profiles.ts";
import { Engine } from "./engine.ts";
import { redactAuthorization, Redactor, redactToken } from "./redact.ts";
import { ALL_CHECKS } from "./registry.ts";
import { type ConformanceResult, ConformanceResultSchema } from "./result.ts";
import { mapConcurrent, runConformance } from "./runner.ts";
import { fakeJwt, makeCheck, startScripted, startVirtual } from "./testdata/harness.ts";

const PASSWORD = "Recognisable-Pa55word-7Q";
const USER = "redaction-tester";
const JWT_IN_TEXT = /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.([A-Za-z0-9_-]+)/g;

// ---------------------------------------------------------------------------------------------
// The redactor.

Deno.test("redactToken() keeps a JWT's header and claims and drops its signature", () => {
  const token = fakeJwt({ sub: "u", scopes: ["devices:list"] }, "SIGNATURE-PART");
  const [h, p] = token.split(".");
  assert.equal(redactToken(token), `${h}.${p}.<signature redacted>`);
  assert.equal(redactToken(`${h}.${p}.`), `${h}.${p}.`, "an unsigned token has nothing to hide");
  assert.equal(redactToken("opaque-token-value"), "<redacted>");
  assert.equal(redactToken("a.b.c"), "<redacted>");
});

Deno.test("redactAuthorization() hides credentials but keeps the scheme", () => {
  assert.equal(redactAuthorization(`Basic ${btoa(`u:${PASSWORD}`)}`), "Basic <redacted>");
  const token = fakeJwt({ sub: "u" }, "SIG");
  const [h, p] = token.split(".");
  assert.equal(redactAuthorization(`Bearer ${token}`), `Bearer ${h}.${p}.<signature redacted>`);
  assert.equal(redactAuthorization("bearer opaque"), "bearer <redacted>");
  assert.equal(redactAuthorization("Token abc123"), "Token <redacted>");
  assert.equal(redactAuthorization("Basic"), "<redacted>");
});

Deno.test("Redactor.text() removes literal secrets and JWT signatures from free text", () => {
  const r = new Redactor([PASSWORD, "", "ab", undefined]);
  const token = fakeJwt({ a: 1 }, "SIGSIGSIG");
  const out = r.text(`password=${PASSWORD}; token ${token}; short ab kept`);
  assert.ok(!out.includes(PASSWORD));
  assert.ok(!out.includes("SIGSIGSIG"));
  assert.ok(out.includes(token.split(".").slice(0, 2).join(".")), "header.claims stay");
  assert.ok(out.includes("short ab kept"), "secrets under three characters are not redacted");
});

Deno.test("Redactor.body() replaces token fields at any depth, also in non-JSON bodies", () => {
  const r = new Redactor([PASSWORD]);
  const token = fakeJwt({ a: 1 }, "SIGSIGSIG");
  const body = JSON.stringify({
    list: [{ access_token: token, refresh_token: "opaque-refresh" }],
    nested: { password: "pw-in-body", secret: "s3cr3t", note: `uses ${PASSWORD}` },
  });
  const out = JSON.parse(r.body(body));
  assert.equal(out.list[0].access_token, redactToken(token));
  assert.equal(out.list[0].refresh_token, "<redacted>");
  assert.equal(out.nested.password, "<redacted>");
  assert.equal(out.nested.secret, "<redacted>");
  assert.equal(out.nested.note, "uses <redacted>");
  assert.equal(r.body(`form ${PASSWORD} ${token}`).includes("SIGSIGSIG"), false);
  assert.equal(r.body(`form ${PASSWORD}`), "form <redacted>");
});

Deno.test("Redactor.headers() and url() hide credentials", () => {
  const r = new Redactor([PASSWORD]);
  const h = r.headers(
    new Headers({
      Authorization: `Basic ${btoa(`u:${PASSWORD}`)}`,
      "Proxy-Authorization": "Basic Zm9vOmJhcg==",
      Cookie: "session=abc",
      "Set-Cookie": "session=abc",
      "X-Echo": `pw ${PASSWORD}`,
    }),
  );
  assert.deepEqual(h, {
    authorization: "Basic <redacted>",
    "proxy-authorization": "Basic <redacted>",
    cookie: "<redacted>",
    "set-cookie": "<redacted>",
    "x-echo": "pw <redacted>",
  });
  const u = r.url(`http://user:${PASSWORD}@127.0.0.1:8080/x?p=${PASSWORD}`);
  assert.ok(!u.includes(PASSWORD));
  assert.ok(!u.includes("user:"));
});

// ---------------------------------------------------------------------------------------------
// Whole runs.

/** Secrets seen on the wire during a run. */
interface Seen {
  /** Signatures of tokens in response bodies and in Bearer values the engine sent. */
  signatures: Set<string>;
  /** Raw Authorization values carrying credentials (Basic with a colon, or a signed Bearer). */
  authorizations: Set<string>;
  /** JWT `header.claims` of issued tokens (must stay visible). */
  visible: Set<string>;
}

function _recordingFetch(seen: Seen): typeof fetch {
  return async (input, init) => {
    const auth = new Headers(init?.headers).get("authorization");
    if (auth) {
      const m = /^(\S+)\s+(.+)$/.exec(auth);
      const cred = m?.[2] ?? "";
      const parts = cred.split(".");
      if (parts.length === 3 && parts[2] !== "") {
        seen.signatures.add(parts[2]);
        seen.authorizations.add(auth);
      } else if (/^basic$/i.test(m?.[1] ?? "")) {
        let decoded = "";
        try {
          decoded = atob(cred);
        } catch {
          // malformed on purpose (BASIC-MALFORMED)
        }
        if (decoded.includes(":")) seen.authorizations.add(auth);
      }
    }
    const res = await fetch(input, init);
    const text = await res.clone().text();
    for (const m of text.matchAll(JWT_IN_TEXT)) {
      seen.signatures.add(m[1]);
      seen.visible.add(m[0].split(".").slice(0, 2).join("."));
    }
    return res;
  };
}

/** Runs every built-in check on virtual time and returns the document and what was on the wire. */
async function _fullRun(profile: string, defect: string | null) {
  const seen: Seen = { signatures: new Set(), authorizations: new Set(), visible: new Set() };
  const v = await startVirtual({
    profile,
    defects: defect ? [defect] : [],
    users: [{ username: USER, password: PASSWORD }],
    fetch: _recordingFetch(seen),
  });
  try {
    const doc = await runConformance({
      target: v.target,
      checks: ALL_CHECKS,
      profileSource: "explicit",
      embedded: true,
      deps: v.deps,
    });
    return { doc, seen, secret: v.target.jwtSecret! };
  } finally {
    await v.close();
  }
}

/** Every leak of a secret in the serialised document, as readable lines. */
function _leaks(doc: ConformanceResult, seen: Seen, secret: string): string[] {
  const text = JSON.stringify(doc);
  const leaks: string[] = [];
  const where = (needle: string) =>
    doc.checks.filter((c) => JSON.stringify(c).includes(needle)).map((c) => c.id).join(", ") ||
    "document";
  if (text.includes(PASSWORD)) leaks.push(`the Basic password (${where(PASSWORD)})`);
  if (text.includes(btoa(`${USER}:${PASSWORD}`))) leaks.push("the Basic credentials (base64)");
  // (The weak-secret defect's key is the word "secret", which messages use as plain English.)
  if (secret.length >= 16 && text.includes(secret)) leaks.push("the JWT secret");
  for (const a of seen.authorizations) {
    const escaped = JSON.stringify(a).slice(1, -1);
    if (text.includes(escaped)) leaks.push(`a raw Authorization value ${a.slice(0, 16)}…`);
  }
  for (const sig of seen.signatures) {
    // Even a truncated signature is a leak: look for its first 12 characters.
    const head = sig.slice(0, 12);
    if (head.length >= 12 && text.includes(head)) {
      leaks.push(`a token signature ${head}… (${where(head)})`);
    }
  }
  return leaks;
}

Deno.test("runConformance() results on correct servers never contain secrets, yet show JWT headers and claims", async () => {
  const started = performance.now();
  const runs = await Promise.all(PROFILE_NAMES.map((p) => _fullRun(p, null)));
  for (const [i, { doc, seen, secret }] of runs.entries()) {
    const profile = PROFILE_NAMES[i];
    assert.equal(ConformanceResultSchema.safeParse(doc).success, true);
    assert.equal(doc.summary.failed + doc.summary.errors, 0, `${profile}: a correct server passes`);
    assert.ok(seen.authorizations.size > 0, `${profile}: credentials were sent`);
    assert.deepEqual(_leaks(doc, seen, secret), [], `${profile}: leaks`);
    const text = JSON.stringify(doc);
    if (getProfile(profile).tokens === "jwt") {
      assert.ok(seen.visible.size > 5, `${profile}: tokens were issued`);
      for (const hc of seen.visible) {
        assert.ok(text.includes(hc), `${profile}: JWT header+claims ${hc.slice(0, 20)}… visible`);
      }
      assert.ok(text.includes("<signature redacted>"));
    }
    assert.ok(text.includes("Basic <redacted>"));
  }
  assert.ok(performance.now() - started < 5_000, "virtual time: no real expiry waits");
});

/** Defect x profile runs of the catalogue for `profiles`. */
async function _defectRuns(profiles: readonly string[]): Promise<string[]> {
  const jobs = DEFECTS.flatMap((d) =>
    d.profiles.filter((p) => profiles.includes(p)).map((p) => ({ defect: d.name, profile: p }))
  );
  const results = await mapConcurrent(jobs, 12, async (j) => {
    const { doc, seen, secret } = await _fullRun(j.profile, j.defect);
    return _leaks(doc, seen, secret).map((l) => `${j.defect}@${j.profile}: ${l}`);
  });
  return results.flat();
}

Deno.test("runConformance() failure details (message, expected, actual) never contain a token signature: defective servers, server profiles", async () => {
  assert.deepEqual(await _defectRuns(["server", "server-nojwt"]), []);
});

Deno.test("runConformance() failure details (message, expected, actual) never contain a token signature: defective servers, Android profiles", async () => {
  assert.deepEqual(await _defectRuns(["local", "local-legacy"]), []);
});

Deno.test("Engine.run() redacts the signature of a token echoed in a failure's message and actual", async () => {
  // A short token fits whole in the failure's `actual`; a failing condition names its value in
  // `message`; a failing `issue` step shows the body it got.
  const token = fakeJwt({ jti: "j1" }, "SECRETSIGNATUREPART0123456789");
  const server = startScripted(() =>
    new Response(JSON.stringify({ access_token: token, id: "j1" }), {
      status: 200,
      headers: { "content-type": "application/json" },
    })
  );
  try {
    const engine = new Engine({
      url: server.url,
      username: USER,
      password: PASSWORD,
      profile: getProfile("server"),
      allowSend: false,
      timeoutMs: 2_000,
    });
    const check = (id: string, steps: Parameters<typeof makeCheck>[0]["steps"]) =>
      engine.run(makeCheck({
        id,
        suite: "test",
        title: "Token echoed in failures",
        requirements: ["AUTH-TOKEN-201"],
        steps,
      }));
    const byCondition = await check("T-ECHO-CONDITION", [{
      request: { route: "token.issue", auth: "basic", json: { scopes: ["devices:list"] } },
      expect: { status: 200, body: [{ path: "access_token", equals: "x" }] },
    }]);
    // The server profile issues with 201: the issue step fails on this 200.
    const byIssue = await check("T-ECHO-ISSUE", [{ issue: { scopes: ["devices:list"] }, as: "t" }]);
    for (const r of [byCondition, byIssue]) {
      assert.equal(r.status, "fail");
      assert.ok(!JSON.stringify(r.transcript).includes("SECRETSIGNATURE"), "transcript redacted");
      assert.ok(
        !`${r.message} ${r.expected} ${r.actual}`.includes("SECRETSIGNATURE"),
        `${r.id}: failure details leak the signature: message = ${r.message}, actual = ${r.actual}`,
      );
    }
  } finally {
    await server.close();
  }
});
