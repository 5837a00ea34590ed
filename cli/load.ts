/**
 * `load`: run a k6 script (TypeScript) against a deployment, or against the embedded reference
 * server when no target is given, and print a k6-like summary.
 *
 * The target reaches the script through `__ENV` (`SMSGATE_URL`, `SMSGATE_USERNAME`,
 * `SMSGATE_PASSWORD`), so the same script runs under real k6 with `-e`. Load on the public cloud
 * (`api.sms-gate.app`) is refused unless `--i-own-this-load` is given. Ctrl-C stops gracefully
 * (running iterations get their gracefulStop, teardown runs) and still prints and writes the
 * summary; a second Ctrl-C stops at once.
 *
 * Robustness against broken targets: every request has a timeout (`--timeout`, default 60s as
 * k6; a script's `params.timeout` wins) and a body size limit (`--max-body`, default 64 MiB);
 * a failed request never stops the run, it gets status 0 and k6's error code. A target that
 * cannot be reached (DNS failure, connection refused: checked with one TCP connection before
 * the run) gives one line and exit code 3, and so does a run in which no request to the target
 * got any response (see `load/reachability.ts`). The summary and every requested file are
 * written in every case.
 *
 * @module
 */

import { Command, Option } from "@commander-js/extra-typings";
import { dirname, join } from "node:path";
import pkg from "../package.json" with { type: "json" };
import { PROFILE_NAMES } from "../smsgate/profiles.ts";
import { formatByteSize, parseByteSize } from "../load/byte_size.ts";
import { formatDuration, parseDuration } from "../load/duration.ts";
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_TIMEOUT_MS } from "../load/http_client.ts";
import { ProgressPrinter, type ProgressSnapshot } from "../load/progress.ts";
import {
  DEFAULT_MAX_DURATION_MS,
  LoadConfigError,
  type LoadResult,
  type RunInfo,
  runLoad,
} from "../load/runner.ts";
import { cloudRefusalMessage, isPublicCloudHost, OWN_LOAD_FLAG } from "../load/safety.ts";
import { renderSummary, summaryExport } from "../load/summary.ts";
import { isLoopback } from "../load/scripts/_smsgate.ts";
import type { LatencyDistribution } from "../load/distribution.ts";
import { loadHtmlReporter } from "../reports/load_html.ts";
import { z } from "zod";
import { UsageError } from "./errors.ts";
import { byteSizeText, durationText, envPair, parseFlags, wholeNumber } from "./options.ts";
import { useColor, warn } from "./output.ts";
import {
  embeddedTarget,
  parseTargetUrl,
  type ResolvedTarget,
  resolveExplicitTarget,
  withTargetOptions,
} from "./target.ts";

/** Options of one load run (what the command parsed). */
export interface LoadRunOptions {
  /** API root URL. */
  target?: string;
  /** Basic username. */
  username?: string;
  /** Basic password. */
  password?: string;
  /** File whose first line is the Basic password. */
  passwordFile?: string;
  /** Embedded server profile (without a target). */
  profile?: string;
  /** `--vus`. */
  vus?: number;
  /** `--duration`. */
  duration?: string;
  /** `-e KEY=VALUE` pairs, in order. */
  env?: string[];
  /** `--summary-export FILE`. */
  summaryExport?: string;
  /** `--out DIR`. */
  out?: string;
  /** `--reporter`: console (the summary), html (load-report.html), json (load-result.json). */
  reporter?: string;
  /** `--max-duration`. */
  maxDuration?: string;
  /** `--i-own-this-load`. */
  iOwnThisLoad?: boolean;
  /** `--timeout`: default per-request timeout (a duration such as `10s`). */
  timeout?: string;
  /** `--max-body`: largest response body accepted (a size such as `10MB`). */
  maxBody?: string;
  /** `--workers`: threads running the scenarios, or `auto` (default: one per CPU core). */
  workers?: number | "auto";
  /** `--worker-nice`: the worker threads' nice value (default 19 on a loopback target, else 0). */
  workerNice?: number;
}

/** Where the command writes, and how it is stopped (injectable for tests). */
export interface LoadIo {
  /** Writes text to stdout (banner and summary). */
  stdout(text: string): void;
  /** Writes text to stderr (progress, warnings, errors). */
  stderr(text: string): void;
  /** Whether stderr is a terminal (live progress line). */
  tty: boolean;
  /** Whether to use ANSI colors in the summary. */
  color: boolean;
  /** Graceful and immediate stop signals; default: SIGINT / SIGTERM (twice to stop at once). */
  signals?: { stop: AbortSignal; kill: AbortSignal };
}

const _encoder = new TextEncoder();

function _writeAll(file: { writeSync(p: Uint8Array): number }, text: string): void {
  let bytes = _encoder.encode(text);
  while (bytes.length > 0) bytes = bytes.subarray(file.writeSync(bytes));
}

/** The process's stdout and stderr, Ctrl-C handling, and colors when stdout is a terminal. */
export function processIo(): LoadIo {
  return {
    stdout: (t) => _writeAll(Deno.stdout, t),
    stderr: (t) => _writeAll(Deno.stderr, t),
    tty: Deno.stderr.isTerminal(),
    color: useColor(),
  };
}

/** Parses `-e KEY=VALUE` flags. */
export function parseEnvPairs(pairs: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const i = pair.indexOf("=");
    const key = i < 0 ? pair : pair.slice(0, i);
    if (i <= 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
      throw new UsageError(
        `Cannot parse -e "${pair}": expected KEY=VALUE with a name of letters, digits and underscores`,
      );
    }
    env[key] = pair.slice(i + 1);
  }
  return env;
}

function _maxDurationMs(value: string | undefined): number {
  if (value === undefined) return DEFAULT_MAX_DURATION_MS;
  try {
    const ms = parseDuration(value);
    if (ms > 0) return ms;
  } catch {
    // reported below
  }
  throw new UsageError(
    `Cannot parse --max-duration "${value}": expected a duration such as 30m or 2h`,
  );
}

function _timeoutMs(value: string | undefined): number {
  if (value === undefined) return DEFAULT_TIMEOUT_MS;
  try {
    const ms = parseDuration(value);
    if (ms > 0) return ms;
  } catch {
    // reported below
  }
  throw new UsageError(
    `Cannot parse --timeout "${value}": expected a duration more than 0 such as 500ms, 10s or 1m`,
  );
}

function _maxBodyBytes(value: string | undefined): number {
  if (value === undefined) return DEFAULT_MAX_BODY_BYTES;
  try {
    return parseByteSize(value);
  } catch (e) {
    throw new UsageError(`Cannot parse --max-body "${value}": ${(e as Error).message}`);
  }
}

/** The explicit target from flags, `-e` and the environment, or null (embed the server). */
function _explicitTarget(
  o: LoadRunOptions,
  e: Record<string, string>,
): Omit<ResolvedTarget, "embedded"> | null {
  if (o.target === undefined && e.SMSGATE_URL !== undefined) {
    // The target was given to the script with -e: use it as the target too.
    const url = parseTargetUrl(e.SMSGATE_URL, "-e SMSGATE_URL");
    const username = o.username ?? e.SMSGATE_USERNAME ?? Deno.env.get("SMSGATE_USERNAME");
    const password = o.password ?? e.SMSGATE_PASSWORD ?? Deno.env.get("SMSGATE_PASSWORD");
    if (!username || !password) {
      throw new UsageError(
        "Cannot authenticate: give the Basic credentials with -e SMSGATE_USERNAME=... and SMSGATE_PASSWORD (or --username)",
      );
    }
    return { url, username, password };
  }
  return resolveExplicitTarget(o);
}

/** The banner printed before the run (k6's execution block). */
export function renderBanner(
  info: RunInfo,
  script: string,
  target: string,
  outputs: string[],
): string {
  const lines = [
    "",
    `  smsgate-testkit ${pkg.version} load (k6-compatible)`,
    "",
    `     script: ${script}`,
    `     target: ${target}`,
    `     output: ${outputs.length > 0 ? outputs.join(", ") : "-"}`,
    `  execution: local, ${
      info.workers === 1
        ? "1 thread"
        : `${info.workers} worker threads (execution segments)${
          info.workerNice > 0 ? `, nice ${info.workerNice}` : ""
        }`
    }`,
    "",
    `  scenarios: ${info.scenarios.length} scenario${
      info.scenarios.length === 1 ? "" : "s"
    }, ${info.maxVus} max VUs, ${
      formatDuration(info.maxDurationMs)
    } max duration (incl. graceful stop):`,
    ...info.scenarios.map((s) => `           * ${s.name}: ${s.description}`),
    "",
  ];
  return lines.join("\n") + "\n";
}

/** The result document `--out` writes as `load-result.json`. */
export interface LoadResultDocument {
  /** Format version. */
  schemaVersion: 1;
  /** Document kind. */
  kind: "load";
  /** The generator. */
  tool: { name: string; version: string };
  /** The script as given. */
  script: string;
  /** The target URL and whether it was the embedded reference server. */
  target: { url: string; embedded: boolean; profile?: string };
  /** When the run ended (ISO 8601). */
  finishedAt: string;
  /** Exit code of the run. */
  exitCode: number;
  /** Why the run stopped early, or null. */
  abortReason: string | null;
  /** The error that ended the run, or null. */
  error: string | null;
  /** Why the target counts as unreachable (exit code 3), or null. */
  unreachable: string | null;
  /** Reasons given to `exec.test.fail()`. */
  failReasons: string[];
  /** Iteration counts per scenario. */
  scenarios: LoadResult["scenarios"];
  /** Summary data (metrics, thresholds, checks, saturation). */
  summary: LoadResult["summary"];
  /** The k6 `--summary-export` object. */
  summaryExport: ReturnType<typeof summaryExport>;
  /** Per-second timeline. */
  timeline: LoadResult["timeline"];
  /** Latency distributions (HDR percentile points). */
  distribution?: LatencyDistribution;
}

/** Builds the `load-result.json` document of a finished run. */
export function loadResultDocument(
  result: LoadResult,
  script: string,
  target: LoadResultDocument["target"],
): LoadResultDocument {
  return {
    schemaVersion: 1,
    kind: "load",
    tool: { name: "smsgate-testkit", version: pkg.version },
    script,
    target,
    finishedAt: new Date().toISOString(),
    exitCode: result.exitCode,
    abortReason: result.abortReason,
    error: result.error,
    unreachable: result.unreachable?.message ?? null,
    failReasons: result.failReasons,
    scenarios: result.scenarios,
    summary: result.summary,
    summaryExport: summaryExport(result.summary),
    timeline: result.timeline,
    distribution: result.distribution,
  };
}

async function _writeFile(path: string, text: string): Promise<void> {
  await Deno.mkdir(dirname(path) || ".", { recursive: true });
  await Deno.writeTextFile(path, text);
}

function _installSignals(io: LoadIo): { stop: AbortSignal; kill: AbortSignal; remove(): void } {
  const stop = new AbortController();
  const kill = new AbortController();
  const onSignal = () => {
    if (!stop.signal.aborted) {
      io.stderr(
        `${
          io.tty ? "\r\x1b[2K" : ""
        }stopping gracefully (running iterations get their gracefulStop); press Ctrl-C again to stop at once\n`,
      );
      stop.abort();
    } else if (!kill.signal.aborted) {
      io.stderr(`${io.tty ? "\r\x1b[2K" : ""}stopping at once\n`);
      kill.abort();
    }
  };
  const names: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  for (const n of names) Deno.addSignalListener(n, onSignal);
  return {
    stop: stop.signal,
    kill: kill.signal,
    remove: () => {
      for (const n of names) Deno.removeSignalListener(n, onSignal);
    },
  };
}

/** Runs the command; returns the exit code. */
export async function runLoadCommand(
  script: string,
  o: LoadRunOptions,
  io: LoadIo = processIo(),
): Promise<number> {
  const reporters = (o.reporter ?? "console").split(",").map((r) => r.trim()).filter(Boolean);
  const unknown = reporters.find((r) => !["console", "html", "json"].includes(r));
  if (unknown !== undefined || reporters.length === 0) {
    throw new UsageError(
      `Cannot parse --reporter "${o.reporter}": expected one or more of console, html, json`,
    );
  }
  // A file reporter writes the output files, to --out or out/.
  if (o.out === undefined && (reporters.includes("html") || reporters.includes("json"))) {
    o = { ...o, out: "out" };
  }
  const e = parseEnvPairs(o.env ?? []);
  const maxDurationMs = _maxDurationMs(o.maxDuration);
  const httpTimeoutMs = _timeoutMs(o.timeout);
  const maxBodyBytes = _maxBodyBytes(o.maxBody);
  if (o.vus !== undefined && !(Number.isInteger(o.vus) && o.vus > 0)) {
    throw new UsageError(`Cannot parse --vus "${o.vus}": expected a whole number more than 0`);
  }
  const explicit = _explicitTarget(o, e);
  if (explicit !== null && o.profile !== undefined) {
    throw new UsageError(
      "Cannot use --profile with a target: it selects the embedded server's profile",
    );
  }
  if (explicit !== null) {
    const host = new URL(explicit.url).hostname;
    if (isPublicCloudHost(host) && !o.iOwnThisLoad) {
      throw new UsageError(cloudRefusalMessage(host));
    }
    if (isPublicCloudHost(host)) {
      warn(`sending load to the public cloud ${host} (${OWN_LOAD_FLAG})`);
    }
  }
  const target: ResolvedTarget = explicit ?? await embeddedTarget(o.profile ?? "server");
  const workers = o.workers === undefined || o.workers === "auto"
    ? navigator.hardwareConcurrency
    : o.workers;
  // A server on this machine keeps its share of the CPU: the workers take what is left.
  const workerNice = o.workerNice ?? (isLoopback(target.url) ? 19 : 0);
  const env: Record<string, string> = {
    ...Deno.env.toObject(),
    SMSGATE_URL: target.url,
    SMSGATE_USERNAME: target.username,
    SMSGATE_PASSWORD: target.password,
    ...e,
  };
  const targetLabel = target.embedded
    ? `${target.url} (embedded reference server, profile ${o.profile ?? "server"})`
    : target.url;
  const outputs: string[] = [];
  if (o.summaryExport) outputs.push(`summary export ${o.summaryExport}`);
  if (o.out) outputs.push(`${o.out}/load-result.json`, `${o.out}/${loadHtmlReporter.fileName}`);
  const own = io.signals === undefined ? _installSignals(io) : undefined;
  const signals = io.signals ?? own!;
  const printer = new ProgressPrinter((t) => io.stderr(t), io.tty);
  let result: LoadResult;
  try {
    result = await runLoad({
      script,
      env,
      vus: o.vus,
      duration: o.duration,
      maxDurationMs,
      allowPublicCloud: o.iOwnThisLoad === true,
      target: target.url,
      httpTimeoutMs,
      maxBodyBytes,
      workers,
      workerNice,
      stop: signals.stop,
      kill: signals.kill,
      log: (line) => {
        printer.done();
        io.stderr(`${line}\n`);
      },
      onStart: (info) => {
        io.stdout(renderBanner(info, script, targetLabel, outputs));
        for (const w of info.warnings) io.stderr(`warning: ${w}\n`);
      },
      onProgress: (p: ProgressSnapshot) => printer.update(p),
    });
  } catch (err) {
    if (err instanceof LoadConfigError) throw new UsageError(err.errors.join("; "));
    throw err;
  } finally {
    printer.done();
    own?.remove();
    await target.embedded?.close();
  }
  // When the probe failed nothing ran: one line (below) instead of the banner and summary.
  const probeFailed = result.unreachable?.probe === true;
  if (!probeFailed && reporters.includes("console")) {
    io.stdout("\n" + renderSummary(result.summary, { color: io.color }) + "\n");
  }
  const exported = summaryExport(result.summary);
  if (o.summaryExport) {
    await _writeFile(o.summaryExport, JSON.stringify(exported, null, 2) + "\n");
  }
  if (o.out) {
    const doc = loadResultDocument(
      result,
      script,
      target.embedded
        ? { url: target.url, embedded: true, profile: o.profile ?? "server" }
        : { url: target.url, embedded: false },
    );
    await _writeFile(join(o.out, "load-result.json"), JSON.stringify(doc, null, 2) + "\n");
    await _writeFile(join(o.out, "load-summary.json"), JSON.stringify(exported, null, 2) + "\n");
    await _writeFile(
      join(o.out, "load-summary.txt"),
      renderSummary(result.summary, { color: false }),
    );
    await _writeFile(join(o.out, loadHtmlReporter.fileName), loadHtmlReporter.render(doc));
  }
  if (probeFailed) {
    io.stderr(`error: ${result.unreachable!.message}\n`);
    return result.exitCode;
  }
  if (result.error !== null) io.stderr(`error: ${result.error}\n`);
  else if (result.unreachable !== null) io.stderr(`error: ${result.unreachable.message}\n`);
  else if (result.abortReason !== null) {
    io.stderr(`error: the test stopped early: ${result.abortReason}\n`);
  }
  for (const r of result.failReasons) io.stderr(`error: the script marked the test failed: ${r}\n`);
  const crossed = [...new Set(result.thresholds.filter((t) => !t.ok).map((t) => t.metric))];
  if (crossed.length > 0 && result.exitCode === 99) {
    io.stderr(
      `error: thresholds on metrics ${crossed.map((m) => `'${m}'`).join(", ")} have been crossed\n`,
    );
  }
  return result.exitCode;
}

/** The flags of `load`, validated with zod (commander only collects the strings). */
export const LoadFlags = z.object({
  target: z.string().optional(),
  username: z.string().min(1, "expected a user name").optional(),
  password: z.string().optional(),
  passwordFile: z.string().min(1, "expected a file path").optional(),
  profile: z.enum(PROFILE_NAMES).optional(),
  vus: wholeNumber(1, 100_000).optional(),
  duration: durationText.optional(),
  env: z.array(envPair),
  summaryExport: z.string().min(1, "expected a file path").optional(),
  out: z.string().min(1, "expected a directory").optional(),
  reporter: z.string().optional(),
  maxDuration: durationText.optional(),
  timeout: durationText.optional(),
  maxBody: byteSizeText.optional(),
  iOwnThisLoad: z.boolean().optional(),
  workers: z.union([z.literal("auto"), wholeNumber(1, 256)]).optional(),
  workerNice: wholeNumber(0, 19).optional(),
});

/** Builds the `load` command; `onExit` receives the exit code. */
export function loadCommand(onExit: (code: number) => void) {
  return withTargetOptions(
    new Command("load")
      .description(
        "Run a k6 script (TypeScript) against a deployment (default: the embedded reference server)",
      )
      .argument("<script>", "the k6 script, e.g. load/scripts/token_refresh.ts"),
    "load",
  )
    .addOption(
      new Option("--profile <name>", "profile of the embedded server (without --target)").choices(
        PROFILE_NAMES,
      ),
    )
    .option("--vus <n>", "VUs (with --duration: replaces the script's scenarios)")
    .option("--duration <duration>", "run N looping VUs for this long instead of the scenarios")
    .option(
      "-e, --env <KEY=VALUE>",
      "an __ENV variable for the script (repeatable)",
      (v: string, prev: string[]) => [...prev, v],
      [] as string[],
    )
    .option("--summary-export <file>", "write the k6 summary-export JSON to this file")
    .option(
      "--reporter <names>",
      "comma-separated: console (the summary, default), html (load-report.html), json (load-result.json); files go to --out (default out/)",
    )
    .option(
      "--out <dir>",
      "write load-result.json, load-summary.json, load-summary.txt and load-report.html here",
    )
    .option(
      "--max-duration <duration>",
      `refuse scenarios that could run longer than this (default ${
        formatDuration(DEFAULT_MAX_DURATION_MS)
      })`,
    )
    .option(
      "--timeout <duration>",
      `default timeout of each request (a script's params.timeout wins; default ${
        formatDuration(DEFAULT_TIMEOUT_MS)
      }, as k6)`,
    )
    .option(
      "--max-body <size>",
      `largest response body accepted, e.g. 10MB or 64MiB; a larger one fails the request (default ${
        formatByteSize(DEFAULT_MAX_BODY_BYTES)
      })`,
    )
    .option(
      "--workers <n>",
      "threads that run the scenarios, each its execution segment of every scenario, or auto: one per CPU core (default auto; never more than the scenarios' VUs)",
    )
    .option(
      "--worker-nice <n>",
      "scheduling priority (nice 0-19, Linux) of the worker threads (default 19 when the target is on this machine, so its server keeps its CPU; else 0)",
    )
    .option(
      OWN_LOAD_FLAG,
      "allow load on the public SMSGate cloud (api.sms-gate.app): you own this load",
    )
    .addHelpText(
      "after",
      `
Examples:
  npm start -- load load/scripts/token_refresh.ts           # embedded server, the script's scenarios
  npm start -- load load/scripts/send.ts --vus 8 --duration 30s --summary-export out/send.json
  SMSGATE_PASSWORD=... npm start -- load load/scripts/revocation.ts --target http://host:3000/api/3rdparty/v1 --username ABCDEF
  npm start -- load my_script.ts -e RATE=200 -e DURATION=1m --out out

The same scripts run under k6 v0.57+: k6 run -e SMSGATE_URL=... -e SMSGATE_USERNAME=... -e SMSGATE_PASSWORD=... SCRIPT

A failed request (timeout, refused or reset connection, malformed response, body over --max-body,
TLS error) never stops the run: it has status 0 and k6's error_code, and counts in http_req_failed.
Redirects are not followed: a 3xx response is returned as it is.

Exit codes: 0 passed, 2 usage error, 3 the target could not be reached (DNS failure, connection
refused, or not one request got a response) or the run could not complete (stopped early, setup
failed), 99 a threshold failed.`,
    )
    .action(async (script, opts) => {
      onExit(await runLoadCommand(script, parseFlags(LoadFlags, opts)));
    });
}
