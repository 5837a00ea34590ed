/**
 * A loopback HTTP/1.1 server that answers every request with a tiny fixed `200 OK`, used to measure
 * load generators rather than a server. Two engines are available: `raw` (default) is an accept loop
 * over `Deno.listen` that writes a canned response per request and was measured faster here than
 * `serve` (`Deno.serve` returning a fixed `Response`): about 190k vs 165k requests/s under
 * `wrk -t2 -c64` on the 2-core bench machine.
 *
 * Run as a script it prints its URL on the first line of stdout and serves until SIGINT/SIGTERM:
 *
 * ```sh
 * npx deno run -A bench/null_server.ts [--engine raw|serve] [--port N]
 * ```
 *
 * @module
 */

/** Which server implementation {@linkcode startNullServer} uses. */
export type NullServerEngine = "raw" | "serve";

/** Options of {@linkcode startNullServer}. */
export interface NullServerOptions {
  /** `raw` (Deno.listen loop, the faster, default) or `serve` (Deno.serve). */
  engine?: NullServerEngine;
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
}

/** A running null server. */
export interface NullServer {
  /** Base URL, for example `http://127.0.0.1:40123/`. */
  url: string;
  /** Stops listening, closes every connection and waits for the handlers to finish. */
  close(): Promise<void>;
}

const _BODY = "ok";
const _RESPONSE = new TextEncoder().encode(
  `HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: ${_BODY.length}\r\n\r\n${_BODY}`,
);
const _BAD_REQUEST = new TextEncoder().encode(
  "HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
);
const _MAX_HEAD = 64 * 1024;

/** Starts a null server on 127.0.0.1 (see {@linkcode NullServerOptions}). */
export function startNullServer(options: NullServerOptions = {}): Promise<NullServer> {
  const engine = options.engine ?? "raw";
  const port = options.port ?? 0;
  return Promise.resolve(engine === "serve" ? _startServe(port) : _startRaw(port));
}

function _startServe(port: number): NullServer {
  const server = Deno.serve(
    { port, hostname: "127.0.0.1", onListen() {} },
    () => new Response(_BODY, { headers: { "content-type": "text/plain" } }),
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}/`,
    close: () => server.shutdown(),
  };
}

function _startRaw(port: number): NullServer {
  const listener = Deno.listen({ port, hostname: "127.0.0.1" });
  const conns = new Set<Deno.TcpConn>();
  const handlers = new Set<Promise<void>>();
  const accepting = (async () => {
    try {
      for await (const conn of listener) {
        conns.add(conn);
        const h = _serveConn(conn).finally(() => {
          conns.delete(conn);
          handlers.delete(h);
        });
        handlers.add(h);
      }
    } catch {
      // The listener was closed.
    }
  })();
  return {
    url: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}/`,
    async close() {
      try {
        listener.close();
      } catch { /* already closed */ }
      for (const c of conns) {
        try {
          c.close();
        } catch { /* already closed */ }
      }
      await accepting;
      await Promise.all([...handlers]);
    },
  };
}

/** Serves one connection: answers each complete request head, skipping Content-Length bodies. */
async function _serveConn(conn: Deno.TcpConn): Promise<void> {
  try {
    conn.setNoDelay(true);
  } catch { /* not fatal */ }
  let buf = new Uint8Array(16 * 1024);
  let start = 0;
  let end = 0;
  let skip = 0; // request body bytes still to discard
  let out = new Uint8Array(_RESPONSE.length * 16);
  try {
    while (true) {
      if (end === buf.length) {
        if (start > 0) {
          buf.copyWithin(0, start, end);
          end -= start;
          start = 0;
        } else if (buf.length < _MAX_HEAD) {
          const grown = new Uint8Array(buf.length * 2);
          grown.set(buf);
          buf = grown;
        } else {
          await conn.write(_BAD_REQUEST);
          break;
        }
      }
      const n = await conn.read(buf.subarray(end));
      if (n === null) break;
      end += n;
      let count = 0;
      let bad = false;
      while (true) {
        if (skip > 0) {
          const k = Math.min(skip, end - start);
          start += k;
          skip -= k;
          if (skip > 0) break;
        }
        const headEnd = _findHeadEnd(buf, start, end);
        if (headEnd < 0) break;
        const length = _contentLength(buf, start, headEnd);
        if (length < 0) {
          bad = true;
          break;
        }
        count++;
        start = headEnd;
        skip = length;
      }
      if (start === end) start = end = 0;
      if (count === 1) {
        await conn.write(_RESPONSE);
      } else if (count > 1) {
        // Pipelined requests: answer them with one write.
        const need = _RESPONSE.length * count;
        if (out.length < need) out = new Uint8Array(need);
        for (let i = 0; i < count; i++) out.set(_RESPONSE, i * _RESPONSE.length);
        let off = 0;
        while (off < need) off += await conn.write(out.subarray(off, need));
      }
      if (bad) {
        await conn.write(_BAD_REQUEST);
        break;
      }
    }
  } catch {
    // The peer reset the connection or the server is closing.
  }
  try {
    conn.close();
  } catch { /* already closed */ }
}

/** Index just past the blank line ending a head (CRLFCRLF or LFLF), or -1. */
function _findHeadEnd(buf: Uint8Array, from: number, end: number): number {
  // A bounded byte loop: indexOf would scan the stale tail of the buffer past `end`.
  for (let i = from; i < end; i++) {
    if (buf[i] !== 10) continue;
    if (i > from && buf[i - 1] === 10) return i + 1;
    if (i > from + 1 && buf[i - 1] === 13 && buf[i - 2] === 10) return i + 1;
  }
  return -1;
}

// "content-length:" in lower case, for a case-insensitive byte comparison.
const _CL = new TextEncoder().encode("content-length:");
// "transfer-encoding:" likewise; chunked request bodies are not supported.
const _TE = new TextEncoder().encode("transfer-encoding:");

/** Content-Length of a request head (0 when absent), or -1 when the body cannot be framed. */
function _contentLength(buf: Uint8Array, start: number, end: number): number {
  // Stop before searching past the head's final LF: indexOf would scan the stale buffer tail.
  let i = buf.indexOf(10, start);
  while (i >= 0 && i < end - 1) {
    const line = i + 1;
    const first = buf[line] | 0x20;
    if (first === 0x63 /* c */ && _startsWithLower(buf, line, end, _CL)) {
      let v = 0;
      let digits = 0;
      for (let j = line + _CL.length; j < end; j++) {
        const b = buf[j];
        if (b >= 48 && b <= 57) {
          v = v * 10 + (b - 48);
          digits++;
        } else if (b !== 32 && b !== 9) break;
      }
      return digits > 0 && digits < 16 ? v : -1;
    }
    if (first === 0x74 /* t */ && _startsWithLower(buf, line, end, _TE)) return -1;
    i = buf.indexOf(10, line);
  }
  return 0;
}

function _startsWithLower(buf: Uint8Array, at: number, end: number, word: Uint8Array): boolean {
  if (at + word.length > end) return false;
  for (let k = 0; k < word.length; k++) {
    if ((buf[at + k] | 0x20) !== word[k]) return false;
  }
  return true;
}

/**
 * Starts the null server in its own process (so that it does not share an event loop with the
 * load it receives) and resolves with its URL; `stop()` fails if the server died meanwhile, since
 * the figures measured against it would not be valid.
 */
export async function spawnNullServer(
  engine: NullServerEngine = "raw",
): Promise<{ url: string; stop(): Promise<void> }> {
  const script = new URL("./null_server.ts", import.meta.url).pathname;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", script, "--engine", engine],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  await reader.cancel();
  const url = text.split("\n")[0].trim();
  if (!url.startsWith("http://")) {
    child.kill("SIGKILL");
    await child.status;
    throw new Error(`Cannot start the null server: expected its URL on stdout, got ${text}`);
  }
  let exit: Deno.CommandStatus | null = null;
  const status = child.status.then((s) => exit = s);
  return {
    url,
    async stop() {
      if (exit !== null) {
        throw new Error(
          `The null server exited during the benchmark (code ${exit.code}, signal ` +
            `${exit.signal}): its figures are not valid`,
        );
      }
      child.kill("SIGTERM");
      await status;
    },
  };
}

if (import.meta.main) {
  const args = Deno.args;
  let engine: NullServerEngine = "raw";
  let port = 0;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--engine" && (args[i + 1] === "raw" || args[i + 1] === "serve")) {
      engine = args[++i] as NullServerEngine;
    } else if (args[i] === "--port" && /^\d+$/.test(args[i + 1] ?? "")) {
      port = Number(args[++i]);
    } else {
      console.error(
        `Cannot parse argument "${args[i]}": expected --engine raw|serve or --port N`,
      );
      Deno.exit(2);
    }
  }
  const server = await startNullServer({ engine, port });
  console.log(server.url);
  const stop = () => {
    server.close().then(() => Deno.exit(0));
  };
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
}
