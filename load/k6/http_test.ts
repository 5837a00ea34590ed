import assert from "node:assert/strict";
import { closedPort, runScript, testServer } from "../_test_helpers.ts";
import { LoadConfigError, LoadExitCode } from "../runner.ts";

const IMPORTS = `
import http from "k6/http";
import { check } from "k6";
`;
const ONCE =
  `export const options = { scenarios: { s: { executor: "shared-iterations", iterations: 1 } } };`;

function _server() {
  let flip = false;
  return testServer(async (req) => {
    const url = new URL(req.url);
    switch (url.pathname) {
      case "/flip": // 200, 404, 200, ...
        flip = !flip;
        return new Response("", { status: flip ? 200 : 404 });
      case "/json":
        return Response.json({ a: { b: [10, 20] }, x: "y" }, { headers: { "x-total-count": "2" } });
      case "/missing":
        return new Response("nope", { status: 404 });
      case "/slow":
        await new Promise((r) => setTimeout(r, 400));
        return new Response("late");
      case "/echo":
        return new Response(
          JSON.stringify({
            method: req.method,
            type: req.headers.get("content-type"),
            body: await req.text(),
          }),
        );
      default:
        return new Response("ok");
    }
  });
}

Deno.test("http requests record k6's metrics with tags, and responses read like k6's", async () => {
  const server = _server();
  try {
    const r = await runScript(
      `${IMPORTS}${ONCE}
export default async function () {
  const res = await http.asyncRequest("GET", __ENV.URL + "/json", null, { tags: { name: "doc" } });
  check(res, {
    "status": (r) => r.status === 200 && r.status_text === "200 OK" && r.proto === "HTTP/1.1",
    "json": (r) => r.json("a.b.1") === 20 && r.json().x === "y" && r.json("nope.deeper") === null,
    "headers": (r) => r.headers["Content-Type"] === "application/json" && r.headers["X-Total-Count"] === "2",
    "body": (r) => typeof r.body === "string" && r.body.includes('"x":"y"'),
    "timings": (r) => r.timings.duration >= 0 && r.timings.duration === r.timings.sending + r.timings.waiting + r.timings.receiving,
    "no error": (r) => r.error === "" && r.error_code === 0 && r.url.endsWith("/json"),
  });
  const bin = await http.get(__ENV.URL + "/json", { responseType: "binary" });
  const none = await http.get(__ENV.URL + "/json", { responseType: "none" });
  check(null, { "body types": () => bin.body instanceof ArrayBuffer && none.body === null });
  const posted = await http.post(__ENV.URL + "/echo", { a: "1", b: "two words" });
  check(posted, { "form body": (r) => r.json("type") === "application/x-www-form-urlencoded" && r.json("body") === "a=1&b=two+words" });
  const deleted = await http.del(__ENV.URL + "/echo", "raw", { headers: { "Content-Type": "text/plain" } });
  check(deleted, { "del": (r) => r.json("method") === "DELETE" && r.json("body") === "raw" });
  const named = await http.get(http.url\`\${__ENV.URL}/item/\${42}\`);
  check(named, { "url template": (r) => r.status === 200 });
}
`,
      {
        env: { URL: server.url },
      },
    );
    assert.equal(r.exitCode, 0, r.logs.join("\n"));
    for (const c of r.summary.rootGroup.checks) assert.equal(c.fails, 0, c.name);
    const m = r.summary.metrics;
    assert.equal(m.http_reqs.values.count, 6);
    for (
      const name of [
        "http_req_duration",
        "http_req_blocked",
        "http_req_connecting",
        "http_req_tls_handshaking",
        "http_req_sending",
        "http_req_waiting",
        "http_req_receiving",
      ]
    ) {
      assert.equal(m[name].values.avg >= 0, true, name);
    }
    assert.equal(m.http_req_failed.values.rate, 0);
    assert.ok(m.data_sent.values.count > 0 && m.data_received.values.count > 0);
  } finally {
    await server.close();
  }
});

Deno.test("http tags samples with name, method, status and the url template's name", async () => {
  const server = _server();
  try {
    const r = await runScript(
      `${IMPORTS}
export const options = {
  scenarios: { s: { executor: "shared-iterations", iterations: 2 } },
  thresholds: {
    "http_reqs{name:doc}": ["count==2"],
    "http_reqs{method:POST,status:200}": ["count==2"],
    "http_reqs{name:\${}/item/\${}}": ["count==2"],
    "http_reqs{scenario:s}": ["count==6"],
    "http_req_duration{expected_response:true}": ["max<5000"],
  },
};
export default async function () {
  await http.get(__ENV.URL + "/json", { tags: { name: "doc" } });
  await http.post(__ENV.URL + "/echo", "x");
  await http.get(http.url\`\${__ENV.URL}/item/\${__ITER}\`);
}
`,
      { env: { URL: server.url } },
    );
    assert.equal(r.exitCode, 0, JSON.stringify(r.thresholds));
  } finally {
    await server.close();
  }
});

Deno.test("the same request tags each sample with its own status and the VU's current tags", async () => {
  // The tags of a repeated request are cached: a different status, method or VU tag is a miss.
  const server = _server();
  try {
    const r = await runScript(
      `${IMPORTS}
import exec from "k6/execution";
export const options = {
  scenarios: { s: { executor: "shared-iterations", iterations: 1 } },
  thresholds: {
    "http_reqs{status:200,method:GET}": ["count==3"],
    "http_reqs{status:404}": ["count==2"],
    "http_reqs{method:HEAD}": ["count==1"],
    "http_reqs{status:200,phase:b}": ["count==1"],
  },
};
export default async function () {
  for (let i = 0; i < 4; i++) await http.get(__ENV.URL + "/flip");
  await http.head(__ENV.URL + "/");
  exec.vu.tags.phase = "b";
  await http.get(__ENV.URL + "/");
}
`,
      { env: { URL: server.url } },
    );
    assert.equal(r.exitCode, 0, JSON.stringify(r.thresholds));
  } finally {
    await server.close();
  }
});

Deno.test("a refused connection gives status 0 and error code 1212, and counts as failed", async () => {
  const port = closedPort();
  const r = await runScript(
    `${IMPORTS}
export const options = {
  scenarios: { s: { executor: "shared-iterations", iterations: 1 } },
  thresholds: { "http_reqs{error_code:1212}": ["count==1"], http_req_failed: ["rate==1"] },
};
export default async function () {
  const res = await http.get("http://127.0.0.1:${port}/");
  check(res, {
    "status 0": (r) => r.status === 0,
    "k6 error code": (r) => r.error_code === 1212 && /refused/.test(r.error),
  });
}
`,
  );
  assert.equal(r.exitCode, 0, JSON.stringify({ t: r.thresholds, logs: r.logs }));
  for (const c of r.summary.rootGroup.checks) assert.equal(c.fails, 0, c.name);
  assert.ok(r.logs.some((l) => /Request Failed .*error_code=1212/.test(l)), r.logs.join("\n"));
});

Deno.test("a request past its timeout gives status 0 and error code 1050", async () => {
  const server = _server();
  try {
    const r = await runScript(
      `${IMPORTS}${ONCE}
export default async function () {
  const res = await http.get(__ENV.URL + "/slow", { timeout: "100ms" });
  check(res, { "timed out": (r) => r.status === 0 && r.error_code === 1050 });
}
`,
      { env: { URL: server.url } },
    );
    assert.equal(r.exitCode, 0);
    assert.deepEqual(r.summary.rootGroup.checks, [{ name: "timed out", passes: 1, fails: 0 }]);
  } finally {
    await server.close();
  }
});

Deno.test("expectedStatuses and setResponseCallback decide http_req_failed and expected_response", async () => {
  const server = _server();
  try {
    const r = await runScript(
      `${IMPORTS}
http.setResponseCallback(http.expectedStatuses(200, { min: 404, max: 404 }));
export const options = {
  scenarios: { s: { executor: "shared-iterations", iterations: 1 } },
  thresholds: {
    "http_req_failed{name:missing}": ["rate==0"],
    "http_req_failed{name:strict}": ["rate==1"],
    "http_reqs{expected_response:false}": ["count==1"],
    "http_reqs{name:untracked}": ["count==1"],
  },
};
export default async function () {
  await http.get(__ENV.URL + "/missing", { tags: { name: "missing" } });
  await http.get(__ENV.URL + "/", { tags: { name: "strict" }, responseCallback: http.expectedStatuses(201) });
  await http.get(__ENV.URL + "/missing", { tags: { name: "untracked" }, responseCallback: null });
}
`,
      { env: { URL: server.url } },
    );
    assert.equal(r.exitCode, 0, JSON.stringify(r.thresholds));
    // The request without a callback records no http_req_failed sample.
    const failed = r.summary.metrics.http_req_failed.values;
    assert.equal(failed.passes + failed.fails, 2);
  } finally {
    await server.close();
  }
});

Deno.test("requests from the init context are refused", async () => {
  await assert.rejects(
    runScript(
      `${IMPORTS}\nawait http.get("http://127.0.0.1:9/");\nexport default function () {}\n`,
    ),
    (e: unknown) => e instanceof LoadConfigError && /in the init context/.test(e.message),
  );
});

Deno.test("requests to the public cloud stop the run (exit 2) unless it is allowed", async () => {
  const source = `${IMPORTS}${ONCE}
export default async function () { await http.get("https://api.sms-gate.app/3rdparty/v1/health"); }
`;
  const r = await runScript(source);
  assert.equal(r.exitCode, LoadExitCode.usage);
  assert.match(r.abortReason ?? "", /Cannot send load to api\.sms-gate\.app.*--i-own-this-load/);
  assert.equal(r.summary.metrics.http_reqs, undefined);
});
