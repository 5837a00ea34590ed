// Tests of `serve` through the real CLI: the reference server runs as a subprocess, prints its
// URL, answers over loopback as its profile says, and stops cleanly on SIGTERM.
import assert from "node:assert/strict";
import { DEFECTS } from "../fixtures/defects.ts";
import { REPO_ROOT, runCli } from "../suites/testdata/harness.ts";

/** A `serve` subprocess whose start-up banner has been read (up to "press Ctrl-C to stop"). */
interface Served {
  url: string;
  /** Lines printed so far. */
  lines: string[];
  /** Sends SIGTERM and returns the exit code, the rest of stdout and stderr. */
  stop(): Promise<{ code: number; rest: string; stderr: string }>;
}

async function serve(args: string[]): Promise<Served> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "main.ts", "serve", ...args],
    cwd: REPO_ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  const lines: string[] = [];
  let url: string | undefined;
  const deadline = setTimeout(() => child.kill("SIGKILL"), 10_000);
  try {
    let ready = false;
    while (!ready) {
      const { value, done } = await reader.read();
      if (done) break;
      buffered += value;
      const parts = buffered.split("\n");
      buffered = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        url ??= /listening on (http:\/\/\S+)/.exec(line)?.[1];
        ready ||= /press Ctrl-C to stop/.test(line);
      }
    }
  } finally {
    clearTimeout(deadline);
  }
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch {
      // already exited
    }
    let rest = buffered;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      rest += value;
    }
    const status = await child.status;
    return { code: status.code, rest, stderr: await stderr };
  };
  if (url === undefined) {
    const { code, stderr: err } = await stop();
    throw new Error(`serve printed no URL (exit ${code}):\n${lines.join("\n")}\n${err}`);
  }
  return { url, lines, stop };
}

Deno.test("serve --port 0 --profile local-legacy prints its URL and answers 501 with an empty body on POST /auth/token", async () => {
  const s = await serve(["--port", "0", "--profile", "local-legacy", "--user", "sms:serve-Pa55"]);
  try {
    assert.match(s.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(new URL(s.url).port, "0");
    assert.ok(s.lines.some((l) => /Android Local Server v1\.52\.1-v1\.54\.0/.test(l)), "title");
    assert.ok(s.lines.some((l) => l.trim() === "user sms password (as given)"), "no echo");
    const basic = `Basic ${btoa("sms:serve-Pa55")}`;
    const res = await fetch(`${s.url}/auth/token`, {
      method: "POST",
      headers: { authorization: basic, "content-type": "application/json" },
      body: JSON.stringify({ scopes: ["devices:list"] }),
    });
    assert.equal(res.status, 501);
    assert.equal(await res.text(), "");
    const devices = await fetch(`${s.url}/device`, { headers: { authorization: basic } });
    assert.equal(devices.status, 200);
    await devices.body?.cancel();
    const anon = await fetch(`${s.url}/device`);
    assert.equal(anon.status, 401);
    assert.equal(await anon.text(), "");
    assert.match(anon.headers.get("www-authenticate") ?? "", /^Basic realm=/);
  } finally {
    const { code, stderr } = await s.stop();
    assert.equal(code, 0, `exit on SIGTERM: ${stderr}`);
  }
});

Deno.test("serve with a defect prints it and behaves defectively", async () => {
  const s = await serve(["--port", "0", "--profile", "server", "--defect", "health-requires-auth"]);
  try {
    assert.ok(s.lines.some((l) => /defects: health-requires-auth/.test(l)));
    const res = await fetch(`${s.url}/health`);
    assert.equal(res.status, 401);
    await res.body?.cancel();
  } finally {
    assert.equal((await s.stop()).code, 0);
  }
});

Deno.test("serve refuses unknown or misplaced defects and bad ports with exit 2 and one line", async () => {
  const [unknown, misplaced, port] = await Promise.all([
    runCli(["serve", "--port", "0", "--defect", "nope"]),
    runCli(["serve", "--port", "0", "--profile", "local-legacy", "--defect", "issue-200"]),
    runCli(["serve", "--port", "70000"]),
  ]);
  assert.match(unknown.stderr, /^error: Unknown defect "nope"/);
  assert.match(
    misplaced.stderr,
    /^error: Defect "issue-200" does not apply to profile "local-legacy"/,
  );
  assert.match(port.stderr, /^error: Cannot parse --port "70000"/);
  for (const r of [unknown, misplaced, port]) {
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
  }
});

Deno.test("serve --help lists every defect of the catalogue", async () => {
  const r = await runCli(["serve", "--help"]);
  assert.equal(r.code, 0, r.stderr);
  const escape = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  for (const d of DEFECTS) {
    assert.match(r.stdout, new RegExp(`^  ${escape(d.name)}\\s+${escape(d.description)}`, "m"));
  }
});
