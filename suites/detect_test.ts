// Tests of profile detection (`--profile auto`) over real HTTP: the reference server in each
// profile, wrong URLs and credentials, unreachable targets, and crafted answers no deployment
// gives.
import assert from "node:assert/strict";
import { startReferenceServer } from "../fixtures/reference_server.ts";
import { PROFILE_NAMES } from "../smsgate/profiles.ts";
import { detectProfile, UnreachableError } from "./detect.ts";
import { closedPortUrl, fakeJwt, startScripted } from "./testdata/harness.ts";

async function withReference<T>(
  profile: string,
  fn: (url: string, username: string, password: string, origin: string) => Promise<T>,
  defects: string[] = [],
): Promise<T> {
  const server = await startReferenceServer({ profile, defects });
  try {
    const u = server.users[0];
    return await fn(server.url, u.username, u.password, server.origin);
  } finally {
    await server.close();
  }
}

const EXPECTED_EVIDENCE: Record<string, RegExp> = {
  server: /token claims carry user_id and iss "sms-gate\.app": the SMSGate server with JWT enabled/,
  "server-nojwt": /501 with a JSON message: the server with JWT disabled/,
  local: /token claims carry token_use and iss "me\.capcom\.smsgateway": the Android local server/,
  "local-legacy":
    /501 with an empty body: Android placeholder token routes \(v1\.52\.1-v1\.54\.0\)/,
};

for (const profile of PROFILE_NAMES) {
  Deno.test(`detectProfile() detects the ${profile} profile with evidence`, async () => {
    await withReference(profile, async (url, username, password) => {
      const found = await detectProfile(url, username, password);
      assert.equal(found.profile, profile, found.evidence.join("\n"));
      assert.equal(found.credentialsRefused, undefined);
      assert.match(found.evidence[0], /^GET \/devices without credentials: \d{3}/);
      assert.ok(
        found.evidence.some((e) => EXPECTED_EVIDENCE[profile].test(e)),
        `evidence:\n${found.evidence.join("\n")}`,
      );
    });
  });
}

Deno.test("detectProfile() records the Android router's 404 and revokes its probe token", async () => {
  const server = await startReferenceServer({ profile: "local" });
  try {
    const u = server.users[0];
    const probeIds: string[] = [];
    const spying: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      const text = await res.clone().text();
      if (init?.method === "POST") probeIds.push(JSON.parse(text).id);
      return res;
    };
    const found = await detectProfile(server.url, u.username, u.password, { fetch: spying });
    assert.equal(found.profile, "local");
    // Ktor routes before it authenticates: /devices (the server's path) is 404 on Android.
    assert.equal(found.evidence[0], "GET /devices without credentials: 404, empty body");
    assert.ok(found.evidence.includes("probe token revoked (DELETE /auth/token/{id}: 204)"));
    assert.equal(probeIds.length, 1);
    assert.notEqual(server.app.tokens.record(probeIds[0])?.revokedAt, undefined, "revoked");
  } finally {
    await server.close();
  }
});

Deno.test("detectProfile() accepts the API root with a trailing slash", async () => {
  await withReference("server", async (url, username, password) => {
    const found = await detectProfile(`${url}/`, username, password);
    assert.equal(found.profile, "server");
  });
});

Deno.test("detectProfile() gives null and says what the API root looks like when the URL prefix is wrong", async () => {
  await withReference("server", async (_url, username, password, origin) => {
    const found = await detectProfile(origin, username, password);
    assert.equal(found.profile, null);
    assert.equal(found.credentialsRefused, undefined);
    const last = found.evidence.at(-1)!;
    assert.match(last, /^POST \/auth\/token with Basic credentials: 404: no token route here/);
    assert.match(last, /is the URL the API root \(https:\/\/api\.sms-gate\.app\/3rdparty\/v1/);
  });
  await withReference("local", async (url, username, password) => {
    const found = await detectProfile(`${url}/3rdparty/v1`, username, password);
    assert.equal(found.profile, null);
    assert.match(found.evidence.at(-1)!, /404: no token route here/);
  });
});

Deno.test("detectProfile() flags refused credentials as a configuration problem", async () => {
  for (const profile of ["server", "local-legacy"]) {
    await withReference(profile, async (url, username) => {
      const found = await detectProfile(url, username, "definitely-not-the-password");
      assert.equal(found.profile, null);
      assert.equal(found.credentialsRefused, true);
      assert.equal(
        found.evidence.at(-1),
        "POST /auth/token with Basic credentials: 401: the credentials were refused",
      );
    });
  }
});

Deno.test("detectProfile() throws UnreachableError naming the URL when the port is closed", async () => {
  const url = closedPortUrl();
  await assert.rejects(
    detectProfile(url, "u", "p", { timeoutMs: 2_000 }),
    (e: unknown) => {
      assert.ok(e instanceof UnreachableError, `got ${e}`);
      assert.match(e.message, new RegExp(`^Cannot reach ${url.replace(/\./g, "\\.")}: `));
      return true;
    },
  );
});

Deno.test("detectProfile() names the transport cause (connection refused) when the port is closed", async () => {
  const url = closedPortUrl();
  await assert.rejects(
    detectProfile(url, "u", "p", { timeoutMs: 2_000 }),
    (e: unknown) => {
      assert.ok(e instanceof UnreachableError);
      // Deno's fetch says "fetch failed" and keeps the reason in `cause`.
      assert.match(e.message, /connection refused/i, `message: ${e.message}`);
      return true;
    },
  );
});

Deno.test("detectProfile() throws UnreachableError after the timeout when nothing answers", async () => {
  const gate = Promise.withResolvers<void>();
  const server = startScripted(async () => {
    await gate.promise;
    return new Response(null, { status: 204 });
  });
  try {
    await assert.rejects(
      detectProfile(server.url, "u", "p", { timeoutMs: 100 }),
      (e: unknown) => {
        assert.ok(e instanceof UnreachableError);
        assert.equal(e.message, `Cannot reach ${server.url}: no response within 100 ms`);
        return true;
      },
    );
  } finally {
    gate.resolve();
    await server.close();
  }
});

Deno.test("detectProfile() on a defective server that answers 500 falls back on the unauthenticated answer", async () => {
  await withReference("server-nojwt", async (url, username, password) => {
    const found = await detectProfile(url, username, password);
    assert.equal(found.profile, "server-nojwt");
    assert.ok(found.evidence.some((e) => /500: not a status a correct deployment answers/.test(e)));
    assert.match(found.evidence.at(-1)!, /401 JSON answer says SMSGate server/);
  }, ["disabled-500"]);
});

/** A scripted deployment: GET /devices and POST /auth/token answered as given. */
async function detectCrafted(
  anon: () => Response,
  issue: () => Response,
): Promise<Awaited<ReturnType<typeof detectProfile>>> {
  const server = startScripted((req) =>
    req.method === "GET" ? anon() : req.method === "POST" ? issue() : new Response(null, {
      status: 204,
    })
  );
  try {
    return await detectProfile(server.url, "u", "p");
  } finally {
    await server.close();
  }
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

Deno.test("detectProfile() warns that an Android server without refresh tokens is older than v1.64", async () => {
  const found = await detectCrafted(
    () => new Response(null, { status: 404 }),
    () =>
      json(201, {
        id: "probe-1",
        access_token: fakeJwt({ iss: "me.capcom.smsgateway", token_use: "access" }),
      }),
  );
  assert.equal(found.profile, "local");
  assert.match(found.evidence.at(-1)!, /no refresh_token.*v1\.55\.0-v1\.63\.x/);
});

Deno.test("detectProfile() gives null for answers no deployment gives", async () => {
  const notJson = await detectCrafted(
    () => json(401, { message: "Unauthorized" }),
    () => new Response("<html>", { status: 200 }),
  );
  assert.equal(notJson.profile, null);
  assert.match(notJson.evidence.at(-1)!, /but the body is not JSON$/);

  const strangeClaims = await detectCrafted(
    () => json(401, { message: "Unauthorized" }),
    () => json(201, { access_token: fakeJwt({ iss: "someone-else" }) }),
  );
  assert.equal(strangeClaims.profile, null);
  assert.match(strangeClaims.evidence.at(-1)!, /token claims match no known deployment$/);

  const teapot = await detectCrafted(
    () => new Response("nope", { status: 418 }),
    () => new Response("nope", { status: 418 }),
  );
  assert.equal(teapot.profile, null);
  assert.match(teapot.evidence.at(-1)!, /418: not a status a correct deployment answers$/);
});
