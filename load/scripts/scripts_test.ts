/**
 * End-to-end runs of the shipped scripts against the embedded reference server, with small
 * settings. Every test runs the whole `load` command (target in __ENV, summary, exit code).
 */
import assert from "node:assert/strict";
import { runLoadCommand } from "../../cli/load.ts";
import { recordingIo } from "../_test_helpers.ts";

async function _run(script: string, env: string[]): Promise<{ code: number; out: string }> {
  const io = recordingIo();
  // The suite runs tests in parallel: at the default nice 19 (the target is on loopback) the
  // workers would get only the CPU those tests leave, and the generator report would say so.
  const code = await runLoadCommand(script, { env, workerNice: 0 }, io);
  const out = io.out.join("");
  assert.equal(code, 0, `${script} exited ${code}\n${io.err.join("")}\n${out}`);
  assert.match(out, /█ THRESHOLDS/);
  assert.doesNotMatch(out, /✗ '/, out);
  return { code, out };
}

function _count(out: string, metric: string): number {
  const m = new RegExp(`^\\s+${metric}\\.*: (?:avg=\\S+ .*|(\\d+))`, "m").exec(out);
  assert.ok(m, `${metric} is missing from the summary`);
  return m[1] === undefined ? Infinity : Number(m[1]);
}

Deno.test("token_refresh.ts issues, uses and refreshes tokens against the embedded server", async () => {
  const { out } = await _run("load/scripts/token_refresh.ts", [
    "DURATION=1s",
    "VUS=2",
    "ROTATE_EVERY=0.3",
  ]);
  assert.match(out, /token_issue_duration\.+: avg=/);
  assert.match(out, /token_refresh_duration\.+: avg=/);
  assert.equal(_count(out, "unauthorized_after_refresh"), 0);
  assert.match(out, /✓ token refreshed/);
  assert.match(out, /✓ authorized call succeeded/);
});

Deno.test("send.ts sends messages at a constant arrival rate against the embedded server", async () => {
  const { out } = await _run("load/scripts/send.ts", ["DURATION=1s", "RATE=20", "PRE_VUS=2"]);
  assert.match(out, /✓ message accepted \(202\)/);
  assert.match(out, /message_send_duration\.+: avg=/);
  assert.match(out, /http_req_latency_intended\.+: avg=/);
  assert.match(out, /achieved [\d.]+ iterations\/s of [\d.]+ intended \((9\d|100)(\.\d)?%\)/);
});

Deno.test("revocation.ts measures revocation propagation against the embedded server", async () => {
  const { out } = await _run("load/scripts/revocation.ts", ["DURATION=1s", "VUS=2", "PROBES=2"]);
  assert.match(out, /revocation_propagation\.+: avg=/);
  assert.match(out, /revocation_full_propagation\.+: avg=/);
  assert.match(out, /✓ 'count==0' count=0/);
  assert.match(out, /✓ token revoked \(204\)/);
});

Deno.test("send.ts refuses a non-loopback target without PHONE", async () => {
  // The load command opens one connection to the target before the run, so the target must
  // exist: a loopback listener, written as an IPv4-mapped IPv6 address that the script's
  // loopback test does not recognise (the traffic stays on 127.0.0.1).
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of listener) accepted.push(conn);
  })();
  const io = recordingIo();
  try {
    const code = await runLoadCommand("load/scripts/send.ts", {
      target: `http://[::ffff:127.0.0.1]:${listener.addr.port}/3rdparty/v1`,
      username: "u",
      password: "p",
      env: ["DURATION=1s"],
    }, io);
    assert.equal(code, 3);
    assert.match(
      io.err.join(""),
      /setup\(\) failed: .*without a recipient: pass the target's test number with -e PHONE=/,
    );
  } finally {
    listener.close();
    await accepting;
    for (const c of accepted) c.close();
  }
});
