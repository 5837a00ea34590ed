import assert from "node:assert/strict";
import { startNullServer } from "./null_server.ts";
import { HttpClient } from "../load/http_client.ts";

const _dec = new TextDecoder();

for (const engine of ["raw", "serve"] as const) {
  Deno.test(`startNullServer() answers 200 ok on one keep-alive connection (${engine})`, async () => {
    const server = await startNullServer({ engine });
    const client = new HttpClient();
    try {
      for (let i = 0; i < 3; i++) {
        const res = await client.request({ method: "GET", url: server.url });
        assert.equal(res.status, 200);
        assert.equal(_dec.decode(res.body), "ok");
        if (i > 0) assert.equal(res.timings.connecting, 0);
      }
      const post = await client.request({
        method: "POST",
        url: server.url,
        body: "x".repeat(5000),
      });
      assert.equal(post.status, 200);
      const after = await client.request({ method: "GET", url: server.url });
      assert.equal(after.status, 200);
    } finally {
      client.close();
      await server.close();
    }
  });
}

Deno.test("startNullServer() answers pipelined requests in order and rejects chunked bodies", async () => {
  const server = await startNullServer();
  const port = Number(new URL(server.url).port);
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const req = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    await conn.write(new TextEncoder().encode(req + req + req));
    let text = "";
    const buf = new Uint8Array(4096);
    while ((text.match(/HTTP\/1\.1 200 OK/g) ?? []).length < 3 || !text.endsWith("ok")) {
      const n = await conn.read(buf);
      if (n === null) break;
      text += _dec.decode(buf.subarray(0, n));
    }
    assert.equal((text.match(/HTTP\/1\.1 200 OK/g) ?? []).length, 3);
    await conn.write(
      new TextEncoder().encode("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"),
    );
    let rest = "";
    while (true) {
      const n = await conn.read(buf);
      if (n === null) break;
      rest += _dec.decode(buf.subarray(0, n));
    }
    assert.match(rest, /^HTTP\/1\.1 400 Bad Request/);
  } finally {
    conn.close();
    await server.close();
  }
});
