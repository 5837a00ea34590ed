import assert from "node:assert/strict";
import { closedPort } from "./_test_helpers.ts";
import { probeTarget, TargetTally } from "./reachability.ts";

Deno.test("probeTarget() resolves null when a connection opens, and closes it", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const accepted = listener.accept();
    assert.equal(await probeTarget(`http://127.0.0.1:${listener.addr.port}/3rdparty/v1`), null);
    const conn = await accepted;
    assert.equal(await conn.read(new Uint8Array(1)), null, "the probe closed its connection");
    conn.close();
  } finally {
    listener.close();
  }
});

Deno.test("probeTarget() names a refused connection with k6's code 1212", async () => {
  assert.deepEqual(await probeTarget(`http://127.0.0.1:${closedPort()}`), {
    code: 1212,
    message: "dial: connection refused",
  });
});

Deno.test("probeTarget() fails names under .invalid at once, without a lookup (RFC 6761)", async () => {
  const t0 = performance.now();
  assert.deepEqual(await probeTarget("https://nonexistent.invalid/3rdparty/v1"), {
    code: 1101,
    message: "lookup: no such host",
  });
  assert.ok(performance.now() - t0 < 50);
});

Deno.test("TargetTally.matches() takes the target's origin only", () => {
  const tally = new TargetTally("http://127.0.0.1:3000/3rdparty/v1");
  assert.equal(tally.origin, "http://127.0.0.1:3000");
  for (
    const url of ["http://127.0.0.1:3000", "http://127.0.0.1:3000/x", "http://127.0.0.1:3000?a"]
  ) {
    assert.ok(tally.matches(url), url);
  }
  for (
    const url of ["http://127.0.0.1:30001/x", "https://127.0.0.1:3000/x", "http://localhost:3000/"]
  ) {
    assert.ok(!tally.matches(url), url);
  }
});

Deno.test("TargetTally.verdict() is null once any response byte came back", () => {
  const tally = new TargetTally("http://h:1");
  assert.equal(tally.verdict(), null, "no request: nothing to say");
  tally.record({ status: 0, bytesReceived: 0, errorCode: 1050, error: "request timeout" });
  assert.notEqual(tally.verdict(), null);
  tally.record({ status: 0, bytesReceived: 12, errorCode: 1000, error: "malformed HTTP response" });
  assert.equal(tally.verdict(), null, "garbage is still an answer");
  assert.deepEqual([tally.requests, tally.answered], [2, 1]);
});

Deno.test("TargetTally.verdict() lists the most frequent causes first", () => {
  const tally = new TargetTally("https://h:8443/api");
  const fail = (errorCode: number, error: string) =>
    tally.record({ status: 0, bytesReceived: 0, errorCode, error });
  fail(1310, "x509: unknown authority");
  for (let i = 0; i < 3; i++) fail(1050, "request timeout");
  fail(1212, "dial: connection refused");
  fail(1220, "read: connection reset by peer");
  assert.equal(
    tally.verdict(),
    "none of the 6 requests to https://h:8443 got a response (request timeout, error code 1050: 3; dial: connection refused, error code 1212: 1; read: connection reset by peer, error code 1220: 1; 1 more cause)",
  );
  assert.deepEqual(tally.causes().map((c) => c.code), [1050, 1212, 1220, 1310]);
});
