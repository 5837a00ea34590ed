import assert from "node:assert/strict";
import { ProgressPrinter, type ProgressSnapshot, renderProgressLine } from "./progress.ts";

const snap: ProgressSnapshot = {
  phase: "running",
  elapsedMs: 65_400,
  plannedMs: 120_000,
  scenariosElapsedMs: 60_000,
  vusActive: 8,
  vusMax: 10,
  iterations: 1234,
  interrupted: 1,
  httpReqs: 5000,
  reqRate: 812.4,
  dropped: 3,
};

Deno.test("renderProgressLine() reads like k6's progress line", () => {
  assert.equal(
    renderProgressLine(snap),
    "running (1m05.4s), 8/10 VUs, 1234 complete and 1 interrupted iterations, 3 dropped, " +
      "812 reqs/s [=========>          ] 50%",
  );
  assert.equal(
    renderProgressLine({ ...snap, phase: "setup", dropped: 0, elapsedMs: 500 }),
    "setup (0m00.5s), 8/10 VUs, 1234 complete and 1 interrupted iterations, 812 reqs/s",
  );
});

Deno.test("ProgressPrinter redraws one line on a TTY and prints plain lines otherwise", () => {
  const tty: string[] = [];
  const p = new ProgressPrinter((t) => tty.push(t), true);
  p.update(snap);
  p.update({ ...snap, elapsedMs: 66_400 });
  p.done();
  assert.equal(tty.length, 3);
  assert.ok(tty[0].startsWith("\r\x1b[2Krunning (1m05.4s)"));
  assert.equal(tty[2], "\r\x1b[2K");

  const plain: string[] = [];
  const q = new ProgressPrinter((t) => plain.push(t), false, 10_000);
  q.update({ ...snap, elapsedMs: 1000 });
  q.update({ ...snap, elapsedMs: 2000 });
  q.update({ ...snap, elapsedMs: 11_000 });
  q.update({ ...snap, phase: "done", elapsedMs: 12_000 });
  assert.deepEqual(plain.map((l) => l.slice(0, 18)), [
    "running (0m01.0s),",
    "running (0m11.0s),",
    "done (0m12.0s), 8/",
  ]);
  assert.ok(plain.every((l) => l.endsWith("\n")));
});
