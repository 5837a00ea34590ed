/**
 * Web Worker entry for the raw client benchmark: runs {@linkcode runClientLoops} with the
 * parameters of the first message and posts the result back.
 *
 * @module
 */
import { runClientLoops } from "./_client_loops.ts";

/** The message a worker receives. */
export interface ClientWorkerRequest {
  /** Target URL. */
  url: string;
  /** Concurrent loops in this worker. */
  loops: number;
  /** Run time in milliseconds. */
  durationMs: number;
}

// deno-lint-ignore no-explicit-any
const scope = self as any;
scope.onmessage = async (e: MessageEvent<ClientWorkerRequest>) => {
  const { url, loops, durationMs } = e.data;
  const result = await runClientLoops(url, loops, durationMs);
  scope.postMessage(result);
};
