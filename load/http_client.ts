/**
 * A keep-alive HTTP/1.1 client over `Deno.connect` / `Deno.startTls`, used as the load generator's
 * transport (Deno `fetch` reaches a fraction of wrk's request rate on loopback). One client belongs
 * to one VU: it keeps a small pool of connections per origin, reports k6-style timings and never
 * throws for network or protocol problems; such a request resolves with `status: 0`, an `error`
 * message and a k6 `errorCode` ({@linkcode K6_ERROR_CODES}).
 *
 * Where the time goes (measured with bench/raw_client_bench.ts; most of a request's cost is the
 * write and read syscalls): a request is one write of a buffer reused per connection (a repeated
 * body-less head is not even re-encoded), the response is parsed from a reused read buffer, a head
 * identical to the previous one on the connection is recognised by a byte comparison and not
 * decoded or parsed again, small bodies are copied into slab views (allocating an ArrayBuffer costs
 * more than parsing a small response here), timeouts of all clients share one timer, plain TCP
 * connections are read and written through Deno's resource ops rather than `Conn.read`'s and
 * `Conn.write`'s wrappers, and the hot path is a single async function.
 *
 * @module
 */

import { nowMs } from "./clock.ts";
import { denoCore } from "./_deno_core.ts";

/** A request for {@linkcode HttpClient.request}. */
export interface HttpRequest {
  /** Request method, sent as given (for example `GET`, `POST`). */
  method: string;
  /** Absolute `http:` or `https:` URL. */
  url: string | URL;
  /**
   * Request headers, sent as given. `Host` and `User-Agent` replace the defaults; `Content-Length` and
   * `Transfer-Encoding` are ignored because the client always frames the body with its own
   * `Content-Length`.
   */
  headers?: Record<string, string>;
  /** Request body; a string is sent as UTF-8. */
  body?: string | Uint8Array | null;
  /** Timeout in milliseconds covering connect, send and receive; defaults to the client's. */
  timeoutMs?: number;
}

/**
 * Phase timings of one request in milliseconds, with k6 semantics: `duration` is
 * `sending + waiting + receiving`; `blocked` is the time spent waiting for a connection slot;
 * `connecting` includes name resolution (Deno resolves inside `Deno.connect`).
 */
export interface HttpTimings {
  /** Time waiting for a free connection (pool queue) before connecting or reusing one. */
  blocked: number;
  /** Time spent establishing the TCP connection (0 when a connection was reused). */
  connecting: number;
  /** Time spent in the TLS handshake (0 for `http:` or a reused connection). */
  tls_handshaking: number;
  /** Time spent writing the request. */
  sending: number;
  /** Time from the end of sending to the first response byte. */
  waiting: number;
  /** Time from the first response byte to the end of the body. */
  receiving: number;
  /** `sending + waiting + receiving`. */
  duration: number;
}

/** The outcome of one request; `status` is 0 when no complete response was received. */
export interface HttpResult {
  /** The requested URL. */
  url: string;
  /** The request method. */
  method: string;
  /** HTTP status code, or 0 when the request failed. */
  status: number;
  /** Status line without the protocol, as k6's `status_text`, for example `200 OK`. */
  statusText: string;
  /** Response protocol, for example `HTTP/1.1`; empty when the request failed. */
  proto: string;
  /**
   * Response headers with lower-case names; repeated headers joined with `", "`. Read-only: the
   * object is frozen and shared by responses with identical heads (copy it to modify it).
   */
  headers: Readonly<Record<string, string>>;
  /**
   * Response body (empty for HEAD, 204, 304 and failures). Small bodies are views into a shared
   * slab: honour `byteOffset`/`byteLength`, and use `body.slice()` when an own `ArrayBuffer` is
   * needed (never `body.buffer` alone).
   */
  body: Uint8Array;
  /** Phase timings in milliseconds. */
  timings: HttpTimings;
  /** Error message when the request failed, otherwise empty. */
  error: string;
  /** k6 error code (see {@linkcode K6_ERROR_CODES}) when the request failed, otherwise 0. */
  errorCode: number;
  /** Bytes written to the connection for this request (request line, headers and body). */
  bytesSent: number;
  /** Bytes read from the connection for this response. */
  bytesReceived: number;
  /**
   * When the response was complete (or the request failed), from `nowMs()` (load/clock.ts, on
   * `performance.now()`'s scale), so callers can time-stamp the request's samples without reading
   * the clock again.
   */
  endTime?: number;
}

/** Options of {@linkcode HttpClient}. */
export interface HttpClientOptions {
  /**
   * Maximum open connections per origin; further concurrent requests queue (time counted as
   * `blocked`). Defaults to 6, k6's `batchPerHost` default.
   */
  maxConnectionsPerOrigin?: number;
  /** Request timeout in milliseconds when the request gives none. Defaults to 60000, like k6. */
  defaultTimeoutMs?: number;
  /** Largest accepted response body in bytes; a larger one fails the request. Defaults to 64 MiB. */
  maxBodyBytes?: number;
  /** Extra PEM root certificates trusted for `https:` origins. */
  caCerts?: string[];
  /** `User-Agent` sent when the request sets none. */
  userAgent?: string;
}

/**
 * k6's error codes as defined in k6's `lib/netext/httpext/error_codes.go` and documented at
 * https://grafana.com/docs/k6/latest/javascript-api/error-codes/ (1000-1099 general, 1100-1199 DNS,
 * 1200-1299 TCP, 1300-1399 TLS). Only the codes this HTTP/1.1 transport can produce are listed.
 */
export const K6_ERROR_CODES = {
  /** 1000: a generic error that is none of the others (malformed response, body too large, ...). */
  generic: 1000,
  /** 1010: a non-TCP network error. */
  nonTcpNetwork: 1010,
  /** 1020: an invalid URL was specified. */
  invalidUrl: 1020,
  /** 1050: the HTTP request has timed out. */
  requestTimeout: 1050,
  /** 1100: a generic DNS error. */
  dns: 1100,
  /** 1101: no IP for the provided host was found. */
  dnsNoSuchHost: 1101,
  /** 1200: a generic TCP error. */
  tcp: 1200,
  /** 1201: a "broken pipe" on write. */
  tcpBrokenPipe: 1201,
  /** 1202: an unknown TCP error (errno) on read or write. */
  netUnknownErrno: 1202,
  /** 1210: a generic TCP dial error. */
  tcpDial: 1210,
  /** 1211: a TCP dial timeout. */
  tcpDialTimeout: 1211,
  /** 1212: the TCP connection was refused. */
  tcpDialRefused: 1212,
  /** 1213: an unknown error (errno) while dialing. */
  tcpDialUnknownErrno: 1213,
  /** 1220: the connection was reset by the peer. */
  tcpResetByPeer: 1220,
  /** 1300: a generic TLS error. */
  tls: 1300,
  /** 1310: the certificate is signed by an unknown authority. */
  x509UnknownAuthority: 1310,
  /** 1311: the certificate does not match the hostname. */
  x509Hostname: 1311,
} as const;

/** Default `User-Agent` header. */
export const DEFAULT_USER_AGENT = "smsgate-testkit/0.1 (k6-compatible)";

/** Default request timeout: 60 s, like k6. */
export const DEFAULT_TIMEOUT_MS = 60_000;
/** Default largest accepted response body: 64 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;

const _MAX_TIMEOUT_MS = 2_147_483_647;
const _DEFAULT_MAX_CONNS = 6;
const _READ_BUFFER_SIZE = 16 * 1024;
const _MAX_HEAD_BYTES = 1024 * 1024;
const _MAX_CHUNK_LINE = 8 * 1024;
const _SMALL_WRITE = 64 * 1024;
const _URL_CACHE_LIMIT = 1024;
const _SLAB_SIZE = 64 * 1024;
const _SLAB_PIECE = 2048;
const _SCRATCH_KEEP = 256 * 1024;

const _encoder = new TextEncoder();
const _decoder = new TextDecoder();
const _EMPTY = new Uint8Array(0);
const _NO_WORDS = new Int32Array(0);
const _TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const _BAD_VALUE = /[\r\n\0]/;
const _KNOWN_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/** A failure carrying its k6 code; thrown internally, turned into a status-0 result. */
class _HttpError extends Error {
  code: number;
  constructor(code: number, message: string) {
    super(message);
    this.code = code;
  }
}

/** A connection could not be opened; `code` is the k6 error code (DNS, TCP dial). */
export class DialError extends _HttpError {
  /** Creates the error, e.g. `new DialError(1212, "dial: connection refused")`. */
  constructor(code: number, message: string) {
    super(code, message);
    this.name = "DialError";
  }
}

/**
 * Opens a TCP connection as the client does: names under the reserved `.invalid` top-level
 * domain fail at once without a lookup (RFC 6761 section 6.4), and failures are mapped to k6's
 * codes and messages.
 * @throws {DialError} when the connection cannot be opened (`dial: connection refused`,
 *   `lookup: no such host`, ...).
 */
export async function dialTcp(
  hostname: string,
  port: number,
  signal?: AbortSignal,
): Promise<Deno.TcpConn> {
  if (/(^|\.)invalid\.?$/i.test(hostname)) {
    throw new DialError(K6_ERROR_CODES.dnsNoSuchHost, "lookup: no such host");
  }
  try {
    return await Deno.connect({ hostname, port, signal });
  } catch (err) {
    throw _dialError(err);
  }
}

/** Raised when a reused connection delivered no response byte, so the request may be retried. */
class _StaleError extends Error {
  /** True when nothing of the request could be written. */
  nothingWritten: boolean;
  /** The error to report when the request is not retried (null: a plain EOF). */
  failure: _HttpError | null;
  constructor(nothingWritten: boolean, failure: _HttpError | null) {
    super("stale connection");
    this.nothingWritten = nothingWritten;
    this.failure = failure;
  }
}

/** A parsed request target, cached per URL string. */
interface _Target {
  href: string;
  https: boolean;
  key: string;
  connectHost: string;
  serverName: string;
  port: number;
  hostHeader: string;
  path: string;
  /** `Basic ...` credentials from the URL's user info, or empty. */
  authorization: string;
  /** Serialized heads of requests without user headers, by method and body presence. */
  heads: Map<string, _Head>;
}

/** A serialized request head. */
interface _Head {
  /** Request line and headers, without the final blank line. */
  text: string;
  /** Whether a `Content-Length` header must be added. */
  withLength: boolean;
  /** Whether the request may be repeated on a stale connection. */
  replayable: boolean;
  /** Whether the request asked for `Connection: close`. */
  close: boolean;
  /** `text` plus the final blank line, when no `Content-Length` is needed. */
  full: string;
}

/** A waiter queued for a connection slot. */
interface _Waiter {
  resolve: (conn: _Conn | null) => void;
  reject: (err: unknown) => void;
}

/** Connections of one origin. */
class _Pool {
  idle: _Conn[] = [];
  waiters: _Waiter[] = [];
  /** Open plus connecting connections. */
  total = 0;
}

/**
 * Deno's resource ops, used to read and write plain TCP connections without `Conn.read`'s and
 * `Conn.write`'s wrappers: `Conn.read` is an async function that also tracks the pending read in
 * a set (about 0.5 µs of a loopback request's 7 µs), and `Conn.write` wraps the write op's
 * promise, already settled when the op returns, in one that settles promise steps later (about
 * 0.4 µs of user CPU per request in bench/engine_bench.ts). Reached through
 * `Deno[Deno.internal].core`, like the async-context primitives in load/k6/_context.ts; null when
 * this Deno does not expose them, and then `Conn.read` and `Conn.write` are used.
 */
interface _RawIo {
  read(rid: number, buf: Uint8Array): Promise<number>;
  write(rid: number, buf: Uint8Array): Promise<number>;
  unrefOpPromise(p: Promise<unknown>): void;
  internalRidSymbol: symbol;
}

function _rawIo(): _RawIo | null {
  const core = denoCore();
  return typeof core?.read === "function" && typeof core.write === "function" &&
      typeof core.unrefOpPromise === "function" && typeof core.internalRidSymbol === "symbol"
    ? core as unknown as _RawIo
    : null;
}

const _RAW_IO = _rawIo();

/**
 * Whether plain TCP reads and writes bypass `Conn.read` and `Conn.write` (see
 * {@linkcode _RawIo}); exported for tests.
 */
export const RAW_TCP_IO: boolean = _RAW_IO !== null;

function _zeroIfNull(n: number | null): number {
  return n ?? 0;
}

/** One keep-alive connection with its reusable read and write buffers. */
class _Conn {
  conn: Deno.Conn;
  /** Resource id for raw reads, or -1 to read through `conn.read` (TLS, or no raw ops). */
  rid = -1;
  pool: _Pool;
  buf: Uint8Array = new Uint8Array(_READ_BUFFER_SIZE);
  /** `buf` as 32-bit words, for comparing response heads four bytes at a time. */
  bufWords: Int32Array = new Int32Array(this.buf.buffer);
  start = 0;
  end = 0;
  wbuf: Uint8Array = new Uint8Array(1024);
  /** A read issued while the connection was idle, consumed by the next response. */
  pendingRead: Promise<number> | null = null;
  idle = false;
  closed = false;
  used = false;
  /** The last response head parsed on this connection, and its bytes. */
  lastHead: _ParsedHead | null = null;
  lastHeadBytes: Uint8Array = _EMPTY;
  /** `lastHeadBytes` as 32-bit words (the last word zero-padded). */
  lastHeadWords: Int32Array = _NO_WORDS;
  /** The body-less request head whose bytes start `wbuf`, and their length. */
  lastRequest: _Head | null = null;
  lastRequestBytes = 0;
  /** `wbuf.subarray(0, lastRequestBytes)`, kept so that a repeated request writes it as is. */
  lastRequestView: Uint8Array = _EMPTY;
  /** Reusable buffer for assembling chunked bodies (allocated on first use). */
  scratch: Uint8Array = _EMPTY;
  /** Settles an idle read; created once per connection. */
  onIdleDone: (() => void) | null = null;
  constructor(conn: Deno.Conn, pool: _Pool) {
    this.conn = conn;
    this.pool = pool;
    if (_RAW_IO !== null) {
      const rid = (conn as unknown as Record<symbol, unknown>)[_RAW_IO.internalRidSymbol];
      if (typeof rid === "number") this.rid = rid;
    }
  }

  /** Replaces the read buffer (and its word view). */
  setBuffer(buf: Uint8Array): void {
    this.buf = buf;
    this.bufWords = new Int32Array(buf.buffer);
  }

  /** Remembers the response head in `buf` between `start` and `end` (see `lastHeadBytes`). */
  rememberHead(start: number, end: number): void {
    const length = end - start;
    const copy = new Uint8Array((length + 3) & ~3);
    copy.set(this.buf.subarray(start, end));
    this.lastHeadBytes = copy.subarray(0, length);
    this.lastHeadWords = new Int32Array(copy.buffer);
  }

  /** Whether the bytes at `buf[start...]` repeat the last response head (`lastHeadBytes`). */
  repeatsHead(start: number): boolean {
    const prev = this.lastHeadBytes;
    const length = prev.length;
    const buf = this.buf;
    let i = 0;
    if ((start & 3) === 0) {
      // Four bytes at a time: a response head is some 70 to 300 bytes.
      const words = this.bufWords;
      const prevWords = this.lastHeadWords;
      const w0 = start >> 2;
      const n = length >> 2;
      for (let w = 0; w < n; w++) if (words[w0 + w] !== prevWords[w]) return false;
      i = n << 2;
    }
    for (; i < length; i++) if (buf[start + i] !== prev[i]) return false;
    return true;
  }

  /**
   * Reads into `buf` (never empty); resolves with the byte count, 0 at EOF. Like `conn.read`,
   * the read does not keep the process alive (connections are unref'd).
   */
  read(buf: Uint8Array): Promise<number> {
    if (this.rid < 0) return this.conn.read(buf).then(_zeroIfNull);
    const p = _RAW_IO!.read(this.rid, buf);
    _RAW_IO!.unrefOpPromise(p);
    return p;
  }

  /** Writes some of `buf`; resolves with the byte count written. */
  write(buf: Uint8Array): Promise<number> {
    return this.rid < 0 ? this.conn.write(buf) : _RAW_IO!.write(this.rid, buf);
  }
}

/** Per-request state shared with the deadline sweeper. */
class _RequestState {
  // The fields start in reset(), the one place that says what a new state holds.
  owner: HttpClient;
  declare deadline: number;
  /** Links in the list of requests whose deadline is watched. */
  declare prev: _RequestState | null;
  declare next: _RequestState | null;
  declare watched: boolean;
  declare timedOut: boolean;
  declare conn: _Conn | null;
  declare connectAbort: AbortController | null;
  declare waiter: _Waiter | null;
  declare pool: _Pool | null;
  declare tStart: number;
  /** When writing could start (after blocking, connecting and the TLS handshake). */
  declare tReady: number;
  declare blocked: number;
  declare connecting: number;
  declare tls: number;
  declare sending: number;
  declare waiting: number;
  declare receiving: number;
  declare bytesSent: number;
  declare bytesReceived: number;
  /** The buffer holding the serialized request, and a large body to write after it. */
  declare out: Uint8Array;
  declare big: Uint8Array | null;
  /** Reads completed since the first response byte; 0 means the response came in one read. */
  declare laterReads: number;
  /** When the response was complete (0 until then). */
  declare tEnd: number;
  constructor(owner: HttpClient) {
    this.owner = owner;
    this.reset();
  }

  /** Makes the state as new: at construction, and for the client's next request (`#spare`). */
  reset(): void {
    this.deadline = Infinity;
    this.prev = this.next = null;
    this.watched = this.timedOut = false;
    this.conn = null;
    this.connectAbort = null;
    this.waiter = null;
    this.pool = null;
    this.tStart = this.tReady = 0;
    this.blocked = this.connecting = this.tls = 0;
    this.sending = this.waiting = this.receiving = 0;
    this.bytesSent = this.bytesReceived = 0;
    this.out = _EMPTY;
    this.big = null;
    this.laterReads = 0;
    this.tEnd = 0;
  }
}

/** A parsed response head (status line and header fields). */
interface _ParsedHead {
  status: number;
  proto: string;
  statusText: string;
  headers: Record<string, string>;
  keepAlive: boolean;
  /** Body framing: `length` (Content-Length), `chunked`, or `eof` (read until close). */
  framing: "length" | "chunked" | "eof";
  /** Content-Length when framing is `length`. */
  contentLength: number;
}

/**
 * A keep-alive HTTP/1.1 client for one VU. Connections are pooled per origin (scheme, host, port):
 * an idle one is reused, otherwise a new one is opened up to `maxConnectionsPerOrigin`, after which
 * requests queue. A reused connection that turns out closed before any response byte arrives is
 * retried once on another connection when the request is safe to repeat (GET, HEAD, OPTIONS, TRACE
 * or an `Idempotency-Key` header, Go's rule that k6 inherits) or when nothing of it could be written.
 * Idle connections keep a read pending, so a server closing one is noticed before it is reused.
 *
 * @example
 * ```ts
 * const client = new HttpClient({ defaultTimeoutMs: 5000 });
 * const res = await client.request({ method: "GET", url: "http://127.0.0.1:3000/health" });
 * console.log(res.status, res.timings.duration);
 * client.close();
 * ```
 */
export class HttpClient {
  // Timeouts of every client in this isolate share one timer armed for the earliest deadline,
  // which is much cheaper than a setTimeout/clearTimeout pair per request.
  static #first: _RequestState | null = null;
  static #timer: ReturnType<typeof setTimeout> | undefined = undefined;
  static #timerAt = Infinity;

  #pools = new Map<string, _Pool>();
  #targets = new Map<string, _Target>();
  #all = new Set<_Conn>();
  #maxConns: number;
  #timeoutMs: number;
  #maxBody: number;
  #caCerts: string[] | undefined;
  #userAgent: string;
  #closed = false;
  /**
   * The state of the last request that completed on the fast path (an idle connection, no
   * retry, no timeout): nothing refers to it any more, so the next request reuses it instead of
   * allocating a new one (allocation per request costs throughput here, see the README).
   */
  #spare: _RequestState | null = null;

  /** Creates a client; see {@linkcode HttpClientOptions} for the defaults. */
  constructor(options: HttpClientOptions = {}) {
    this.#maxConns = Math.max(1, Math.floor(options.maxConnectionsPerOrigin ?? _DEFAULT_MAX_CONNS));
    this.#timeoutMs = options.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.#caCerts = options.caCerts && options.caCerts.length > 0 ? options.caCerts : undefined;
    this.#userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
  }

  /**
   * Sends one request and resolves with its result. Never rejects: network, protocol and timeout
   * failures resolve with `status: 0`, `error` and a k6 `errorCode`.
   */
  request(req: HttpRequest): Promise<HttpResult>;
  /**
   * Sends one request and resolves with `then(result)`, or rejects with what `then` throws. The
   * same as `request(req).then(then)` without its promise hop (`then` runs as the request's own
   * last step), for callers that turn every result into something else. `then` is called with
   * `thisArg` as `this` (a caller with per-request state passes it there rather than in a
   * closure).
   */
  request<T, C = undefined>(
    req: HttpRequest,
    then: (this: C, result: HttpResult) => T,
    thisArg?: C,
  ): Promise<T>;
  request<T, C>(
    req: HttpRequest,
    then?: (this: C, result: HttpResult) => T,
    thisArg?: C,
  ): Promise<T | HttpResult> {
    const st = this.#spare ?? new _RequestState(this);
    this.#spare = null;
    st.tStart = nowMs();
    const urlText = typeof req.url === "string" ? req.url : req.url.href;
    let early: HttpResult;
    if (this.#closed) {
      early = _failure(urlText, req.method, st, K6_ERROR_CODES.generic, "HTTP client is closed");
    } else {
      try {
        return this.#perform(st, this.#target(urlText), req, then, thisArg);
      } catch (err) {
        // #target() threw (#perform never throws: it returns a promise).
        const code = err instanceof _HttpError ? err.code : K6_ERROR_CODES.invalidUrl;
        early = _failure(urlText, req.method, st, code, (err as Error).message);
      }
    }
    return then === undefined ? Promise.resolve(early) : _settle(early, then, thisArg);
  }

  /** Closes every connection; in-flight requests fail and later requests fail at once. */
  close(): void {
    this.#closed = true;
    for (const pool of this.#pools.values()) {
      const waiters = pool.waiters;
      pool.waiters = [];
      for (const w of waiters) {
        w.reject(new _HttpError(K6_ERROR_CODES.generic, "HTTP client is closed"));
      }
    }
    for (const c of [...this.#all]) this.#destroy(c);
    this.#pools.clear();
  }

  static #watch(st: _RequestState): void {
    // An intrusive doubly linked list: O(1) insert and removal without hashing.
    const first = HttpClient.#first;
    st.next = first;
    if (first !== null) first.prev = st;
    HttpClient.#first = st;
    st.watched = true;
    if (st.deadline < HttpClient.#timerAt) HttpClient.#arm(st.deadline);
  }

  static #unwatch(st: _RequestState): void {
    if (!st.watched) return;
    st.watched = false;
    const prev = st.prev, next = st.next;
    if (prev !== null) prev.next = next;
    else HttpClient.#first = next;
    if (next !== null) next.prev = prev;
    st.prev = st.next = null;
    if (HttpClient.#first === null && HttpClient.#timer !== undefined) {
      clearTimeout(HttpClient.#timer);
      HttpClient.#timer = undefined;
      HttpClient.#timerAt = Infinity;
    }
  }

  static #arm(at: number): void {
    if (HttpClient.#timer !== undefined) clearTimeout(HttpClient.#timer);
    HttpClient.#timerAt = at;
    // setTimeout treats delays past 2^31 - 1 ms as 0: cap it, #sweep re-arms when still early.
    const delay = Math.min(Math.max(0, at - nowMs()), _MAX_TIMEOUT_MS);
    HttpClient.#timer = setTimeout(HttpClient.#sweep, delay);
  }

  static #sweep(): void {
    HttpClient.#timer = undefined;
    HttpClient.#timerAt = Infinity;
    const now = nowMs();
    let next = Infinity;
    let st = HttpClient.#first;
    while (st !== null) {
      const following: _RequestState | null = st.next;
      // setTimeout has millisecond granularity: treat deadlines within 1 ms as reached.
      if (st.deadline <= now + 1) {
        HttpClient.#unwatch(st);
        st.owner.#onTimeout(st);
      } else if (st.deadline < next) {
        next = st.deadline;
      }
      st = following;
    }
    if (next !== Infinity && HttpClient.#timer === undefined) HttpClient.#arm(next);
  }

  #onTimeout(st: _RequestState): void {
    st.timedOut = true;
    if (st.conn !== null) this.#destroy(st.conn);
    if (st.connectAbort !== null) st.connectAbort.abort();
    const w = st.waiter;
    if (w !== null && st.pool !== null) {
      const i = st.pool.waiters.indexOf(w);
      if (i >= 0) st.pool.waiters.splice(i, 1);
      st.waiter = null;
      w.reject(new _HttpError(K6_ERROR_CODES.requestTimeout, "request timeout"));
    }
  }

  #target(urlText: string): _Target {
    const cached = this.#targets.get(urlText);
    if (cached !== undefined) return cached;
    let url: URL;
    try {
      url = new URL(urlText);
    } catch {
      throw new _HttpError(
        K6_ERROR_CODES.invalidUrl,
        `Cannot parse URL "${urlText}": expected an absolute http: or https: URL`,
      );
    }
    const https = url.protocol === "https:";
    if (!https && url.protocol !== "http:") {
      throw new _HttpError(
        K6_ERROR_CODES.generic,
        `unsupported protocol scheme "${url.protocol.slice(0, -1)}": use an http: or https: URL`,
      );
    }
    if (url.hostname === "") {
      throw new _HttpError(
        K6_ERROR_CODES.invalidUrl,
        `Cannot parse URL "${urlText}": expected a host name`,
      );
    }
    const port = url.port === "" ? (https ? 443 : 80) : Number(url.port);
    let authorization = "";
    if (url.username !== "" || url.password !== "") {
      const user = decodeURIComponent(url.username) + ":" + decodeURIComponent(url.password);
      authorization = "Basic " + _base64(_encoder.encode(user));
    }
    const bare = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
    const target: _Target = {
      href: url.href,
      https,
      key: `${https ? "s" : "p"}|${bare}|${port}`,
      connectHost: bare,
      serverName: bare,
      port,
      hostHeader: url.host,
      path: (url.pathname || "/") + url.search,
      authorization,
      heads: new Map(),
    };
    if (this.#targets.size >= _URL_CACHE_LIMIT) this.#targets.clear();
    this.#targets.set(urlText, target);
    return target;
  }

  async #perform<T, C>(
    st: _RequestState,
    target: _Target,
    req: HttpRequest,
    then: ((this: C, result: HttpResult) => T) | undefined,
    thisArg: C | undefined,
  ): Promise<T | HttpResult> {
    // One async frame per request: connection handling, writing and the response head are inline
    // (each extra await layer costs measurable throughput); rarer paths are in helpers.
    const method = req.method;
    let result: HttpResult;
    try {
      const head = this.#serializeHead(target, req);
      const b = req.body;
      const body: string | Uint8Array = b == null || b.length === 0 ? _EMPTY : b;
      const isHead = method === "HEAD";
      const timeout = req.timeoutMs ?? this.#timeoutMs;
      st.deadline = st.tStart + (timeout >= 0 ? Math.min(timeout, _MAX_TIMEOUT_MS) : 0);
      HttpClient.#watch(st);
      let retried = false;
      let recyclable = false;
      while (true) {
        let pool = this.#pools.get(target.key);
        if (pool === undefined) {
          pool = new _Pool();
          this.#pools.set(target.key, pool);
        }
        let c = pool.idle.pop();
        recyclable = c !== undefined && !retried;
        if (c !== undefined) {
          c.idle = false;
          st.blocked = 0;
          st.tReady = st.tStart;
        } else {
          c = await this.#acquire(st, target, pool);
        }
        st.conn = c;
        const reused = c.used;
        c.used = true;
        try {
          if (st.timedOut) throw new _HttpError(K6_ERROR_CODES.requestTimeout, "request timeout");
          const total = this.#encode(st, c, head, body);
          const wbuf = st.out;
          let written = 0;
          try {
            while (written < total) {
              written += await c.write(
                written === 0 && wbuf.length === total ? wbuf : wbuf.subarray(written, total),
              );
            }
            const big = st.big;
            if (big !== null) {
              let off = 0;
              while (off < big.length) {
                const n = await c.write(big.subarray(off));
                off += n;
                written += n;
              }
            }
          } catch (err) {
            st.bytesSent = written;
            if (reused && written === 0 && !st.timedOut) {
              throw new _StaleError(true, _ioError(err, "write"));
            }
            throw _ioError(err, "write");
          }
          st.bytesSent = written;
          const tSent = nowMs();
          st.sending = tSent - st.tReady;

          // Response head.
          let tFirst = 0;
          let scanned = 0; // bytes after c.start already searched for the end of the head
          let parsed: _ParsedHead;
          while (true) {
            const known = c.lastHeadBytes.length;
            let headEnd = -1;
            let same = false;
            if (
              known > 0 && c.end - c.start >= known && c.repeatsHead(c.start)
            ) {
              // Same head as the previous response on this connection: no scan, no parse.
              headEnd = c.start + known;
              same = true;
            } else if (c.end - c.start > scanned) {
              headEnd = _findHeadEnd(c.buf, c.start, c.start + scanned, c.end);
            }
            if (headEnd < 0) {
              const have = c.end - c.start;
              scanned = have > 3 ? have - 3 : 0;
              if (have > _MAX_HEAD_BYTES) {
                throw new _HttpError(
                  K6_ERROR_CODES.generic,
                  `Cannot parse response: headers exceed ${_MAX_HEAD_BYTES} bytes`,
                );
              }
              let n: number;
              try {
                const p = c.pendingRead;
                if (p !== null) {
                  c.pendingRead = null;
                  n = await p;
                } else {
                  _makeRoom(c);
                  n = await c.read(c.end === 0 ? c.buf : c.buf.subarray(c.end));
                }
              } catch (err) {
                if (reused && st.bytesReceived === 0 && !st.timedOut) {
                  throw new _StaleError(false, _ioError(err, "read"));
                }
                throw _ioError(err, "read");
              }
              if (n === 0) {
                if (st.bytesReceived === 0) {
                  if (reused && !st.timedOut) throw new _StaleError(false, null);
                  throw new _HttpError(
                    K6_ERROR_CODES.generic,
                    "EOF: the server closed the connection without sending a response",
                  );
                }
                throw new _HttpError(
                  K6_ERROR_CODES.generic,
                  "unexpected EOF: the server closed the connection inside the response headers",
                );
              }
              c.end += n;
              st.bytesReceived += n;
              if (tFirst === 0) tFirst = nowMs();
              else st.laterReads++;
              continue;
            }
            // Consecutive responses on a connection often have identical heads: reuse the parse.
            if (same && c.lastHead !== null) {
              parsed = c.lastHead;
            } else {
              parsed = _parseHead(_decoder.decode(c.buf.subarray(c.start, headEnd)));
              // Skip interim 1xx responses (100 Continue, 103 Early Hints); 101 is rejected below.
              if (parsed.status < 200 && parsed.status !== 101) {
                c.start = headEnd;
                scanned = 0;
                continue;
              }
              c.lastHead = parsed;
              c.rememberHead(c.start, headEnd);
            }
            c.start = headEnd;
            break;
          }
          if (tFirst === 0) tFirst = nowMs(); // unreachable in practice: a head needs a read
          st.waiting = tFirst - tSent;
          const status = parsed.status;
          if (status === 101) {
            throw new _HttpError(
              K6_ERROR_CODES.generic,
              `unsupported response status: ${parsed.statusText}`,
            );
          }

          // Response body.
          let keepAlive = parsed.keepAlive && !head.close;
          let resBody: Uint8Array;
          if (isHead || status === 204 || status === 304) {
            resBody = _EMPTY;
          } else if (parsed.framing === "length" && c.end - c.start >= parsed.contentLength) {
            // Fast path: the whole body is already buffered.
            const length = parsed.contentLength;
            if (length > this.#maxBody) throw this.#tooLarge(length);
            resBody = _copyOut(c.buf, c.start, length);
            c.start += length;
          } else {
            if (parsed.framing === "length" && parsed.contentLength > this.#maxBody) {
              throw this.#tooLarge(parsed.contentLength);
            }
            if (parsed.framing === "eof") keepAlive = false;
            resBody = await this.#readBody(st, c, parsed);
          }
          if (c.start !== c.end) keepAlive = false; // unsolicited bytes after the response
          else c.start = c.end = 0;
          if (st.laterReads === 0) {
            st.receiving = 0;
            st.tEnd = tFirst;
          } else {
            st.tEnd = nowMs();
            st.receiving = st.tEnd - tFirst;
          }
          st.conn = null;
          if (keepAlive && !st.timedOut) this.#release(c);
          else this.#destroy(c);
          HttpClient.#unwatch(st);
          result = _success(target.href, method, st, parsed, resBody);
          if (recyclable && !st.timedOut) {
            st.reset();
            this.#spare = st;
          }
          break;
        } catch (err) {
          st.conn = null;
          this.#destroy(c);
          if (!(err instanceof _StaleError)) throw err;
          if (
            !retried && !st.timedOut && !this.#closed && (err.nothingWritten || head.replayable)
          ) {
            retried = true;
            st.bytesSent = 0;
            st.bytesReceived = 0;
            st.connecting = 0;
            st.tls = 0;
            st.laterReads = 0;
            st.tStart = nowMs();
            continue;
          }
          throw err.failure ?? new _HttpError(
            K6_ERROR_CODES.generic,
            "EOF: the server closed the reused connection without sending a response",
          );
        }
      }
    } catch (err) {
      HttpClient.#unwatch(st);
      result = st.timedOut
        ? _failure(target.href, method, st, K6_ERROR_CODES.requestTimeout, "request timeout")
        : this.#closed
        ? _failure(target.href, method, st, K6_ERROR_CODES.generic, "HTTP client is closed")
        : err instanceof _HttpError
        ? _failure(target.href, method, st, err.code, err.message)
        : _failure(target.href, method, st, K6_ERROR_CODES.generic, _message(err));
    }
    // Outside every try: what `then` throws rejects the request's promise as it is.
    return then === undefined ? result : then.call(thisArg as C, result);
  }

  #serializeHead(target: _Target, req: HttpRequest): _Head {
    const method = req.method;
    const plain = req.headers === undefined || _isEmpty(req.headers);
    const b0 = req.body;
    const key = (b0 != null && b0.length > 0) ? method + " body" : method;
    if (plain) {
      const cached = target.heads.get(key);
      if (cached !== undefined) return cached;
    }
    if (!_KNOWN_METHODS.has(method) && !_TOKEN.test(method)) {
      throw new _HttpError(
        K6_ERROR_CODES.generic,
        `Invalid method "${method}": use an HTTP token such as GET or POST`,
      );
    }
    let extra = "";
    let host = target.hostHeader;
    let ua = this.#userAgent;
    let authorization = target.authorization;
    let close = false;
    let replayable = method === "GET" || method === "HEAD" || method === "OPTIONS" ||
      method === "TRACE";
    const headers = req.headers;
    if (headers !== undefined) {
      for (const name in headers) {
        const value = String(headers[name]);
        if (!_TOKEN.test(name)) {
          throw new _HttpError(
            K6_ERROR_CODES.generic,
            `Invalid header name "${name}": use an HTTP token without spaces or colons`,
          );
        }
        if (_BAD_VALUE.test(value)) {
          throw new _HttpError(
            K6_ERROR_CODES.generic,
            `Invalid value for header "${name}": remove CR, LF and NUL characters`,
          );
        }
        const lower = name.toLowerCase();
        if (lower === "host") host = value;
        else if (lower === "user-agent") ua = value;
        else if (lower === "content-length" || lower === "transfer-encoding") continue;
        else {
          if (lower === "idempotency-key" || lower === "x-idempotency-key") replayable = true;
          else if (lower === "authorization") authorization = "";
          else if (lower === "connection" && _hasToken(value.toLowerCase(), "close")) close = true;
          extra += name + ": " + value + "\r\n";
        }
      }
    }
    let text = method + " " + target.path + " HTTP/1.1\r\nHost: " + host + "\r\n";
    if (ua !== "") text += "User-Agent: " + ua + "\r\n";
    if (authorization !== "") text += "Authorization: " + authorization + "\r\n";
    text += extra;
    const b = req.body;
    // Like Go's client: a non-empty body, or any POST/PUT/PATCH, carries a Content-Length.
    const withLength = (b != null && b.length > 0) || method === "POST" || method === "PUT" ||
      method === "PATCH";
    const head = { text, withLength, replayable, close, full: withLength ? "" : text + "\r\n" };
    if (plain && target.heads.size < 16) target.heads.set(key, head);
    return head;
  }

  /** Opens a connection or waits for one when the origin is at its connection limit. */
  async #acquire(st: _RequestState, target: _Target, pool: _Pool): Promise<_Conn> {
    st.pool = pool;
    if (pool.total >= this.#maxConns) {
      const granted = await new Promise<_Conn | null>((resolve, reject) => {
        const w: _Waiter = { resolve, reject };
        st.waiter = w;
        pool.waiters.push(w);
      });
      st.waiter = null;
      if (granted !== null) {
        st.tReady = nowMs();
        st.blocked = st.tReady - st.tStart;
        return granted;
      }
      // A slot was freed and reserved for this request (pool.total already counts it).
    } else {
      pool.total++;
    }
    const t0 = nowMs();
    st.blocked = t0 - st.tStart;
    return await this.#connect(st, target, pool, t0);
  }

  async #connect(st: _RequestState, target: _Target, pool: _Pool, t0: number): Promise<_Conn> {
    const ac = new AbortController();
    st.connectAbort = ac;
    let tcp: Deno.TcpConn;
    try {
      tcp = await dialTcp(target.connectHost, target.port, ac.signal);
    } catch (err) {
      st.connectAbort = null;
      this.#slotFreed(pool);
      throw err;
    }
    st.connectAbort = null;
    const t1 = nowMs();
    st.connecting = t1 - t0;
    st.tReady = t1;
    // From here on the slot belongs to `c`: destroying it frees the slot whatever fails.
    const c = new _Conn(tcp, pool);
    this.#all.add(c);
    st.conn = c;
    if (st.timedOut || this.#closed) {
      this.#destroy(c);
      throw new _HttpError(K6_ERROR_CODES.requestTimeout, "request timeout");
    }
    try {
      tcp.setNoDelay(true);
      // Connections never keep the process alive by themselves (idle ones keep a read pending);
      // the deadline timer, armed while any request is in flight, does.
      tcp.unref();
    } catch { /* not fatal */ }
    if (target.https) {
      try {
        const tls = await Deno.startTls(tcp, {
          hostname: target.serverName,
          caCerts: this.#caCerts,
          alpnProtocols: ["http/1.1"],
        });
        c.conn = tls;
        c.rid = -1; // TLS records: read through the TlsConn, never the raw TCP resource
        tls.unref();
        await tls.handshake();
      } catch (err) {
        this.#destroy(c);
        if (st.timedOut) throw new _HttpError(K6_ERROR_CODES.requestTimeout, "request timeout");
        throw _tlsError(err);
      }
      st.tReady = nowMs();
      st.tls = st.tReady - t1;
    }
    return c;
  }

  /** Gives a freed slot to the first waiter (who then connects) or forgets it. */
  #slotFreed(pool: _Pool): void {
    const w = pool.waiters.shift();
    if (w !== undefined) w.resolve(null);
    else pool.total--;
  }

  #release(c: _Conn): void {
    if (c.closed) return;
    if (this.#closed) {
      this.#destroy(c);
      return;
    }
    const pool = c.pool;
    const w = pool.waiters.shift();
    if (w !== undefined) {
      w.resolve(c);
      return;
    }
    c.idle = true;
    c.start = 0;
    c.end = 0;
    if (c.buf.length > 4 * _READ_BUFFER_SIZE) c.setBuffer(new Uint8Array(_READ_BUFFER_SIZE));
    const p = c.read(c.buf);
    c.pendingRead = p;
    let onIdleDone = c.onIdleDone;
    if (onIdleDone === null) onIdleDone = c.onIdleDone = () => this.#idleReadDone(c);
    p.then(onIdleDone, onIdleDone);
    pool.idle.push(c);
  }

  /** An idle connection got data, EOF or an error: it cannot be reused. */
  #idleReadDone(c: _Conn): void {
    if (c.idle && !c.closed) this.#destroy(c);
  }

  #destroy(c: _Conn): void {
    if (c.closed) return;
    c.closed = true;
    this.#all.delete(c);
    try {
      c.conn.close();
    } catch { /* already closed */ }
    const pool = c.pool;
    if (c.idle) {
      c.idle = false;
      const i = pool.idle.indexOf(c);
      if (i >= 0) pool.idle.splice(i, 1);
    }
    this.#slotFreed(pool);
  }

  /**
   * Serializes the head and the body into the connection's write buffer (one write) and returns
   * the byte count; a binary body over 64 KiB is left in `st.big` to be written after it. A
   * repeated body-less head is still in the buffer from the previous request.
   */
  #encode(st: _RequestState, c: _Conn, head: _Head, body: string | Uint8Array): number {
    let total: number;
    let wbuf = c.wbuf;
    if (!head.withLength && c.lastRequest === head) {
      total = c.lastRequestBytes;
      st.out = c.lastRequestView;
      return total;
    } else if (typeof body === "string") {
      // Encode the body first, behind room reserved for the head, then move it after the head.
      const reserve = head.text.length * 3 + 40;
      wbuf = _ensure(c, reserve + body.length * 3);
      const bodyBytes = _encoder.encodeInto(body, wbuf.subarray(reserve)).written;
      const text = head.text + "Content-Length: " + bodyBytes + "\r\n\r\n";
      total = _encoder.encodeInto(text, wbuf).written;
      wbuf.copyWithin(total, reserve, reserve + bodyBytes);
      total += bodyBytes;
      c.lastRequest = null;
    } else {
      const inline = body.length <= _SMALL_WRITE;
      const text = head.withLength
        ? head.text + "Content-Length: " + body.length + "\r\n\r\n"
        : head.full;
      wbuf = _ensure(c, text.length * 3 + (inline ? body.length : 0));
      total = _encoder.encodeInto(text, wbuf).written;
      if (!inline) st.big = body;
      else if (body.length > 0) {
        wbuf.set(body, total);
        total += body.length;
      }
      const reusable = !head.withLength && wbuf === c.wbuf;
      c.lastRequest = reusable ? head : null;
      c.lastRequestBytes = reusable ? total : 0;
      c.lastRequestView = reusable ? wbuf.subarray(0, total) : _EMPTY;
    }
    st.out = wbuf;
    return total;
  }

  /** Reads a body that is not entirely buffered yet (or not Content-Length framed). */
  async #readBody(st: _RequestState, c: _Conn, parsed: _ParsedHead): Promise<Uint8Array> {
    try {
      if (parsed.framing === "length") return await this.#readLength(st, c, parsed.contentLength);
      if (parsed.framing === "chunked") return await this.#readChunked(st, c);
      return await this.#readToEof(st, c);
    } catch (err) {
      if (err instanceof _HttpError) throw err;
      throw _ioError(err, "read");
    }
  }

  #tooLarge(size: number, known = true): _HttpError {
    return new _HttpError(
      K6_ERROR_CODES.generic,
      `response body too large: ${
        known ? "" : "more than "
      }${size} bytes exceeds maxBodyBytes (${this.#maxBody}); raise the limit (load --max-body)`,
    );
  }

  /** Reads more bytes into the connection's buffer; returns false on EOF. */
  async #fill(st: _RequestState, c: _Conn): Promise<boolean> {
    _makeRoom(c);
    const n = await c.read(c.buf.subarray(c.end));
    if (n === 0) return false;
    c.end += n;
    st.bytesReceived += n;
    st.laterReads++;
    return true;
  }

  async #readLength(st: _RequestState, c: _Conn, length: number): Promise<Uint8Array> {
    if (length <= _SLAB_PIECE) {
      // Small: collect it in the read buffer, then copy it out.
      while (c.end - c.start < length) {
        if (!(await this.#fill(st, c))) {
          throw new _HttpError(
            K6_ERROR_CODES.generic,
            `unexpected EOF: the body ended after ${c.end - c.start} of ${length} bytes ` +
              "(Content-Length)",
          );
        }
      }
      const out = _copyOut(c.buf, c.start, length);
      c.start += length;
      return out;
    }
    const body = new Uint8Array(length);
    const avail = c.end - c.start;
    body.set(c.buf.subarray(c.start, c.end));
    c.start = c.end = 0;
    let off = avail;
    while (off < length) {
      let n: number;
      try {
        n = await c.read(body.subarray(off));
      } catch (err) {
        throw _ioError(err, "read");
      }
      if (n === 0) {
        throw new _HttpError(
          K6_ERROR_CODES.generic,
          `unexpected EOF: the body ended after ${off} of ${length} bytes (Content-Length)`,
        );
      }
      off += n;
      st.bytesReceived += n;
      st.laterReads++;
    }
    return body;
  }

  async #readToEof(st: _RequestState, c: _Conn): Promise<Uint8Array> {
    let len = c.end - c.start;
    if (len > this.#maxBody) throw this.#tooLarge(len, false);
    let body = new Uint8Array(Math.max(_READ_BUFFER_SIZE, len));
    body.set(c.buf.subarray(c.start, c.end));
    c.start = c.end = 0;
    while (true) {
      if (len === body.length) {
        const grown = new Uint8Array(body.length * 2);
        grown.set(body);
        body = grown;
      }
      const n = await c.read(body.subarray(len));
      if (n === 0) break;
      len += n;
      st.bytesReceived += n;
      st.laterReads++;
      if (len > this.#maxBody) throw this.#tooLarge(len, false);
    }
    return _copyOut(body, 0, len);
  }

  /** Finds the next LF at or after `c.start`, reading more when needed; returns its index. */
  async #line(st: _RequestState, c: _Conn, what: string): Promise<number> {
    let from = c.start;
    while (true) {
      for (let i = from; i < c.end; i++) if (c.buf[i] === 10) return i;
      if (c.end - c.start > _MAX_CHUNK_LINE) {
        throw new _HttpError(K6_ERROR_CODES.generic, `Cannot parse chunked body: ${what} too long`);
      }
      const before = c.end - c.start;
      if (!(await this.#fill(st, c))) {
        throw new _HttpError(
          K6_ERROR_CODES.generic,
          `unexpected EOF: the connection closed inside the chunked body (${what})`,
        );
      }
      from = c.start + before;
    }
  }

  async #readChunked(st: _RequestState, c: _Conn): Promise<Uint8Array> {
    // Chunks are gathered in the connection's scratch buffer, then copied out.
    let body = c.scratch.length > 0 ? c.scratch : (c.scratch = new Uint8Array(4096));
    let len = 0;
    while (true) {
      const lf = await this.#line(st, c, "chunk size line");
      const size = _chunkSize(c.buf, c.start, lf);
      c.start = lf + 1;
      if (size === 0) break;
      if (len + size > this.#maxBody) throw this.#tooLarge(len + size, false);
      if (body.length < len + size) {
        let cap = body.length * 2;
        while (cap < len + size) cap *= 2;
        const grown = new Uint8Array(Math.min(cap, Math.max(len + size, this.#maxBody)));
        grown.set(body.subarray(0, len));
        body = grown;
        if (grown.length <= _SCRATCH_KEEP) c.scratch = grown;
      }
      const avail = Math.min(c.end - c.start, size);
      body.set(c.buf.subarray(c.start, c.start + avail), len);
      c.start += avail;
      let got = avail;
      while (got < size) {
        const n = await c.read(body.subarray(len + got, len + size));
        if (n === 0) {
          throw new _HttpError(
            K6_ERROR_CODES.generic,
            `unexpected EOF: the connection closed inside a chunk (${got} of ${size} bytes)`,
          );
        }
        got += n;
        st.bytesReceived += n;
        st.laterReads++;
      }
      len += size;
      // Chunk data must be followed by CRLF (a bare LF is tolerated).
      const end = await this.#line(st, c, "chunk terminator");
      if (end - c.start > 1 || (end - c.start === 1 && c.buf[c.start] !== 13)) {
        throw new _HttpError(
          K6_ERROR_CODES.generic,
          "Cannot parse chunked body: expected CRLF after chunk data",
        );
      }
      c.start = end + 1;
    }
    // Trailer section: header lines until an empty line; validated and discarded like Go's client.
    let trailerBytes = 0;
    while (true) {
      const lf = await this.#line(st, c, "trailer");
      const lineLen = lf - c.start;
      const empty = lineLen === 0 || (lineLen === 1 && c.buf[c.start] === 13);
      const colon = c.buf.indexOf(58, c.start);
      if (!empty && (colon <= c.start || colon >= lf)) {
        throw new _HttpError(
          K6_ERROR_CODES.generic,
          "Cannot parse chunked body: malformed trailer line",
        );
      }
      trailerBytes += lineLen + 1;
      if (trailerBytes > _MAX_HEAD_BYTES) {
        throw new _HttpError(
          K6_ERROR_CODES.generic,
          "Cannot parse chunked body: trailers too large",
        );
      }
      c.start = lf + 1;
      if (empty) break;
    }
    return _copyOut(body, 0, len);
  }
}

/** Returns the connection's write buffer, grown to at least `need` bytes (kept when <= 1 MiB). */
function _ensure(c: _Conn, need: number): Uint8Array {
  const wbuf = c.wbuf;
  if (wbuf.length >= need) return wbuf;
  let size = wbuf.length;
  while (size < need) size *= 2;
  const grown = new Uint8Array(size);
  if (size <= 1024 * 1024) c.wbuf = grown;
  return grown;
}

// Small response bodies are copied into views of shared 64 KiB slabs: allocating an ArrayBuffer
// costs several hundred nanoseconds here, more than the rest of a small response's parsing.
let _slab = new Uint8Array(_SLAB_SIZE);
let _slabUsed = 0;

/** Copies src[start, start + length) into a new view (a slab piece for small lengths). */
function _copyOut(src: Uint8Array, start: number, length: number): Uint8Array {
  if (length === 0) return _EMPTY;
  if (length > _SLAB_PIECE) return src.slice(start, start + length);
  if (_slabUsed + length > _SLAB_SIZE) {
    _slab = new Uint8Array(_SLAB_SIZE);
    _slabUsed = 0;
  }
  const out = _slab.subarray(_slabUsed, _slabUsed + length);
  if (length <= 32) {
    // Small bodies (a few bytes of JSON or text): a loop, without set()'s source view.
    for (let i = 0; i < length; i++) out[i] = src[start + i];
  } else out.set(src.subarray(start, start + length));
  _slabUsed += (length + 7) & ~7;
  return out;
}

/** Makes room at the end of the connection's read buffer: compacts, or grows it. */
function _makeRoom(c: _Conn): void {
  if (c.end < c.buf.length) return;
  if (c.start > 0) {
    c.buf.copyWithin(0, c.start, c.end);
    c.end -= c.start;
    c.start = 0;
  } else {
    const grown = new Uint8Array(c.buf.length * 2);
    grown.set(c.buf.subarray(0, c.end));
    c.setBuffer(grown);
  }
}

function _base64(bytes: Uint8Array): string {
  let bin = "";
  for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
  return btoa(bin);
}

/** Index just past the blank line ending the head that starts at `headStart`, or -1. */
function _findHeadEnd(buf: Uint8Array, headStart: number, from: number, end: number): number {
  // A bounded byte loop: indexOf would scan the stale tail of the buffer past `end`.
  for (let i = from; i < end; i++) {
    if (buf[i] !== 10) continue;
    if (i > headStart && buf[i - 1] === 10) return i + 1;
    if (i > headStart + 1 && buf[i - 1] === 13 && buf[i - 2] === 10) return i + 1;
  }
  return -1;
}

function _malformed(what: string): _HttpError {
  return new _HttpError(K6_ERROR_CODES.generic, `malformed HTTP response: ${what}`);
}

function _isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** Status code from the start of a head text, validating the status line's shape. */
function _statusOf(text: string): number {
  // "HTTP/1.1 200 OK": protocol, single space, three digits, then end of line or space.
  if (!text.startsWith("HTTP/1.") || !_isDigit(text.charCodeAt(7)) || text.charCodeAt(8) !== 32) {
    const line = text.slice(0, Math.min(text.indexOf("\n") >>> 0, 60)).replace(/\r$/, "");
    throw _malformed(`${JSON.stringify(line)} is not an HTTP/1.x status line`);
  }
  const d0 = text.charCodeAt(9), d1 = text.charCodeAt(10), d2 = text.charCodeAt(11);
  const after = text.charCodeAt(12);
  if (
    !_isDigit(d0) || !_isDigit(d1) || !_isDigit(d2) || d0 === 48 ||
    !(after === 32 || after === 13 || after === 10)
  ) {
    const line = text.slice(0, Math.min(text.indexOf("\n") >>> 0, 60)).replace(/\r$/, "");
    throw _malformed(`invalid status code in ${JSON.stringify(line)}`);
  }
  return (d0 - 48) * 100 + (d1 - 48) * 10 + (d2 - 48);
}

/** Parses a response head: status line, header fields and body framing (RFC 9112 section 6). */
function _parseHead(text: string): _ParsedHead {
  const status = _statusOf(text);
  const headers: Record<string, string> = {};
  let lineEnd = text.indexOf("\n");
  let statusLine = text.slice(0, lineEnd);
  if (statusLine.charCodeAt(statusLine.length - 1) === 13) statusLine = statusLine.slice(0, -1);
  const proto = statusLine.slice(0, 8);
  const statusText = statusLine.length > 13 ? statusLine.slice(9) : String(status);
  let pos = lineEnd + 1;
  let lastName = "";
  while (pos < text.length) {
    lineEnd = text.indexOf("\n", pos);
    if (lineEnd < 0) lineEnd = text.length;
    let stop = lineEnd;
    if (stop > pos && text.charCodeAt(stop - 1) === 13) stop--;
    if (stop === pos) break; // the blank line
    const first = text.charCodeAt(pos);
    if (first === 32 || first === 9) {
      // Obsolete line folding: the line continues the previous header value.
      if (lastName === "") throw _malformed("header continuation line before any header");
      headers[lastName] += " " + text.slice(pos, stop).trim();
    } else {
      const colon = text.indexOf(":", pos);
      if (colon < 0 || colon >= stop || colon === pos) {
        throw _malformed(
          `header line ${JSON.stringify(text.slice(pos, Math.min(stop, pos + 60)))} has no name`,
        );
      }
      const rawName = text.slice(pos, colon);
      if (!_TOKEN.test(rawName)) throw _malformed(`invalid header name ${JSON.stringify(rawName)}`);
      const name = rawName.toLowerCase();
      const value = text.slice(colon + 1, stop).trim();
      const prev = headers[name];
      headers[name] = prev === undefined ? value : prev + ", " + value;
      lastName = name;
    }
    pos = lineEnd + 1;
  }
  const connection = headers["connection"];
  let keepAlive = proto === "HTTP/1.1";
  if (connection !== undefined) {
    const tokens = connection.toLowerCase();
    if (_hasToken(tokens, "close")) keepAlive = false;
    else if (_hasToken(tokens, "keep-alive")) keepAlive = true;
  }
  // Transfer-Encoding overrides Content-Length; a final coding other than chunked (or both
  // headers at once) means the body ends with the connection.
  const te = headers["transfer-encoding"];
  const cl = headers["content-length"];
  let framing: _ParsedHead["framing"] = "eof";
  let contentLength = -1;
  if (te !== undefined) {
    if (_lastToken(te) === "chunked") framing = "chunked";
    if (cl !== undefined || framing === "eof") keepAlive = false;
  } else if (cl !== undefined) {
    framing = "length";
    contentLength = _parseContentLength(cl);
  }
  // Frozen: responses with identical heads share the parse, and with it this object.
  Object.freeze(headers);
  return { status, proto, statusText, headers, keepAlive, framing, contentLength };
}

/** Whether buf[start, start + length) equals `prev` (of that length). */
function _isEmpty(record: Record<string, string>): boolean {
  for (const _ in record) return false;
  return true;
}

function _hasToken(list: string, token: string): boolean {
  for (const part of list.split(",")) if (part.trim() === token) return true;
  return false;
}

function _lastToken(list: string): string {
  const i = list.lastIndexOf(",");
  return (i < 0 ? list : list.slice(i + 1)).trim().toLowerCase();
}

function _parseContentLength(value: string): number {
  // Repeated identical values ("5, 5") are accepted, as RFC 9110 section 8.6 allows.
  let result = -1;
  for (const part of value.split(",")) {
    const v = part.trim();
    if (!/^\d{1,15}$/.test(v)) throw _malformed(`invalid Content-Length ${JSON.stringify(value)}`);
    const n = Number(v);
    if (result >= 0 && n !== result) {
      throw _malformed(`conflicting Content-Length values ${JSON.stringify(value)}`);
    }
    result = n;
  }
  return result;
}

/** Parses a chunk-size line `HEX[;ext][CR]` lying in buf[start, lf). */
function _chunkSize(buf: Uint8Array, start: number, lf: number): number {
  let end = lf;
  if (end > start && buf[end - 1] === 13) end--;
  let size = 0;
  let digits = 0;
  let i = start;
  for (; i < end; i++) {
    const b = buf[i];
    let v: number;
    if (b >= 48 && b <= 57) v = b - 48;
    else if (b >= 97 && b <= 102) v = b - 87;
    else if (b >= 65 && b <= 70) v = b - 55;
    else break;
    size = size * 16 + v;
    if (++digits > 12) {
      throw new _HttpError(
        K6_ERROR_CODES.generic,
        "Cannot parse chunked body: chunk size too large",
      );
    }
  }
  if (digits === 0) {
    throw new _HttpError(
      K6_ERROR_CODES.generic,
      "Cannot parse chunked body: invalid chunk size line",
    );
  }
  // Anything after the digits must be whitespace or a chunk extension.
  while (i < end && (buf[i] === 32 || buf[i] === 9)) i++;
  if (i < end && buf[i] !== 59) {
    throw new _HttpError(
      K6_ERROR_CODES.generic,
      "Cannot parse chunked body: invalid chunk size line",
    );
  }
  return size;
}

function _message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Maps a dial failure to k6's codes and messages. */
function _dialError(err: unknown): DialError {
  if (err instanceof DialError) return err;
  if (err instanceof _HttpError) return new DialError(err.code, err.message);
  if (err instanceof Deno.errors.ConnectionRefused) {
    return new DialError(K6_ERROR_CODES.tcpDialRefused, "dial: connection refused");
  }
  if (err instanceof Deno.errors.TimedOut) {
    return new DialError(K6_ERROR_CODES.tcpDialTimeout, "dial: i/o timeout");
  }
  const msg = _message(err);
  if (
    /lookup address|Name or service not known|No address associated|nodename nor servname/i.test(
      msg,
    )
  ) {
    return new DialError(K6_ERROR_CODES.dnsNoSuchHost, "lookup: no such host");
  }
  if (/dns|resolve|lookup/i.test(msg)) return new DialError(K6_ERROR_CODES.dns, `lookup: ${msg}`);
  if (/os error \d+/.test(msg)) {
    return new DialError(K6_ERROR_CODES.tcpDialUnknownErrno, `dial: ${msg}`);
  }
  return new DialError(K6_ERROR_CODES.tcpDial, `dial: ${msg}`);
}

/** Maps a TLS handshake failure to k6's codes and messages. */
function _tlsError(err: unknown): _HttpError {
  if (err instanceof _HttpError) return err;
  const msg = _message(err);
  if (/UnknownIssuer|unknown (issuer|authority)/i.test(msg)) {
    return new _HttpError(K6_ERROR_CODES.x509UnknownAuthority, "x509: unknown authority");
  }
  if (/NotValidForName|not valid for name|hostname/i.test(msg)) {
    return new _HttpError(K6_ERROR_CODES.x509Hostname, "x509: certificate doesn't match hostname");
  }
  return new _HttpError(K6_ERROR_CODES.tls, `tls: ${msg}`);
}

/** Maps a read or write failure to k6's codes and messages. */
function _ioError(err: unknown, op: "read" | "write"): _HttpError {
  if (err instanceof _HttpError) return err;
  if (err instanceof Deno.errors.ConnectionReset) {
    return new _HttpError(K6_ERROR_CODES.tcpResetByPeer, `${op}: connection reset by peer`);
  }
  if (err instanceof Deno.errors.BrokenPipe) {
    return new _HttpError(K6_ERROR_CODES.tcpBrokenPipe, `${op}: broken pipe`);
  }
  const msg = _message(err);
  if (/os error \d+/.test(msg)) {
    return new _HttpError(K6_ERROR_CODES.netUnknownErrno, `${op}: ${msg}`);
  }
  return new _HttpError(K6_ERROR_CODES.tcp, `${op}: ${msg}`);
}

/** A promise of `then(result)` (rejected with what `then` throws). */
function _settle<T, C>(
  result: HttpResult,
  then: (this: C, result: HttpResult) => T,
  thisArg: C | undefined,
): Promise<T> {
  return new Promise((resolve) => resolve(then.call(thisArg as C, result)));
}

function _classify(err: unknown): [number, string] {
  if (err instanceof _HttpError) return [err.code, err.message];
  return [K6_ERROR_CODES.generic, _message(err)];
}

function _timings(st: _RequestState): HttpTimings {
  return {
    blocked: st.blocked,
    connecting: st.connecting,
    tls_handshaking: st.tls,
    sending: st.sending,
    waiting: st.waiting,
    receiving: st.receiving,
    duration: st.sending + st.waiting + st.receiving,
  };
}

function _success(
  url: string,
  method: string,
  st: _RequestState,
  head: _ParsedHead,
  body: Uint8Array,
): HttpResult {
  return {
    url,
    method,
    status: head.status,
    statusText: head.statusText,
    proto: head.proto,
    headers: head.headers,
    body,
    timings: _timings(st),
    error: "",
    errorCode: 0,
    bytesSent: st.bytesSent,
    bytesReceived: st.bytesReceived,
    endTime: st.tEnd,
  };
}

function _failure(
  url: string,
  method: string,
  st: _RequestState,
  code: number,
  error: string,
): HttpResult {
  return {
    url,
    method,
    status: 0,
    statusText: "",
    proto: "",
    headers: {},
    body: _EMPTY,
    timings: _timings(st),
    error,
    errorCode: code,
    bytesSent: st.bytesSent,
    bytesReceived: st.bytesReceived,
    endTime: nowMs(),
  };
}
