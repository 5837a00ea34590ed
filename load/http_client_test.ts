import assert from "node:assert/strict";
import { HttpClient, type HttpResult, K6_ERROR_CODES, RAW_TCP_IO } from "./http_client.ts";

// ---------------------------------------------------------------------------------------------
// Test servers

const _enc = new TextEncoder();
const _dec = new TextDecoder();

/** One request as read by {@linkcode _RequestReader}. */
interface _Req {
  head: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** Reads HTTP/1.1 requests (Content-Length bodies only) from a raw connection. */
class _RequestReader {
  #conn: Deno.Conn;
  #buf = new Uint8Array(0);
  constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }
  /** Next request, or null when the peer closed the connection. */
  async next(): Promise<_Req | null> {
    while (true) {
      const text = _dec.decode(this.#buf);
      const end = text.indexOf("\r\n\r\n");
      if (end >= 0) {
        const head = text.slice(0, end);
        const lines = head.split("\r\n");
        const [method, path] = lines[0].split(" ");
        const headers: Record<string, string> = {};
        for (const line of lines.slice(1)) {
          const i = line.indexOf(":");
          headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
        }
        const length = Number(headers["content-length"] ?? "0");
        const headBytes = _enc.encode(head + "\r\n\r\n").length;
        if (this.#buf.length >= headBytes + length) {
          const body = _dec.decode(this.#buf.subarray(headBytes, headBytes + length));
          this.#buf = this.#buf.slice(headBytes + length);
          return { head, method, path, headers, body };
        }
      }
      const chunk = new Uint8Array(4096);
      let n: number | null;
      try {
        n = await this.#conn.read(chunk);
      } catch {
        return null;
      }
      if (n === null) return null;
      const grown = new Uint8Array(this.#buf.length + n);
      grown.set(this.#buf);
      grown.set(chunk.subarray(0, n), this.#buf.length);
      this.#buf = grown;
    }
  }
}

/** A raw TCP server on loopback whose connections are handled by a test-provided function. */
interface _RawServer {
  url: string;
  port: number;
  /** Connections accepted so far. */
  accepted: number;
  close(): Promise<void>;
}

function _rawServer(
  handle: (conn: Deno.Conn, reader: _RequestReader, index: number) => Promise<void>,
): _RawServer {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const conns = new Set<Deno.Conn>();
  const tasks: Promise<void>[] = [];
  const server: _RawServer = {
    url: `http://127.0.0.1:${port}`,
    port,
    accepted: 0,
    async close() {
      try {
        listener.close();
      } catch { /* already closed */ }
      for (const c of conns) _closeQuietly(c);
      await accepting;
      await Promise.all(tasks);
    },
  };
  const accepting = (async () => {
    try {
      for await (const conn of listener) {
        const index = server.accepted++;
        conns.add(conn);
        tasks.push(
          handle(conn, new _RequestReader(conn), index).catch(() => {}).finally(() => {
            conns.delete(conn);
            _closeQuietly(conn);
          }),
        );
      }
    } catch { /* listener closed */ }
  })();
  return server;
}

function _closeQuietly(c: { close(): void }): void {
  try {
    c.close();
  } catch { /* already closed */ }
}

async function _write(conn: Deno.Conn, text: string | Uint8Array): Promise<void> {
  const bytes = typeof text === "string" ? _enc.encode(text) : text;
  let off = 0;
  while (off < bytes.length) off += await conn.write(bytes.subarray(off));
}

function _delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Answers every request on the connection with a keep-alive 200 whose body is the path. */
async function _keepAliveEcho(conn: Deno.Conn, reader: _RequestReader): Promise<void> {
  while (true) {
    const req = await reader.next();
    if (req === null) return;
    await _write(conn, `HTTP/1.1 200 OK\r\nContent-Length: ${req.path.length}\r\n\r\n${req.path}`);
  }
}

function _text(res: HttpResult): string {
  return _dec.decode(res.body);
}

function _assertTimings(res: HttpResult): void {
  const t = res.timings;
  for (const [name, value] of Object.entries(t)) {
    assert.ok(Number.isFinite(value) && value >= 0, `timing ${name} = ${value}`);
  }
  assert.ok(Math.abs(t.duration - (t.sending + t.waiting + t.receiving)) < 1e-9);
}

// Test-only certificates (valid 2020-2120): a CA and a leaf for localhost / 127.0.0.1 it signed.
const _CA_PEM = `-----BEGIN CERTIFICATE-----
MIIBeDCCAR6gAwIBAgICEAAwCgYIKoZIzj0EAwIwIjEgMB4GA1UEAwwXc21zZ2F0
ZS10ZXN0a2l0IHRlc3QgQ0EwIBcNMjAwMTAxMDAwMDAwWhgPMjEyMDAxMDEwMDAw
MDBaMCIxIDAeBgNVBAMMF3Ntc2dhdGUtdGVzdGtpdCB0ZXN0IENBMFkwEwYHKoZI
zj0CAQYIKoZIzj0DAQcDQgAEg+WcqnZ+UtZtiP60zBR0gzK6553S7oeNtGCXs9E4
HBHSQYvcRBNy3F9KyIO5BnA5gaqk0lOR3tKZ8dcCXvBs5aNCMEAwDwYDVR0TAQH/
BAUwAwEB/zAOBgNVHQ8BAf8EBAMCAQYwHQYDVR0OBBYEFAABbhpaePjfrvAemw2K
Sc4eVflHMAoGCCqGSM49BAMCA0gAMEUCIQCJZ1oT0Xa0y4RvPhE0Hh4+eAw2pzbq
p82/snh6gwqSJgIgRm+l2lKOc4y2cyrkmSW6gkA/pMD+4He4Neip1zXsmBc=
-----END CERTIFICATE-----`;
const _LEAF_PEM = `-----BEGIN CERTIFICATE-----
MIIBuDCCAV6gAwIBAgICEAEwCgYIKoZIzj0EAwIwIjEgMB4GA1UEAwwXc21zZ2F0
ZS10ZXN0a2l0IHRlc3QgQ0EwIBcNMjAwMTAxMDAwMDAwWhgPMjEyMDAxMDEwMDAw
MDBaMBQxEjAQBgNVBAMMCWxvY2FsaG9zdDBZMBMGByqGSM49AgEGCCqGSM49AwEH
A0IABJox6u5f0mI72HjSwwSCRCBSxso3YCgvLCehEWI3NRF7qCFW0a+tkY/7vV4X
e6dYiuWHys6tdJT6CSGVaXlDSNCjgY8wgYwwCQYDVR0TBAIwADAOBgNVHQ8BAf8E
BAMCB4AwEwYDVR0lBAwwCgYIKwYBBQUHAwEwGgYDVR0RBBMwEYIJbG9jYWxob3N0
hwR/AAABMB8GA1UdIwQYMBaAFAABbhpaePjfrvAemw2KSc4eVflHMB0GA1UdDgQW
BBQxgfCrvEg4I7Slt+/rC22vwFO0QzAKBggqhkjOPQQDAgNIADBFAiEA60WB1NXu
rzSqGaKOtkXJZLZZS1w/ijUds8yGzjN/1H0CIF6dcvdU7ZzUN+EK6M9lXozo3z62
xwQIxvyuFtEwBYhx
-----END CERTIFICATE-----`;
const _LEAF_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg27n1jqyCXCu0L/9g
WGgpKDsboYmHS42Q5R27zsd6aEihRANCAASaMeruX9JiO9h40sMEgkQgUsbKN2Ao
LywnoRFiNzURe6ghVtGvrZGP+71eF3unWIrlh8rOrXSU+gkhlWl5Q0jQ
-----END PRIVATE KEY-----`;

// ---------------------------------------------------------------------------------------------
// Tests

Deno.test("request() returns frozen headers shared by identical heads and its end time", async () => {
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen() {} },
    () => new Response("same", { headers: { "X-Same": "1" } }),
  );
  const client = new HttpClient();
  try {
    const url = `http://127.0.0.1:${server.addr.port}/`;
    const before = performance.now();
    const a = await client.request({ method: "GET", url });
    const b = await client.request({ method: "GET", url });
    const after = performance.now();
    assert.equal(a.headers["x-same"], "1");
    assert.ok(Object.isFrozen(a.headers));
    assert.throws(() => {
      (a.headers as Record<string, string>)["x-same"] = "2";
    }, TypeError);
    assert.equal(b.headers["x-same"], "1");
    for (const res of [a, b]) {
      assert.ok(res.endTime !== undefined && res.endTime >= before && res.endTime <= after);
    }
    assert.ok(b.endTime! >= a.endTime!);
  } finally {
    client.close();
    await server.shutdown();
  }
});

Deno.test("request() returns status, headers, body and timings from a Deno.serve server", async () => {
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, (req) => {
    const url = new URL(req.url);
    return new Response(`hello ${url.pathname}${url.search}`, {
      status: 201,
      headers: { "X-Custom": "yes", "Content-Type": "text/plain" },
    });
  });
  const client = new HttpClient();
  try {
    const res = await client.request({
      method: "GET",
      url: `http://127.0.0.1:${server.addr.port}/a/b?q=1`,
    });
    assert.equal(res.error, "");
    assert.equal(res.errorCode, 0);
    assert.equal(res.status, 201);
    assert.equal(res.statusText, "201 Created");
    assert.equal(res.proto, "HTTP/1.1");
    assert.equal(res.method, "GET");
    assert.equal(res.url, `http://127.0.0.1:${server.addr.port}/a/b?q=1`);
    assert.equal(_text(res), "hello /a/b?q=1");
    assert.equal(res.headers["x-custom"], "yes");
    assert.equal(res.headers["content-type"], "text/plain");
    assert.equal(res.headers["content-length"], "14");
    assert.ok(res.bytesSent > 0);
    assert.ok(res.bytesReceived > 14);
    _assertTimings(res);
    assert.ok(res.timings.connecting > 0);
    assert.equal(res.timings.tls_handshaking, 0);
  } finally {
    client.close();
    await server.shutdown();
  }
});

Deno.test("request() sends Host, User-Agent, Content-Length, user headers and a UTF-8 body", async () => {
  let seen = new Headers();
  let seenBody = "";
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, async (req) => {
    seen = new Headers(req.headers);
    seenBody = await req.text();
    return new Response("ok");
  });
  const client = new HttpClient();
  try {
    const res = await client.request({
      method: "POST",
      url: `http://127.0.0.1:${server.addr.port}/send`,
      headers: { "Content-Type": "application/json", "X-Trace": "t1", "Content-Length": "999" },
      body: JSON.stringify({ text: "héllo ✓" }),
    });
    assert.equal(res.status, 200);
    assert.equal(seenBody, JSON.stringify({ text: "héllo ✓" }));
    assert.equal(seen.get("host"), `127.0.0.1:${server.addr.port}`);
    assert.equal(seen.get("user-agent"), "smsgate-testkit/0.1 (k6-compatible)");
    assert.equal(seen.get("content-type"), "application/json");
    assert.equal(seen.get("x-trace"), "t1");
    assert.equal(
      seen.get("content-length"),
      String(_enc.encode(JSON.stringify({ text: "héllo ✓" })).length),
    );

    const bin = await client.request({
      method: "PUT",
      url: `http://127.0.0.1:${server.addr.port}/bin`,
      headers: { "User-Agent": "custom/1" },
      body: new Uint8Array([1, 2, 3]),
    });
    assert.equal(bin.status, 200);
    assert.equal(seen.get("user-agent"), "custom/1");
    assert.equal(seenBody, "\u0001\u0002\u0003");
  } finally {
    client.close();
    await server.shutdown();
  }
});

Deno.test("request() reuses one keep-alive connection for sequential requests", async () => {
  const server = _rawServer(_keepAliveEcho);
  const client = new HttpClient();
  try {
    for (let i = 0; i < 5; i++) {
      const res = await client.request({ method: "GET", url: `${server.url}/r${i}` });
      assert.equal(res.status, 200);
      assert.equal(_text(res), `/r${i}`);
      if (i > 0) assert.equal(res.timings.connecting, 0);
    }
    assert.equal(server.accepted, 1);
  } finally {
    client.close();
    await server.close();
  }
});

Deno.test("requests on a reused connection report their own bytes and timings", async () => {
  // The client reuses a finished request's state for the next one: nothing may carry over.
  const server = _rawServer(_keepAliveEcho);
  const client = new HttpClient();
  try {
    const paths = [
      "/a",
      "/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
      "/c",
    ];
    const first = await client.request({ method: "GET", url: `${server.url}/warm` });
    assert.equal(first.status, 200);
    for (const path of paths) {
      const res = await client.request({ method: "GET", url: `${server.url}${path}` });
      assert.equal(_text(res), path);
      const head = `HTTP/1.1 200 OK\r\nContent-Length: ${path.length}\r\n\r\n`;
      assert.equal(res.bytesReceived, head.length + path.length);
      assert.ok(res.bytesSent > path.length && res.bytesSent < 400, `bytesSent ${res.bytesSent}`);
      assert.equal(res.timings.connecting, 0);
      assert.equal(res.timings.blocked, 0);
      _assertTimings(res);
    }
    assert.equal(server.accepted, 1);
  } finally {
    client.close();
    await server.close();
  }
});

Deno.test("request(req, then, thisArg) calls then with thisArg as this", async () => {
  const server = _rawServer(_keepAliveEcho);
  const client = new HttpClient();
  try {
    const owner = { prefix: "got" };
    const text = await client.request(
      { method: "GET", url: `${server.url}/x` },
      function (this: typeof owner, res) {
        return `${this.prefix} ${_text(res)}`;
      },
      owner,
    );
    assert.equal(text, "got /x");
  } finally {
    client.close();
    await server.close();
  }
});

Deno.test("request(req, then) resolves with then's value, rejects with its error, keeps the connection", async () => {
  const server = _rawServer(_keepAliveEcho);
  const client = new HttpClient();
  try {
    const path = await client.request(
      { method: "GET", url: `${server.url}/a` },
      (res) => `${res.status} ${_text(res)}`,
    );
    assert.equal(path, "200 /a");
    // What `then` throws is the request's rejection, not a failed result, and the connection the
    // response came on stays usable.
    const boom = new Error("boom");
    await assert.rejects(
      client.request({ method: "GET", url: `${server.url}/b` }, () => {
        throw boom;
      }),
      (e) => e === boom,
    );
    const again = await client.request({ method: "GET", url: `${server.url}/c` });
    assert.equal(_text(again), "/c");
    assert.equal(server.accepted, 1);
    // Failures that never reach the network go through `then` too.
    const invalid = await client.request({ method: "GET", url: "nope" }, (res) => res.errorCode);
    assert.equal(invalid, K6_ERROR_CODES.invalidUrl);
    client.close();
    const closed = await client.request({ method: "GET", url: `${server.url}/` }, (r) => r.error);
    assert.equal(closed, "HTTP client is closed");
    await assert.rejects(
      client.request({ method: "GET", url: `${server.url}/` }, () => {
        throw boom;
      }),
      (e) => e === boom,
    );
  } finally {
    client.close();
    await server.close();
  }
});

Deno.test("request() opens at most maxConnectionsPerOrigin connections and queues the rest", async () => {
  const server = _rawServer(async (conn, reader) => {
    while (true) {
      const req = await reader.next();
      if (req === null) return;
      await _delay(30);
      await _write(
        conn,
        `HTTP/1.1 200 OK\r\nContent-Length: ${req.path.length}\r\n\r\n${req.path}`,
      );
    }
  });
  const client = new HttpClient({ maxConnectionsPerOrigin: 2 });
  try {
    const results = await Promise.all(
      [0, 1, 2, 3, 4].map((i) => client.request({ method: "GET", url: `${server.url}/c${i}` })),
    );
    assert.deepEqual(results.map((r) => r.status), [200, 200, 200, 200, 200]);
    assert.deepEqual(results.map(_text), ["/c0", "/c1", "/c2", "/c3", "/c4"]);
    assert.equal(server.accepted, 2);
    // The queued requests waited for a connection: that is blocked time, not duration.
    assert.ok(results[4].timings.blocked >= 20, `blocked ${results[4].timings.blocked}`);
    results.forEach(_assertTimings);
  } finally {
    client.close();
    await server.close();
  }
});

Deno.test("request() decodes a chunked body split across reads and skips its trailers", async () => {
  const server = _rawServer(async (conn, reader) => {
    await reader.next();
    await _write(
      conn,
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n5\r\nhel",
    );
    await _delay(20);
    await _write(conn, "lo\r\ne");
    await _delay(20);
    await _write(conn, ";ext=1\r\n world, world!\r\n0\r\nX-Sum: ");
    await _delay(20);
    await _write(conn, "42\r\n\r\n");
    await _keepAliveEcho(conn, reader);
  });
  const client = new HttpClient();
  try {
    const res = await client.request({ method: "GET", url: `${server.url}/chunked` });
    assert.equal(res.error, "");
    assert.equal(res.status, 200);
    assert.equal(_text(res), "hello world, world!");
    assert.ok(res.timings.receiving > 0);
    _assertTimings(res);
    const next = await client.request({ method: "GET", url: `${server.url}/after` });
    assert.equal(_text(next), "/after");
    assert.equal(server.accepted, 1);
  } finally {
    client.close();
    await server.close();
  }
});

Deno.test("request() reads a body delimited by connection close", async () => {
  const server = _rawServer(async (conn, reader) => {
    await reader.next();
    await _write(conn, "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\npart one, ");
    await _delay(20);
    await _write(conn, "part two");
  });
  const client = new HttpClient();
  try {
    const res = await client.request({ method: "GET", url: `${server.url}/eof` });
    assert.equal(res.status, 200);
    assert.equal(res.proto, "HTTP/1.0");
    assert.equal(_text(res), "part one, part two");
  } finally {
    client.close();
    await server.close();
  }
});

Deno.test("request() opens a new connection after the server sends Connection: close", async () => {
  const server = _rawServer(async (conn, reader) => {
    const req = await reader.next();
    if (req === null) return;
    await _write(conn, "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok");
    // The connection is left open: the client must not reuse it anyway.
    await reader.next();
  });
  const client = new HttpClient();
  try {
    const a = await client.request({ method: "GET", url: `${server.url}/1` });
    const b = await client.request({ method: "GET", url: `${server.url}/2` });
    assert.equal(a.status, 200);
    assert.equal(b.status, 200);
    assert.equal(a.headers["connection"], "close");
    assert.equal(server.accepted, 2);
  } finally {
    client.close();
    await server.close();
  }
});

Deno.test("request() reads no body for HEAD, 204 and 304 and keeps the connection", async () => {
  const server = _rawServer(async (conn, reader) => {
    while (true) {
      const req = await reader.next();
      if (req === null) return;
      if (req.method === "HEAD") {
        await _write(conn, "HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n");
      } else if (req.path === "/204") {
        await _write(conn, "HTTP/1.1 204 No Content\r\n\r\n");
      } else if (req.path === "/304") {
        await _write(conn, "HTTP/1.1 304 Not Modified\r\nContent-Length: 7\r\n\r\n");
      } else {
        await _write(conn, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nlast");
      }
    }
  });
  const client = new HttpClient();
  try {
    const head = await client.request({ method: "HEAD", url: `${server.url}/h` });
    assert.equal(head.status, 200);
    assert.equal(head.headers["content-length"], "12");
    assert.equal(head.body.length, 0);
    const noContent = await client.request({ method: "DELETE", url: `${server.url}/204` });
    assert.equal(noContent.status, 204);
    assert.equal(noContent.body.length, 0);
    const notModified = await client.request({ method: "GET", url: `${server.url}/304` });
    assert.equal(notModified.status, 304);
    assert.equal(notModified.body.length, 0);
    const last = await client.request({ method: "GET", url: `${server.url}/x` });
    assert.equal(_text(last), "last");
    assert.equal(server.accepted, 1);
  } finally {
    client.close();
    await server.close();
  }
});

Deno.test("request() skips interim 1xx responses and joins repeated headers", async () => {
  const server = _rawServer(async (conn, reader) => {
    await reader.next();
    await _write(
      conn,
      "HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n" +
        "HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nset-cookie: b=2\r\nX-Folded: one\r\n two\r\n" +
        "Content-Length: 0\r\n\r\n",
    );
    await reader.next();
  });
  const client = new HttpClient();
  try {
    const res = await client.request({ method: "GET", url: `${server.url}/` });
    assert.equal(res.status, 200);
    assert.equal(res.headers["set-cookie"], "a=1, b=2");
    assert.equal(res.headers["x-folded"], "one two");
    assert.equal(res.headers["link"], undefined);
  } finally {
    client.close();
    await server.close();
  }
});

Deno.test("request() fails with status 0 and code 1000 for a malformed status line", async () => {
  const server = _rawServer(async (conn, reader) => {
    await reader.next();
    await _write(conn, "HTTP/1.1 OK 200\r\nContent-Length: 0\r\n\r\n");
    await reader.next();
  });
  const client = new HttpClient();
  try {
    const res = await client.request({ method: "GET", url: `${server.url}/` });
    assert.equal(res.status, 0);
    assert.equal(res.errorCode, K6_ERROR_CODES.generic);
    assert.match(res.error, /malformed HTTP response/);
    assert.deepEqual(res.headers, {});
  } finally {
    client.close();
    await server.close();
  }
});

Deno.test("request() fails with status 0 for malformed headers and chunk sizes", async () => {
  const responses = [
    "HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n",
    "HTTP/1.1 200 OK\r\nContent-Length: 12abc\r\n\r\n",
    "HTTP/1.1 200 OK\r\nContent-Length: 3, 4\r\n\r\nabcd",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n",
  ];
  const server = _rawServer(async (conn, reader, index) => {
    await reader.next();
    await _write(conn, responses[index]);
    await reader.next();
  });
  const client = new HttpClient();
  try {
    for (
      const expected of [/has no name/, /Content-Length/, /Content-Length/, /chunk size/, /101/]
    ) {
      const res = await client.request({ method: "GET", url: `${server.url}/` });
      assert.equal(res.status, 0);
      assert.equal(res.errorCode, K6_ERROR_CODES.generic);
      assert.match(res.error, expected);
    }
  } finally {
    client.close();
    await server.close();
  }
});

Deno.test("request() fails with status 0 when the body is shorter than Content-Length", async () => {
  const server = _rawServer(async (conn, reader) => {
    await reader.next();
    await _write(conn, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabcd");
  });
  const client = new HttpClient();
  try {
    const res = await client.request({ method: "GET", url: `${server.url}/` });
    assert.equal(res.status, 0);
    assert.equal(res.errorCode, K6_ERROR_CODES.generic);
    assert.match(res.error, /unexpected EOF.*4 of 10/);
    assert.ok(res.bytesReceived > 0);
  } finally {
    client.close();
    await server.close();
  }
});

Deno.test("request() times out with code 1050 when the server never answers", async () => {
  const server = _rawServer(async (_conn, reader) => {
    await reader.next();
    await reader.next(); // returns null once the client gives up and closes
  });
  const client = new HttpClient();
  try {
    const t0 = performance.now();
    const res = await client.request({ method: "GET", url: `${server.url}/slow`, timeoutMs: 150 });
    const elapsed = performance.now() - t0;
    assert.equal(res.status, 0);
    assert.equal(res.errorCode, K6_ERROR_CODES.requestTimeout);
    assert.equal(res.error, "request timeout");
    assert.ok(elapsed >= 140 && elapsed < 2000, `elapsed ${elapsed} ms`);
  } finally {
    client.close();
    await server.close();
  }
});

Deno.test("request() uses defaultTimeoutMs when the request sets no timeout", async () => {
  const server = _rawServer(async (conn, reader) => {
    await reader.next();
    await _write(conn, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\npart"); // then stalls
    await reader.next();
  });
  const client = new HttpClient({ defaultTimeoutMs: 100 });
  try {
    const res = await client.request({ method: "GET", url: `${server.url}/` });
    assert.equal(res.errorCode, K6_ERROR_CODES.requestTimeout);
    assert.equal(res.status, 0);
  } finally {
    client.close();
    await server.close();
  }
});

Deno.test("request() fails with code 1212 when the connection is refused", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const client = new HttpClient();
  try {
    const res = await client.request({ method: "GET", url: `http://127.0.0.1:${port}/` });
    assert.equal(res.status, 0);
    assert.equal(res.errorCode, K6_ERROR_CODES.tcpDialRefused);
    assert.equal(res.error, "dial: connection refused");
  } finally {
    client.close();
  }
});

Deno.test("request() fails with codes 1020 and 1000 for an invalid URL and scheme", async () => {
  const client = new HttpClient();
  try {
    const bad = await client.request({ method: "GET", url: "not a url" });
    assert.equal(bad.status, 0);
    assert.equal(bad.errorCode, K6_ERROR_CODES.invalidUrl);
    assert.match(bad.error, /Cannot parse URL "not a url"/);
    const ftp = await client.request({ method: "GET", url: "ftp://127.0.0.1/x" });
    assert.equal(ftp.errorCode, K6_ERROR_CODES.generic);
    assert.match(ftp.error, /unsupported protocol scheme "ftp"/);
    const header = await client.request({
      method: "GET",
      url: "http://127.0.0.1:1/",
      headers: { "X-Bad": "a\r\nInjected: yes" },
    });
    assert.equal(header.status, 0);
    assert.match(header.error, /Invalid value for header "X-Bad"/);
  } finally {
    client.close();
  }
});

Deno.test("request() enforces maxBodyBytes for Content-Length, chunked and close-delimited bodies", async () => {
  const big = "x".repeat(100);
  const responses = [
    `HTTP/1.1 200 OK\r\nContent-Length: ${big.length}\r\n\r\n${big}`,
    `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n32\r\n${big.slice(0, 50)}\r\n` +
    `32\r\n${big.slice(50)}\r\n0\r\n\r\n`,
    `HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n${big}`,
  ];
  const server = _rawServer(async (conn, reader, index) => {
    await reader.next();
    await _write(conn, responses[index]);
    await reader.next();
  });
  const client = new HttpClient({ maxBodyBytes: 60 });
  try {
    for (let i = 0; i < responses.length; i++) {
      const res = await client.request({ method: "GET", url: `${server.url}/` });
      assert.equal(res.status, 0, `response ${i}`);
      assert.equal(res.errorCode, K6_ERROR_CODES.generic);
      assert.match(res.error, /exceeds maxBodyBytes \(60\)/);
    }
    assert.equal(server.accepted, 3); // each failure closed its connection
  } finally {
    client.close();
    await server.close();
  }
});

Deno.test("request() retries a GET once when a reused connection closes before responding", async () => {
  const server = _rawServer(async (conn, reader, index) => {
    if (index === 0) {
      const first = await reader.next();
      if (first === null) return;
      await _write(conn, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst");
      await reader.next(); // the second request arrives; close without answering
      return;
    }
    await _keepAliveEcho(conn, reader);
  });
  const client = new HttpClient();
  try {
    const a = await client.request({ method: "GET", url: `${server.url}/a` });
    assert.equal(_text(a), "first");
    const b = await client.request({ method: "GET", url: `${server.url}/b` });
    assert.equal(b.error, "");
    assert.equal(b.status, 200);
    assert.equal(_text(b), "/b");
    assert.equal(server.accepted, 2);
  } finally {
    client.close();
    await server.close();
  }
});

Deno.test("request() does not retry a POST that got no response on a reused connection", async () => {
  let posts = 0;
  const server = _rawServer(async (conn, reader, index) => {
    if (index === 0) {
      await reader.next();
      await _write(conn, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
      if ((await reader.next()) !== null) posts++;
      return;
    }
    while (true) {
      const req = await reader.next();
      if (req === null) return;
      posts++;
      await _write(conn, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    }
  });
  const client = new HttpClient();
  try {
    await client.request({ method: "GET", url: `${server.url}/a` });
    const post = await client.request({ method: "POST", url: `${server.url}/p`, body: "{}" });
    assert.equal(post.status, 0);
    assert.equal(post.errorCode, K6_ERROR_CODES.generic);
    assert.match(post.error, /closed the reused connection/);
    assert.equal(posts, 1);
    // With an Idempotency-Key the same situation is retried.
    const again = await client.request({
      method: "POST",
      url: `${server.url}/p`,
      body: "{}",
      headers: { "Idempotency-Key": "k1" },
    });
    assert.equal(again.status, 200);
  } finally {
    client.close();
    await server.close();
  }
});

Deno.test("request() notices a keep-alive connection the server closed while idle", async () => {
  const server = _rawServer(async (conn, reader) => {
    const req = await reader.next();
    if (req === null) return;
    // Answer as keep-alive, then close the idle connection (like an idle timeout).
    await _write(conn, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  });
  const client = new HttpClient();
  try {
    assert.equal((await client.request({ method: "GET", url: `${server.url}/1` })).status, 200);
    await _delay(50);
    // A POST is not retried, so it succeeds only because the closed connection was dropped.
    const post = await client.request({ method: "POST", url: `${server.url}/2`, body: "x" });
    assert.equal(post.error, "");
    assert.equal(post.status, 200);
    assert.equal(server.accepted, 2);
    assert.ok(post.timings.connecting > 0);
  } finally {
    client.close();
    await server.close();
  }
});

Deno.test("request() sends Basic credentials from the URL's user info", async () => {
  let auth = "";
  const server = _rawServer(async (conn, reader) => {
    const req = await reader.next();
    if (req === null) return;
    auth = req.headers["authorization"] ?? "";
    await _write(conn, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    await reader.next();
  });
  const client = new HttpClient();
  try {
    const res = await client.request({
      method: "GET",
      url: `http://us%40er:p%3Ass@127.0.0.1:${server.port}/`,
    });
    assert.equal(res.status, 200);
    assert.equal(auth, "Basic " + btoa("us@er:p:ss"));
  } finally {
    client.close();
    await server.close();
  }
});

Deno.test("close() fails in-flight and later requests", async () => {
  const server = _rawServer(async (_conn, reader) => {
    await reader.next();
    await reader.next();
  });
  const client = new HttpClient();
  try {
    const pending = client.request({ method: "GET", url: `${server.url}/hang` });
    await _delay(30);
    client.close();
    const res = await pending;
    assert.equal(res.status, 0);
    assert.equal(res.error, "HTTP client is closed");
    const later = await client.request({ method: "GET", url: `${server.url}/` });
    assert.equal(later.error, "HTTP client is closed");
  } finally {
    client.close();
    await server.close();
  }
});

Deno.test("request() speaks HTTPS with caCerts and reports TLS errors with k6 codes", async () => {
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", cert: _LEAF_PEM, key: _LEAF_KEY, onListen() {} },
    () => new Response("secure"),
  );
  const trusting = new HttpClient({ caCerts: [_CA_PEM] });
  const plain = new HttpClient();
  try {
    for (const host of ["localhost", "127.0.0.1"]) {
      const res = await trusting.request({
        method: "GET",
        url: `https://${host}:${server.addr.port}/`,
      });
      assert.equal(res.error, "");
      assert.equal(res.status, 200);
      assert.equal(_text(res), "secure");
      assert.ok(res.timings.tls_handshaking > 0);
      _assertTimings(res);
    }
    const untrusted = await plain.request({
      method: "GET",
      url: `https://127.0.0.1:${server.addr.port}/`,
    });
    assert.equal(untrusted.status, 0);
    assert.equal(untrusted.errorCode, K6_ERROR_CODES.x509UnknownAuthority);
  } finally {
    trusting.close();
    plain.close();
    await server.shutdown();
  }
});

Deno.test("request() sends and receives bodies larger than the buffers", async () => {
  const big = new Uint8Array(300_000).map((_, i) => i % 251);
  let received = new Uint8Array(0);
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, async (req) => {
    received = new Uint8Array(await req.arrayBuffer());
    return new Response(big);
  });
  const client = new HttpClient();
  try {
    const binary = await client.request({
      method: "POST",
      url: `http://127.0.0.1:${server.addr.port}/up`,
      body: big,
    });
    assert.equal(binary.status, 200);
    assert.deepEqual(received, big);
    assert.deepEqual(binary.body, big);
    assert.ok(binary.bytesSent > big.length);
    assert.ok(binary.bytesReceived > big.length);
    const text = "ü".repeat(100_000);
    const str = await client.request({
      method: "PUT",
      url: `http://127.0.0.1:${server.addr.port}/up`,
      body: text,
    });
    assert.equal(str.status, 200);
    assert.equal(_dec.decode(received), text);
  } finally {
    client.close();
    await server.shutdown();
  }
});

Deno.test("request() times each request out on its own deadline", async () => {
  const server = _rawServer(async (_conn, reader) => {
    await reader.next();
    await reader.next();
  });
  const client = new HttpClient();
  try {
    const t0 = performance.now();
    const slow = client.request({ method: "GET", url: `${server.url}/a`, timeoutMs: 400 });
    const fast = client.request({ method: "GET", url: `${server.url}/b`, timeoutMs: 80 });
    const fastRes = await fast;
    const fastAt = performance.now() - t0;
    const slowRes = await slow;
    const slowAt = performance.now() - t0;
    assert.equal(fastRes.errorCode, K6_ERROR_CODES.requestTimeout);
    assert.equal(slowRes.errorCode, K6_ERROR_CODES.requestTimeout);
    assert.ok(fastAt >= 75 && fastAt < 300, `fast timed out after ${fastAt} ms`);
    assert.ok(slowAt >= 390, `slow timed out after ${slowAt} ms`);
  } finally {
    client.close();
    await server.close();
  }
});

Deno.test("request() times out while queued for a connection", async () => {
  const server = _rawServer(async (_conn, reader) => {
    await reader.next();
    await reader.next();
  });
  const client = new HttpClient({ maxConnectionsPerOrigin: 1 });
  try {
    const first = client.request({ method: "GET", url: `${server.url}/a`, timeoutMs: 300 });
    const queued = await client.request({ method: "GET", url: `${server.url}/b`, timeoutMs: 80 });
    assert.equal(queued.status, 0);
    assert.equal(queued.errorCode, K6_ERROR_CODES.requestTimeout);
    assert.equal((await first).errorCode, K6_ERROR_CODES.requestTimeout);
    assert.equal(server.accepted, 1);
  } finally {
    client.close();
    await server.close();
  }
});

Deno.test("plain TCP reads and writes use Deno's resource ops on the pinned Deno", () => {
  // A Deno upgrade that moves these internals makes the client fall back to Conn.read and
  // Conn.write (slower): this test says so instead of a silent throughput drop.
  assert.equal(RAW_TCP_IO, true);
});

Deno.test("an idle keep-alive connection does not keep the process alive", async () => {
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, () => {
    return new Response("ok");
  });
  try {
    const client = new URL("./http_client.ts", import.meta.url).href;
    const code = `import { HttpClient } from ${JSON.stringify(client)};
const res = await new HttpClient().request({ method: "GET", url: "http://127.0.0.1:${server.addr.port}/" });
console.log(res.status);`;
    const child = new Deno.Command(Deno.execPath(), {
      args: ["eval", "--no-config", code],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const timer = setTimeout(() => child.kill(), 5000);
    const out = await child.output();
    clearTimeout(timer);
    assert.equal(out.code, 0, _dec.decode(out.stderr));
    assert.equal(_dec.decode(out.stdout).trim(), "200");
  } finally {
    await server.shutdown();
  }
});

Deno.test("request() notices a one-byte change anywhere in a head as long as the last one", async () => {
  // Heads of equal length on one connection: every value byte in turn differs from the previous
  // response's. The 103 interim response before some of them puts the final head at an offset
  // that is not a multiple of four (the word-wise comparison falls back to bytes there).
  const base = "x".repeat(13);
  const values: string[] = [base, base];
  for (let i = 0; i < base.length; i++) values.push(base.slice(0, i) + "y" + base.slice(i + 1));
  const server = _rawServer(async (conn, reader) => {
    for (let i = 0;; i++) {
      const req = await reader.next();
      if (req === null) return;
      const value = values[Number(req.path.slice(1))];
      const interim = i % 3 === 2 ? "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n" : "";
      await _write(
        conn,
        `${interim}HTTP/1.1 200 OK\r\nX-V: ${value}\r\nContent-Length: 2\r\n\r\nok`,
      );
    }
  });
  const client = new HttpClient();
  try {
    for (let i = 0; i < values.length; i++) {
      const res = await client.request({ method: "GET", url: `${server.url}/${i}` });
      assert.equal(res.status, 200, res.error);
      assert.equal(res.headers["x-v"], values[i], `response ${i}`);
    }
    assert.equal(server.accepted, 1);
  } finally {
    client.close();
    await server.close();
  }
});
