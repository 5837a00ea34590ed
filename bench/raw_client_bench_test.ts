import assert from "node:assert/strict";
import { median, parseBenchArgs, parseWrkRequestsPerSecond } from "./raw_client_bench.ts";

Deno.test("parseBenchArgs() returns the defaults and reads every flag", () => {
  assert.deepEqual(parseBenchArgs([]), {
    duration: 5,
    connections: 64,
    threads: 2,
    engine: "raw",
    workers: 2,
    warmup: 1,
    rounds: 1,
  });
  assert.deepEqual(
    parseBenchArgs([
      "--duration",
      "2",
      "--connections",
      "8",
      "--threads",
      "1",
      "--engine",
      "serve",
      "--workers",
      "0",
      "--warmup",
      "0.5",
      "--rounds",
      "3",
    ]),
    {
      duration: 2,
      connections: 8,
      threads: 1,
      engine: "serve",
      workers: 0,
      warmup: 0.5,
      rounds: 3,
    },
  );
});

Deno.test("parseBenchArgs() rejects unknown flags and bad values", () => {
  assert.throws(
    () => parseBenchArgs(["--duration", "x"]),
    /Cannot parse --duration: expected a number/,
  );
  assert.throws(() => parseBenchArgs(["--engine", "nginx"]), /expected raw or serve/);
  assert.throws(() => parseBenchArgs(["--fast"]), /Cannot parse argument "--fast"/);
});

Deno.test("parseWrkRequestsPerSecond() reads wrk's Requests/sec line", () => {
  const output = [
    "Running 5s test @ http://127.0.0.1:1234/",
    "  2 threads and 64 connections",
    "  906543 requests in 5.00s, 70.02MB read",
    "Requests/sec: 181285.41",
    "Transfer/sec:     14.00MB",
  ].join("\n");
  assert.equal(parseWrkRequestsPerSecond(output), 181285.41);
  assert.throws(() => parseWrkRequestsPerSecond("nothing"), /expected a "Requests\/sec:" line/);
});

Deno.test("median() picks the middle value or the mean of the two middle values", () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
});
