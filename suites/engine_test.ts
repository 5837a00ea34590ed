// Tests of the conformance engine over real HTTP on loopback: built-in checks against the
// reference server (virtual time shared by server and engine), crafted responses from a tiny
// scripted server for every expectation and condition, skip reasons, transport errors, waits and
// token forgeries (decoded and verified).
import assert from "node:assert/strict";
import { getProfile } from "../smsgate/profiles.ts";
import { Engine } from "./engine.ts";
import { type CheckInput, type Condition, ForgeSchema } from "./model.ts";
import { ALL_CHECKS } from "./registry.ts";
import type { CheckResult } from "./result.ts";
import {
  closedPortUrl,
  decodeJwt,
  fakeJwt,
  hs256,
  makeCheck,
  startScripted,
  withVirtual,
} from "./testdata/harness.ts";

type Step = CheckInput["steps"][number];

const BASE = { suite: "test", title: "A test check", requirements: ["AUTH-BASIC-401"] };

function builtIn(id: string) {
  const c = ALL_CHECKS.find((x) => x.id === id);
  if (!c) throw new Error(`No built-in check ${id}`);
  return c;
}

/** A whole second, so the Date header (second resolution) equals the engine's clock. */
const T = 1_780_000_000_000;
/** What the engine takes for "now on the server": Date header + 500 ms (mid-second estimate). */
const SERVER_NOW = T + 500;

interface Reply {
  status?: number;
  json?: unknown;
  text?: string;
  headers?: Record<string, string>;
}

/** Runs `steps` against a scripted server that answers each path with its reply. */
async function runCrafted(
  routes: Record<string, Reply>,
  steps: Step[],
  options: { profile?: string; id?: string } = {},
): Promise<CheckResult> {
  const server = startScripted((req) => {
    const reply = routes[new URL(req.url).pathname] ?? { status: 404, text: "" };
    const headers = new Headers({ date: new Date(T).toUTCString(), ...reply.headers });
    let body: string | null = null;
    if (reply.json !== undefined) {
      body = JSON.stringify(reply.json);
      if (!headers.has("content-type")) headers.set("content-type", "application/json");
    } else if (reply.text) body = reply.text;
    return new Response(body, { status: reply.status ?? 200, headers });
  });
  try {
    const engine = new Engine({
      url: server.url,
      username: "crafted-user",
      password: "crafted-password",
      profile: getProfile(options.profile ?? "server"),
      allowSend: false,
      timeoutMs: 5_000,
    }, { now: () => T, sleep: () => Promise.resolve() });
    return await engine.run(makeCheck({ ...BASE, id: options.id ?? "T-CRAFTED", steps }));
  } finally {
    await server.close();
  }
}

const GET = (path: string) => ({ method: "GET" as const, path });

/** One condition on the JSON body served at /r. */
function condition(body: unknown, c: Condition, profile?: string): Promise<CheckResult> {
  return runCrafted({ "/r": { json: body } }, [{ request: GET("/r"), expect: { body: [c] } }], {
    profile,
  });
}

function assertPass(r: CheckResult) {
  assert.equal(r.status, "pass", `expected pass, got ${r.status}: ${r.message}`);
  assert.equal(r.message, undefined);
}

function assertFail(r: CheckResult, message: string | RegExp, expected?: string) {
  assert.equal(r.status, "fail", `expected fail, got ${r.status}: ${r.message}`);
  if (typeof message === "string") assert.equal(r.message, message);
  else assert.match(r.message ?? "", message);
  if (expected !== undefined) assert.equal(r.expected, expected);
  assert.ok(r.actual, "a failure carries what came back");
}

// ---------------------------------------------------------------------------------------------
// Built-in checks against the reference server.

Deno.test("Engine.run() passes REVOKE-204 against a correct reference server", async () => {
  await withVirtual({ profile: "server" }, async (v) => {
    const r = await new Engine(v.target, v.deps).run(builtIn("REVOKE-204"));
    assertPass(r);
    assert.equal(r.id, "REVOKE-204");
    assert.equal(r.profile, "server");
    assert.deepEqual(r.requirements, ["AUTH-REVOKE-204"]);
    // issue, one request, the revoke, then the seven route families.
    assert.deepEqual(
      r.transcript.map((x) => x.response?.status),
      [201, 200, 204, 401, 401, 401, 401, 401, 401, 401],
    );
    assert.equal(r.transcript[0].step, "step 1: issue t");
  });
});

Deno.test("Engine.run() fails REVOKE-204 on a server with revoke-noop, with message, expected, actual and the transcript up to the failing exchange", async () => {
  await withVirtual({ profile: "server", defects: ["revoke-noop"] }, async (v) => {
    const r = await new Engine(v.target, v.deps).run(builtIn("REVOKE-204"));
    assert.equal(r.status, "fail");
    assert.equal(r.message, "Step 4 (messages.list): expected 401 Unauthorized, got 200");
    assert.equal(r.expected, '401 {"message":"Unauthorized"}');
    assert.match(r.actual ?? "", /^200 /);
    // Stops at the first failing exchange: the six other families are not requested.
    assert.deepEqual(r.transcript.map((x) => x.step), [
      "step 1: issue t",
      "step 2: devices.list",
      "step 3: token.revoke",
      "step 4: messages.list",
    ]);
    assert.equal(r.transcript.at(-1)!.response!.status, 200);
  });
});

Deno.test("Engine.run() on the local profile checks the Ktor 401 shape (empty body, challenge)", async () => {
  await withVirtual({ profile: "local" }, async (v) => {
    const r = await new Engine(v.target, v.deps).run(builtIn("BASIC-NO-HEADER"));
    assertPass(r);
    for (const x of r.transcript) {
      assert.equal(x.response?.status, 401);
      assert.equal(x.response?.body, undefined);
      assert.match(x.response?.headers["www-authenticate"] ?? "", /^Basic realm=/);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// forEach, applicability and skip reasons.

Deno.test("Engine.run() forEach skips route roles the profile lacks", async () => {
  const check = makeCheck({
    ...BASE,
    id: "T-FOREACH",
    steps: [{
      request: { route: "devices.list" },
      forEach: ["devices.list", "root", "inbox.attachment", "token.refresh"],
      expect: { unauthorized: true },
    }],
  });
  const expected: Record<string, string[]> = {
    server: ["devices.list", "token.refresh"],
    "server-nojwt": ["devices.list", "token.refresh"],
    local: ["devices.list", "root", "inbox.attachment", "token.refresh"],
    "local-legacy": ["devices.list", "root"],
  };
  for (const [profile, roles] of Object.entries(expected)) {
    await withVirtual({ profile }, async (v) => {
      const r = await new Engine(v.target, v.deps).run(check);
      assertPass(r);
      assert.deepEqual(r.transcript.map((x) => x.step), roles.map((role) => `step 1: ${role}`));
    });
  }
});

Deno.test("Engine.run() skips a check whose when/profiles/route do not fit, without any request", async () => {
  let requests = 0;
  const counting: typeof fetch = (input, init) => {
    requests++;
    return fetch(input, init);
  };
  await withVirtual({ profile: "server-nojwt", fetch: counting }, async (v) => {
    const engine = new Engine(v.target, v.deps);
    const steps: Step[] = [{ request: { route: "devices.list" }, expect: { unauthorized: true } }];
    const byWhen = await engine.run(
      makeCheck({ ...BASE, id: "T-WHEN", when: { tokens: "jwt" }, steps }),
    );
    assert.equal(byWhen.status, "skip");
    assert.equal(
      byWhen.message,
      'Not applicable: applies when tokens is "jwt" (profile server-nojwt has "disabled")',
    );
    assert.deepEqual(byWhen.transcript, []);
    assert.deepEqual(byWhen.requirements, BASE.requirements);

    const byProfiles = await engine.run(
      makeCheck({ ...BASE, id: "T-PROFILES", profiles: ["local", "server"], steps }),
    );
    assert.equal(byProfiles.status, "skip");
    assert.equal(byProfiles.message, "Not applicable: applies to local, server only");

    const byRoute = await engine.run(
      makeCheck({ ...BASE, id: "T-ROUTE", route: "inbox.attachment", steps }),
    );
    assert.equal(byRoute.status, "skip");
    assert.equal(
      byRoute.message,
      "Not applicable: profile server-nojwt has no inbox.attachment route",
    );
    assert.equal(requests, 0);

    // A list in `when` means one of; this one fits, so the check runs.
    const oneOf = await engine.run(
      makeCheck({ ...BASE, id: "T-ONE-OF", when: { tokens: ["jwt", "disabled"] }, steps }),
    );
    assertPass(oneOf);
    assert.equal(requests, 1);
  });
});

Deno.test("Engine.run() skips needsSecret without the JWT secret and sideEffect without allowSend", async () => {
  const steps: Step[] = [{ request: { route: "health" }, expect: { status: 200 } }];
  const secret = makeCheck({ ...BASE, id: "T-SECRET", needsSecret: true, steps });
  const send = makeCheck({ ...BASE, id: "T-SEND", sideEffect: true, steps });
  await withVirtual({ profile: "server", withSecret: false }, async (v) => {
    const engine = new Engine(v.target, v.deps);
    const r1 = await engine.run(secret);
    assert.equal(r1.status, "skip");
    assert.match(r1.message ?? "", /JWT secret.*--jwt-secret/);
    const r2 = await engine.run(send);
    assert.equal(r2.status, "skip");
    assert.match(r2.message ?? "", /side effects.*--allow-send --phone/);
    assert.deepEqual([r1.transcript, r2.transcript], [[], []]);
    // Not applicable wins over the other reasons.
    const both = await engine.run(
      makeCheck({ ...BASE, id: "T-BOTH", sideEffect: true, profiles: ["local"], steps }),
    );
    assert.match(both.message ?? "", /^Not applicable/);
  });
  await withVirtual({ profile: "server", allowSend: true }, async (v) => {
    const engine = new Engine(v.target, v.deps);
    assertPass(await engine.run(secret));
    assertPass(await engine.run(send));
  });
});

// ---------------------------------------------------------------------------------------------
// Transport errors.

Deno.test("Engine.run() reports a closed port as status error with the exchange's error", async () => {
  const engine = new Engine({
    url: closedPortUrl(),
    username: "u",
    password: "p",
    profile: getProfile("server"),
    allowSend: false,
    timeoutMs: 2_000,
  });
  const r = await engine.run(makeCheck({
    ...BASE,
    id: "T-CLOSED",
    steps: [{ request: { route: "devices.list" }, expect: { unauthorized: true } }],
  }));
  assert.equal(r.status, "error");
  assert.match(r.message ?? "", /^step 1: devices\.list: request failed: /);
  assert.equal(r.transcript.length, 1);
  assert.equal(r.transcript[0].response, undefined);
  assert.ok(r.transcript[0].error, "the exchange records the transport error");
});

Deno.test("Engine.run() names the transport cause (connection refused) when the port is closed", async () => {
  const engine = new Engine({
    url: closedPortUrl(),
    username: "u",
    password: "p",
    profile: getProfile("server"),
    allowSend: false,
    timeoutMs: 2_000,
  });
  const r = await engine.run(makeCheck({
    ...BASE,
    id: "T-CLOSED-CAUSE",
    steps: [{ request: { route: "devices.list" }, expect: { unauthorized: true } }],
  }));
  assert.equal(r.status, "error");
  // Deno's fetch throws TypeError("fetch failed") and puts the reason in `cause`.
  assert.match(r.message ?? "", /connection refused/i, `message: ${r.message}`);
});

Deno.test("Engine.run() gives up after timeoutMs with a message saying so", async () => {
  const gate = Promise.withResolvers<void>();
  const server = startScripted(async () => {
    await gate.promise;
    return new Response(null, { status: 204 });
  });
  try {
    const engine = new Engine({
      url: server.url,
      username: "u",
      password: "p",
      profile: getProfile("server"),
      allowSend: false,
      timeoutMs: 150,
    });
    const r = await engine.run(makeCheck({
      ...BASE,
      id: "T-TIMEOUT",
      steps: [{ request: GET("/slow"), expect: { status: 204 } }],
    }));
    assert.equal(r.status, "error");
    assert.equal(r.message, "step 1: GET /slow: request failed: no response within 150 ms");
    assert.equal(r.transcript[0].error, "no response within 150 ms");
  } finally {
    gate.resolve();
    await server.close();
  }
});

// ---------------------------------------------------------------------------------------------
// Waits on virtual time.

Deno.test("Engine.run() waits for expiry with the injected sleep on the server's fake clock", async () => {
  await withVirtual({ profile: "server" }, async (v) => {
    const started = performance.now();
    const serverStart = v.clock.now;
    const r = await new Engine(v.target, v.deps).run(builtIn("EXPIRY-401"));
    assertPass(r);
    assert.equal(v.slept.length, 1);
    // ttl 2 s + 1.1 s margin, minus the (virtual: zero) time the requests took.
    assert.ok(v.slept[0] > 2_500 && v.slept[0] <= 3_100, `slept ${v.slept[0]} ms`);
    assert.ok(v.clock.now - serverStart >= 3_000, "the server's clock moved with the sleep");
    assert.ok(performance.now() - started < 2_000, "no real waiting");
  });
  await withVirtual({ profile: "server", defects: ["expiry-ignored"] }, async (v) => {
    const r = await new Engine(v.target, v.deps).run(builtIn("EXPIRY-401"));
    assert.equal(r.status, "fail");
    assert.match(r.message ?? "", /^Step 4 \(messages\.list\): expected 401 Unauthorized, got 200/);
  });
});

Deno.test("Engine.run() waitExpiry reads the token's exp claim when no ttl was requested", async () => {
  await withVirtual({ profile: "server", accessTtl: 60 }, async (v) => {
    const r = await new Engine(v.target, v.deps).run(makeCheck({
      ...BASE,
      id: "T-WAIT-EXP",
      steps: [
        { issue: { scopes: ["devices:list"] }, as: "t" },
        { waitExpiry: "t", plus: "1s" },
        {
          request: { route: "devices.list", auth: { bearer: "t.access_token" } },
          expect: { unauthorized: true },
        },
      ],
    }));
    assertPass(r);
    assert.equal(v.slept.length, 1);
    assert.ok(v.slept[0] >= 59_000 && v.slept[0] <= 61_500, `slept ${v.slept[0]} ms`);
  });
});

Deno.test("Engine.run() errors when waitExpiry names something that is not an issued token", async () => {
  const r = await runCrafted({ "/p": { json: { id: "x" } } }, [
    { request: GET("/p"), expect: {}, as: "p" },
    { waitExpiry: "p" },
  ]);
  assert.equal(r.status, "error");
  assert.equal(r.message, 'Step 2: "p" is not an issued token');
});

// ---------------------------------------------------------------------------------------------
// Forgeries: decode what was sent.

/** Wraps fetch: records Bearer values sent and tokens received. */
function recordingFetch() {
  const bearers: string[] = [];
  const issued: string[] = [];
  const wrapped: typeof fetch = async (input, init) => {
    const auth = new Headers(init?.headers).get("authorization");
    if (auth?.startsWith("Bearer ")) bearers.push(auth.slice(7));
    const res = await fetch(input, init);
    const text = await res.clone().text();
    try {
      const j = JSON.parse(text);
      if (typeof j?.access_token === "string") issued.push(j.access_token);
    } catch {
      // not JSON
    }
    return res;
  };
  return { bearers, issued, fetch: wrapped };
}

const refused = (name: string): Step => ({
  request: { route: "devices.list", auth: { bearer: name } },
  expect: { unauthorized: true },
});

Deno.test("Engine.run() forges alg-none, strip-signature, tamper, resign and sign tokens as specified", async () => {
  const rec = recordingFetch();
  await withVirtual({ profile: "server", fetch: rec.fetch }, async (v) => {
    const nowSec = Math.floor(v.clock.now / 1000);
    const r = await new Engine(v.target, v.deps).run(makeCheck({
      ...BASE,
      id: "T-FORGE",
      steps: [
        { issue: { scopes: ["devices:list"] }, as: "t" },
        { forge: { from: "t.access_token", kind: "alg-none" }, as: "a" },
        refused("a"),
        { forge: { from: "t.access_token", kind: "strip-signature" }, as: "s" },
        refused("s"),
        {
          forge: {
            from: "t.access_token",
            kind: "tamper",
            claims: { scopes: ["all:any"], exp: "@now+100", iss: null },
          },
          as: "tm",
        },
        refused("tm"),
        {
          forge: {
            from: "t.access_token",
            kind: "resign",
            key: "secret",
            claims: { sub: "${username}" },
          },
          as: "rs",
        },
        refused("rs"),
        { forge: { from: "t.access_token", kind: "resign", key: "" }, as: "re" },
        refused("re"),
        { forge: { from: "t.access_token", kind: "sign", claims: { iat: "@now-30" } }, as: "sg" },
        {
          request: { route: "devices.list", auth: { bearer: "sg" } },
          expect: { status: 200 },
        },
        { forge: { kind: "sign", claims: { iss: "$issuer", exp: "@now+60" } }, as: "fresh" },
        { request: { route: "devices.list", auth: { bearer: "fresh" } }, expect: {} },
      ],
    }));
    assertPass(r);
    assert.equal(rec.issued.length, 1);
    const orig = decodeJwt(rec.issued[0]);
    const [a, s, tm, rs, re, sg, fresh] = rec.bearers.map(decodeJwt);
    assert.equal(rec.bearers.length, 7);

    assert.deepEqual(a.header, { alg: "none", typ: "JWT" });
    assert.deepEqual(a.claims, orig.claims);
    assert.equal(a.signature, "");

    assert.equal(rec.bearers[1], `${orig.signingInput}.`);
    assert.equal(s.signature, "");

    assert.equal(rec.bearers[2].split(".")[0], rec.issued[0].split(".")[0], "header kept");
    assert.equal(tm.signature, orig.signature, "signature kept");
    const { iss: _iss, ...rest } = orig.claims;
    assert.deepEqual(tm.claims, { ...rest, scopes: ["all:any"], exp: nowSec + 100 });

    assert.deepEqual(rs.header, { alg: "HS256", typ: "JWT" });
    assert.equal(rs.claims.sub, v.target.username);
    assert.equal(rs.signature, hs256(rs.signingInput, "secret"));

    assert.deepEqual(re.claims, orig.claims);
    assert.equal(re.signature, hs256(re.signingInput, ""));

    assert.deepEqual(sg.header, { alg: "HS256", typ: "JWT" });
    assert.equal(sg.claims.iat, nowSec - 30);
    assert.equal(sg.signature, hs256(sg.signingInput, v.server.app.tokens.secretText));

    assert.deepEqual(fresh.claims, { iss: "sms-gate.app", exp: nowSec + 60 });
    assert.equal(fresh.signature, hs256(fresh.signingInput, v.server.app.tokens.secretText));
  });
});

Deno.test("Engine.run() errors on forgeries it cannot make (not a JWT, sign without a secret)", async () => {
  await withVirtual({ profile: "server", withSecret: false }, async (v) => {
    const engine = new Engine(v.target, v.deps);
    const notJwt = await engine.run(makeCheck({
      ...BASE,
      id: "T-FORGE-NOT-JWT",
      steps: [
        { issue: { scopes: ["devices:list"] }, as: "t" },
        { forge: { from: "t.id", kind: "alg-none" }, as: "f" },
      ],
    }));
    assert.equal(notJwt.status, "error");
    assert.equal(notJwt.message, 'Cannot forge from "t.id": it is not a JWT');
    const unsigned = await engine.run(makeCheck({
      ...BASE,
      id: "T-FORGE-NO-SECRET",
      steps: [
        { issue: { scopes: ["devices:list"] }, as: "t" },
        { forge: { from: "t.access_token", kind: "sign" }, as: "f" },
      ],
    }));
    assert.equal(unsigned.status, "error");
    assert.equal(unsigned.message, "Cannot sign test tokens without --jwt-secret");
  });
});

Deno.test("Engine.run() implements every forge kind the check schema accepts", async () => {
  const kinds = ForgeSchema.shape.kind.options;
  const errors: string[] = [];
  await withVirtual({ profile: "server" }, async (v) => {
    const engine = new Engine(v.target, v.deps);
    for (const kind of kinds) {
      const r = await engine.run(makeCheck({
        ...BASE,
        id: `T-KIND-${kind.toUpperCase()}`,
        steps: [
          { issue: { scopes: ["devices:list"] }, as: "t" },
          { forge: { from: "t.access_token", kind, key: "k" }, as: "f" },
          { request: { route: "devices.list", auth: { bearer: "f" } }, expect: {} },
        ],
      }));
      if (r.status === "error") errors.push(`${kind}: ${r.message}`);
    }
  });
  // A kind that validates in a suite file but fails at run time is a trap for suite authors.
  assert.deepEqual(errors, []);
});

// ---------------------------------------------------------------------------------------------
// Status and response-shape expectations on crafted responses.

Deno.test("Engine.run() status expectations: a code, a list, a profile fact, {not}", async () => {
  const at = (status: number, expect: Record<string, unknown>, profile?: string) =>
    runCrafted({ "/r": status === 204 ? { status } : { status, json: { ok: true } } }, [
      { request: GET("/r"), expect },
    ], {
      profile,
    });
  assertPass(await at(204, { status: 204 }));
  assertFail(await at(500, { status: 204 }), "Step 1: unexpected status 500", "status 204");
  assertPass(await at(204, { status: [200, 204] }));
  assertFail(await at(500, { status: [200, 204] }), /unexpected status 500/, "status 200 or 204");
  assertPass(await at(201, { status: "$refreshStatus" }, "server"));
  assertFail(
    await at(201, { status: "$refreshStatus" }, "local"),
    "Step 1: unexpected status 201",
    "status 200",
  );
  assertPass(await at(200, { status: "$refreshStatus" }, "local"));
  assertPass(await at(400, { status: { not: [401, 403] } }));
  assertFail(
    await at(403, { status: { not: [401, 403] } }),
    "Step 1: status 403 is not allowed",
    "any status but 401, 403",
  );
  const bad = await at(200, { status: "$noSuchFact" });
  assert.equal(bad.status, "error");
  assert.equal(bad.message, 'Unknown profile fact "$noSuchFact"');
});

Deno.test("Engine.run() unauthorized/forbidden/notImplemented follow the profile's shapes", async () => {
  const one = (reply: Reply, expect: Record<string, unknown>, profile: string) =>
    runCrafted({ "/r": reply }, [{ request: GET("/r"), expect }], { profile });
  const json401 = { status: 401, json: { message: "Unauthorized" } };
  assertPass(await one(json401, { unauthorized: true }, "server"));
  assertFail(
    await one({ status: 401, json: { message: "nope" } }, { unauthorized: true }, "server"),
    "Step 1: error message differs",
    '{"message":"Unauthorized"} as JSON',
  );
  assertFail(
    await one({ status: 403, json: { message: "Unauthorized" } }, { unauthorized: true }, "server"),
    "Step 1: expected 401 Unauthorized, got 403",
  );
  assertPass(await one({ status: 401 }, { unauthorized: true }, "local"));
  assertFail(
    await one(json401, { unauthorized: true }, "local"),
    "Step 1: 401 should have an empty body (Ktor challenge)",
  );

  const scopeMsg = { status: 403, json: { message: "scope required: devices:list" } };
  assertPass(await one(scopeMsg, { forbidden: "devices:list" }, "server"));
  assertFail(
    await one(scopeMsg, { forbidden: "devices:list" }, "local"),
    "Step 1: error message differs",
    '{"message":"Insufficient permissions"} as JSON',
  );
  assertFail(
    await one({ status: 401, json: {} }, { forbidden: "logs:read" }, "server"),
    "Step 1: expected 403 for the missing scope logs:read, got 401",
    '403 {"message":"scope required: logs:read"}',
  );

  const disabled = {
    status: 501,
    json: { message: "token service disabled, contact your administrator" },
  };
  assertPass(await one(disabled, { notImplemented: true }, "server-nojwt"));
  assertPass(await one({ status: 501 }, { notImplemented: true }, "local-legacy"));
  assertFail(
    await one(disabled, { notImplemented: true }, "local-legacy"),
    "Step 1: 501 should have an empty body",
    "501 with an empty body",
  );
});

Deno.test("Engine.run() envelope and emptyBody expectations", async () => {
  const one = (reply: Reply, expect: Record<string, unknown>) =>
    runCrafted({ "/r": reply }, [{ request: GET("/r"), expect }]);
  assertPass(await one({ status: 400, json: { message: "bad" } }, { envelope: true }));
  assertFail(
    await one({
      status: 400,
      text: '{"message":"bad"}',
      headers: { "content-type": "text/plain" },
    }, { envelope: true }),
    'Step 1: error body is not JSON (content-type "text/plain")',
  );
  assertFail(
    await one({ status: 400, json: { error: "bad" } }, { envelope: true }),
    'Step 1: error body is not the {"message"} envelope',
  );
  assertPass(await one({ status: 204 }, { emptyBody: true }));
  assertFail(await one({ status: 200, text: "x" }, { emptyBody: true }), /expected an empty body/);
});

// ---------------------------------------------------------------------------------------------
// Body conditions, each passing and failing.

Deno.test("condition equals: literal, $fact and ${capture}", async () => {
  assertPass(await condition({ token_type: "Bearer" }, { path: "token_type", equals: "Bearer" }));
  assertFail(
    await condition({ token_type: "bearer" }, { path: "token_type", equals: "Bearer" }),
    'Step 1: token_type is "bearer"',
    'token_type = "Bearer"',
  );
  assertPass(await condition({ a: { b: [1, 2] } }, { path: "a.b", equals: [1, 2] }));
  assertFail(await condition({ a: { b: [2, 1] } }, { path: "a.b", equals: [1, 2] }), /a\.b is/);
  assertPass(await condition({ iss: "sms-gate.app" }, { path: "iss", equals: "$issuer" }));
  assertFail(
    await condition({ iss: "sms-gate.app" }, { path: "iss", equals: "$issuer" }, "local"),
    'Step 1: iss is "sms-gate.app"',
    'iss = "me.capcom.smsgateway"',
  );
  const captured = (ref: string) =>
    runCrafted({ "/p": { json: { id: "A1" } }, "/r": { json: { ref } } }, [
      { request: GET("/p"), expect: {}, as: "p" },
      { request: GET("/r"), expect: { body: [{ path: "ref", equals: "${p.id}" }] } },
    ]);
  assertPass(await captured("A1"));
  assertFail(await captured("B2"), 'Step 2: ref is "B2"', 'ref = "A1"');
});

Deno.test("condition present: true, false and a $fact", async () => {
  assertPass(await condition({ x: 1 }, { path: "x", present: true }));
  assertFail(
    await condition({ y: 1 }, { path: "x", present: true }),
    "Step 1: x is missing",
    "x present",
  );
  assertFail(await condition({ x: null }, { path: "x", present: true }), "Step 1: x is missing");
  assertPass(await condition({}, { path: "x", present: false }));
  assertFail(
    await condition({ x: 0 }, { path: "x", present: false }),
    "Step 1: x is present",
    "x absent",
  );
  // $refresh: true on the server, false with JWT disabled.
  const withRefresh = { refresh_token: "r" };
  assertPass(await condition(withRefresh, { path: "refresh_token", present: "$refresh" }));
  assertFail(await condition({}, { path: "refresh_token", present: "$refresh" }), /is missing/);
  assertPass(await condition({}, { path: "refresh_token", present: "$refresh" }, "server-nojwt"));
  assertFail(
    await condition(withRefresh, { path: "refresh_token", present: "$refresh" }, "server-nojwt"),
    "Step 1: refresh_token is present",
  );
});

Deno.test("condition type", async () => {
  assertPass(await condition({ id: "x" }, { path: "id", type: "string" }));
  assertPass(await condition({ l: [] }, { path: "l", type: "array" }));
  assertFail(
    await condition({ id: 7 }, { path: "id", type: "string" }),
    "Step 1: id is number",
    "id of type string",
  );
  assertFail(await condition({ l: {} }, { path: "l", type: "array" }), "Step 1: l is object");
  assertFail(await condition({ o: null }, { path: "o", type: "object" }), "Step 1: o is null");
});

Deno.test("condition rfc3339", async () => {
  for (const ok of ["2026-01-02T03:04:05Z", "2026-01-02T03:04:05.123+02:00"]) {
    assertPass(await condition({ t: ok }, { path: "t", rfc3339: true }));
  }
  assertFail(
    await condition({ t: "2026-01-02 03:04:05" }, { path: "t", rfc3339: true }),
    'Step 1: t is not an RFC 3339 time: "2026-01-02 03:04:05"',
    't as RFC 3339, e.g. "2026-01-02T03:04:05Z"',
  );
  assertFail(await condition({ t: 1767323045 }, { path: "t", rfc3339: true }), /not an RFC 3339/);
  assertFail(
    await condition({ t: "2026-13-45T99:99:99Z" }, { path: "t", rfc3339: true }),
    /not an RFC 3339/,
  );
  assertFail(await condition({}, { path: "t", rfc3339: true }), /not an RFC 3339 time: \(absent\)/);
});

Deno.test("condition jwt", async () => {
  assertPass(
    await condition({ access_token: fakeJwt({ a: 1 }) }, { path: "access_token", jwt: true }),
  );
  for (const bad of ["a.b.c", "not-a-jwt", 42]) {
    assertFail(
      await condition({ access_token: bad }, { path: "access_token", jwt: true }),
      "Step 1: access_token is not a JWT",
      "access_token as a JWT (header.claims.signature)",
    );
  }
});

Deno.test("condition equalsPath reads JWT claims with #", async () => {
  const body = (jti: string) => ({ id: "X1", access_token: fakeJwt({ jti }) });
  assertPass(await condition(body("X1"), { path: "access_token#jti", equalsPath: "id" }));
  assertFail(
    await condition(body("Y2"), { path: "access_token#jti", equalsPath: "id" }),
    'Step 1: access_token#jti ("Y2") differs from id ("X1")',
    "access_token#jti = id",
  );
  // Both absent is not equality.
  assertFail(await condition({}, { path: "a", equalsPath: "b" }), /a \(\(absent\)\) differs/);
});

Deno.test("condition near: RFC 3339 and JWT seconds against the server's now", async () => {
  const near = { offset: "120s", tolerance: "3s" };
  const iso = (ms: number) => new Date(ms).toISOString();
  assertPass(
    await condition({ expires_at: iso(SERVER_NOW + 120_000) }, { path: "expires_at", near }),
  );
  assertPass(
    await condition({ expires_at: iso(SERVER_NOW + 122_500) }, { path: "expires_at", near }),
  );
  assertFail(
    await condition({ expires_at: iso(SERVER_NOW + 130_000) }, { path: "expires_at", near }),
    "Step 1: expires_at is 130.0s from now",
    "expires_at within 3s of now+120s",
  );
  const exp = Math.floor((SERVER_NOW + 120_000) / 1000);
  assertPass(
    await condition({ access_token: fakeJwt({ exp }) }, { path: "access_token#exp", near }),
  );
  assertFail(
    await condition({ access_token: fakeJwt({ exp: exp - 60 }) }, {
      path: "access_token#exp",
      near,
    }),
    /access_token#exp is 59\.\ds from now/,
  );
  assertFail(await condition({ expires_at: true }, { path: "expires_at", near }), /is true/);
});

Deno.test("condition before", async () => {
  const iso = (ms: number) => new Date(ms).toISOString();
  assertPass(
    await condition({ t: iso(SERVER_NOW + 60_000) }, { path: "t", before: "120s" }),
  );
  assertFail(
    await condition({ t: iso(SERVER_NOW + 180_000) }, { path: "t", before: "120s" }),
    "Step 1: t is not earlier than now+120s",
    "t < now+120s",
  );
  // The limit itself is not earlier.
  assertFail(
    await condition({ t: iso(SERVER_NOW + 120_000) }, { path: "t", before: "120s" }),
    /not earlier/,
  );
  assertFail(await condition({}, { path: "t", before: "120s" }), /not earlier/);
});

Deno.test("condition sameTimeAs compares a JWT exp with expires_at", async () => {
  const exp = 1_780_000_120;
  const body = (deltaMs: number) => ({
    access_token: fakeJwt({ exp }),
    expires_at: new Date(exp * 1000 + deltaMs).toISOString(),
  });
  const c: Condition = { path: "access_token#exp", sameTimeAs: "expires_at", tolerance: "1s" };
  assertPass(await condition(body(400), c));
  assertFail(
    await condition(body(5_000), c),
    /^Step 1: access_token#exp \(1780000120\) and expires_at differ$/,
    "access_token#exp = expires_at within 1s",
  );
  assertFail(await condition({ access_token: fakeJwt({ exp }) }, c), /differ/);
});

Deno.test("condition differsFrom compares with a capture", async () => {
  const run = (id: string) =>
    runCrafted({ "/p": { json: { id: "A1" } }, "/r": { json: { id } } }, [
      { request: GET("/p"), expect: {}, as: "p" },
      { request: GET("/r"), expect: { body: [{ path: "id", differsFrom: "p.id" }] } },
    ]);
  assertPass(await run("B2"));
  assertFail(await run("A1"), "Step 2: id did not change", "id different from p.id");
});

// ---------------------------------------------------------------------------------------------
// References, params and payloads.

Deno.test("Engine.run() errors when a step uses a name before it was captured", async () => {
  const r = await runCrafted({}, [
    { request: { ...GET("/r"), auth: { bearer: "nobody.access_token" } }, expect: {} },
  ], { id: "T-UNCAPTURED" });
  assert.equal(r.status, "error");
  assert.equal(r.message, 'Check T-UNCAPTURED refers to "nobody" before it was captured');
  assert.deepEqual(r.transcript, []);
});

Deno.test("Engine.run() fills route params from captures, random probe ids otherwise, and sends safe bodies", async () => {
  await withVirtual({ profile: "server" }, async (v) => {
    const r = await new Engine(v.target, v.deps).run(makeCheck({
      ...BASE,
      id: "T-PARAMS",
      steps: [
        { issue: { scopes: ["devices:list"] }, as: "t" },
        {
          request: { route: "token.revoke", params: { jti: "${t.id}" }, auth: "basic" },
          expect: { status: 204 },
        },
        { request: { route: "token.revoke", auth: "basic" }, expect: { status: 204 } },
        { request: { route: "messages.send", safeBody: true }, expect: { unauthorized: true } },
      ],
    }));
    assertPass(r);
    const issuedId = JSON.parse(r.transcript[0].response!.body!).id;
    assert.equal(r.transcript[1].request.url, `${v.server.url}/auth/token/${issuedId}`);
    assert.equal(v.server.app.tokens.record(issuedId)?.revokedAt !== undefined, true);
    assert.match(r.transcript[2].request.url, /\/auth\/token\/probe[0-9a-z]{12}$/);
    assert.deepEqual(JSON.parse(r.transcript[3].request.body!), {
      textMessage: { text: "smsgate-testkit probe" },
      phoneNumbers: [],
    });
    assert.equal(r.transcript[3].request.headers["content-type"], "application/json");
  });
});
