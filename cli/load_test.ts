import assert from "node:assert/strict";
import { join } from "node:path";
import { recordingIo, scriptDir, testServer } from "../load/_test_helpers.ts";
import { main } from "../main.ts";
import { UsageError } from "./errors.ts";
import { LoadFlags, parseEnvPairs, runLoadCommand } from "./load.ts";
import { parseFlags } from "./options.ts";

const SCRIPT = `
import http from "k6/http";
import { check, group } from "k6";
export const options = {
  scenarios: { s: { executor: "shared-iterations", vus: 2, iterations: 4 } },
  thresholds: {
    http_req_failed: ["rate<0.5"],
    "http_req_duration{name:home}": [__ENV.STRICT ? "p(95)<0" : "p(95)<5000"],
  },
};
export default async function () {
  const res = await http.get(__ENV.SMSGATE_URL + "/", { tags: { name: "home" } });
  check(res, { "status is 200": (r) => r.status === 200 });
  group("inner", () => { check(res, { "has body": (r) => r.body === "ok" }); });
}
`;

Deno.test("load writes the k6 summary-export JSON and the --out files", async () => {
  const server = testServer(() => new Response("ok"));
  const d = await scriptDir();
  try {
    const script = await d.write("s.ts", SCRIPT);
    const exportPath = join(d.dir, "nested", "summary.json");
    const out = join(d.dir, "out");
    const io = recordingIo();
    const code = await runLoadCommand(script, {
      target: server.url,
      username: "u",
      password: "p",
      summaryExport: exportPath,
      out,
    }, io);
    assert.equal(code, 0, io.err.join(""));
    const exported = JSON.parse(await Deno.readTextFile(exportPath));
    assert.deepEqual(Object.keys(exported).sort(), ["metrics", "root_group"]);
    assert.equal(exported.root_group.id, "d41d8cd98f00b204e9800998ecf8427e");
    assert.deepEqual(exported.root_group.checks["status is 200"], {
      name: "status is 200",
      path: "::status is 200",
      id: exported.root_group.checks["status is 200"].id,
      passes: 4,
      fails: 0,
    });
    assert.equal(exported.root_group.groups.inner.checks["has body"].passes, 4);
    assert.equal(exported.metrics.http_reqs.count, 4);
    assert.equal(typeof exported.metrics.http_reqs.rate, "number");
    assert.deepEqual(Object.keys(exported.metrics.checks).sort(), ["fails", "passes", "value"]);
    assert.deepEqual(exported.metrics.http_req_failed.thresholds, { "rate<0.5": false });
    assert.deepEqual(
      Object.keys(exported.metrics["http_req_duration{name:home}"]).sort(),
      ["avg", "max", "med", "min", "p(90)", "p(95)", "thresholds"],
    );
    const doc = JSON.parse(await Deno.readTextFile(join(out, "load-result.json")));
    assert.equal(doc.schemaVersion, 1);
    assert.equal(doc.kind, "load");
    assert.equal(doc.exitCode, 0);
    assert.equal(doc.target.embedded, false);
    assert.ok(Array.isArray(doc.timeline) && doc.timeline.length >= 1);
    assert.deepEqual(
      JSON.parse(await Deno.readTextFile(join(out, "load-summary.json"))),
      exported,
    );
    assert.match(await Deno.readTextFile(join(out, "load-summary.txt")), /THRESHOLDS/);
    const stdout = io.out.join("");
    assert.match(stdout, /scenarios: 1 scenario, 2 max VUs/);
    assert.match(stdout, /✓ 'p\(95\)<5000'/);
    assert.match(stdout, /✓ status is 200/);
  } finally {
    await d.cleanup();
    await server.close();
  }
});

Deno.test("load exits 99 and names the metrics when a threshold fails", async () => {
  const server = testServer(() => new Response("ok"));
  const d = await scriptDir();
  try {
    const script = await d.write("s.ts", SCRIPT);
    const io = recordingIo();
    const code = await runLoadCommand(script, {
      target: server.url,
      username: "u",
      password: "p",
      env: ["STRICT=1"],
    }, io);
    assert.equal(code, 99);
    assert.match(io.out.join(""), /✗ 'p\(95\)<0'/);
    assert.match(
      io.err.join(""),
      /error: thresholds on metrics 'http_req_duration\{name:home\}' have been crossed/,
    );
  } finally {
    await d.cleanup();
    await server.close();
  }
});

Deno.test("load runs against the embedded reference server and passes its target in __ENV", async () => {
  const d = await scriptDir();
  try {
    const script = await d.write(
      "s.ts",
      `
import http from "k6/http";
import { check } from "k6";
export const options = { scenarios: { s: { executor: "shared-iterations", iterations: 1 } } };
export default async function () {
  const res = await http.get(__ENV.SMSGATE_URL + "/health");
  check(res, {
    "embedded server": (r) => r.status === 200 && __ENV.SMSGATE_URL.startsWith("http://127.0.0.1:"),
    "credentials": () => __ENV.SMSGATE_USERNAME.length > 0 && __ENV.SMSGATE_PASSWORD.length > 0,
    "-e wins": () => __ENV.EXTRA === "a=b",
  });
}
`,
    );
    const io = recordingIo();
    const code = await runLoadCommand(script, { env: ["EXTRA=a=b"] }, io);
    assert.equal(code, 0, io.err.join("") + io.out.join(""));
    assert.match(io.out.join(""), /embedded reference server, profile server/);
    assert.match(io.out.join(""), /✓ embedded server\n.*✓ credentials\n.*✓ -e wins/s);
  } finally {
    await d.cleanup();
  }
});

Deno.test("load refuses the public cloud without --i-own-this-load (exit 2)", async () => {
  const errors: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => errors.push(args.join(" "));
  try {
    const code = await main([
      "load",
      "load/scripts/send.ts",
      "--target",
      "https://api.sms-gate.app/3rdparty/v1",
      "--username",
      "u",
      "--password",
      "p",
    ]);
    assert.equal(code, 2);
    assert.ok(
      errors.some((e) => /Cannot send load to api\.sms-gate\.app: .*--i-own-this-load/.test(e)),
      errors.join("\n"),
    );
    const viaEnv = await main([
      "load",
      "load/scripts/send.ts",
      "-e",
      "SMSGATE_URL=https://API.sms-gate.app/3rdparty/v1",
      "-e",
      "SMSGATE_USERNAME=u",
      "-e",
      "SMSGATE_PASSWORD=p",
    ]);
    assert.equal(viaEnv, 2);
  } finally {
    console.error = original;
  }
});

Deno.test("load reports usage errors for bad flags and scripts (exit 2)", async () => {
  const io = recordingIo();
  await assert.rejects(
    runLoadCommand("load/scripts/send.ts", { maxDuration: "1s" }, io),
    (e: unknown) =>
      e instanceof UsageError && /more than the 1s cap.*--max-duration/.test(e.message),
  );
  await assert.rejects(
    runLoadCommand("nope/missing.ts", {}, io),
    (e: unknown) =>
      e instanceof UsageError &&
      /Cannot read script nope\/missing.ts: no such file/.test(e.message),
  );
  await assert.rejects(
    runLoadCommand(
      "load/scripts/send.ts",
      { target: "http://127.0.0.1:9", username: "u", password: "p", profile: "local" },
      io,
    ),
    (e: unknown) => e instanceof UsageError && /Cannot use --profile with a target/.test(e.message),
  );
});

Deno.test("parseEnvPairs() reads KEY=VALUE pairs and rejects malformed ones", () => {
  assert.deepEqual(parseEnvPairs(["A=1", "B_2=x=y", "C="]), { A: "1", B_2: "x=y", C: "" });
  assert.throws(() => parseEnvPairs(["novalue"]), /Cannot parse -e "novalue": expected KEY=VALUE/);
  assert.throws(() => parseEnvPairs(["1A=x"]), UsageError);
});

/** Thread priorities are set on Linux only. */
const _linux = Deno.build.os === "linux";

Deno.test("load runs one worker thread per core by default, at nice 19 on a loopback target", async () => {
  const d = await scriptDir();
  try {
    const script = await d.write(
      "s.ts",
      `
import { check } from "k6";
import exec from "k6/execution";
import os from "node:os";
export const options = { scenarios: { s: { executor: "per-vu-iterations", vus: 4, iterations: 2 } } };
export default function () {
  check(os.getPriority(), { "priority": (p) => p === Number(__ENV.NICE) });
  check(exec.vu.idInTest, { "VU ids 1-4": (id) => id >= 1 && id <= 4 });
}
`,
    );
    const cores = navigator.hardwareConcurrency;
    const byDefault = recordingIo();
    const code = await runLoadCommand(
      script,
      { env: [`NICE=${cores > 1 && _linux ? 19 : 0}`] },
      byDefault,
    );
    const out = byDefault.out.join("");
    assert.equal(code, 0, byDefault.err.join("") + out);
    if (cores > 1) {
      assert.match(
        out,
        new RegExp(
          `execution: local, ${
            Math.min(cores, 4)
          } worker threads \\(execution segments\\), nice 19`,
        ),
      );
    }
    assert.match(out, /✓ priority\n.*✓ VU ids 1-4/s);

    const chosen = recordingIo();
    assert.equal(
      await runLoadCommand(
        script,
        { env: [`NICE=${_linux ? 3 : 0}`], workers: 2, workerNice: 3 },
        chosen,
      ),
      0,
    );
    assert.match(chosen.out.join(""), /2 worker threads \(execution segments\), nice 3/);
    assert.match(chosen.out.join(""), /✓ priority/);

    const single = recordingIo();
    assert.equal(await runLoadCommand(script, { env: ["NICE=0"], workers: 1 }, single), 0);
    assert.match(single.out.join(""), /execution: local, 1 thread\n/);
  } finally {
    await d.cleanup();
  }
});

Deno.test("load validates --workers and --worker-nice", () => {
  assert.deepEqual(
    parseFlags(LoadFlags, { env: [], workers: "auto", workerNice: "0" }),
    { env: [], workers: "auto", workerNice: 0 },
  );
  assert.equal(parseFlags(LoadFlags, { env: [], workers: "3" }).workers, 3);
  assert.throws(
    () => parseFlags(LoadFlags, { env: [], workers: "many" }),
    (e: unknown) => e instanceof UsageError && /--workers/.test(e.message),
  );
  assert.throws(
    () => parseFlags(LoadFlags, { env: [], workerNice: "20" }),
    (e: unknown) => e instanceof UsageError && /--worker-nice.*0 to 19/.test(e.message),
  );
});
