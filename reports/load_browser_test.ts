// Renders the load report of a real short run (constant-arrival-rate against a loopback server
// answering some requests 401 and 500, reports/testdata/load_run.ts) in a real headless Chromium
// (reports/browser.ts) and asserts on the DOM it builds: thresholds with the failing one marked,
// the metrics table, every chart drawn with points inside it, two distribution series, with and
// without JavaScript, nothing requested, nothing injected run. Saves out/screenshots/load.png
// as an artifact. Skips with a message when Chromium is not installed; installs nothing itself.
import assert from "node:assert/strict";
import { join } from "node:path";
import { toFileUrl } from "./browser.ts";
import { renderLoadHtml, timelineBuckets } from "./load_html.ts";
import { hostileLoadCopy, type LoadRunDocument, runFlakyLoad } from "./testdata/load_run.ts";
import { REPO_ROOT } from "../suites/testdata/harness.ts";
import { browserTest, openReport, warnWhenNoChromium } from "./testdata/browser_harness.ts";

warnWhenNoChromium("load_browser_test.ts", "the headless-Chromium tests of the load report");

/** Where the screenshot artifact goes (out/ is git-ignored). */
const SCREENSHOT = join(REPO_ROOT, "out", "screenshots", "load.png");

let flakyRun: LoadRunDocument | undefined;
async function flaky(): Promise<LoadRunDocument> {
  flakyRun ??= (await runFlakyLoad({ duration: "2s" })).doc;
  return structuredClone(flakyRun);
}

/** A chart as the browser lays it out. */
interface ChartDom {
  id: string;
  series: { name: string; points: number; length: number }[];
  circles: number;
  inside: boolean;
  width: number;
}

/** What the DOM of a load report holds, read in the page. */
interface LoadDom {
  verdict: string;
  thresholds: { metric: string; expr: string; ok: string; badge: string; observed: string }[];
  failColor: string;
  passColor: string;
  metricRows: number;
  sections: string[];
  checks: { name: string; ok: string }[];
  charts: ChartDom[];
  distributionTable: number;
  externalElements: number;
  scripts: number;
  styled: boolean;
}

const READ_DOM = `(() => {
  const chart = (svg) => {
    const box = svg.getBoundingClientRect();
    const circles = [...svg.querySelectorAll("circle.point")];
    return {
      id: svg.id,
      series: [...svg.querySelectorAll("path.series")].map((p) => ({
        name: p.dataset.series,
        points: Number(p.dataset.points),
        length: Math.round(p.getTotalLength()),
      })),
      circles: circles.length,
      inside: circles.every((c) => {
        const r = c.getBoundingClientRect();
        return r.left >= box.left - 0.5 && r.right <= box.right + 0.5 && r.top >= box.top - 0.5 &&
          r.bottom <= box.bottom + 0.5;
      }),
      width: Math.round(box.width),
    };
  };
  const rows = [...document.querySelectorAll("#thresholds tr.threshold")];
  const observed = (sel) => {
    const el = document.querySelector(sel);
    return el ? getComputedStyle(el).color : "";
  };
  return {
    verdict: document.getElementById("verdict").innerText,
    thresholds: rows.map((r) => ({
      metric: r.querySelector("code.metric").textContent,
      expr: r.querySelector("code.expr").textContent,
      ok: r.dataset.ok,
      badge: r.querySelector(".badge").innerText,
      observed: r.querySelector("td.observed").innerText,
    })),
    failColor: observed("tr.threshold.fail td.observed"),
    passColor: observed("tr.threshold.pass td.observed"),
    metricRows: document.querySelectorAll("#metrics tr.metric").length,
    sections: [...document.querySelectorAll("#metrics tbody.section")].map((t) => t.dataset.section),
    checks: [...document.querySelectorAll("#checks tr.check")].map((r) => ({
      name: r.querySelector("td.name").textContent,
      ok: r.dataset.ok,
    })),
    charts: [...document.querySelectorAll("figure.chart svg.line-chart")].map(chart),
    distributionTable: document.querySelectorAll("table.distribution tbody tr").length,
    externalElements: document.querySelectorAll("link, script, img, iframe, object, embed, [style]").length,
    scripts: document.scripts.length,
    styled: getComputedStyle(document.querySelector(".badge.fail")).borderTopLeftRadius !== "0px",
  };
})()`;

function assertLoadReport(dom: LoadDom, doc: LoadRunDocument) {
  assert.match(dom.verdict, /THRESHOLDS FAILED\s+1 of 4 thresholds failed \(http_req_failed\)/i);
  assert.equal(dom.thresholds.length, doc.summary.thresholds.length, "a row per threshold");
  const failing = dom.thresholds.filter((t) => t.ok === "false");
  assert.deepEqual(failing.map((t) => [t.metric, t.expr, t.badge.toLowerCase()]), [
    ["http_req_failed", "rate<0.05", "fail"],
  ]);
  assert.match(failing[0].observed, /^rate=\d+\.\d\d%$/);
  assert.notEqual(dom.failColor, dom.passColor, "the failing value is coloured");
  assert.ok(dom.thresholds.filter((t) => t.ok === "true").every((t) => t.badge === "PASS"));

  const metrics = Object.keys(doc.summary.metrics).filter((n) => !n.startsWith("checks"));
  assert.equal(dom.metricRows, metrics.length, "a row per metric and sub-metric");
  assert.deepEqual(dom.sections, ["CUSTOM", "HTTP", "EXECUTION", "NETWORK"]);
  assert.deepEqual(dom.checks, [
    { name: "status is 200", ok: "false" },
    { name: "answers JSON", ok: "true" },
  ]);

  const byId = new Map(dom.charts.map((c) => [c.id, c]));
  assert.deepEqual([...byId.keys()], [
    "chart-requests",
    "chart-latency",
    "chart-vus",
    "chart-errors",
    "chart-distribution",
  ]);
  const seconds = timelineBuckets(doc.timeline, doc.summary.durationMs / 1000).buckets.length;
  assert.ok(seconds >= 2, `${seconds} points in time`);
  for (const id of ["chart-requests", "chart-latency", "chart-vus", "chart-errors"]) {
    const c = byId.get(id)!;
    assert.ok(c.series.length > 0, `${id} has series`);
    for (const s of c.series) {
      assert.equal(s.points, seconds, `${id} ${s.name} has a point per second of the run`);
      assert.ok(s.length > 20, `${id} ${s.name} is drawn (${s.length}px)`);
    }
    assert.equal(c.circles, c.series.length * seconds, `${id} marks its points`);
    assert.ok(c.inside, `${id}: every point lies inside the chart`);
    assert.ok(c.width > 400, `${id} is ${c.width}px wide`);
  }
  assert.deepEqual(byId.get("chart-errors")!.series.map((s) => s.name), [
    "status 401",
    "status 500",
  ]);
  const dist = byId.get("chart-distribution")!;
  assert.deepEqual(dist.series.map((s) => s.name), ["corrected (intended start)", "uncorrected"]);
  for (const s of dist.series) {
    assert.ok(s.points > 10, `${s.name}: ${s.points} points`);
    assert.ok(s.length > 300, `${s.name} is drawn (${s.length}px)`);
  }
  assert.ok(dom.distributionTable > 10, "the points are in a table too");
  assert.equal(dom.externalElements, 0, "nothing that loads anything, no style attributes");
  assert.equal(dom.scripts, 0, "no script");
  assert.ok(dom.styled, "the inline stylesheet applies (its CSP hash matches)");
}

browserTest(
  "the load report renders in Chromium: thresholds, metrics, charts with points, nothing requested",
  async (browser, dir) => {
    const doc = await flaky();
    const file = join(dir, "load-report.html");
    await Deno.writeTextFile(file, renderLoadHtml(doc));
    const page = await openReport(browser, file);
    assertLoadReport(await page.evaluate<LoadDom>(READ_DOM), doc);
    assert.deepEqual(page.requests, [toFileUrl(file)], "the page requested nothing but itself");
    assert.deepEqual(page.errors, [], "no error, no CSP violation");
    // The folded points open like any <details>.
    assert.equal(await page.evaluate(`document.querySelector("details.points").open`), false);
    const png = await page.screenshot(SCREENSHOT);
    assert.deepEqual(
      [...png.slice(0, 8)],
      [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
      "a PNG",
    );
    assert.ok((await Deno.stat(SCREENSHOT)).size > 20_000);
  },
);

browserTest(
  "the load report's core content is all there with JavaScript disabled",
  async (browser, dir) => {
    const doc = await flaky();
    const file = join(dir, "load-report.html");
    await Deno.writeTextFile(file, renderLoadHtml(doc));
    const page = await openReport(browser, file, false);
    assertLoadReport(await page.evaluate<LoadDom>(READ_DOM), doc);
    assert.deepEqual(page.requests, [toFileUrl(file)]);
  },
);

browserTest(
  "hostile names in a load report show as text and neither run nor load",
  async (browser, dir) => {
    const doc = hostileLoadCopy(await flaky());
    const file = join(dir, "load-report.html");
    await Deno.writeTextFile(file, renderLoadHtml(doc));
    const page = await openReport(browser, file);
    assert.equal(await page.evaluate("typeof window.__pwned"), "undefined");
    assert.equal(
      await page.evaluate(`document.querySelectorAll("script, img, [onerror]").length`),
      0,
    );
    const check = await page.evaluate<string>(
      `document.querySelector("#checks tr.check td.name").textContent`,
    );
    assert.ok(check.startsWith("c</td></tr></table><script>window.__pwned=1</script><img"), check);
    const legend = await page.evaluate<string[]>(
      `[...document.querySelectorAll("#chart-errors .legend-item text")].map((t) => t.textContent)`,
    );
    assert.ok(legend.some((l) => l.includes("<script>window.__pwned=1</script>")), `${legend}`);
    assert.equal(
      await page.evaluate(`document.querySelectorAll("#thresholds tr.threshold").length`),
      doc.summary.thresholds.length,
    );
    assert.deepEqual(page.requests, [toFileUrl(file)], "the injected image was not requested");
    assert.deepEqual(page.errors, []);
  },
);
