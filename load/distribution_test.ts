import assert from "node:assert/strict";
import {
  distributionPoints,
  latencyDistribution,
  MAX_DISTRIBUTION_POINTS,
  type PercentilePoint,
} from "./distribution.ts";
import { HTTP_REQ_DURATION, HTTP_REQ_LATENCY_INTENDED, MetricsRegistry } from "./metrics.ts";

function withRegistry(fn: (r: MetricsRegistry) => void) {
  const r = new MetricsRegistry({ now: () => 0 });
  r.defineBuiltins();
  try {
    fn(r);
  } finally {
    r.destroy();
  }
}

function assertMonotonic(points: PercentilePoint[]) {
  for (let i = 1; i < points.length; i++) {
    assert.ok(points[i][0] > points[i - 1][0], `percentiles rise at ${i}`);
    assert.ok(points[i][1] >= points[i - 1][1], `values do not fall at ${i}`);
  }
}

Deno.test("latencyDistribution() gives http_req_duration only when nothing was corrected", () => {
  withRegistry((r) => {
    const d = r.get(HTTP_REQ_DURATION)!;
    for (let i = 1; i <= 1000; i++) d.add(i);
    const dist = latencyDistribution(r);
    assert.deepEqual(Object.keys(dist), ["http_req_duration"]);
    const points = dist.http_req_duration;
    assertMonotonic(points);
    assert.deepEqual(points[0], [0, 1]);
    assert.deepEqual(points.at(-1), [100, 1000]);
    // HDR values are within 0.1% of the true value.
    const p50 = points.find(([p]) => p === 50)!;
    assert.ok(Math.abs(p50[1] - 500) <= 1, `p50 ${p50[1]}`);
    // The tail stops where less than one sample is left: 1000 samples need ~10 halvings.
    assert.ok(points.at(-2)![0] >= 99.8 && points.at(-2)![0] < 100, `${points.at(-2)}`);
    assert.ok(points.length > 40 && points.length < 70, `${points.length} points`);
    assert.equal(JSON.stringify(JSON.parse(JSON.stringify(dist))), JSON.stringify(dist));
  });
});

Deno.test("latencyDistribution() adds the corrected series when it has samples", () => {
  withRegistry((r) => {
    for (let i = 0; i < 200; i++) {
      r.get(HTTP_REQ_DURATION)!.add(10 + (i % 10));
      r.get(HTTP_REQ_LATENCY_INTENDED)!.add(10 + i);
    }
    const dist = latencyDistribution(r);
    assert.ok(dist.http_req_latency_intended !== undefined);
    assertMonotonic(dist.http_req_latency_intended);
    assert.deepEqual(dist.http_req_latency_intended.at(-1), [100, 209]);
    assert.deepEqual(dist.http_req_duration.at(-1), [100, 19]);
    // Same percentile ticks for both: the series line up point by point.
    assert.deepEqual(
      dist.http_req_duration.map(([p]) => p),
      dist.http_req_latency_intended.map(([p]) => p),
    );
  });
});

Deno.test("latencyDistribution() is empty for a run without requests", () => {
  withRegistry((r) => assert.deepEqual(latencyDistribution(r), { http_req_duration: [] }));
  assert.deepEqual(distributionPoints(undefined), []);
});

Deno.test("distributionPoints() stays bounded for a million samples and thins evenly when asked", () => {
  withRegistry((r) => {
    const d = r.get(HTTP_REQ_DURATION)!;
    for (let i = 0; i < 1_000_000; i++) d.add((i * 7919) % 100_000 / 100);
    const points = distributionPoints(d);
    assert.ok(points.length <= MAX_DISTRIBUTION_POINTS, `${points.length} points`);
    assert.ok(points.length > 90, `${points.length} points`);
    assertMonotonic(points);
    const thin = distributionPoints(d, 10);
    assert.equal(thin.length, 10);
    assert.deepEqual(thin[0], points[0]);
    assert.deepEqual(thin.at(-1), points.at(-1));
    assertMonotonic(thin);
  });
});
