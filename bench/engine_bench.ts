/**
 * Throughput of the load engine against a fast loopback server, next to wrk and to the raw HTTP
 * client: requests/s of
 * - `wrk -t2 -cVUS`,
 * - VUS keep-alive loops of the bare `HttpClient` (bench/_client_loops.ts),
 * - the engine as the `load` command runs it against a server on this machine (`runLoad`, a
 *   constant-vus script doing `http.asyncRequest` and one `check` per iteration:
 *   bench/_engine_bench_script.ts): one worker thread per CPU core (`--workers`, each running
 *   its execution segment of the scenario), at nice 19 (`--nice`),
 * - with `--breakdown 1`, the steps between the bare client and the engine that show where the
 *   engine's time goes: `client_async_fn` (each request made from an async function the loop
 *   awaits: the least a script's default function adds), `engine_bare_script` (the engine's VUs,
 *   executor, iteration accounting and metrics around the bare client, without `k6/http` and
 *   the check: bench/_engine_bare_script.ts, on one thread) and `engine_1_thread` (the engine on
 *   the main thread, no workers).
 * With generator and server on the same two cores, workers at normal priority take CPU from the
 * server and lose throughput; at nice 19 the server keeps its core and the workers use the rest.
 * The null server (bench/null_server.ts) runs in its own process. Rounds alternate the variants so
 * that noise from other load on the machine spreads evenly; the medians are printed with their
 * ratio to wrk.
 *
 * Runs last 10 s by default, wrk's own default duration. Every engine run starts with fresh worker
 * threads whose JavaScript is not compiled yet: its first second runs a quarter to a third below the
 * seconds after it (V8 compiles the hot paths on the same two cores), a cost a 5 s run weighs twice
 * as much as a 10 s one. The engine's lines show it: requests/s of the whole run (the figure
 * compared), of its first second, and the median of the seconds after it.
 *
 * ```sh
 * npx deno run -A bench/engine_bench.ts [--duration 10] [--vus 64] [--rounds 3] [--workers N]
 *   [--breakdown 0|1] [--nice 0..19]
 * ```
 *
 * @module
 */

import { spawnNullServer } from "./null_server.ts";
import { runClientLoops } from "./_client_loops.ts";
import { runLoad } from "../load/runner.ts";

/** Settings of the benchmark. */
export interface EngineBenchOptions {
  /** Seconds per measured run (default 10, as wrk's). */
  duration: number;
  /** VUs (wrk connections, client loops). */
  vus: number;
  /** Rounds of all variants. */
  rounds: number;
  /** Worker threads of the engine (default: one per CPU core; 1: the main thread). */
  workers: number;
  /** 1 adds the breakdown variants (client_async_fn, engine_bare_script). */
  breakdown: number;
  /** Nice value of the engine's worker threads (default 19, as `load` on a loopback target). */
  nice: number;
}

/** Parses the command line. */
export function parseEngineBenchArgs(args: string[]): EngineBenchOptions {
  const o: EngineBenchOptions = {
    duration: 10,
    vus: 64,
    rounds: 3,
    workers: navigator.hardwareConcurrency,
    breakdown: 0,
    nice: 19,
  };
  for (let i = 0; i < args.length; i += 2) {
    const key = args[i]?.replace(/^--/, "") as keyof EngineBenchOptions;
    const value = Number(args[i + 1]);
    if (!(key in o) || !Number.isFinite(value) || value < 0) {
      throw new Error(
        `Cannot parse argument "${args[i]} ${
          args[i + 1] ?? ""
        }": expected --duration, --vus, --rounds, --workers, --breakdown or --nice with a number`,
      );
    }
    o[key] = value;
  }
  return o;
}

async function _wrk(url: string, o: EngineBenchOptions): Promise<number> {
  const out = await new Deno.Command("wrk", {
    args: ["-t2", `-c${o.vus}`, `-d${o.duration}s`, url],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const m = /Requests\/sec:\s+([\d.]+)/.exec(new TextDecoder().decode(out.stdout));
  if (m === null) throw new Error("Cannot read wrk's output: no Requests/sec line");
  return Number(m[1]);
}

/** The autocannon CLI installed by npm (node_modules), or null when absent. */
export function autocannonPath(): string | null {
  const path = new URL("../node_modules/autocannon/autocannon.js", import.meta.url).pathname;
  try {
    Deno.statSync(path);
    return path;
  } catch {
    return null;
  }
}

async function _autocannon(url: string, o: EngineBenchOptions): Promise<number> {
  const out = await new Deno.Command("node", {
    args: [autocannonPath()!, "-c", String(o.vus), "-d", String(o.duration), "--json", url],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const json = JSON.parse(new TextDecoder().decode(out.stdout));
  const total = json?.requests?.total;
  if (typeof total !== "number") {
    throw new Error("Cannot read autocannon's output: no requests.total");
  }
  return total / (json.duration ?? o.duration);
}

async function _raw(url: string, o: EngineBenchOptions, viaAsyncFunction = false): Promise<number> {
  const r = await runClientLoops(url, o.vus, o.duration * 1000, viaAsyncFunction);
  return r.ok / (r.elapsedMs / 1000);
}

/** A run's requests in its first second and per second after it (see {@linkcode warmupFigures}). */
export interface WarmupFigures {
  /** Requests in the run's first second. */
  firstSecond: number;
  /** Median requests per second of the full seconds after the first (NaN without any). */
  later: number;
}

/** One engine run: requests/s of the whole run, and its warm-up figures. */
interface _EngineRun extends WarmupFigures {
  /** Iterations per second over the run (the compared figure). */
  rate: number;
}

async function _engine(
  url: string,
  o: EngineBenchOptions,
  workers = o.workers,
  script = "_engine_bench_script.ts",
): Promise<_EngineRun> {
  const r = await runLoad({
    script: new URL(`./${script}`, import.meta.url).href,
    env: { URL: url, VUS: String(o.vus), DURATION: `${o.duration}s` },
    log: () => {},
    workers,
    workerNice: o.nice,
  });
  return {
    rate: r.summary.metrics.iterations.values.count / (r.summary.durationMs / 1000),
    ...warmupFigures(r.timeline, r.summary.durationMs),
  };
}

/**
 * A run's requests in its first second and the median requests per second of the full seconds
 * after it, from its per-second timeline; the last, partial second of a run of `durationMs` is
 * left out.
 */
export function warmupFigures(
  timeline: ReadonlyArray<{ t: number; reqs: number }>,
  durationMs: number,
): WarmupFigures {
  const full = Math.floor(durationMs / 1000);
  const seconds = timeline.filter((p) => p.t < full);
  return {
    firstSecond: seconds.find((p) => p.t === 0)?.reqs ?? 0,
    later: seconds.length > 1 ? _median(seconds.filter((p) => p.t > 0).map((p) => p.reqs)) : NaN,
  };
}

function _median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Runs the benchmark and prints its figures. */
export async function runEngineBench(o: EngineBenchOptions): Promise<Record<string, number>> {
  const server = await spawnNullServer();
  const results: Record<string, number[]> = { wrk: [], client: [] };
  if (o.breakdown) {
    results.client_async_fn = [];
    results.engine_bare_script = [];
    results.engine_1_thread = [];
  }
  results.engine = [];
  const warmup = { firstSecond: [] as number[], later: [] as number[] };
  const autocannon = autocannonPath() !== null;
  if (autocannon) results.autocannon = [];
  try {
    console.log(
      `null server: ${server.url}; ${o.vus} VUs/connections, ${o.duration}s per run; engine: ${o.workers} worker thread(s) at nice ${o.nice}`,
    );
    await _engine(server.url, { ...o, duration: 1 }); // warm-up
    for (let round = 1; round <= o.rounds; round++) {
      results.wrk.push(await _wrk(server.url, o));
      results.client.push(await _raw(server.url, o));
      if (o.breakdown) {
        results.client_async_fn.push(await _raw(server.url, o, true));
        results.engine_bare_script.push(
          (await _engine(server.url, o, 1, "_engine_bare_script.ts")).rate,
        );
        results.engine_1_thread.push((await _engine(server.url, o, 1)).rate);
      }
      const run = await _engine(server.url, o);
      results.engine.push(run.rate);
      warmup.firstSecond.push(run.firstSecond);
      warmup.later.push(run.later);
      if (autocannon) results.autocannon.push(await _autocannon(server.url, o));
      console.log(
        `round ${round}: ` +
          Object.entries(results).map(([k, v]) => `${k} ${Math.round(v.at(-1)!)}/s`).join(", ") +
          ` (engine's first second ${run.firstSecond}/s, then ${Math.round(run.later)}/s)`,
      );
    }
  } finally {
    await server.stop();
  }
  const wrk = _median(results.wrk);
  const medians: Record<string, number> = {};
  for (const [k, v] of Object.entries(results)) {
    medians[k] = _median(v);
    console.log(
      `${k.padEnd(18)} median ${Math.round(medians[k])} requests/s, ${
        (medians[k] / wrk).toFixed(2)
      }x wrk`,
    );
  }
  const later = _median(warmup.later);
  console.log(
    `engine warm-up: first second median ${
      _median(warmup.firstSecond)
    } requests/s, the seconds after it median ${Math.round(later)} requests/s (${
      (later / wrk).toFixed(2)
    }x wrk)`,
  );
  return medians;
}

if (import.meta.main) {
  await runEngineBench(parseEngineBenchArgs(Deno.args));
}
