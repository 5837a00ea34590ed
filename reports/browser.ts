/**
 * A headless-Chromium harness over the Chrome DevTools Protocol, for tests and screenshots of the
 * HTML reports. No npm dependency: the browser is started as a child process with a fresh
 * profile, its DevTools WebSocket address is read from its stderr ("DevTools listening on
 * ws://...") or from the `DevToolsActivePort` file, and commands go over Deno's WebSocket.
 *
 * ```ts
 * const browser = await launchChromium();          // throws ChromiumNotFoundError if absent
 * try {
 *   const page = await browser.newPage({ javaScript: false, width: 1200, height: 900 });
 *   await page.goto(toFileUrl("out/report.html"));
 *   const rows = await page.evaluate<number>("document.querySelectorAll('tr.check').length");
 *   await page.screenshot("out/screenshots/conformance.png");
 * } finally {
 *   await browser.close();
 * }
 * ```
 *
 * Chromium is found at `CHROMIUM_PATH`, else `chromium`, `chromium-browser`, `google-chrome` or
 * `google-chrome-stable` on the PATH or in `/usr/bin` ({@linkcode findChromium}). Nothing is
 * installed here: on Debian, `apt-get install -y chromium`.
 *
 * @module
 */

import { mkdir } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { pathToFileURL } from "node:url";

/** Flags every launch uses: headless, no sandbox/GPU/QUIC, no background traffic, fresh profile. */
export const CHROMIUM_FLAGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--no-default-browser-check",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-extensions",
  "--disable-default-apps",
  "--disable-dev-shm-usage",
  "--hide-scrollbars",
  "--mute-audio",
  "--remote-debugging-address=127.0.0.1",
  "--remote-debugging-port=0",
];

const CANDIDATES = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];

/** How to get Chromium, for skip messages and errors. */
export const INSTALL_HINT =
  "install it (Debian/Ubuntu: apt-get install -y chromium) or point CHROMIUM_PATH at a Chromium or Chrome binary";

/** Chromium is not installed (or CHROMIUM_PATH points nowhere). */
export class ChromiumNotFoundError extends Error {
  /** Creates the error. */
  constructor(message = `Cannot find Chromium: ${INSTALL_HINT}`) {
    super(message);
    this.name = "ChromiumNotFoundError";
  }
}

function _isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/**
 * The Chromium executable to use: `CHROMIUM_PATH` when set (undefined when it names no file),
 * else the first of chromium, chromium-browser, google-chrome, google-chrome-stable in the first
 * PATH directory holding one, then /usr/bin. Undefined when there is none.
 */
export function findChromium(
  env: { get(key: string): string | undefined } = Deno.env,
): string | undefined {
  const explicit = env.get("CHROMIUM_PATH");
  if (explicit) return _isFile(explicit) ? explicit : undefined;
  const dirs = [...(env.get("PATH") ?? "").split(":").filter(Boolean), "/usr/bin"];
  for (const dir of dirs) {
    for (const name of CANDIDATES) {
      const path = `${dir}/${name}`;
      if (_isFile(path)) return path;
    }
  }
  return undefined;
}

/** A `file://` URL for a local path (relative paths resolve against the working directory). */
export function toFileUrl(path: string): string {
  return pathToFileURL(resolve(path)).href;
}

interface _Pending {
  resolve(value: Record<string, unknown>): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
  method: string;
}

interface _Message {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { message: string; data?: string };
  sessionId?: string;
}

/** A DevTools Protocol connection: commands with replies, and event listeners. */
class _Cdp {
  #ws: WebSocket;
  #next = 1;
  #pending = new Map<number, _Pending>();
  #listeners = new Set<(message: _Message) => void>();
  #closed: Promise<void>;
  #timeoutMs: number;

  private constructor(ws: WebSocket, timeoutMs: number) {
    this.#ws = ws;
    this.#timeoutMs = timeoutMs;
    this.#closed = new Promise((resolve) => {
      ws.addEventListener("close", () => {
        for (const [, p] of this.#pending) {
          clearTimeout(p.timer);
          p.reject(new Error(`Cannot complete ${p.method}: the DevTools connection closed`));
        }
        this.#pending.clear();
        resolve();
      });
    });
    ws.addEventListener("message", (event) => {
      const message = JSON.parse(String(event.data)) as _Message;
      if (message.id !== undefined) {
        const p = this.#pending.get(message.id);
        if (!p) return;
        this.#pending.delete(message.id);
        clearTimeout(p.timer);
        if (message.error) {
          p.reject(new Error(`${p.method} failed: ${message.error.message}`));
        } else p.resolve(message.result ?? {});
        return;
      }
      for (const listener of [...this.#listeners]) listener(message);
    });
  }

  static connect(url: string, timeoutMs: number): Promise<_Cdp> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      const timer = setTimeout(() => {
        ws.close();
        reject(new Error(`Cannot connect to Chromium's DevTools at ${url}: timed out`));
      }, timeoutMs);
      ws.addEventListener("open", () => {
        clearTimeout(timer);
        resolve(new _Cdp(ws, timeoutMs));
      }, { once: true });
      ws.addEventListener("error", () => {
        clearTimeout(timer);
        reject(new Error(`Cannot connect to Chromium's DevTools at ${url}`));
      }, { once: true });
    });
  }

  send(
    method: string,
    params: Record<string, unknown> = {},
    sessionId?: string,
    timeoutMs = this.#timeoutMs,
  ): Promise<Record<string, unknown>> {
    if (this.#ws.readyState !== WebSocket.OPEN) {
      return Promise.reject(new Error(`Cannot send ${method}: the DevTools connection is closed`));
    }
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`${method} timed out after ${timeoutMs}ms`));
      }, timeoutMs);
      this.#pending.set(id, { resolve, reject, timer, method });
      this.#ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  }

  on(listener: (message: _Message) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Resolves with the params of the next `method` event of `sessionId`. */
  waitFor(method: string, sessionId: string | undefined, timeoutMs = this.#timeoutMs) {
    let off = () => {};
    let timer: ReturnType<typeof setTimeout> | undefined;
    const promise = new Promise<Record<string, unknown>>((resolve, reject) => {
      timer = setTimeout(() => {
        off();
        reject(new Error(`Timed out after ${timeoutMs}ms waiting for ${method}`));
      }, timeoutMs);
      off = this.on((m) => {
        if (m.method === method && m.sessionId === sessionId) {
          clearTimeout(timer);
          off();
          resolve(m.params ?? {});
        }
      });
    });
    return {
      promise,
      cancel: () => {
        clearTimeout(timer);
        off();
      },
    };
  }

  async close(): Promise<void> {
    if (this.#ws.readyState === WebSocket.CLOSED) return;
    if (this.#ws.readyState !== WebSocket.CLOSING) this.#ws.close();
    await this.#closed;
  }
}

/** Options of {@linkcode launchChromium}. */
export interface LaunchOptions {
  /** The executable (default: {@linkcode findChromium}). */
  executable?: string;
  /** Startup and per-command timeout in ms (default 20 s). */
  timeoutMs?: number;
  /** More command-line flags. */
  args?: string[];
}

/** Options of {@linkcode Chromium.newPage}. */
export interface PageOptions {
  /** Viewport width in CSS px (default 1200). */
  width?: number;
  /** Viewport height in CSS px (default 900). */
  height?: number;
  /** Run the page's scripts (default true); false emulates a browser with JavaScript off. */
  javaScript?: boolean;
}

/** Options of {@linkcode Page.screenshot}. */
export interface ScreenshotOptions {
  /** The whole page (default) or only the viewport. */
  fullPage?: boolean;
}

/** The fields of the events a page listens to (all optional: each event has some). */
interface _EventParams {
  request?: { url?: string };
  exceptionDetails?: { text?: string; exception?: { description?: string } };
  type?: string;
  args?: { value?: unknown; description?: string }[];
  entry?: { level?: string; text?: string };
}

/** A tab: navigation, evaluation, screenshots, and what the page requested or reported. */
export class Page {
  /** Every URL the page requested (documents, styles, images, fetches...), in order. */
  readonly requests: string[] = [];
  /** Uncaught exceptions and console errors of the page, including CSP violations. */
  readonly errors: string[] = [];
  #cdp: _Cdp;
  #sessionId: string;
  #targetId: string;
  #width: number;
  #height: number;
  #off: () => void;

  /** @internal Use {@linkcode Chromium.newPage}. */
  constructor(cdp: _Cdp, targetId: string, sessionId: string, width: number, height: number) {
    this.#cdp = cdp;
    this.#targetId = targetId;
    this.#sessionId = sessionId;
    this.#width = width;
    this.#height = height;
    this.#off = cdp.on((m) => {
      if (m.sessionId !== sessionId || !m.params) return;
      const p = m.params as _EventParams;
      if (m.method === "Network.requestWillBeSent") this.requests.push(String(p.request?.url));
      else if (m.method === "Runtime.exceptionThrown") {
        const d = p.exceptionDetails ?? {};
        this.errors.push(String(d.exception?.description ?? d.text ?? "exception"));
      } else if (m.method === "Runtime.consoleAPICalled" && p.type === "error") {
        this.errors.push(
          (p.args ?? []).map((a) => String(a.value ?? a.description ?? "")).join(" "),
        );
      } else if (m.method === "Log.entryAdded" && p.entry?.level === "error") {
        this.errors.push(String(p.entry.text));
      }
    });
  }

  /** @internal Enables the domains and applies the viewport and JavaScript setting. */
  async setUp(javaScript: boolean): Promise<void> {
    const s = this.#sessionId;
    await this.#cdp.send("Page.enable", {}, s);
    await this.#cdp.send("Network.enable", {}, s);
    await this.#cdp.send("Runtime.enable", {}, s);
    await this.#cdp.send("Log.enable", {}, s);
    await this.#cdp.send("Emulation.setDeviceMetricsOverride", {
      width: this.#width,
      height: this.#height,
      deviceScaleFactor: 1,
      mobile: false,
    }, s);
    if (!javaScript) {
      await this.#cdp.send("Emulation.setScriptExecutionDisabled", { value: true }, s);
    }
  }

  /** Navigates to `url` and waits for the load event. */
  async goto(url: string): Promise<void> {
    const loaded = this.#cdp.waitFor("Page.loadEventFired", this.#sessionId);
    try {
      const r = await this.#cdp.send("Page.navigate", { url }, this.#sessionId);
      if (typeof r.errorText === "string" && r.errorText) {
        throw new Error(`Cannot open ${url}: ${r.errorText}`);
      }
      await loaded.promise;
    } finally {
      loaded.cancel();
    }
  }

  /**
   * Evaluates a JavaScript expression in the page (also when the page's own scripts are
   * disabled) and returns its JSON-serialisable value; promises are awaited. Throws with the
   * page's exception.
   */
  async evaluate<T = unknown>(expression: string): Promise<T> {
    const r = await this.#cdp.send("Runtime.evaluate", {
      expression,
      returnByValue: true,
      awaitPromise: true,
    }, this.#sessionId) as {
      result?: { value?: unknown };
      exceptionDetails?: { text?: string; exception?: { description?: string } };
    };
    if (r.exceptionDetails) {
      const d = r.exceptionDetails;
      throw new Error(`Cannot evaluate in the page: ${d.exception?.description ?? d.text}`);
    }
    return r.result?.value as T;
  }

  /** Saves a PNG of the whole page (or the viewport) to `path`, creating folders; returns it. */
  async screenshot(path: string, options: ScreenshotOptions = {}): Promise<Uint8Array> {
    const m = await this.#cdp.send("Page.getLayoutMetrics", {}, this.#sessionId) as {
      cssContentSize?: { width: number; height: number };
      contentSize: { width: number; height: number };
      cssVisualViewport?: { pageX: number; pageY: number };
    };
    const full = options.fullPage ?? true;
    const size = m.cssContentSize ?? m.contentSize;
    const clip = full
      ? {
        x: 0,
        y: 0,
        width: Math.max(this.#width, Math.ceil(size.width)),
        height: Math.max(1, Math.ceil(size.height)),
      }
      : {
        x: m.cssVisualViewport?.pageX ?? 0,
        y: m.cssVisualViewport?.pageY ?? 0,
        width: this.#width,
        height: this.#height,
      };
    const r = await this.#cdp.send("Page.captureScreenshot", {
      format: "png",
      captureBeyondViewport: full,
      clip: { ...clip, scale: 1 },
    }, this.#sessionId) as { data: string };
    const png = Uint8Array.from(atob(r.data), (ch) => ch.charCodeAt(0));
    await mkdir(dirname(path), { recursive: true });
    await Deno.writeFile(path, png);
    return png;
  }

  /** Closes the tab. */
  async close(): Promise<void> {
    this.#off();
    await this.#cdp.send("Target.closeTarget", { targetId: this.#targetId }).catch(() => {});
  }
}

/** A running headless Chromium. */
export class Chromium {
  /** The executable that was started. */
  readonly executable: string;
  /** The browser's DevTools WebSocket URL. */
  readonly endpoint: string;
  #child: Deno.ChildProcess;
  #cdp: _Cdp;
  #profileDir: string;
  #stderrDone: Promise<void>;
  #closed = false;

  /** @internal Use {@linkcode launchChromium}. */
  constructor(
    executable: string,
    endpoint: string,
    child: Deno.ChildProcess,
    cdp: _Cdp,
    profileDir: string,
    stderrDone: Promise<void>,
  ) {
    this.executable = executable;
    this.endpoint = endpoint;
    this.#child = child;
    this.#cdp = cdp;
    this.#profileDir = profileDir;
    this.#stderrDone = stderrDone;
  }

  /** Opens a new tab (about:blank) with the given viewport and JavaScript setting. */
  async newPage(options: PageOptions = {}): Promise<Page> {
    const { targetId } = await this.#cdp.send("Target.createTarget", { url: "about:blank" }) as {
      targetId: string;
    };
    const { sessionId } = await this.#cdp.send("Target.attachToTarget", {
      targetId,
      flatten: true,
    }) as { sessionId: string };
    const page = new Page(
      this.#cdp,
      targetId,
      sessionId,
      options.width ?? 1200,
      options.height ?? 900,
    );
    await page.setUp(options.javaScript ?? true);
    return page;
  }

  /** Closes the browser, waits for the process to exit (killing it after 5 s) and removes its profile. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#cdp.send("Browser.close", {}, undefined, 5_000).catch(() => {});
    await this.#cdp.close();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const exited = await Promise.race([
      this.#child.status.then(() => true),
      new Promise<false>((resolve) => timer = setTimeout(() => resolve(false), 5_000)),
    ]);
    clearTimeout(timer);
    if (!exited) {
      try {
        this.#child.kill("SIGKILL");
      } catch {
        // already gone
      }
      await this.#child.status;
    }
    await this.#stderrDone;
    await _removeDir(this.#profileDir);
  }
}

async function _removeDir(dir: string): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      await Deno.remove(dir, { recursive: true });
      return;
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return;
      // Chromium's helpers may still be writing; try again shortly.
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/**
 * Starts headless Chromium with a fresh temporary profile and connects to it. Throws
 * {@linkcode ChromiumNotFoundError} when no executable is found, and an Error with the end of
 * Chromium's stderr when it exits or does not announce its DevTools address in time.
 */
export async function launchChromium(options: LaunchOptions = {}): Promise<Chromium> {
  const executable = options.executable ?? findChromium();
  if (!executable) throw new ChromiumNotFoundError();
  const timeoutMs = options.timeoutMs ?? 20_000;
  const profileDir = await Deno.makeTempDir({ prefix: "smsgate-chromium-" });
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(executable, {
      args: [
        ...CHROMIUM_FLAGS,
        `--user-data-dir=${profileDir}`,
        ...(options.args ?? []),
        "about:blank",
      ],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
  } catch (e) {
    await _removeDir(profileDir);
    if (e instanceof Deno.errors.NotFound) {
      throw new ChromiumNotFoundError(`Cannot start Chromium at ${executable}: ${INSTALL_HINT}`);
    }
    throw e;
  }

  // Drain stderr for the life of the process (a full pipe would block Chromium), keeping the
  // last few KB for error messages, and resolve the endpoint from the announcement line.
  let tail = "";
  let announce: (url: string) => void = () => {};
  const announced = new Promise<string>((resolve) => announce = resolve);
  const stderrDone = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of child.stderr) {
      tail = (tail + decoder.decode(chunk, { stream: true })).slice(-8192);
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(tail);
      if (m) announce(m[1]);
    }
  })();

  let stopPolling = false;
  const fromFile = (async () => {
    // Fallback: Chromium writes "<port>\n<path>" to DevToolsActivePort in the profile.
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      try {
        const [port, path] = (await Deno.readTextFile(`${profileDir}/DevToolsActivePort`)).split(
          "\n",
        );
        if (port && path) return `ws://127.0.0.1:${port.trim()}${path.trim()}`;
      } catch {
        // not written yet
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
      if (stopPolling) return undefined;
    }
    return undefined;
  })();

  type Outcome = { url: string } | { timeout: true } | { exited: number };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const outcome = await Promise.race<Outcome>([
    announced.then((url) => ({ url })),
    fromFile.then((url): Outcome => (url ? { url } : { timeout: true })),
    child.status.then((status) => ({ exited: status.code })),
    new Promise<Outcome>((resolve) =>
      timer = setTimeout(() => resolve({ timeout: true }), timeoutMs)
    ),
  ]);
  clearTimeout(timer);
  stopPolling = true;
  await fromFile;

  const fail = async (why: string): Promise<never> => {
    try {
      child.kill("SIGKILL");
    } catch {
      // already exited
    }
    await child.status;
    await stderrDone;
    await _removeDir(profileDir);
    const last = tail.trim().split("\n").slice(-5).join("\n  ");
    throw new Error(`Cannot start Chromium (${executable}): ${why}${last ? `\n  ${last}` : ""}`);
  };
  if ("exited" in outcome) return await fail(`it exited with code ${outcome.exited}`);
  if (!("url" in outcome)) {
    return await fail(`it did not announce its DevTools address within ${timeoutMs}ms`);
  }
  let cdp: _Cdp;
  try {
    cdp = await _Cdp.connect(outcome.url, timeoutMs);
  } catch (e) {
    return await fail((e as Error).message);
  }
  return new Chromium(executable, outcome.url, child, cdp, profileDir, stderrDone);
}

/** A page opened by {@linkcode openPage}: closing it closes its browser too. */
export interface OpenedPage {
  /** The page. */
  page: Page;
  /** The browser. */
  browser: Chromium;
  /** Closes the browser. */
  close(): Promise<void>;
}

/**
 * Starts Chromium, opens `pathOrUrl` (a local file path or a URL) in a new page and waits for it
 * to load. Close the result when done.
 */
export async function openPage(
  pathOrUrl: string,
  options: PageOptions & LaunchOptions = {},
): Promise<OpenedPage> {
  const browser = await launchChromium(options);
  try {
    const page = await browser.newPage(options);
    await page.goto(/^[a-z]+:/i.test(pathOrUrl) ? pathOrUrl : toFileUrl(pathOrUrl));
    return { page, browser, close: () => browser.close() };
  } catch (e) {
    await browser.close();
    throw e;
  }
}
