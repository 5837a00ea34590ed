import assert from "node:assert/strict";
import { Engine, PinnableClock } from "./engine.ts";
import { MetricsRegistry } from "./metrics.ts";

function _engine(lines: string[], refuse?: (url: string) => string | null) {
  const registry = new MetricsRegistry();
  registry.defineBuiltins();
  const aborts: string[] = [];
  const engine = new Engine({
    registry,
    scriptUrl: "file:///tmp/script.ts",
    env: {},
    log: (l) => lines.push(l),
    warnIntervalMs: 60_000,
    refuseUrl: refuse,
    onAbort: (r) => aborts.push(r),
  });
  return { engine, registry, aborts };
}

Deno.test("Engine.warn() prints a kind of warning once per interval and counts the rest", () => {
  const lines: string[] = [];
  const { engine, registry } = _engine(lines);
  engine.warn("a", "first a");
  engine.warn("a", "second a");
  engine.warn("a", "third a");
  engine.warn("b", "only b");
  assert.deepEqual(lines, ["warning: first a", "warning: only b"]);
  engine.flushWarnings();
  assert.deepEqual(lines.slice(2), ["warning: third a (and 1 more like it)"]);
  engine.flushWarnings();
  assert.equal(lines.length, 3);
  registry.destroy();
});

Deno.test("Engine.flushWarnings() prints a single suppressed warning without a count", () => {
  const lines: string[] = [];
  const { engine, registry } = _engine(lines);
  engine.warn("a", "first a");
  engine.warn("a", "second a");
  engine.flushWarnings();
  assert.deepEqual(lines, ["warning: first a", "warning: second a"]);
  registry.destroy();
});

Deno.test("Engine.observeResponse() counts requests to the target's origin only", () => {
  const registry = new MetricsRegistry();
  registry.defineBuiltins();
  const engine = new Engine({
    registry,
    scriptUrl: "file:///tmp/script.ts",
    env: {},
    target: "http://127.0.0.1:3000/3rdparty/v1",
  });
  const failed = {
    status: 0,
    bytesReceived: 0,
    errorCode: 1212,
    error: "dial: connection refused",
  } as Parameters<Engine["observeResponse"]>[1];
  engine.observeResponse("http://127.0.0.1:3000/3rdparty/v1/health", failed);
  engine.observeResponse("http://127.0.0.1:30001/other", { ...failed, status: 200 });
  assert.equal(engine.tally?.requests, 1);
  assert.match(
    engine.tally?.verdict() ?? "",
    /none of the 1 request to http:\/\/127\.0\.0\.1:3000/,
  );
  registry.destroy();
});

Deno.test("Engine.scriptError() names the VU, the scenario and the script's line", () => {
  const lines: string[] = [];
  const { engine, registry } = _engine(lines);
  const e = new Error("boom");
  e.stack = "Error: boom\n    at default (file:///tmp/script.ts?vu=3:12:9)\n    at x (ext:core)";
  engine.scriptError(e, 3, "send");
  assert.deepEqual(lines, [
    "warning: iteration of VU 3 in scenario send failed: boom (at /tmp/script.ts:12:9)",
  ]);
  registry.destroy();
});

Deno.test("Engine.guardUrl() aborts the test and throws for a refused URL", () => {
  const { engine, registry, aborts } = _engine([], (url) => url.includes("bad") ? "no" : null);
  engine.guardUrl("http://good/");
  engine.guardUrl("http://good/");
  assert.throws(() => engine.guardUrl("http://bad/"), /^Error: no$/);
  assert.deepEqual(aborts, ["no"]);
  registry.destroy();
});

Deno.test("PinnableClock returns the pinned time until unpinned", () => {
  const clock = new PinnableClock();
  clock.pin(1000);
  assert.equal(clock.now(), performance.timeOrigin + 1000);
  assert.equal(clock.now(), performance.timeOrigin + 1000);
  clock.unpin();
  assert.ok(clock.now() >= performance.timeOrigin + performance.now() - 1);
});
