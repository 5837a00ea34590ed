/**
 * Real load result documents for the load report's tests, built in-process in about two
 * seconds: {@linkcode runFlakyLoad} runs a small k6 script (constant-arrival-rate, so both
 * latency distributions exist) with the real runner against a loopback server that answers some
 * requests 401 and 500 (so the errors-by-status chart has content and one threshold fails), and
 * builds the `load-result.json` document as `cli/load.ts` does, plus the latency distribution.
 * Also a hostile variant of a document whose strings try to inject markup.
 *
 * @module
 */

import { join } from "node:path";
import type { LatencyDistribution } from "../../load/distribution.ts";
import { type LoadResult, runLoad, type RunLoadOptions } from "../../load/runner.ts";
import { loadResultDocument as buildDocument } from "../../cli/load.ts";
import type { LoadReportDocument } from "../load_html.ts";

/** A load result document with the latency distribution (what the load report renders). */
export type LoadRunDocument = LoadReportDocument;

/** What the document says about the target. */
export interface DocumentTarget {
  /** API root URL (credential-free). */
  url: string;
  /** Whether it is the embedded reference server. */
  embedded: boolean;
  /** The embedded server's profile. */
  profile?: string;
}

/**
 * The `load-result.json` document of a run (the builder `cli/load.ts` uses), with the runner's
 * latency distribution, or without one when `distribution` is null.
 */
export function loadResultDocument(
  result: LoadResult,
  script: string,
  target: DocumentTarget,
  distribution?: LatencyDistribution | null,
): LoadRunDocument {
  const doc: LoadRunDocument = buildDocument(
    result,
    script,
    target.embedded
      ? { url: target.url, embedded: true, profile: target.profile ?? "server" }
      : { url: target.url, embedded: false },
  );
  if (distribution === null) delete doc.distribution;
  else if (distribution !== undefined) doc.distribution = distribution;
  return doc;
}

/** Options of {@linkcode runLoadDocument}. */
export interface RunLoadDocumentOptions {
  /** The script path, as given on the command line. */
  script: string;
  /** What the document says about the target. */
  target: DocumentTarget;
  /** `__ENV` of the script. */
  env?: Record<string, string>;
  /** More options for `runLoad()`. */
  run?: Omit<RunLoadOptions, "script" | "env">;
}

/**
 * Runs a script with the real runner and returns its result document (with the runner's
 * latency distribution).
 */
export async function runLoadDocument(
  o: RunLoadDocumentOptions,
): Promise<{ doc: LoadRunDocument; result: LoadResult; logs: string[] }> {
  const logs: string[] = [];
  const result = await runLoad({
    log: (line) => logs.push(line),
    target: o.target.url,
    ...o.run,
    script: o.script,
    env: o.env,
  });
  const doc = loadResultDocument(result, o.script, o.target);
  return { doc, result, logs };
}

/** How {@linkcode startFlakyServer} answers `GET /item?...`: by request number (1-based). */
export function flakyStatus(n: number): number {
  if (n % 9 === 0) return 500;
  if (n % 6 === 0) return 401;
  return 200;
}

/** A loopback server answering like a deployment with problems. */
export interface FlakyServer {
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  url: string;
  /** Requests answered so far. */
  readonly requests: number;
  /** Stops the server. */
  close(): Promise<void>;
}

/**
 * Starts a loopback server whose `/item` answers 200 after 1-12 ms, and every 6th request 401
 * (`{"message":"unauthorized"}`), every 9th 500 (both at once), see {@linkcode flakyStatus};
 * any other path is 404.
 */
export function startFlakyServer(): FlakyServer {
  let n = 0;
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, async (req) => {
    if (new URL(req.url).pathname !== "/item") return new Response("not found", { status: 404 });
    const status = flakyStatus(++n);
    if (status === 200) await new Promise((resolve) => setTimeout(resolve, 1 + (n * 7) % 12));
    const body = status === 200
      ? { id: n }
      : { message: status === 401 ? "unauthorized" : "internal error" };
    return Response.json(body, { status });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    get requests() {
      return n;
    },
    close: () => server.shutdown(),
  };
}

/** Options of {@linkcode flakyScript}. */
export interface FlakyScriptOptions {
  /** Iterations per second (default 40). */
  rate?: number;
  /** Scenario duration (default `1.5s`). */
  duration?: string;
}

/**
 * A k6 script for the flaky server: a constant-arrival-rate scenario in which each iteration
 * gets `/item` inside group `api` and checks the answer. Thresholds: `http_req_failed`
 * `rate<0.05` (fails: about a quarter of the requests fail), `http_req_duration{name:item}`
 * `p(95)<2000` and `max<5000`, `checks` `rate>0.5` (pass).
 */
export function flakyScript(o: FlakyScriptOptions = {}): string {
  return `import http from "k6/http";
import { check, group } from "k6";
import { Counter } from "k6/metrics";

const items = new Counter("items_received");

export const options = {
  scenarios: {
    arrivals: {
      executor: "constant-arrival-rate",
      rate: ${o.rate ?? 40},
      timeUnit: "1s",
      duration: "${o.duration ?? "1.5s"}",
      preAllocatedVUs: 3,
      maxVUs: 6,
    },
  },
  thresholds: {
    http_req_failed: ["rate<0.05"],
    "http_req_duration{name:item}": ["p(95)<2000", "max<5000"],
    checks: ["rate>0.5"],
  },
};

export default async function () {
  await group("api", async () => {
    const res = await http.get(__ENV.BASE + "/item?x=" + __ITER, { tags: { name: "item" } });
    check(res, {
      "status is 200": (r) => r.status === 200,
      "answers JSON": (r) => String(r.headers["Content-Type"]).includes("json"),
    });
    if (res.status === 200) items.add(1);
  });
}
`;
}

/** The script path the flaky run's document shows. */
export const FLAKY_SCRIPT_NAME = "flaky_item.ts";

/**
 * Runs {@linkcode flakyScript} against {@linkcode startFlakyServer} (about `duration` plus a
 * fraction of a second) and returns the document with its distribution.
 */
export async function runFlakyLoad(
  o: FlakyScriptOptions = {},
): Promise<{ doc: LoadRunDocument; result: LoadResult; logs: string[]; requests: number }> {
  const dir = await Deno.makeTempDir({ prefix: "smsgate-load-report-" });
  const server = startFlakyServer();
  try {
    const script = join(dir, FLAKY_SCRIPT_NAME);
    await Deno.writeTextFile(script, flakyScript(o));
    const run = await runLoadDocument({
      script,
      target: { url: server.url, embedded: false },
      env: { BASE: server.url },
      run: { progressIntervalMs: 250 },
    });
    run.doc.script = FLAKY_SCRIPT_NAME;
    return { ...run, requests: server.requests };
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
}

/** Markup a hostile script or target might put in names: it must show up as text. */
export const HOSTILE =
  `</td></tr></table><script>window.__pwned=1</script><img src="http://127.0.0.1:9/x.png" onerror="window.__pwned=2">\u202e`;

/**
 * A copy of `doc` whose names carry {@linkcode HOSTILE} markup: the script, a check and its
 * group, a sub-metric's tag value (with its threshold), a status in the errors timeline, the
 * abort reason, the error and a fail reason.
 */
export function hostileLoadCopy(doc: LoadRunDocument): LoadRunDocument {
  const out = structuredClone(doc);
  out.script = `load/${HOSTILE}.ts`;
  const group = out.summary.rootGroup.groups[0] ?? out.summary.rootGroup;
  group.name = `g${HOSTILE}`;
  group.path = `::g${HOSTILE}`;
  if (group.checks[0]) group.checks[0].name = `c${HOSTILE}`;
  const sub = Object.keys(out.summary.metrics).find((n) => n.includes("{"));
  if (sub !== undefined) {
    const hostileName = `${sub.slice(0, sub.indexOf("{"))}{name:${HOSTILE}}`;
    out.summary.metrics[hostileName] = out.summary.metrics[sub];
    delete out.summary.metrics[sub];
    for (const t of out.summary.thresholds) if (t.metric === sub) t.metric = hostileName;
  }
  const second = out.timeline.find((p) => p.failed > 0) ?? out.timeline[0];
  if (second) {
    second.errorsByStatus[HOSTILE] = 1;
    second.failed++;
  }
  out.abortReason = `stopped: ${HOSTILE}`;
  out.error = `setup() failed: ${HOSTILE}`;
  out.failReasons = [`reason ${HOSTILE}`];
  return out;
}
