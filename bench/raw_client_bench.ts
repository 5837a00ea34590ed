/**
 * Compares the load transport ({@linkcode HttpClient} from load/http_client.ts) with wrk on loopback.
 * Starts bench/null_server.ts in a separate process, runs `wrk -tT -cC -dDs` against it, then C
 * concurrent keep-alive loops (one HttpClient each, like one per VU) for the same duration, first in
 * this process's event loop and then split over Web Workers, and prints requests/s and
 * `client/wrk ratio: X.XX` for each.
 *
 * ```sh
 * npx deno run -A bench/raw_client_bench.ts [--duration 5] [--connections 64] [--threads 2]
 *   [--engine raw|serve] [--workers 2] [--warmup 1] [--rounds 1]
 * ```
 * `--workers 0` skips the worker run; `--rounds N` repeats the wrk + client runs and prints the
 * medians (the bench machine is shared, so single runs are noisy). Needs wrk
 * (`apt-get install -y wrk`).
 *
 * @module
 */
import { type ClientLoopsResult, runClientLoops } from "./_client_loops.ts";
import type { ClientWorkerRequest } from "./_client_worker.ts";
import { type NullServerEngine, spawnNullServer } from "./null_server.ts";

/** Settings of one benchmark run. */
export interface BenchOptions {
  /** Seconds per measured run. */
  duration: number;
  /** Concurrent connections (wrk `-c`) and client loops. */
  connections: number;
  /** wrk threads (`-t`). */
  threads: number;
  /** Null server engine. */
  engine: NullServerEngine;
  /** Workers for the multi-worker client run; 0 skips it. */
  workers: number;
  /** Seconds of client warm-up before the measured runs. */
  warmup: number;
  /** Rounds of wrk + client runs; medians are printed when more than one. */
  rounds: number;
}

/** Parses the command line into {@linkcode BenchOptions}; throws with a usage message. */
export function parseBenchArgs(args: string[]): BenchOptions {
  const opts: BenchOptions = {
    duration: 5,
    connections: 64,
    threads: 2,
    engine: "raw",
    workers: 2,
    warmup: 1,
    rounds: 1,
  };
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    const value = args[i + 1];
    const numeric = [
      "--duration",
      "--connections",
      "--threads",
      "--workers",
      "--warmup",
      "--rounds",
    ];
    if (numeric.includes(flag)) {
      if (value === undefined || !/^\d+(\.\d+)?$/.test(value)) {
        throw new Error(`Cannot parse ${flag}: expected a number, got ${JSON.stringify(value)}`);
      }
      const key = flag.slice(2) as
        | "duration"
        | "connections"
        | "threads"
        | "workers"
        | "warmup"
        | "rounds";
      opts[key] = Number(value);
      i++;
    } else if (flag === "--engine") {
      if (value !== "raw" && value !== "serve") {
        throw new Error(
          `Cannot parse --engine: expected raw or serve, got ${JSON.stringify(value)}`,
        );
      }
      opts.engine = value;
      i++;
    } else {
      throw new Error(
        `Cannot parse argument "${flag}": expected --duration, --connections, --threads, ` +
          "--engine, --workers, --warmup or --rounds",
      );
    }
  }
  return opts;
}

/** Extracts wrk's `Requests/sec:` figure from its output. */
export function parseWrkRequestsPerSecond(output: string): number {
  const m = /Requests\/sec:\s+([\d.]+)/.exec(output);
  if (m === null) {
    throw new Error(`Cannot parse wrk output: expected a "Requests/sec:" line in:\n${output}`);
  }
  return Number(m[1]);
}

async function _runWrk(url: string, o: BenchOptions): Promise<number> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command("wrk", {
      args: [`-t${o.threads}`, `-c${o.connections}`, `-d${o.duration}s`, url],
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new Error(
        "Cannot run wrk: it is not installed; install it with apt-get install -y wrk",
      );
    }
    throw err;
  }
  return parseWrkRequestsPerSecond(new TextDecoder().decode(output.stdout));
}

async function _runWorkers(
  url: string,
  workers: number,
  loops: number,
  durationMs: number,
): Promise<ClientLoopsResult> {
  const parts = Array.from({ length: workers }, (_, i) => {
    const share = Math.floor(loops / workers) + (i < loops % workers ? 1 : 0);
    const worker = new Worker(new URL("./_client_worker.ts", import.meta.url).href, {
      type: "module",
    });
    return new Promise<ClientLoopsResult>((resolve, reject) => {
      worker.onmessage = (e: MessageEvent<ClientLoopsResult>) => {
        worker.terminate();
        resolve(e.data);
      };
      worker.onerror = (e) => {
        e.preventDefault();
        worker.terminate();
        reject(new Error(`Benchmark worker failed: ${e.message}`));
      };
      const msg: ClientWorkerRequest = { url, loops: share, durationMs };
      worker.postMessage(msg);
    });
  });
  const results = await Promise.all(parts);
  return {
    ok: results.reduce((a, r) => a + r.ok, 0),
    failed: results.reduce((a, r) => a + r.failed, 0),
    firstError: results.find((r) => r.firstError !== "")?.firstError ?? "",
    elapsedMs: Math.max(...results.map((r) => r.elapsedMs)),
  };
}

function _perSecond(r: ClientLoopsResult): number {
  return r.ok / (r.elapsedMs / 1000);
}

/** Median of a non-empty list. */
export function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function _failures(r: ClientLoopsResult): string {
  return r.failed > 0 ? `, ${r.failed} failed (first: ${r.firstError})` : "";
}

/**
 * Runs the whole benchmark and prints its figures. Each round runs wrk, then the client in this
 * event loop, then the client in workers, back to back, so a round's ratios compare runs made
 * under the same machine load; with several rounds the medians are printed last.
 */
export async function runBench(o: BenchOptions): Promise<void> {
  const server = await spawnNullServer(o.engine);
  const wrkRuns: number[] = [];
  const singleRuns: number[] = [];
  const workerRuns: number[] = [];
  const ms = o.duration * 1000;
  try {
    console.log(`null server (${o.engine}, separate process): ${server.url}`);
    if (o.warmup > 0) await runClientLoops(server.url, o.connections, o.warmup * 1000);
    for (let round = 1; round <= o.rounds; round++) {
      const prefix = o.rounds > 1 ? `[round ${round}] ` : "";
      const wrkRps = await _runWrk(server.url, o);
      wrkRuns.push(wrkRps);
      console.log(
        `${prefix}wrk -t${o.threads} -c${o.connections} -d${o.duration}s: ` +
          `${wrkRps.toFixed(0)} requests/s`,
      );
      const single = await runClientLoops(server.url, o.connections, ms);
      singleRuns.push(_perSecond(single));
      console.log(
        `${prefix}HttpClient, ${o.connections} loops, 1 event loop: ` +
          `${_perSecond(single).toFixed(0)} requests/s${_failures(single)}`,
      );
      console.log(`${prefix}client/wrk ratio: ${(_perSecond(single) / wrkRps).toFixed(2)}`);
      if (o.workers > 0) {
        const multi = await _runWorkers(server.url, o.workers, o.connections, ms);
        workerRuns.push(_perSecond(multi));
        console.log(
          `${prefix}HttpClient, ${o.connections} loops, ${o.workers} workers: ` +
            `${_perSecond(multi).toFixed(0)} requests/s${_failures(multi)}`,
        );
        console.log(
          `${prefix}client/wrk ratio (${o.workers} workers): ` +
            `${(_perSecond(multi) / wrkRps).toFixed(2)}`,
        );
      }
    }
    if (o.rounds > 1) {
      const ratios = singleRuns.map((v, i) => v / wrkRuns[i]);
      console.log(`median over ${o.rounds} rounds:`);
      console.log(`wrk: ${median(wrkRuns).toFixed(0)} requests/s`);
      console.log(`HttpClient, 1 event loop: ${median(singleRuns).toFixed(0)} requests/s`);
      console.log(`client/wrk ratio: ${median(ratios).toFixed(2)}`);
      if (workerRuns.length > 0) {
        const wr = workerRuns.map((v, i) => v / wrkRuns[i]);
        console.log(
          `HttpClient, ${o.workers} workers: ${median(workerRuns).toFixed(0)} requests/s`,
        );
        console.log(`client/wrk ratio (${o.workers} workers): ${median(wr).toFixed(2)}`);
      }
    }
  } finally {
    await server.stop();
  }
}

if (import.meta.main) {
  let opts: BenchOptions;
  try {
    opts = parseBenchArgs(Deno.args);
  } catch (err) {
    console.error((err as Error).message);
    Deno.exit(2);
  }
  try {
    await runBench(opts);
  } catch (err) {
    console.error((err as Error).message);
    Deno.exit(3);
  }
}
