// Renders reports in a real headless Chromium (reports/browser.ts) and asserts on the DOM it
// builds: with JavaScript (filters work, nothing injected runs, nothing is requested) and
// without (the core content is all there). Saves out/screenshots/conformance.png as an artifact.
// Skips with a message when Chromium is not installed; installs nothing itself.
import assert from "node:assert/strict";
import { join } from "node:path";
import { htmlPage } from "./_html.ts";
import { lineChart, percentileAxis } from "./_svg.ts";
import { ChromiumNotFoundError, findChromium, launchChromium, toFileUrl } from "./browser.ts";
import { renderHtml } from "./html.ts";
import { hostileCopy, runChecks } from "./testdata/conformance_run.ts";
import { REPO_ROOT } from "../suites/testdata/harness.ts";
import { browserTest, openReport, warnWhenNoChromium } from "./testdata/browser_harness.ts";
import type { ConformanceResult } from "../suites/result.ts";

warnWhenNoChromium("browser_test.ts", "the headless-Chromium tests");

/** Where the screenshot artifact goes (out/ is git-ignored). */
const SCREENSHOT = join(REPO_ROOT, "out", "screenshots", "conformance.png");

/** What the DOM of a conformance report holds, read in the page. */
interface ReportDom {
  rows: number;
  rowIds: string[];
  failing: { id: string; open: boolean; expected: string; actual: string; transcript: boolean }[];
  reqLinks: string[];
  coverageRows: number;
  toolbarShown: boolean;
  externalElements: number;
  styled: boolean;
}

const READ_DOM = `(() => {
  const rows = [...document.querySelectorAll("tr.check")];
  return {
    rows: rows.length,
    rowIds: rows.map((r) => r.querySelector("code.id").textContent),
    failing: rows.filter((r) => r.dataset.status === "fail").map((r) => {
      const d = r.querySelector("details.failure");
      return {
        id: r.querySelector("code.id").textContent,
        open: !!d && d.open && r.querySelector("details[open]") === d,
        expected: r.querySelector("pre.expected")?.innerText ?? "",
        actual: r.querySelector("pre.actual")?.innerText ?? "",
        transcript: !!r.querySelector("pre.transcript.failing") &&
          r.querySelector("pre.transcript.failing").getBoundingClientRect().height > 0,
      };
    }),
    reqLinks: [...document.querySelectorAll("tr.check a.req")].map((a) => a.href),
    coverageRows: document.querySelectorAll("#requirements tr.requirement").length,
    toolbarShown: getComputedStyle(document.getElementById("toolbar")).display !== "none",
    externalElements: document.querySelectorAll("link, script[src], img, iframe, object, embed, [style]").length,
    styled: getComputedStyle(document.querySelector(".badge.fail")).borderTopLeftRadius !== "0px",
  };
})()`;

function assertReport(dom: ReportDom, doc: ConformanceResult) {
  assert.equal(dom.rows, doc.checks.length, "a row per check");
  assert.deepEqual(dom.rowIds, doc.checks.map((c) => c.id), "in document order");
  const failed = doc.checks.filter((c) => c.status === "fail");
  assert.ok(failed.length > 0);
  assert.deepEqual(dom.failing.map((f) => f.id), failed.map((c) => c.id));
  for (const [i, f] of dom.failing.entries()) {
    assert.ok(f.open, `${f.id} is expanded`);
    assert.equal(f.expected, failed[i].expected, `${f.id} shows expected`);
    assert.equal(f.actual, failed[i].actual?.replace(/\r\n/g, "\n"), `${f.id} shows actual`);
    assert.ok(f.transcript, `${f.id} shows its failing exchange`);
  }
  const sources = new Set(doc.requirements.map((r) => new URL(r.link).href));
  assert.equal(dom.reqLinks.length, doc.checks.reduce((n, c) => n + c.requirements.length, 0));
  for (const href of dom.reqLinks) assert.ok(sources.has(href), `${href} is a requirement source`);
  assert.equal(dom.coverageRows, doc.requirements.length);
  assert.equal(dom.externalElements, 0, "no element that loads anything, no style attributes");
  assert.ok(dom.styled, "the inline stylesheet applies (its CSP hash matches)");
}

browserTest(
  "the HTML report renders in Chromium with a row per check, failures expanded, nothing requested",
  async (browser, dir) => {
    const doc = await runChecks({ defects: ["revoke-noop"] });
    const file = join(dir, "report.html");
    await Deno.writeTextFile(file, renderHtml(doc));
    const page = await openReport(browser, file);
    assertReport(await page.evaluate<ReportDom>(READ_DOM), doc);
    assert.deepEqual(page.requests, [toFileUrl(file)], "the page requested nothing but itself");
    assert.deepEqual(page.errors, [], "no script error, no CSP violation");
    assert.equal(await page.evaluate("document.getElementById('toolbar').hidden"), false);

    // Progressive niceties: the status filter and the search box.
    const visible =
      `[...document.querySelectorAll("tr.check")].filter((r) => r.getClientRects().length > 0).length`;
    await page.evaluate(`document.querySelector('button[data-filter="problem"]').click()`);
    assert.equal(await page.evaluate(visible), 3);
    await page.evaluate(`document.querySelector('button[data-filter="all"]').click()`);
    await page.evaluate(
      `(() => { const s = document.getElementById("search"); s.value = "revoke-pair"; s.dispatchEvent(new Event("input")); })()`,
    );
    assert.equal(await page.evaluate(visible), 1);
    assert.equal(
      await page.evaluate(`document.getElementById("shown").textContent`),
      `showing 1 of ${doc.checks.length}`,
    );
    await page.evaluate(
      `(() => { const s = document.getElementById("search"); s.value = ""; s.dispatchEvent(new Event("input")); })()`,
    );
    assert.equal(await page.evaluate(visible), doc.checks.length);

    const png = await page.screenshot(SCREENSHOT);
    assert.deepEqual(
      [...png.slice(0, 8)],
      [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
      "a PNG",
    );
    assert.ok((await Deno.stat(SCREENSHOT)).size > 10_000);
  },
);

browserTest(
  "the HTML report's core content is all there with JavaScript disabled",
  async (browser, dir) => {
    const doc = await runChecks({ defects: ["revoke-noop"] });
    const file = join(dir, "report.html");
    await Deno.writeTextFile(file, renderHtml(doc));
    const page = await openReport(browser, file, false);
    const dom = await page.evaluate<ReportDom>(READ_DOM);
    assertReport(dom, doc);
    assert.equal(dom.toolbarShown, false, "script-only controls stay hidden");
    assert.match(
      await page.evaluate<string>(`document.getElementById("verdict").innerText`),
      /FAILED\s+3 of 64 checks failed/i,
    );
    assert.deepEqual(page.requests, [toFileUrl(file)]);
  },
);

browserTest(
  "hostile markup from the target shows as text and neither runs nor loads",
  async (browser, dir) => {
    const doc = hostileCopy(await runChecks({ defects: ["revoke-noop"] }));
    const file = join(dir, "report.html");
    await Deno.writeTextFile(file, renderHtml(doc));
    const page = await openReport(browser, file);
    assert.equal(await page.evaluate("typeof window.__pwned"), "undefined");
    assert.equal(await page.evaluate(`document.querySelectorAll("script").length`), 1);
    assert.equal(
      await page.evaluate(
        `document.querySelectorAll("img, [onerror], [onmouseover], [onload]").length`,
      ),
      0,
    );
    assert.equal(
      await page.evaluate(`document.querySelectorAll('a[href^="javascript:"]').length`),
      0,
    );
    const failing = doc.checks.find((c) => c.status === "fail")!;
    const body = await page.evaluate<string>(
      `document.querySelector("#check-${failing.id} pre.transcript.failing").innerText`,
    );
    assert.ok(body.includes("<script>window.__pwned=1</script>"), "the body reads as text");
    assert.ok(body.includes("\\u202e"));
    assert.deepEqual(page.requests, [toFileUrl(file)], "the injected image was not requested");
    // The injected <b onmouseover> is text too: the title reads with its markup.
    const title = doc.checks.find((c) => c.status === "pass")!;
    assert.equal(
      await page.evaluate(`document.querySelector("#check-${title.id} .title").textContent`),
      title.title,
    );
    assert.equal(
      await page.evaluate(`document.querySelectorAll("tr.check").length`),
      doc.checks.length,
    );
  },
);

browserTest(
  "an inline SVG line chart renders its series with points inside the plot",
  async (browser, dir) => {
    const file = join(dir, "chart.html");
    const chart = lineChart({
      title: "Latency by percentile",
      id: "latency",
      x: percentileAxis(99.9),
      y: { label: "ms" },
      series: [
        { name: "corrected", points: [[1, 10], [10, 15], [100, 40], [1000, 90]] },
        { name: "uncorrected", points: [[1, 9], [10, 12], [100, 20], [1000, 30]], dashed: true },
      ],
    });
    await Deno.writeTextFile(
      file,
      htmlPage({ title: "chart", body: `<figure class="chart">${chart}</figure>` }),
    );
    const page = await openReport(browser, file);
    const info = await page.evaluate<
      { paths: number[]; lengths: number[]; circles: number; inside: boolean }
    >(`(() => {
    const svg = document.getElementById("latency");
    const box = svg.getBoundingClientRect();
    const paths = [...svg.querySelectorAll("path.series")];
    const circles = [...svg.querySelectorAll("circle.point")];
    return {
      paths: paths.map((p) => Number(p.dataset.points)),
      lengths: paths.map((p) => Math.round(p.getTotalLength())),
      circles: circles.length,
      inside: circles.every((c) => {
        const r = c.getBoundingClientRect();
        return r.left >= box.left && r.right <= box.right && r.top >= box.top && r.bottom <= box.bottom;
      }),
    };
  })()`);
    assert.deepEqual(info.paths, [4, 4]);
    assert.ok(info.lengths.every((l) => l > 100), `lines are drawn: ${info.lengths}`);
    assert.equal(info.circles, 8);
    assert.ok(info.inside, "every point lies inside the chart");
    assert.deepEqual(page.errors, []);
  },
);

// The harness itself, without a browser.

function env(vars: Record<string, string>) {
  return { get: (key: string) => vars[key] };
}

Deno.test("findChromium() prefers CHROMIUM_PATH, then the PATH, and gives up cleanly", async () => {
  const dir = await Deno.makeTempDir({ prefix: "find_chromium_" });
  try {
    const fake = join(dir, "chromium-browser");
    await Deno.writeTextFile(fake, "#!/bin/sh\n");
    assert.equal(findChromium(env({ CHROMIUM_PATH: fake, PATH: "" })), fake);
    assert.equal(findChromium(env({ CHROMIUM_PATH: join(dir, "missing") })), undefined);
    assert.equal(findChromium(env({ PATH: `/nonexistent:${dir}` })), fake);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("toFileUrl() makes absolute file URLs with special characters encoded", () => {
  assert.equal(toFileUrl("/tmp/a b/report #1.html"), "file:///tmp/a%20b/report%20%231.html");
  assert.ok(toFileUrl("out/report.html").startsWith("file:///"));
});

Deno.test("launchChromium() explains a missing executable and one that exits at once", async () => {
  await assert.rejects(
    launchChromium({ executable: "/nonexistent/chromium" }),
    (e) => e instanceof ChromiumNotFoundError && /apt-get install -y chromium/.test(e.message),
  );
  const dir = await Deno.makeTempDir({ prefix: "fake_chromium_" });
  try {
    const fake = join(dir, "chromium");
    await Deno.writeTextFile(fake, "#!/bin/sh\necho 'cannot open display' >&2\nexit 7\n");
    await Deno.chmod(fake, 0o755);
    await assert.rejects(launchChromium({ executable: fake, timeoutMs: 5_000 }), {
      message: `Cannot start Chromium (${fake}): it exited with code 7\n  cannot open display`,
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
