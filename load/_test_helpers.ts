/**
 * Test support for the load runtime: k6 scripts written to a temporary directory, and a loopback
 * HTTP server. Private to `load/` and `cli/` tests.
 *
 * @module
 */

import type { LoadIo } from "../cli/load.ts";
import { join } from "node:path";
import { type LoadResult, runLoad, type RunLoadOptions } from "./runner.ts";

/** A temporary directory holding test scripts; remove it with `cleanup()`. */
export interface ScriptDir {
  /** Writes `source` as `name` and returns its path. */
  write(name: string, source: string): Promise<string>;
  /** The directory. */
  dir: string;
  /** Removes the directory. */
  cleanup(): Promise<void>;
}

/** Creates a temporary directory for test scripts. */
export async function scriptDir(): Promise<ScriptDir> {
  const dir = await Deno.makeTempDir({ prefix: "smsgate-load-test-" });
  return {
    dir,
    async write(name, source) {
      const path = join(dir, name);
      await Deno.writeTextFile(path, source);
      return path;
    },
    cleanup: () => Deno.remove(dir, { recursive: true }),
  };
}

/** Writes `source` to a temporary script, runs it with `options`, and removes it. */
export async function runScript(
  source: string,
  options: Omit<RunLoadOptions, "script"> = {},
): Promise<LoadResult & { logs: string[] }> {
  const d = await scriptDir();
  const logs: string[] = [];
  try {
    const script = await d.write("script.ts", source);
    const result = await runLoad({ log: (l) => logs.push(l), ...options, script });
    return { ...result, logs };
  } finally {
    await d.cleanup();
  }
}

/** A loopback server for tests. */
export interface TestServer {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:40123`. */
  url: string;
  /** Requests served so far. */
  requests: number;
  /** Stops the server. */
  close(): Promise<void>;
}

/** Starts `Deno.serve` on a free loopback port with `handler`. */
export function testServer(handler: (req: Request) => Response | Promise<Response>): TestServer {
  const state = { requests: 0 };
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen() {} },
    (req) => {
      state.requests++;
      return handler(req);
    },
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    get requests() {
      return state.requests;
    },
    close: () => server.shutdown(),
  };
}

/** A port on 127.0.0.1 where nothing listens (bound, then released). */
export function closedPort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** A `load` io that records what the command writes and never stops on its own. */
export function recordingIo(): LoadIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    tty: false,
    color: false,
    signals: { stop: new AbortController().signal, kill: new AbortController().signal },
  };
}
