/**
 * The `load` command against broken targets (fixtures/hostile_server.ts) and unreachable ones:
 * every run ends within its time bound, failed requests carry k6's error codes and a message
 * naming the cause, the summary and every requested file are written, and the exit code follows
 * the table (0/99 when the target answered, 3 when it could not be reached at all).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runLoadCommand } from "../cli/load.ts";
import { UsageError } from "../cli/errors.ts";
import {
  type HostileServer,
  type HostileServerOptions,
  startHostileServer,
} from "../fixtures/hostile_server.ts";
import { closedPort, recordingIo, scriptDir } from "./_test_helpers.ts";

/** GETs /health N times on one VU; checks for a 200 with a JSON body. */
const SCRIPT = `
import http from "k6/http";
import { check } from "k6";
export const options = {
  scenarios: {
    s: { executor: "shared-iterations", vus: 1, iterations: Number(__ENV.N ?? 2), maxDuration: "10s" },
  },
  thresholds: { http_req_failed: ["rate<0.5"], checks: ["rate==1"] },
};
export default async function () {
  const params = __ENV.PARAM_TIMEOUT ? { timeout: __ENV.PARAM_TIMEOUT } : undefined;
  const res = await http.get(__ENV.SMSGATE_URL + "/health", params);
  check(res, {
    "status is 200": (r) => r.status === 200,
    "body is JSON": (r) => {
      try {
        r.json();
        return true;
      } catch {
        return false;
      }
    },
  });
  if (__ENV.PARSE) res.json();
}
`;

/** Loops on one VU for DURATION with a short gracefulStop (no thresholds). */
const LOOP_SCRIPT = `
import http from "k6/http";
export const options = {
  scenarios: {
    s: { executor: "constant-vus", vus: 2, duration: __ENV.DURATION, gracefulStop: __ENV.GRACEFUL },
  },
};
export default async function () {
  await http.get(__ENV.SMSGATE_URL + "/health");
}
`;

/** What one `load` run produced. */
interface _Run {
  code: number;
  out: string;
  err: string;
  ms: number;
  /** The --summary-export file. */
  exported: {
    metrics: Record<string, Record<string, number>>;
    root_group: { checks: Record<string, { passes: number; fails: number }> };
  };
  /** The --out load-result.json. */
  doc: { exitCode: number; unreachable: string | null; error: string | null };
}

/** Runs `load` on `source` against `url` with `--summary-export` and `--out`; reads both back. */
async function _load(
  url: string,
  flags: { timeout?: string; maxBody?: string; env?: string[] } = {},
  source = SCRIPT,
): Promise<_Run> {
  const d = await scriptDir();
  try {
    const script = await d.write("hostile.ts", source);
    const summaryExport = join(d.dir, "export", "summary.json");
    const out = join(d.dir, "out");
    const io = recordingIo();
    const t0 = performance.now();
    const code = await runLoadCommand(script, {
      env: [
        `SMSGATE_URL=${url}`,
        "SMSGATE_USERNAME=u",
        "SMSGATE_PASSWORD=p",
        ...(flags.env ?? []),
      ],
      timeout: flags.timeout,
      maxBody: flags.maxBody,
      summaryExport,
      out,
    }, io);
    const ms = performance.now() - t0;
    const exported = JSON.parse(await Deno.readTextFile(summaryExport));
    const doc = JSON.parse(await Deno.readTextFile(join(out, "load-result.json")));
    await Deno.stat(join(out, "load-summary.txt"));
    assert.equal(doc.exitCode, code, "load-result.json records the exit code");
    return { code, out: io.out.join(""), err: io.err.join(""), ms, exported, doc };
  } finally {
    await d.cleanup();
  }
}

async function _withServer(
  options: HostileServerOptions,
  fn: (server: HostileServer) => Promise<void>,
): Promise<void> {
  const server = await startHostileServer(options);
  try {
    await fn(server);
  } finally {
    await server.close();
  }
}

/**
 * Every iteration (one request each) ended within `maxMs`, as the run measured it: a request that
 * waited for a longer timeout or delay exceeds it. The command's wall time also counts process and
 * worker start-up, which vary with the machine's load, so it only gets a generous backstop.
 */
function _assertIterationsWithin(r: _Run, maxMs: number): void {
  const max = r.exported.metrics.iteration_duration?.max;
  assert.ok(max !== undefined && max < maxMs, `an iteration took ${max} ms (bound ${maxMs} ms)`);
  assert.ok(r.ms < 15_000, `took ${r.ms} ms`);
}

function _assertFailed(r: _Run, requests: number, code: number, error: RegExp): void {
  assert.equal(r.exported.metrics.http_reqs.count, requests, r.err);
  assert.equal(r.exported.metrics.http_req_failed.value, 1, "every request failed");
  assert.match(r.err, new RegExp(`Request Failed error="${error.source}.*" error_code=${code}`));
}

Deno.test("load against never-answer times each request out and exits 3 within the bound", async () => {
  await _withServer({ mode: "never-answer" }, async (server) => {
    const r = await _load(server.url, { timeout: "300ms" });
    assert.equal(r.code, 3, r.err);
    _assertFailed(r, 2, 1050, /request timeout/);
    assert.match(
      r.err,
      /error: the target could not be reached: none of the 2 requests to http:\/\/127\.0\.0\.1:\d+ got a response \(request timeout, error code 1050: 2\)/,
    );
    assert.match(r.doc.unreachable ?? "", /none of the 2 requests/);
    assert.match(r.out, /█ THRESHOLDS/, "the summary is printed");
    assert.equal(r.exported.root_group.checks["status is 200"].fails, 2);
    assert.ok(r.ms >= 550, `took ${r.ms} ms`); // two sequential 300 ms timeouts
    _assertIterationsWithin(r, 1000);
  });
});

Deno.test("load against never-answer with the default 60s timeout ends at duration + gracefulStop", async () => {
  await _withServer({ mode: "never-answer" }, async (server) => {
    const r = await _load(server.url, { env: ["DURATION=1s", "GRACEFUL=300ms"] }, LOOP_SCRIPT);
    // Both iterations are interrupted at the end of gracefulStop: no request got an answer.
    assert.equal(r.code, 3, r.err);
    assert.match(
      r.err,
      /none of the 2 requests to .* got a response \(no response before the iteration was interrupted/,
    );
    assert.ok(r.ms >= 1250 && r.ms < 15_000, `took ${r.ms} ms`); // not the 60 s timeout
  });
});

Deno.test("load against slow times out below the delay (exit 3) and reads the 401 within it (exit 99)", async () => {
  await _withServer({ mode: "slow", delayMs: 2000 }, async (server) => {
    const r = await _load(server.url, { timeout: "200ms", env: ["N=1"] });
    assert.equal(r.code, 3, r.err);
    _assertFailed(r, 1, 1050, /request timeout/);
    _assertIterationsWithin(r, 1000); // not the 2 s delay
  });
  await _withServer({ mode: "slow", delayMs: 100 }, async (server) => {
    const r = await _load(server.url, { timeout: "1s" });
    assert.equal(r.code, 99, r.err);
    assert.equal(r.exported.metrics.http_req_failed.value, 1, "401 is not an expected status");
    assert.equal(r.exported.root_group.checks["status is 200"].fails, 2);
    assert.equal(r.exported.root_group.checks["body is JSON"].passes, 2);
    assert.doesNotMatch(r.err, /Request Failed/);
    assert.ok(r.ms >= 200, `took ${r.ms} ms`); // two sequential 100 ms delays
    _assertIterationsWithin(r, 950); // answered, not timed out at 1 s
  });
});

Deno.test("load lets a script's params.timeout override --timeout", async () => {
  await _withServer({ mode: "slow", delayMs: 150 }, async (server) => {
    const r = await _load(server.url, { timeout: "50ms", env: ["N=1", "PARAM_TIMEOUT=2s"] });
    assert.equal(r.code, 99, r.err);
    assert.doesNotMatch(r.err, /request timeout/);
    assert.equal(r.exported.root_group.checks["body is JSON"].passes, 1);
  });
});

Deno.test("load against close-mid-response reports the unexpected EOF (exit 99)", async () => {
  await _withServer({ mode: "close-mid-response" }, async (server) => {
    const r = await _load(server.url, { timeout: "2s" });
    assert.equal(r.code, 99, r.err);
    _assertFailed(r, 2, 1000, /unexpected EOF: the body ended after 10 of 1000 bytes/);
    assert.doesNotMatch(r.err, /could not be reached/, "the target answered something");
    _assertIterationsWithin(r, 1500); // not the 2 s timeout
  });
});

Deno.test("load against a connection reset mid-response reports it with code 1220 (exit 99)", async () => {
  await _withServer({ mode: "close-mid-response", reset: true }, async (server) => {
    const r = await _load(server.url, { timeout: "2s" });
    assert.equal(r.code, 99, r.err);
    _assertFailed(r, 2, 1220, /read: connection reset by peer/);
    _assertIterationsWithin(r, 1500); // not the 2 s timeout
  });
});

Deno.test("load against malformed-http names the malformed status line (exit 99)", async () => {
  await _withServer({ mode: "malformed-http" }, async (server) => {
    const r = await _load(server.url, { timeout: "2s" });
    assert.equal(r.code, 99, r.err);
    _assertFailed(
      r,
      2,
      1000,
      /malformed HTTP response: invalid status code in "HTTP\/1\.1 TWO-HUNDRED"/,
    );
    _assertIterationsWithin(r, 1500); // not the 2 s timeout
  });
});

Deno.test("load against non-json fails the JSON check and names the parse error (exit 99)", async () => {
  await _withServer({ mode: "non-json" }, async (server) => {
    const r = await _load(server.url, { timeout: "2s", env: ["PARSE=1"] });
    assert.equal(r.code, 99, r.err);
    assert.equal(r.exported.metrics.http_req_failed.value, 0, "a 200 is an expected status");
    assert.deepEqual(r.exported.root_group.checks["status is 200"].fails, 0);
    assert.deepEqual(r.exported.root_group.checks["body is JSON"].fails, 2);
    assert.match(
      r.err,
      /iteration of VU 1 in scenario s failed: Cannot parse the response body of GET http:\/\/127\.0\.0\.1:\d+\/3rdparty\/v1\/health as JSON: Unexpected token '<'/,
    );
  });
});

Deno.test("load against truncated-json fails the JSON check and names the parse error (exit 99)", async () => {
  await _withServer({ mode: "truncated-json" }, async (server) => {
    const r = await _load(server.url, { timeout: "2s", env: ["PARSE=1"] });
    assert.equal(r.code, 99, r.err);
    assert.deepEqual(r.exported.root_group.checks["body is JSON"].fails, 2);
    assert.match(r.err, /as JSON: (Unterminated string|Unexpected end of JSON input)/);
  });
});

Deno.test("load against huge-body fails requests over --max-body at once (exit 99)", async () => {
  await _withServer({ mode: "huge-body" }, async (server) => {
    const r = await _load(server.url, { timeout: "5s", maxBody: "1MB" });
    assert.equal(r.code, 99, r.err);
    _assertFailed(
      r,
      2,
      1000,
      /response body too large: 52428800 bytes exceeds maxBodyBytes \(1000000\); raise the limit \(load --max-body\)/,
    );
    _assertIterationsWithin(r, 1500); // at once, not at the 5 s timeout
  });
});

Deno.test("load reads a 50 MiB body whole under the default --max-body (exit 0)", async () => {
  await _withServer({ mode: "huge-body" }, async (server) => {
    const r = await _load(server.url, { timeout: "10s", env: ["N=1"] });
    assert.equal(r.code, 0, r.err);
    assert.ok(r.exported.metrics.data_received.count > 50 * 1024 * 1024);
    _assertIterationsWithin(r, 5000);
  });
});

Deno.test("load against endless-chunked ends each request at the timeout or the size limit", async () => {
  await _withServer({ mode: "endless-chunked", chunkIntervalMs: 2 }, async (server) => {
    const timedOut = await _load(server.url, { timeout: "300ms" });
    assert.equal(timedOut.code, 99, timedOut.err);
    _assertFailed(timedOut, 2, 1050, /request timeout/);
    assert.doesNotMatch(timedOut.err, /could not be reached/, "chunks were received");
    _assertIterationsWithin(timedOut, 1000); // at the 300 ms timeout
    const tooLarge = await _load(server.url, { timeout: "10s", maxBody: "4KiB" });
    assert.equal(tooLarge.code, 99, tooLarge.err);
    _assertFailed(tooLarge, 2, 1000, /response body too large: more than \d+ bytes exceeds/);
    _assertIterationsWithin(tooLarge, 5000); // at the size limit, not the 10 s timeout
  });
});

Deno.test("load returns a redirect loop's 302 as it is, without following it (exit 99)", async () => {
  await _withServer({ mode: "redirect-loop" }, async (server) => {
    const r = await _load(server.url, { timeout: "2s" });
    assert.equal(r.code, 99, r.err);
    assert.equal(server.requests, 2, "one request per iteration: the redirect is not followed");
    assert.equal(r.exported.metrics.http_reqs.count, 2);
    assert.equal(r.exported.metrics.http_req_failed.value, 0, "3xx is an expected status in k6");
    assert.equal(r.exported.root_group.checks["status is 200"].fails, 2);
  });
});

Deno.test("load against an untrusted certificate reports x509 unknown authority and exits 3", async () => {
  await _withServer({ mode: "tls-bad-cert" }, async (server) => {
    const r = await _load(server.url, { timeout: "2s" });
    assert.equal(r.code, 3, r.err);
    _assertFailed(r, 2, 1310, /x509: unknown authority/);
    assert.match(r.err, /error: the target could not be reached: .*x509: unknown authority/);
    _assertIterationsWithin(r, 1500); // not the 2 s timeout
  });
});

Deno.test("load against a refused port prints one line, writes the files and exits 3", async () => {
  const url = `http://127.0.0.1:${closedPort()}/3rdparty/v1`;
  const r = await _load(url);
  assert.equal(r.code, 3);
  assert.equal(r.out, "", "no banner and no summary");
  assert.equal(
    r.err,
    `error: Cannot reach the target ${url}: dial: connection refused (error code 1212); check the URL and that the server is running\n`,
  );
  assert.match(r.doc.unreachable ?? "", /connection refused/);
  assert.equal(r.exported.metrics.http_reqs?.count ?? 0, 0, "nothing ran");
  assert.ok(r.ms < 5000, `took ${r.ms} ms`); // the probe fails at once
});

Deno.test("load against a name that does not resolve prints one line and exits 3", async () => {
  const r = await _load("http://nonexistent.invalid/3rdparty/v1");
  assert.equal(r.code, 3);
  assert.equal(r.out, "");
  assert.equal(
    r.err,
    "error: Cannot reach the target http://nonexistent.invalid/3rdparty/v1: lookup: no such host (error code 1101); check the URL and that the server is running\n",
  );
});

Deno.test("load rejects a malformed --timeout or --max-body with a usage error", async () => {
  const io = recordingIo();
  await assert.rejects(
    runLoadCommand("load/scripts/send.ts", { timeout: "soon" }, io),
    (e: unknown) =>
      e instanceof UsageError &&
      e.message ===
        'Cannot parse --timeout "soon": expected a duration more than 0 such as 500ms, 10s or 1m',
  );
  await assert.rejects(
    runLoadCommand("load/scripts/send.ts", { timeout: "0s" }, io),
    UsageError,
  );
  await assert.rejects(
    runLoadCommand("load/scripts/send.ts", { maxBody: "12XB" }, io),
    (e: unknown) =>
      e instanceof UsageError &&
      e.message ===
        'Cannot parse --max-body "12XB": expected a size such as 10MB, 64MiB or 1048576 (bytes)',
  );
});

Deno.test("npm start -- load against an unreachable target: one line on stderr, exit 3, no stack", async () => {
  const d = await scriptDir();
  try {
    const script = await d.write("hostile.ts", SCRIPT);
    const out = join(d.dir, "out");
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "main.ts",
        "load",
        script,
        "-e",
        "SMSGATE_URL=http://nonexistent.invalid/3rdparty/v1",
        "-e",
        "SMSGATE_USERNAME=u",
        "-e",
        "SMSGATE_PASSWORD=p",
        "--timeout",
        "300ms",
        "--max-body",
        "1MB",
        "--out",
        out,
      ],
      cwd: new URL("..", import.meta.url),
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const err = new TextDecoder().decode(stderr);
    assert.equal(code, 3, err);
    assert.equal(new TextDecoder().decode(stdout), "");
    assert.deepEqual(err.trimEnd().split("\n"), [
      "error: Cannot reach the target http://nonexistent.invalid/3rdparty/v1: lookup: no such host (error code 1101); check the URL and that the server is running",
    ]);
    await Deno.stat(join(out, "load-result.json"));
  } finally {
    await d.cleanup();
  }
});
