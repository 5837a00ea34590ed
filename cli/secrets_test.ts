/**
 * Secrets never leak: the full suites and a load run against a reference server with a
 * recognisable password; every artifact (console output, JSON, JUnit, HTML, markdown, load
 * summaries) is searched for the password, the JWT secret and every token the server issued.
 * Token claims stay visible; signatures never appear.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { createApp, createHandler } from "../fixtures/reference_server.ts";
import { runCli } from "../suites/testdata/harness.ts";

const PASSWORD = "Recognisable-Pa55word-7391";
const JWT_SECRET = "recognisable-jwt-secret-0123456789abcdef";

async function _walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    const p = join(dir, e.name);
    if (e.isDirectory) out.push(...await _walk(p));
    else out.push(p);
  }
  return out;
}

Deno.test("secrets: no password, JWT secret, token or signature in any artifact of check and load", async () => {
  // A server with a defect, so that failing checks print transcripts full of tokens.
  const app = createApp({
    profile: "server",
    users: [{ username: "secretuser", password: PASSWORD }],
    defects: ["issue-200"],
    jwtSecret: JWT_SECRET,
  });
  const handler = createHandler(app);
  const tokens = new Set<string>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const res = await handler(req);
    const text = await res.clone().text();
    for (const m of text.matchAll(/eyJ[\w-]*\.[\w-]*\.[\w-]+/g)) tokens.add(m[0]);
    return res;
  });
  const url = `http://127.0.0.1:${server.addr.port}${app.prefix}`;
  const dir = await Deno.makeTempDir({ prefix: "smsgate-secrets-" });
  try {
    const env = { SMSGATE_PASSWORD: PASSWORD };
    const check = await runCli([
      "check",
      "--target",
      url,
      "--username",
      "secretuser",
      "--jwt-secret",
      JWT_SECRET,
      "--reporter",
      "console,json,junit,html,markdown",
      "--out",
      join(dir, "check"),
      "--verbose",
    ], env);
    assert.equal(check.code, 1, check.stderr);
    const load = await runCli([
      "load",
      "load/scripts/token_refresh.ts",
      "--target",
      url,
      "--username",
      "secretuser",
      "--vus",
      "2",
      "--duration",
      "2s",
      "--out",
      join(dir, "load"),
      "--summary-export",
      join(dir, "load", "export.json"),
    ], env);
    assert.ok([0, 99].includes(load.code), `load exit ${load.code}: ${load.stderr}`);
    const artifacts: [string, string][] = [
      ["check stdout", check.stdout],
      ["check stderr", check.stderr],
      ["load stdout", load.stdout],
      ["load stderr", load.stderr],
    ];
    for (const f of await _walk(dir)) artifacts.push([f, await Deno.readTextFile(f)]);
    assert.ok(artifacts.length >= 10, `artifacts: ${artifacts.map(([n]) => n).join(", ")}`);
    assert.ok(tokens.size > 20, `tokens issued: ${tokens.size}`);
    const basic = btoa(`secretuser:${PASSWORD}`);
    let claimsSeen = 0;
    for (const [name, text] of artifacts) {
      assert.ok(!text.includes(PASSWORD), `${name} contains the password`);
      assert.ok(!text.includes(basic), `${name} contains the Basic credentials`);
      assert.ok(!text.includes(JWT_SECRET), `${name} contains the JWT secret`);
      for (const t of tokens) {
        const signature = t.split(".")[2];
        assert.ok(!text.includes(signature), `${name} contains a token signature`);
        if (text.includes(t.split(".")[1])) claimsSeen++;
      }
    }
    assert.ok(claimsSeen > 0, "token claims stay visible in transcripts");
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});
