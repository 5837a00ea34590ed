/**
 * The client side of the raw client benchmark: N keep-alive request loops, each with its own
 * {@linkcode HttpClient} (one client per VU, as the load engine uses it), for a fixed duration.
 *
 * @module
 */
import { HttpClient } from "../load/http_client.ts";

/** Counts from one run of {@linkcode runClientLoops}. */
export interface ClientLoopsResult {
  /** Responses with status 200. */
  ok: number;
  /** Failed requests or other statuses. */
  failed: number;
  /** First error message seen, or empty. */
  firstError: string;
  /** Wall time of the run in milliseconds. */
  elapsedMs: number;
}

/**
 * Runs `loops` concurrent request loops against `url` for `durationMs` milliseconds. With
 * `viaAsyncFunction`, each request is made from an async function the loop awaits, the least a
 * k6 script's default function adds (the benchmark's breakdown uses it).
 */
export async function runClientLoops(
  url: string,
  loops: number,
  durationMs: number,
  viaAsyncFunction = false,
): Promise<ClientLoopsResult> {
  const result: ClientLoopsResult = { ok: 0, failed: 0, firstError: "", elapsedMs: 0 };
  const t0 = performance.now();
  // A timer flips the flag, so the loops do not read the clock per request.
  let running = true;
  const timer = setTimeout(() => running = false, durationMs);
  const target = new URL(url);
  const one = async () => {
    const client = new HttpClient();
    const iteration = async () => await client.request({ method: "GET", url: target });
    try {
      while (running) {
        const res = viaAsyncFunction
          ? await iteration()
          : await client.request({ method: "GET", url: target });
        if (res.status === 200) result.ok++;
        else {
          result.failed++;
          if (result.firstError === "") {
            result.firstError = res.error || `status ${res.status}`;
          }
        }
      }
    } finally {
      client.close();
    }
  };
  try {
    await Promise.all(Array.from({ length: loops }, one));
  } finally {
    clearTimeout(timer);
  }
  result.elapsedMs = performance.now() - t0;
  return result;
}
