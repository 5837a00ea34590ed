/**
 * The embedded `k6/http` module over the keep-alive HTTP/1.1 client of `load/http_client.ts`
 * (deno.json maps `"k6/http"` here). Each VU has its own client, so its connections are reused
 * across its iterations, as in k6.
 *
 * Every request records k6's HTTP metrics (`http_reqs`, `http_req_duration` and its phases,
 * `http_req_failed`, `data_sent`, `data_received`) tagged with `method`, `status`, `url`, `name`
 * (the `name` tag, else the URL), `proto`, `expected_response`, `error_code` (failures only),
 * `scenario`, `group` and the request's `tags`. Under arrival-rate executors it also records
 * `http_req_latency_intended`: the latency measured from when the request would have been sent
 * had its iteration started on schedule (coordinated-omission corrected, as wrk2).
 *
 * Differences from k6 (scripts that should also run under real k6 use `asyncRequest`, or `await`
 * the other functions, which works in both):
 * - `request`, `get`, `post`, `put`, `patch`, `del`, `head` and `options` return promises, like
 *   `asyncRequest`; there are no blocking requests and no `batch`.
 * - Redirects are not followed, there is no cookie jar (`cookies`, `jar` are ignored), `auth` is
 *   `basic` only (credentials in the URL, as k6), and `compression` is not supported.
 * - A failed connection, a timeout or a malformed response never throws: the response has status
 *   0, `error` and k6's `error_code`, and counts as failed, as in k6.
 *
 * @module
 */

import { nowMs } from "../clock.ts";
import type { HttpRequest, HttpResult, HttpTimings } from "../http_client.ts";
import { parseDuration } from "../duration.ts";
import type { Tags } from "../metrics.ts";
import type { JSONValue } from "./mod.ts";
import {
  currentContext,
  type ExecContext,
  installGlobals,
  InterruptedError,
  type StatusMatcher,
  vuContext,
} from "./_context.ts";

installGlobals();

/** Request parameters. */
export interface Params {
  /** Authentication method: only `basic` (credentials in the URL). */
  auth?: AuthMethod;
  /** Not supported; a request that sets it fails. */
  compression?: string;
  /** Ignored (no cookie support). */
  cookies?: { [name: string]: ParamsCookieValue };
  /** Request headers. */
  headers?: { [name: string]: string };
  /** Ignored (no cookie support). */
  jar?: CookieJar;
  /** Ignored: redirects are not followed. */
  redirects?: number;
  /** Response body type: `text` (default), `binary` (ArrayBuffer) or `none`. */
  responseType?: ResponseType;
  /** Tags of this request's samples (`name` groups URLs under one name). */
  tags?: { [name: string]: string };
  /** Timeout: milliseconds or a duration such as `"10s"` (default 60s). */
  timeout?: string | number;
  /** Which statuses are expected for this request (overrides `setResponseCallback`). */
  responseCallback?: ExpectedStatusesCallback | null;
}

/** Request parameters with a known response type. */
export interface RefinedParams<RT extends ResponseType | undefined> extends Params {
  /** Response body type. */
  responseType?: RT;
}

/** Authentication method. */
export type AuthMethod = "basic" | "digest" | "ntlm";
/** Response body type. */
export type ResponseType = "binary" | "none" | "text";
/** A cookie value in params. */
export type ParamsCookieValue = string | { value?: string; replace?: boolean };
/** A cookie jar (not supported; present for type compatibility). */
export interface CookieJar {
  /** Cookies for a URL. */
  cookiesForURL(url: string): { [name: string]: string[] };
}

/** A request body: a string, bytes, or an object sent as a form. */
export type RequestBody = string | StructuredRequestBody | ArrayBuffer;
/** A form body (sent `application/x-www-form-urlencoded`). */
export interface StructuredRequestBody {
  [name: string]: string;
}

/** HTTP protocol of a response. */
export type Protocol = "HTTP/1.0" | "HTTP/1.1" | "HTTP/2.0";
/** A response body of unknown type. */
export type ResponseBody = string | ArrayBuffer | null;
/** The body type that a response type gives. */
export type RefinedResponseBody<RT extends ResponseType | undefined> = RT extends "binary"
  ? ArrayBuffer
  : RT extends "none" ? null
  : RT extends "text" ? string
  : RT extends undefined ? string | null
  : never;

/** Phase timings of a response, in milliseconds: the client's, as k6 names them. */
export type ResponseTimings = HttpTimings;

/** An HTTP response, as k6's. */
export interface Response {
  /** Response body (see `responseType`). */
  body: ResponseBody;
  /** Always empty (no cookie support). */
  cookies: { [name: string]: ResponseCookie[] };
  /** Error message when the request failed, else empty. */
  error: string;
  /** k6 error code when the request failed, else 0. */
  error_code: number;
  /** Response headers with canonical names (`Content-Type`). */
  headers: { [name: string]: string };
  /** Protocol. */
  proto: Protocol;
  /** Remote IP (not recorded: empty). */
  remote_ip: string;
  /** Remote port (not recorded: 0). */
  remote_port: number;
  /** The request as sent. */
  request: {
    /** Body as a string. */
    body: string;
    /** Always empty. */
    cookies: { [name: string]: RequestCookie[] };
    /** Headers. */
    headers: { [name: string]: string[] };
    /** Method. */
    method: string;
    /** URL. */
    url: string;
  };
  /** HTTP status, 0 when the request failed. */
  status: number;
  /** Status line text, e.g. `200 OK`. */
  status_text: string;
  /** Timings in ms. */
  timings: ResponseTimings;
  /** The URL requested. */
  url: string;
  /** Parses the body as JSON; `selector` picks a value by a dotted path (`a.b.0`). */
  json(selector?: string): JSONValue;
}

/** A response whose body type is known. */
export interface RefinedResponse<RT extends ResponseType | undefined> extends Response {
  /** Response body. */
  body: RefinedResponseBody<RT>;
}

/** A cookie of a request. */
export interface RequestCookie {
  /** Name. */
  name: string;
  /** Value. */
  value: string;
  /** Whether it replaces a jar cookie. */
  replace: boolean;
}

/** A cookie of a response. */
export interface ResponseCookie {
  /** Name. */
  name: string;
  /** Value. */
  value: string;
}

/** An opaque response callback made by {@linkcode expectedStatuses}. */
export interface ExpectedStatusesCallback {
  [n: string]: never;
}

/** A status range for {@linkcode expectedStatuses}. */
export interface ExpectedStatusesObject {
  /** Smallest expected status. */
  min: number;
  /** Largest expected status. */
  max: number;
}

/** A URL made by the {@linkcode url} template tag: requests with it are named by the template. */
export interface HttpURL {
  /** Brand. */
  __brand: "http-url";
}

class _HttpUrl {
  declare __brand: "http-url";
  readonly url: string;
  readonly name: string;
  constructor(url: string, name: string) {
    this.url = url;
    this.name = name;
  }
  toString(): string {
    return this.url;
  }
}

class _Statuses implements StatusMatcher {
  readonly #single: Set<number>;
  readonly #ranges: Array<[number, number]>;
  constructor(single: Set<number>, ranges: Array<[number, number]>) {
    this.#single = single;
    this.#ranges = ranges;
  }
  matches(status: number): boolean {
    if (this.#single.has(status)) return true;
    for (const [min, max] of this.#ranges) if (status >= min && status <= max) return true;
    return false;
  }
}

/** k6's default: statuses 200-399 are expected. */
export const DEFAULT_EXPECTED_STATUSES: StatusMatcher = new _Statuses(new Set(), [[200, 399]]);

/**
 * A response callback: the given statuses and `{min, max}` ranges are expected, any other
 * status (and every failed request, status 0) makes the request count as failed in
 * `http_req_failed` and tags its samples `expected_response:false`.
 */
export function expectedStatuses(
  ...param: Array<number | ExpectedStatusesObject>
): ExpectedStatusesCallback {
  const single = new Set<number>();
  const ranges: Array<[number, number]> = [];
  param.forEach((p, i) => {
    if (typeof p === "number" && Number.isInteger(p)) single.add(p);
    else if (
      typeof p === "object" && p !== null && Number.isInteger(p.min) && Number.isInteger(p.max)
    ) {
      ranges.push([p.min, p.max]);
    } else {
      throw new TypeError(
        `Cannot use argument ${
          i + 1
        } of expectedStatuses(): expected a whole number or {min, max}, got ${JSON.stringify(p)}`,
      );
    }
  });
  return new _Statuses(single, ranges) as unknown as ExpectedStatusesCallback;
}

/**
 * Sets this VU's response callback (from the init context it applies to every request of the
 * VU); `null` turns `http_req_failed` off.
 */
export function setResponseCallback(responseCallback: ExpectedStatusesCallback | null): void {
  const ctx = _anyContext("http.setResponseCallback()");
  ctx.vu.responseCallback = _matcher(responseCallback, "http.setResponseCallback()");
}

function _matcher(cb: unknown, what: string): StatusMatcher | null {
  if (cb === null) return null;
  if (cb instanceof _Statuses) return cb;
  throw new TypeError(`Cannot use ${what}: pass the result of http.expectedStatuses() or null`);
}

function _anyContext(what: string): ExecContext {
  // The init context may configure the VU too (k6 allows setResponseCallback there).
  const ctx = currentContext();
  if (ctx === undefined) {
    throw new Error(`Cannot use ${what} outside a running test: call it from the script`);
  }
  if (ctx.interrupted) throw new InterruptedError();
  return ctx;
}

/**
 * A template tag for URLs whose requests should be grouped under one `name` tag:
 * `` http.url`${base}/posts/${id}` `` is named `${}/posts/${}`.
 */
export function url(
  strings: TemplateStringsArray,
  ...args: Array<string | number | boolean>
): HttpURL {
  let text = strings[0];
  let name = strings[0];
  for (let i = 0; i < args.length; i++) {
    text += String(args[i]) + strings[i + 1];
    name += "${}" + strings[i + 1];
  }
  return new _HttpUrl(text, name) as unknown as HttpURL;
}

const _CANONICAL = new Map<string, string>();

function _canonical(name: string): string {
  let c = _CANONICAL.get(name);
  if (c === undefined) {
    c = name.replace(/(^|-)([a-z])/g, (_m, dash: string, ch: string) => dash + ch.toUpperCase());
    if (_CANONICAL.size < 4096) _CANONICAL.set(name, c);
  }
  return c;
}

const _decoder = new TextDecoder();

class _Response implements Response {
  readonly #result: HttpResult;
  readonly #type: ResponseType;
  readonly #requestHeaders: Record<string, string> | undefined;
  readonly #requestBody: string | Uint8Array | null | undefined;
  #body: ResponseBody | undefined = undefined;
  #headers: Record<string, string> | undefined = undefined;
  #json: { value: JSONValue } | undefined = undefined;

  constructor(
    result: HttpResult,
    type: ResponseType,
    requestHeaders: Record<string, string> | undefined,
    requestBody: string | Uint8Array | null | undefined,
  ) {
    this.#result = result;
    this.#type = type;
    this.#requestHeaders = requestHeaders;
    this.#requestBody = requestBody;
  }

  get cookies(): { [name: string]: ResponseCookie[] } {
    return {};
  }
  get remote_ip(): string {
    return "";
  }
  get remote_port(): number {
    return 0;
  }
  get body(): ResponseBody {
    if (this.#body === undefined) {
      const bytes = this.#result.body;
      this.#body = this.#type === "none"
        ? null
        : this.#type === "binary"
        ? bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
        : _decoder.decode(bytes);
    }
    return this.#body;
  }
  set body(value: ResponseBody) {
    this.#body = value;
  }
  get status(): number {
    return this.#result.status;
  }
  get status_text(): string {
    return this.#result.statusText;
  }
  get proto(): Protocol {
    return (this.#result.proto || "HTTP/1.1") as Protocol;
  }
  get error(): string {
    return this.#result.error;
  }
  get error_code(): number {
    return this.#result.errorCode;
  }
  get url(): string {
    return this.#result.url;
  }
  get timings(): ResponseTimings {
    return this.#result.timings;
  }
  get headers(): { [name: string]: string } {
    if (this.#headers === undefined) {
      const out: Record<string, string> = {};
      const raw = this.#result.headers;
      for (const k in raw) out[_canonical(k)] = raw[k];
      this.#headers = out;
    }
    return this.#headers;
  }
  get request(): Response["request"] {
    const headers: Record<string, string[]> = {};
    if (this.#requestHeaders !== undefined) {
      for (const k in this.#requestHeaders) {
        headers[_canonical(k.toLowerCase())] = [this.#requestHeaders[k]];
      }
    }
    const b = this.#requestBody;
    return {
      body: b === undefined || b === null ? "" : typeof b === "string" ? b : _decoder.decode(b),
      cookies: {},
      headers,
      method: this.#result.method,
      url: this.#result.url,
    };
  }

  json(selector?: string): JSONValue {
    if (this.#json === undefined) {
      const body = this.body;
      if (body === null) {
        throw new Error(
          `Cannot parse the response body of ${this.#result.method} ${this.#result.url} as JSON: the body was discarded (responseType none)`,
        );
      }
      const text = typeof body === "string" ? body : _decoder.decode(new Uint8Array(body));
      try {
        this.#json = { value: JSON.parse(text) as JSONValue };
      } catch (e) {
        throw new Error(
          `Cannot parse the response body of ${this.#result.method} ${this.#result.url} as JSON: ${
            (e as Error).message
          }`,
        );
      }
    }
    const value = this.#json.value;
    if (selector === undefined || selector === "") return value;
    return _select(value, selector);
  }

  toJSON(): Record<string, unknown> {
    return {
      status: this.status,
      status_text: this.status_text,
      url: this.url,
      proto: this.proto,
      headers: this.headers,
      body: this.body,
      error: this.error,
      error_code: this.error_code,
      timings: this.timings,
    };
  }
}

/** A dotted-path selector (a subset of k6's GJSON): `a.b.0.c`; undefined paths give null. */
function _select(value: JSONValue, selector: string): JSONValue {
  let cur: JSONValue = value;
  for (const part of selector.split(".")) {
    if (cur === null || typeof cur !== "object") return null;
    if (Array.isArray(cur)) {
      if (part === "#") return cur.length;
      const i = Number(part);
      if (!Number.isInteger(i)) return null;
      cur = cur[i] ?? null;
    } else {
      cur = Object.hasOwn(cur, part) ? cur[part] : null;
    }
  }
  return cur;
}

const _timeouts = new Map<string, number>();

function _timeoutMs(t: string | number | undefined): number | undefined {
  if (t === undefined || t === null) return undefined;
  if (typeof t === "number") {
    if (!(t > 0)) throw new TypeError(`Cannot use timeout ${t}: expected a positive duration`);
    return t;
  }
  let ms = _timeouts.get(t);
  if (ms === undefined) {
    ms = parseDuration(t);
    if (!(ms > 0)) throw new TypeError(`Cannot use timeout "${t}": expected a positive duration`);
    if (_timeouts.size < 256) _timeouts.set(t, ms);
  }
  return ms;
}

const _STATUS_TEXT: string[] = [];
function _statusText(status: number): string {
  let s = _STATUS_TEXT[status];
  if (s === undefined) s = _STATUS_TEXT[status] = String(status);
  return s;
}

function _requestBody(
  body: RequestBody | null | undefined,
  headers: Record<string, string> | undefined,
): [string | Uint8Array | null, Record<string, string> | undefined] {
  if (body === undefined || body === null) return [null, headers];
  if (typeof body === "string") return [body, headers];
  if (body instanceof ArrayBuffer) return [new Uint8Array(body), headers];
  if (ArrayBuffer.isView(body)) {
    const v = body as ArrayBufferView;
    return [new Uint8Array(v.buffer, v.byteOffset, v.byteLength), headers];
  }
  if (typeof body === "object") {
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(body)) {
      if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") {
        throw new TypeError(
          `Cannot send form field "${k}": only string values are supported (no file uploads)`,
        );
      }
      form.append(k, String(v));
    }
    let hasType = false;
    if (headers !== undefined) {
      for (const k in headers) if (k.toLowerCase() === "content-type") hasType = true;
    }
    const h = hasType
      ? headers
      : { ...headers, "Content-Type": "application/x-www-form-urlencoded" };
    return [form.toString(), h];
  }
  throw new TypeError(`Cannot send a request body of type ${typeof body}`);
}

/**
 * Sends a request and resolves with its response. Never rejects for network or HTTP failures
 * (see the module documentation); rejects for invalid arguments, in the init context, and when
 * the URL may not receive load.
 */
export function asyncRequest<RT extends ResponseType | undefined>(
  method: string,
  url: string | HttpURL,
  body?: RequestBody | null,
  params?: RefinedParams<RT> | null,
): Promise<RefinedResponse<RT>> {
  let ctx: ExecContext;
  try {
    ctx = vuContext("http requests");
  } catch (e) {
    return Promise.reject(e);
  }
  const pending = ctx.vu.pendingSleep;
  if (pending !== null) {
    return pending.then(() =>
      _send(ctx, method, url, body, params ?? undefined) as Promise<RefinedResponse<RT>>
    );
  }
  return _send(ctx, method, url, body, params ?? undefined) as Promise<RefinedResponse<RT>>;
}

/**
 * A request as {@linkcode _send} prepared it: the client's request itself, and what
 * {@linkcode _received} needs again once its result is in (one object per request, passed to the
 * client as `this` of `_received` rather than captured in a closure).
 */
interface _Prepared extends HttpRequest {
  url: string;
  headers: Record<string, string> | undefined;
  body: string | Uint8Array | null;
  ctx: ExecContext;
  urlName: string | undefined;
  responseType: ResponseType;
  userTags: { [name: string]: string } | undefined;
  matcher: StatusMatcher | null;
}

// Not an async function, and no promise hop of its own: the client calls `_received` as the
// request's last step (an async frame and a hop less per request).
function _send(
  ctx: ExecContext,
  method: string,
  target: string | HttpURL,
  body: RequestBody | null | undefined,
  params: Params | undefined,
): Promise<Response> {
  let p: _Prepared;
  try {
    p = _prepare(ctx, method, target, body, params);
  } catch (e) {
    return Promise.reject(e);
  }
  const vu = ctx.vu;
  vu.engine.requestStarted();
  return vu.client().request(p, _received, p);
}

/** Validates a request's arguments and builds it; throws for invalid ones. */
function _prepare(
  ctx: ExecContext,
  method: string,
  target: string | HttpURL,
  body: RequestBody | null | undefined,
  params: Params | undefined,
): _Prepared {
  if (ctx.interrupted) throw new InterruptedError();
  const vu = ctx.vu;
  const engine = vu.engine;
  let urlText: string;
  let urlName: string | undefined;
  if (typeof target === "string") urlText = target;
  else if (target instanceof _HttpUrl) {
    urlText = target.url;
    urlName = target.name;
  } else urlText = String(target);
  engine.guardUrl(urlText);
  let headers = params?.headers;
  let responseType: ResponseType = engine.discardResponseBodies ? "none" : "text";
  let timeoutMs: number | undefined;
  let userTags: { [name: string]: string } | undefined;
  let matcher: StatusMatcher | null = vu.responseCallback;
  if (params !== undefined) {
    if (params.responseType !== undefined) responseType = params.responseType;
    timeoutMs = _timeoutMs(params.timeout);
    userTags = params.tags;
    if (params.responseCallback !== undefined) {
      matcher = _matcher(params.responseCallback, "params.responseCallback");
    }
    if (params.auth !== undefined && params.auth !== "basic") {
      throw new Error(
        `Cannot use auth "${params.auth}": only basic authentication (credentials in the URL) is supported`,
      );
    }
    if (params.compression !== undefined && params.compression !== "") {
      throw new Error(`Cannot use compression "${params.compression}": it is not supported`);
    }
  }
  let payload: string | Uint8Array | null = null;
  if (typeof body === "string") payload = body;
  else if (body !== undefined && body !== null) {
    const prepared = _requestBody(body, headers);
    payload = prepared[0];
    headers = prepared[1];
  }
  return {
    method,
    url: urlText,
    headers,
    body: payload,
    timeoutMs,
    ctx,
    urlName,
    responseType,
    userTags,
    matcher,
  };
}

/** Records a request's samples and makes its response; throws if its iteration was interrupted. */
function _received(this: _Prepared, result: HttpResult): Response {
  const ctx = this.ctx;
  const engine = ctx.vu.engine;
  const urlText = this.url;
  const method = this.method;
  if (ctx.interrupted) {
    // Still a fact about the target: this request got no answer before the run ended it.
    engine.observeResponse(
      urlText,
      result.status !== 0 || result.bytesReceived > 0 ? result : {
        ...result,
        error: "no response before the iteration was interrupted (gracefulStop or a stop)",
      },
    );
    throw new InterruptedError();
  }
  engine.observeResponse(urlText, result);
  // The client read the clock when the response completed: no second read for the samples.
  const tEnd = result.endTime ?? nowMs();
  const status = result.status;
  const matcher = this.matcher;
  const expected = matcher === null ? null : status !== 0 && matcher.matches(status);
  const tags = _tags(ctx, method, urlText, this.urlName, status, expected, result, this.userTags);
  const m = engine.metrics;
  const t = result.timings;
  // One clock read for every sample of this request (the timeline needs the second only).
  engine.clock.pin(tEnd);
  m.httpReqs.add(1, tags);
  m.httpReqDuration.add(t.duration, tags);
  m.httpReqBlocked.add(t.blocked, tags);
  m.httpReqConnecting.add(t.connecting, tags);
  m.httpReqTlsHandshaking.add(t.tls_handshaking, tags);
  m.httpReqSending.add(t.sending, tags);
  m.httpReqWaiting.add(t.waiting, tags);
  m.httpReqReceiving.add(t.receiving, tags);
  if (expected !== null) m.httpReqFailed.add(expected ? 0 : 1, tags);
  m.dataSent.add(result.bytesSent, tags);
  m.dataReceived.add(result.bytesReceived, tags);
  const intended = ctx.intendedStart;
  if (intended !== undefined) {
    // How long the request would have appeared to take had its iteration started on time: the
    // iteration's delay behind its schedule plus the request's own time, queueing included.
    const own = t.blocked + t.connecting + t.tls_handshaking + t.duration;
    m.httpReqLatencyIntended.add(ctx.iterationStart - intended + own, tags);
  }
  engine.clock.unpin();
  if (status === 0) {
    engine.warn(
      `request-failed:${result.errorCode}`,
      `Request Failed error="${result.error}" error_code=${result.errorCode} method=${method} url=${urlText}`,
    );
  }
  return new _Response(result, this.responseType, this.headers, this.body);
}

/** The tags of a request's samples; cached per context when the request has no own tags. */
function _tags(
  ctx: ExecContext,
  method: string,
  urlText: string,
  urlName: string | undefined,
  status: number,
  expected: boolean | null,
  result: HttpResult,
  userTags: { [name: string]: string } | undefined,
): Tags {
  const cacheable = userTags === undefined && status !== 0;
  // Slot: status * 3 + (expected: 0 false, 1 true, 2 none).
  const slot = status * 3 + (expected === null ? 2 : expected ? 1 : 0);
  let perUrl: Tags[] | undefined;
  if (cacheable) {
    ctx.baseTags(); // syncs the caches with the VU's tags
    // Most iterations repeat the same request: one comparison instead of two map lookups.
    const last = ctx.lastHttp;
    if (last !== null && last.url === urlText && last.method === method && last.slot === slot) {
      return last.tags;
    }
    let byMethod = ctx.httpTags.get(urlText);
    if (byMethod === undefined && ctx.httpTags.size < 512) {
      ctx.httpTags.set(urlText, byMethod = new Map());
    }
    if (byMethod !== undefined) {
      perUrl = byMethod.get(method);
      if (perUrl === undefined) byMethod.set(method, perUrl = []);
      else {
        const hit = perUrl[slot];
        if (hit !== undefined) {
          ctx.lastHttp = { url: urlText, method, slot, tags: hit };
          return hit;
        }
      }
    }
  }
  const tags: Record<string, string> = { ...ctx.baseTags() };
  tags.method = method;
  tags.url = urlText;
  tags.name = urlName ?? urlText;
  tags.status = _statusText(status);
  if (result.proto !== "") tags.proto = result.proto;
  if (expected !== null) tags.expected_response = expected ? "true" : "false";
  if (status === 0) {
    tags.error_code = String(result.errorCode);
    tags.error = result.error;
  }
  if (userTags !== undefined) { for (const k in userTags) tags[k] = String(userTags[k]); }
  if (perUrl !== undefined) {
    perUrl[slot] = tags;
    ctx.lastHttp = { url: urlText, method, slot, tags };
  }
  return tags;
}

/** Sends a request (a promise, unlike k6's blocking `http.request`). */
export function request<RT extends ResponseType | undefined>(
  method: string,
  url: string | HttpURL,
  body?: RequestBody | null,
  params?: RefinedParams<RT> | null,
): Promise<RefinedResponse<RT>> {
  return asyncRequest(method, url, body, params);
}

/** Sends a GET request (a promise). */
export function get<RT extends ResponseType | undefined>(
  url: string | HttpURL,
  params?: RefinedParams<RT> | null,
): Promise<RefinedResponse<RT>> {
  return asyncRequest("GET", url, null, params);
}

/** Sends a HEAD request (a promise). */
export function head<RT extends ResponseType | undefined>(
  url: string | HttpURL,
  params?: RefinedParams<RT> | null,
): Promise<RefinedResponse<RT>> {
  return asyncRequest("HEAD", url, null, params);
}

/** Sends a POST request (a promise). */
export function post<RT extends ResponseType | undefined>(
  url: string | HttpURL,
  body?: RequestBody | null,
  params?: RefinedParams<RT> | null,
): Promise<RefinedResponse<RT>> {
  return asyncRequest("POST", url, body, params);
}

/** Sends a PUT request (a promise). */
export function put<RT extends ResponseType | undefined>(
  url: string | HttpURL,
  body?: RequestBody | null,
  params?: RefinedParams<RT> | null,
): Promise<RefinedResponse<RT>> {
  return asyncRequest("PUT", url, body, params);
}

/** Sends a PATCH request (a promise). */
export function patch<RT extends ResponseType | undefined>(
  url: string | HttpURL,
  body?: RequestBody | null,
  params?: RefinedParams<RT> | null,
): Promise<RefinedResponse<RT>> {
  return asyncRequest("PATCH", url, body, params);
}

/** Sends a DELETE request (a promise). */
export function del<RT extends ResponseType | undefined>(
  url: string | HttpURL,
  body?: RequestBody | null,
  params?: RefinedParams<RT> | null,
): Promise<RefinedResponse<RT>> {
  return asyncRequest("DELETE", url, body, params);
}

/** Sends an OPTIONS request (a promise). */
export function options<RT extends ResponseType | undefined>(
  url: string | HttpURL,
  body?: RequestBody | null,
  params?: RefinedParams<RT> | null,
): Promise<RefinedResponse<RT>> {
  return asyncRequest("OPTIONS", url, body, params);
}

/** The module's default export, as `import http from "k6/http"`. */
const http: {
  asyncRequest: typeof asyncRequest;
  request: typeof request;
  get: typeof get;
  head: typeof head;
  post: typeof post;
  put: typeof put;
  patch: typeof patch;
  del: typeof del;
  options: typeof options;
  expectedStatuses: typeof expectedStatuses;
  setResponseCallback: typeof setResponseCallback;
  url: typeof url;
} = {
  asyncRequest,
  request,
  get,
  head,
  post,
  put,
  patch,
  del,
  options,
  expectedStatuses,
  setResponseCallback,
  url,
};
export default http;
