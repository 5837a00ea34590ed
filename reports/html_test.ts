// Tests of the HTML reporter on real documents (the reference server with and without defects,
// on virtual time) and on crafted ones (hostile markup, every status). The DOM as a browser
// builds it is asserted in browser_test.ts.
import assert from "node:assert/strict";
import { applyBaseline } from "../suites/baseline.ts";
import type { ConformanceResult } from "../suites/result.ts";
import { anchorId, cspHash, escapeHtml, externalLink, safeHref } from "./_html.ts";
import { checkKind, formatTimestamp, renderHtml, verdict } from "./html.ts";
import { hostileCopy, runChecks } from "./testdata/conformance_run.ts";
import { sampleResult } from "./testdata/sample_result.ts";

let failingRun: ConformanceResult | undefined;
async function failing(): Promise<ConformanceResult> {
  failingRun ??= await runChecks({ defects: ["revoke-noop"] });
  return structuredClone(failingRun);
}

function count(html: string, re: RegExp): number {
  return html.match(new RegExp(re.source, "g"))?.length ?? 0;
}

/** The `<tr class="check ...">` row of a check, up to its `</tr>`. */
function row(html: string, id: string): string {
  const start = html.indexOf(
    `<tr class="check `,
    html.indexOf(`id="${anchorId("check", id)}"`) - 40,
  );
  assert.ok(start >= 0, `row of ${id}`);
  return html.slice(start, html.indexOf("</tr>", start));
}

Deno.test("escapeHtml() escapes markup and quotes and makes control characters visible", () => {
  assert.equal(
    escapeHtml(`<a href="x" title='y'>&amp;</a>`),
    "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;",
  );
  assert.equal(escapeHtml("a\u202eb\x1b[31mc\r\nd"), "a\\u202eb\\x1b[31mc\nd");
});

Deno.test("safeHref() and externalLink() keep http(s) links and turn others into text", () => {
  assert.equal(safeHref("https://example.com/a?b=1#c"), "https://example.com/a?b=1#c");
  assert.equal(safeHref("javascript:alert(1)"), undefined);
  assert.equal(safeHref("data:text/html,x"), undefined);
  assert.equal(safeHref("/relative"), undefined);
  assert.equal(
    externalLink("https://e.com/?a=1&b=2", "R<1>", { class: "req" }),
    '<a href="https://e.com/?a=1&amp;b=2" rel="noopener noreferrer" target="_blank" class="req">R&lt;1&gt;</a>',
  );
  assert.equal(externalLink("javascript:x()", "R", { class: "req" }), '<span class="req">R</span>');
});

Deno.test("anchorId() keeps ids readable and makes any other character safe", () => {
  assert.equal(anchorId("check", "SCOPE-INBOX.LIST"), "check-SCOPE-INBOX.LIST");
  assert.equal(anchorId("check", `a"b <c>`), "check-a_22b_20_3cc_3e");
});

Deno.test("formatTimestamp() writes UTC without the T and the fraction", () => {
  assert.equal(formatTimestamp("2026-01-02T03:04:05.678Z"), "2026-01-02 03:04:05 UTC");
  assert.equal(formatTimestamp("not a date"), "not a date");
});

Deno.test("renderHtml() is one self-contained page with a CSP that allows only its own style and script", async () => {
  const html = renderHtml(await failing());
  assert.ok(html.startsWith('<!DOCTYPE html>\n<html lang="en">'));
  const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1];
  const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1];
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)![1];
  assert.match(csp, /^default-src &#39;none&#39;; /);
  assert.ok(csp.includes(escapeHtml(`style-src ${cspHash(style)}`)), "style allowed by its hash");
  assert.ok(
    csp.includes(escapeHtml(`script-src ${cspHash(script)}`)),
    "script allowed by its hash",
  );
  assert.equal(count(html, /<script\b/), 1, "one script: the page's own");
  assert.equal(count(html, /<style\b/), 1);
  // Nothing is loaded from anywhere: no src attributes, no stylesheets, no url() in CSS.
  assert.equal(count(html, /\ssrc=/), 0);
  assert.equal(count(html, /<link\b/), 0);
  assert.equal(count(html, /url\(/), 0);
  assert.equal(count(html, /@import/), 0);
  assert.equal(count(html, /\sstyle=/), 0, "no style attributes (the CSP would block them)");
  assert.equal(count(html, /\son[a-z]+=/), 0, "no inline event handlers");
});

Deno.test("renderHtml() has a row per check grouped by suite, with requirement ids linked to their sources", async () => {
  const doc = await failing();
  const html = renderHtml(doc);
  assert.equal(count(html, /<tr class="check /), doc.checks.length);
  const suites = [...new Set(doc.checks.map((c) => c.suite))];
  assert.equal(count(html, /<tbody class="suite" /), suites.length);
  for (const suite of suites) assert.ok(html.includes(`id="${anchorId("suite", suite)}"`));
  for (const check of doc.checks) {
    const r = row(html, check.id);
    assert.ok(r.includes(`data-status="${check.status}"`), `${check.id} status`);
    for (const id of check.requirements) {
      const link = doc.requirements.find((q) => q.id === id)!.link;
      assert.ok(
        r.includes(
          `<a href="${
            escapeHtml(new URL(link).href)
          }" rel="noopener noreferrer" target="_blank" class="req"`,
        ),
        `${check.id} links ${id} to ${link}`,
      );
    }
  }
});

Deno.test("renderHtml() expands failing checks with message, expected vs actual and the redacted transcript", async () => {
  const doc = await failing();
  const html = renderHtml(doc);
  const failed = doc.checks.filter((c) => c.status === "fail");
  assert.deepEqual(failed.map((c) => c.id), [
    "REVOKE-204",
    "REVOKE-PAIRED-REFRESH",
    "REVOKE-REVOKED-CANNOT-ACT",
  ]);
  for (const check of failed) {
    const r = row(html, check.id);
    assert.match(r, /<span class="badge fail" title="failed">fail<\/span>/);
    assert.match(r, /<details class="failure" open>/);
    assert.ok(r.includes(`<span class="message">${escapeHtml(check.message!)}</span>`));
    assert.ok(
      r.includes(`<dt>Expected</dt><dd><pre class="expected">${escapeHtml(check.expected!)}</pre>`),
    );
    assert.ok(
      r.includes(`<dt>Actual</dt><dd><pre class="actual">${escapeHtml(check.actual!)}</pre>`),
    );
    assert.match(
      r,
      /<pre class="transcript failing"><span class="step">step \d+: [^<]+ ← failing exchange/,
    );
    assert.match(r, /authorization: Bearer [^<\s]+\.&lt;signature redacted&gt;/);
    assert.match(r, new RegExp(`<summary>${check.transcript.length - 1} earlier exchange`));
  }
  // Passing checks are collapsed, skipped ones say why, nothing else is open.
  assert.equal(count(html, /<details[^>]* open>/), failed.length);
  assert.match(
    row(html, "TOKEN-ISSUE-201"),
    /<details class="more"><summary><code class="id">TOKEN-ISSUE-201<\/code>/,
  );
  assert.match(
    row(html, "TOKEN-TTL-REJECT"),
    /badge na[^>]*>n\/a<[\s\S]*<div class="line" title="Not applicable: [^"]+"><code class="id">TOKEN-TTL-REJECT<\/code> <span class="title">[^<]+<\/span> <span class="why muted">applies when /,
  );
  // The problems list links to each failing row.
  for (const check of failed) {
    assert.ok(html.includes(`<a href="#${anchorId("check", check.id)}">`));
  }
  assert.ok(!html.includes("Basic dT"), "no Basic credentials");
});

Deno.test("renderHtml() heads the page with target, profile, detection evidence, verdict and totals", async () => {
  const doc = await failing();
  const html = renderHtml(doc);
  assert.match(
    html,
    /<title>FAILED: server conformance of http:\/\/127\.0\.0\.1:\d+\/3rdparty\/v1<\/title>/,
  );
  assert.ok(
    html.includes(
      `<dt>Target</dt><dd><code>${doc.target.url}</code> <span class="muted">(embedded reference server)</span>`,
    ),
  );
  assert.ok(
    html.includes(
      '<dt>Profile</dt><dd><strong>server</strong> <span class="muted">(auto-detected)</span>',
    ),
  );
  for (const line of doc.target.detection!.evidence) {
    assert.ok(html.includes(`<li>${escapeHtml(line)}</li>`));
  }
  assert.match(
    html,
    /<p class="verdict" id="verdict"><span class="badge fail">failed<\/span> 3 of 64 checks failed<\/p>/,
  );
  assert.match(html, /<div class="tile fail"><b>3<\/b><span>failed<\/span><\/div>/);
  assert.match(html, /<div class="tile pass"><b>53<\/b><span>passed<\/span><\/div>/);
});

Deno.test("renderHtml() lists requirement coverage, failures first, with sources and checks", async () => {
  const doc = await failing();
  const html = renderHtml(doc);
  const section = html.slice(html.indexOf('<section id="requirements">'));
  assert.equal(count(section, /<tr class="requirement /), doc.requirements.length);
  const order = [...section.matchAll(/<tr class="requirement ([a-z-]+)"/g)].map((m) => m[1]);
  const rank = (s: string) => ["fail", "uncovered", "pass", "not-applicable"].indexOf(s);
  assert.deepEqual(order, [...order].sort((a, b) => rank(a) - rank(b)));
  assert.equal(order.filter((s) => s === "fail").length, 2);
  assert.match(
    section,
    /<p class="coverage-summary">30 requirements: 24 passed, 2 failed, 0 not exercised, 4 not applicable to server<\/p>/,
  );
  assert.match(section, /<a href="#check-REVOKE-204" class="bad">REVOKE-204<\/a> \(failed\)/);
});

Deno.test("renderHtml() shows a passing run as passed, with nothing open and no problems section", async () => {
  const doc = await runChecks({ profile: "local" });
  const html = renderHtml(doc);
  assert.equal(doc.summary.failed, 0);
  assert.match(
    html,
    /<span class="badge pass">passed<\/span> \d+ of \d+ checks run passed; \d+ skipped/,
  );
  assert.equal(count(html, /<details[^>]* open>/), 0);
  assert.ok(!html.includes('id="problems"'));
});

Deno.test("renderHtml() escapes hostile text from the target everywhere", async () => {
  const html = renderHtml(hostileCopy(await failing()));
  assert.equal(count(html, /<script\b/), 1, "only the page's own script");
  assert.ok(!html.includes("<img"), "no injected image");
  // Attribute values hold escaped text only; outside them, no tag has an event handler.
  const tags = html.replace(/="[^"]*"/g, '=""');
  assert.ok(!/<[a-z]+[^>]*\son[a-z]+=/i.test(tags), "no injected event handler attribute");
  assert.ok(!html.includes('href="javascript:'), "no javascript: link");
  assert.ok(!html.includes("<b "), "markup in a title stays text");
  assert.ok(html.includes("&lt;script&gt;window.__pwned=1&lt;/script&gt;"));
  assert.ok(html.includes("\\u202e"), "the bidi override is shown, not applied");
  assert.ok(!html.includes("\u202e"));
});

Deno.test("renderHtml() renders errors and skips of a crafted document", () => {
  const html = renderHtml(sampleResult());
  assert.match(
    row(html, "SCOPE-WEBHOOKS-403"),
    /badge error[^>]*>error<[\s\S]*<details class="failure" open>[\s\S]*<span class="err">! timed out after 5000ms<\/span>/,
  );
  assert.match(
    row(html, "SCOPE-UNKNOWN-400"),
    /badge skip[^>]*>skip<[\s\S]*profile server accepts unknown scopes/,
  );
  assert.match(html, /1 of 4 checks failed, 1 could not complete/);
  const errorsOnly = sampleResult();
  errorsOnly.checks = errorsOnly.checks.filter((c) => c.status !== "fail");
  assert.deepEqual(verdict(errorsOnly), {
    kind: "error",
    label: "incomplete",
    text: "1 of 3 checks could not complete",
  });
});

Deno.test("renderHtml() shows baseline expected failures collapsed and listed checks that pass as problems", async () => {
  const doc = applyBaseline(await failing(), {
    version: 1,
    expectedFailures: [
      { id: "REVOKE-204", reason: "Known: revocation is a no-op until 2.3" },
      { id: "TOKEN-ISSUE-201", reason: "Was broken" },
    ],
  }, "ci/baseline.yaml");
  assert.equal(checkKind(doc.checks.find((c) => c.id === "REVOKE-204")!), "xfail");
  assert.equal(checkKind(doc.checks.find((c) => c.id === "TOKEN-ISSUE-201")!), "fixed");
  const html = renderHtml(doc);
  const xfail = row(html, "REVOKE-204");
  assert.match(xfail, /badge xfail[^>]*>xfail</);
  assert.match(xfail, /<details class="failure">/, "expected failures are not expanded");
  assert.match(xfail, /Expected failure \(baseline\): Known: revocation is a no-op until 2\.3/);
  const fixed = row(html, "TOKEN-ISSUE-201");
  assert.match(fixed, /badge fixed[^>]*>fixed</);
  assert.match(fixed, /passes now: remove it from the baseline/);
  assert.match(
    html,
    /<dt>Baseline<\/dt><dd><code>ci\/baseline\.yaml<\/code>: 1 expected failure, 1 listed check passing now, 2 new failures<\/dd>/,
  );
  assert.match(
    html,
    /2 of 64 checks failed; 1 expected failure \(baseline\); 1 listed check passes now/,
  );
  assert.match(html, /<h2>Problems \(3\)<\/h2>/);
  assert.match(
    html,
    /<button type="button" data-filter="xfail" aria-pressed="false">expected failures <span class="n">1<\/span><\/button>/,
  );
});
