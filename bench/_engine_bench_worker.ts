/**
 * A Web Worker of `bench/engine_bench.ts`: runs one independent engine (its share of the VUs) and
 * posts back how many requests it made.
 *
 * @module
 */

import os from "node:os";
import { runLoad } from "../load/runner.ts";

/** The worker's task. */
export interface EngineBenchTask {
  /** Null server URL. */
  url: string;
  /** VUs of this worker. */
  vus: number;
  /** Run duration, e.g. `5s`. */
  duration: string;
  /** Scheduling priority (nice value) of this worker's thread; 0 leaves it as inherited. */
  nice: number;
}

/** The worker's answer. */
export interface EngineBenchAnswer {
  /** Requests made. */
  requests: number;
  /** Run duration in ms. */
  durationMs: number;
}

/** The worker scope (the project's types describe a window, not a worker). */
const scope = self as unknown as {
  onmessage: ((e: MessageEvent<EngineBenchTask>) => void) | null;
  postMessage(message: EngineBenchAnswer): void;
};

scope.onmessage = async (e: MessageEvent<EngineBenchTask>) => {
  const { url, vus, duration, nice } = e.data;
  // On Linux the priority of the calling thread only: the coordinator and the server keep theirs.
  if (nice !== 0) os.setPriority(nice);
  const result = await runLoad({
    script: new URL("./_engine_bench_script.ts", import.meta.url).href,
    env: { URL: url, VUS: String(vus), DURATION: duration },
    log: () => {},
  });
  const answer: EngineBenchAnswer = {
    requests: result.summary.metrics.http_reqs?.values.count ?? 0,
    durationMs: result.summary.durationMs,
  };
  scope.postMessage(answer);
};
