import assert from "node:assert/strict";
import {
  formatTick,
  lineChart,
  logTicks,
  niceTicks,
  PALETTE,
  percentileAxis,
  stackedBar,
} from "./_svg.ts";

function attrs(svg: string, element: string, attr: string): string[] {
  return [...svg.matchAll(new RegExp(`<${element}\\b[^>]*\\s${attr}="([^"]*)"`, "g"))].map((m) =>
    m[1]
  );
}

function texts(svg: string): string[] {
  return [...svg.matchAll(/<text\b[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
}

Deno.test("niceTicks() covers the range with steps of 1, 2, 2.5 or 5 times a power of ten", () => {
  assert.deepEqual(niceTicks(0, 10), [0, 2, 4, 6, 8, 10]);
  assert.deepEqual(niceTicks(0, 97), [0, 20, 40, 60, 80, 100]);
  assert.deepEqual(niceTicks(3, 27), [0, 5, 10, 15, 20, 25, 30]);
  assert.deepEqual(niceTicks(0.001, 0.0049), [0.001, 0.002, 0.003, 0.004, 0.005]);
  assert.deepEqual(niceTicks(-5, 5), [-6, -4, -2, 0, 2, 4, 6]);
  assert.deepEqual(niceTicks(0, 0), [0, 1]);
  assert.deepEqual(niceTicks(10, 10), [4, 6, 8, 10, 12, 14, 16]);
  assert.deepEqual(niceTicks(0, Infinity), []);
});

Deno.test("logTicks() gives the powers of ten around the range", () => {
  assert.deepEqual(logTicks(3, 2000), [1, 10, 100, 1000, 10000]);
  assert.deepEqual(logTicks(0.02, 0.5), [0.01, 0.1, 1]);
  assert.deepEqual(logTicks(0, 10), []);
});

Deno.test("formatTick() writes compact numbers", () => {
  assert.deepEqual(
    [0, 0.25, 0.001234, 1.5, 12, 250, 1200, 15000, 2_500_000, 3e9].map(formatTick),
    ["0", "0.25", "0.0012", "1.5", "12", "250", "1200", "15k", "2.5M", "3G"],
  );
});

Deno.test("percentileAxis() puts 90%, 99%, 99.9% at powers of ten on a log scale", () => {
  const axis = percentileAxis(99.99);
  assert.equal(axis.scale, "log");
  assert.deepEqual(axis.ticks, [1, 10, 100, 1000, 10000]);
  assert.deepEqual(axis.ticks!.map(axis.format!), ["0%", "90%", "99%", "99.9%", "99.99%"]);
});

Deno.test("lineChart() draws one path per series with its points, markers, legend and axes", () => {
  const svg = lineChart({
    title: "Requests per second",
    description: "two series",
    x: { label: "time (s)" },
    y: { label: "req/s" },
    series: [
      { name: "2xx", points: [[0, 10], [1, 20], [2, 15], [3, 30]] },
      { name: "5xx", points: [[0, 0], [1, 1], [2, null], [3, 2]], dashed: true, color: "#123456" },
    ],
  });
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" class="line-chart" role="img"/);
  assert.match(svg, /<title>Requests per second<\/title><desc>two series<\/desc>/);
  assert.deepEqual(attrs(svg, "path", "data-series"), ["2xx", "5xx"]);
  assert.deepEqual(attrs(svg, "path", "data-points"), ["4", "3"]);
  const [d1, d2] = attrs(svg, "path", "d");
  assert.equal(d1.match(/M/g)?.length, 1, "one continuous line");
  assert.equal(d2.match(/M/g)?.length, 2, "a null breaks the line");
  assert.equal(attrs(svg, "circle", "cx").length, 7, "a marker per drawn point");
  assert.deepEqual(attrs(svg, "path", "stroke"), [PALETTE[0], "#123456"]);
  assert.match(svg, /stroke="#123456" stroke-width="1\.8"[^>]*stroke-dasharray="5 4"/);
  const labels = texts(svg);
  for (const label of ["2xx", "5xx", "time (s)", "req/s", "0", "30", "3"]) {
    assert.ok(labels.includes(label), `text "${label}" in ${labels.join("|")}`);
  }
  assert.ok(!svg.includes("style="), "no style attributes (the page's CSP forbids them)");
});

Deno.test("lineChart() maps values into the plot area, higher values higher up", () => {
  const svg = lineChart({
    title: "t",
    width: 400,
    height: 200,
    series: [{ name: "s", points: [[0, 0], [10, 100]] }],
  });
  const cx = attrs(svg, "circle", "cx").map(Number);
  const cy = attrs(svg, "circle", "cy").map(Number);
  assert.ok(cx[0] < cx[1] && cx[0] > 0 && cx[1] <= 400);
  assert.ok(cy[0] > cy[1] && cy[1] >= 0 && cy[0] <= 200);
});

Deno.test("lineChart() leaves out points a log axis cannot show and says when nothing is left", () => {
  const svg = lineChart({
    title: "latency",
    x: percentileAxis(99.9),
    y: { scale: "log" },
    series: [{ name: "p", points: [[1, 5], [10, 0], [100, 40], [1000, 900]] }],
  });
  assert.deepEqual(attrs(svg, "path", "data-points"), ["3"]);
  assert.ok(texts(svg).includes("99.9%"));
  const empty = lineChart({ title: "e", series: [{ name: "none", points: [] }] });
  assert.match(empty, /<text class="no-data"[^>]*>no data<\/text>/);
  assert.deepEqual(attrs(empty, "path", "data-points"), ["0"]);
});

Deno.test("lineChart() hides markers on long series unless asked and escapes every text", () => {
  const long = Array.from({ length: 100 }, (_, i) => [i, i % 7] as const);
  const svg = lineChart({
    title: `<script>alert(1)</script>`,
    x: { label: `"x" & <y>` },
    series: [{ name: `</text><script>`, points: long, color: `red" onload="x` }],
  });
  assert.equal(attrs(svg, "circle", "cx").length, 0);
  assert.equal(
    attrs(
      lineChart({ title: "m", markers: true, series: [{ name: "l", points: long }] }),
      "circle",
      "cx",
    )
      .length,
    100,
  );
  assert.ok(!svg.includes("<script"));
  assert.ok(!svg.includes(`onload="x`));
  assert.match(svg, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.match(svg, /&quot;x&quot; &amp; &lt;y&gt;/);
});

Deno.test("stackedBar() draws proportional segments with tooltips and skips empty ones", () => {
  const svg = stackedBar([
    { label: "passed", value: 3, color: "#0a0" },
    { label: "failed", value: 0, color: "#a00" },
    { label: "skipped", value: 1, color: "#999" },
  ], { title: "Checks", width: 400, height: 10 });
  assert.deepEqual(attrs(svg, "rect", "width"), ["300", "100"]);
  assert.deepEqual(attrs(svg, "rect", "x"), ["0", "300"]);
  assert.match(svg, /<title>passed: 3<\/title>/);
  assert.doesNotMatch(svg, /failed: 0/);
  const empty = stackedBar([], { title: "none" });
  assert.equal(attrs(empty, "rect", "width").length, 1, "a neutral bar when there is nothing");
});
