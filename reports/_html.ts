/**
 * Building blocks of the self-contained HTML reports (conformance now, load later): escaping,
 * safe links, status badges and the page shell with its stylesheet.
 *
 * Every page is one file that makes no network request: CSS and script are inline, and a
 * Content-Security-Policy `<meta>` (`default-src 'none'`) allows only the page's own style and
 * script, by SHA-256 hash. So even text that slipped through escaping could neither load anything
 * nor run. Two consequences for page authors: no `style="..."` attributes (use classes, or SVG
 * presentation attributes such as `fill`), and no `on...=` handlers (the page script binds events).
 *
 * Core content must read without JavaScript: expansion uses `<details>`, and script-only controls
 * start `hidden` and are revealed by the script.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { visible } from "./console.ts";

/**
 * Escapes text for HTML element content and quoted attribute values (`&`, `<`, `>`, `"`, `'`),
 * after making control and bidirectional-override characters visible (`\x1b`, `\u202e`) so a
 * hostile body can neither hide nor reorder what the report shows.
 */
export function escapeHtml(text: string): string {
  return visible(text)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/** The URL when it is an absolute http(s) URL (safe for `href`), otherwise undefined. */
export function safeHref(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A link to an external source opened in a new tab, or the plain escaped text when `url` is not
 * an http(s) URL (a `javascript:` link in a re-rendered document stays inert text).
 */
export function externalLink(
  url: string,
  text: string,
  attrs: Record<string, string> = {},
): string {
  const href = safeHref(url);
  const extra = Object.entries(attrs).map(([k, v]) => ` ${k}="${escapeHtml(v)}"`).join("");
  if (href === undefined) return `<span${extra}>${escapeHtml(text)}</span>`;
  return `<a href="${escapeHtml(href)}" rel="noopener noreferrer" target="_blank"${extra}>${
    escapeHtml(text)
  }</a>`;
}

/** A fragment identifier made of letters, digits, `-`, `_`, `.` and `:` only. */
export function anchorId(prefix: string, name: string): string {
  return `${prefix}-${
    name.replace(/[^A-Za-z0-9_.:-]/g, (ch) => `_${ch.codePointAt(0)!.toString(16)}`)
  }`;
}

/** Visual kinds of status badges; each has its colour in the stylesheet. */
export type BadgeKind = "pass" | "fail" | "error" | "skip" | "xfail" | "fixed" | "na" | "info";

/** A status badge: a coloured label whose text says the status (never colour alone). */
export function badge(kind: BadgeKind, label: string, title?: string): string {
  const t = title === undefined ? "" : ` title="${escapeHtml(title)}"`;
  return `<span class="badge ${kind}"${t}>${escapeHtml(label)}</span>`;
}

/** A number in the page header's tiles, e.g. `3 failed`. */
export interface Tile {
  /** Colour of the number (a badge kind); none for neutral totals. */
  kind?: BadgeKind;
  /** The number (or short text). */
  value: number | string;
  /** What it counts. */
  label: string;
}

/** What {@linkcode pageHeader} shows. */
export interface HeaderOptions {
  /** Main heading. */
  title: string;
  /** Muted text after the heading, e.g. `server profile`. */
  subtitle?: string;
  /** The outcome: a badge (kind and label) and one sentence; the element has id `verdict`. */
  verdict: { kind: BadgeKind; label: string; text: string };
  /** Numbers shown as tiles to the right of the heading (id `totals`). */
  tiles: readonly Tile[];
  /** Markup under the heading, full width: e.g. a `stackedBar` from `_svg.ts`. */
  bar?: string;
  /** Label and value-markup pairs of the facts list (values are HTML: escape them). */
  facts: readonly (readonly [string, string])[];
  /** Markup of the "Jump to" links, if any. */
  toc?: string;
}

/**
 * The page header shared by the reports: heading and verdict on the left, tiles on the right,
 * an optional bar, the facts (target, profile, run...) and the "Jump to" links.
 */
export function pageHeader(o: HeaderOptions): string {
  const tiles = o.tiles.map((t) =>
    `<div class="tile${t.kind ? ` ${t.kind}` : ""}"><b>${escapeHtml(String(t.value))}</b><span>${
      escapeHtml(t.label)
    }</span></div>`
  ).join("");
  const facts = o.facts.map(([label, value]) => `<dt>${escapeHtml(label)}</dt><dd>${value}</dd>`)
    .join("");
  return `<header class="page">
<div class="head">
<div class="headline"><h1>${escapeHtml(o.title)}${
    o.subtitle ? ` <span class="muted">${escapeHtml(o.subtitle)}</span>` : ""
  }</h1>
<p class="verdict" id="verdict">${badge(o.verdict.kind, o.verdict.label)} ${
    escapeHtml(o.verdict.text)
  }</p></div>
<div class="tiles" id="totals">${tiles}</div>
</div>
${o.bar ? `<div class="bar">${o.bar}</div>\n` : ""}<dl class="facts">${facts}</dl>
${o.toc ? `<nav class="toc">Jump to ${o.toc}</nav>\n` : ""}</header>`;
}

/** What {@linkcode htmlPage} puts together. */
export interface PageOptions {
  /** Document title (escaped). */
  title: string;
  /** Body HTML (already escaped by the caller). */
  body: string;
  /** Extra CSS appended to {@linkcode BASE_CSS}. */
  css?: string;
  /** Inline script run at the end of the body (progressive enhancement only). */
  script?: string;
}

/** `'sha256-...'` CSP source of an inline element's exact text. */
export function cspHash(text: string): string {
  return `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;
}

/**
 * A complete HTML document: doctype, charset, viewport, a Content-Security-Policy that allows
 * nothing but this page's inline style and script (by hash) and `data:` images, the stylesheet,
 * the body, and the script. Throws when the CSS or script would close its own element early.
 */
export function htmlPage(o: PageOptions): string {
  const css = BASE_CSS + (o.css ?? "");
  if (/<\/style/i.test(css)) throw new Error("Cannot inline CSS containing </style");
  if (o.script !== undefined && /<\/script/i.test(o.script)) {
    throw new Error("Cannot inline a script containing </script");
  }
  const csp = [
    "default-src 'none'",
    `style-src ${cspHash(css)}`,
    `script-src ${o.script === undefined ? "'none'" : cspHash(o.script)}`,
    "img-src data:",
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
  return [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="color-scheme" content="light dark">',
    '<meta name="referrer" content="no-referrer">',
    `<title>${escapeHtml(o.title)}</title>`,
    `<style>${css}</style>`,
    "</head>",
    "<body>",
    o.body,
    o.script === undefined ? "" : `<script>${o.script}</script>`,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

/**
 * The shared stylesheet: system fonts, compact tables, status badges (`.badge.pass` etc.),
 * the page header (`header.page` > `.head` (`.headline`, `.tiles`), `.bar`, `dl.facts`,
 * `nav.toc`), sections, transcripts
 * (`pre.transcript` with `.req`/`.res`/`.err` lines), SVG charts (`figure.chart`), print rules
 * and a dark scheme.
 */
export const BASE_CSS = `
:root{--fg:#1f2328;--muted:#59636e;--bg:#fff;--panel:#f6f8fa;--line:#d1d9e0;--link:#0550ae;
--pass:#1a7f37;--pass-bg:#dafbe1;--fail:#cf222e;--fail-bg:#ffebe9;--error:#8250df;--error-bg:#fbefff;
--skip:#59636e;--skip-bg:#eff2f5;--xfail:#9a6700;--xfail-bg:#fff8c5;--fixed:#0550ae;--fixed-bg:#ddf4ff;
color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9198a1;--bg:#0d1117;--panel:#151b23;
--line:#3d444d;--link:#58a6ff;--pass:#3fb950;--pass-bg:#12261e;--fail:#f85149;--fail-bg:#2d1214;
--error:#bc8cff;--error-bg:#231a33;--skip:#9198a1;--skip-bg:#1c2128;--xfail:#d29922;--xfail-bg:#2b2111;
--fixed:#58a6ff;--fixed-bg:#121d2f}}
*{box-sizing:border-box}
html{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Liberation Sans",sans-serif;
color:var(--fg);background:var(--bg)}
body{margin:0 auto;padding:20px 24px 40px;max-width:1280px}
a{color:var(--link);text-decoration:none}a:hover{text-decoration:underline}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:12.5px}
h1{font-size:22px;margin:0}h2{font-size:17px;margin:28px 0 10px;padding-bottom:4px;border-bottom:1px solid var(--line)}
h3{font-size:14px;margin:0}
.muted{color:var(--muted)}
.badge{display:inline-block;min-width:4.6em;padding:1px 6px;border-radius:10px;border:1px solid currentColor;
font-size:11px;font-weight:600;letter-spacing:.03em;text-align:center;text-transform:uppercase;white-space:nowrap}
.badge.pass{color:var(--pass);background:var(--pass-bg)}.badge.fail{color:var(--fail);background:var(--fail-bg)}
.badge.error{color:var(--error);background:var(--error-bg)}.badge.skip,.badge.na,.badge.info{color:var(--skip);background:var(--skip-bg)}
.badge.xfail{color:var(--xfail);background:var(--xfail-bg)}.badge.fixed{color:var(--fixed);background:var(--fixed-bg)}
header.page{border:1px solid var(--line);border-radius:8px;padding:14px 18px;background:var(--panel)}
header.page .head{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:flex-start;gap:4px 24px}
header.page h1 .muted{font-size:14px;font-weight:400;margin-left:6px}
.verdict{font-size:15px;font-weight:600;margin:8px 0 10px}
.verdict .badge{font-size:12px;padding:2px 10px;margin-right:6px;vertical-align:1px}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:3px 14px;margin:0}
dl.facts dt{color:var(--muted)}dl.facts dd{margin:0;overflow-wrap:anywhere}
dl.facts ul{margin:2px 0 0;padding-left:18px;color:var(--muted)}
.tiles{display:flex;flex-wrap:wrap;gap:8px;margin:0}
.tile{border:1px solid var(--line);border-radius:6px;padding:3px 12px;background:var(--bg);min-width:80px}
.tile b{display:block;font-size:20px;line-height:1.2}.tile span{font-size:12px;color:var(--muted)}
.tile.pass b{color:var(--pass)}.tile.fail b{color:var(--fail)}.tile.error b{color:var(--error)}
.tile.skip b{color:var(--skip)}.tile.xfail b{color:var(--xfail)}.tile.fixed b{color:var(--fixed)}
nav.toc{margin:10px 0 0;font-size:13px;color:var(--muted)}
.bar{margin:8px 0 10px}.bar svg{display:block;width:100%;height:8px;border-radius:4px;overflow:hidden}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;vertical-align:top;padding:5px 8px;border-bottom:1px solid var(--line)}
thead th{font-size:12px;color:var(--muted);font-weight:600;border-bottom:2px solid var(--line)}
td.num,th.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
details>summary{cursor:pointer}
pre{margin:0;white-space:pre-wrap;overflow-wrap:anywhere}
pre.transcript{background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:6px 8px;margin:4px 0 8px}
pre.transcript .step{color:var(--muted);font-weight:600}pre.transcript .req{color:var(--link)}
pre.transcript .err{color:var(--fail);font-weight:600}
pre.transcript.failing{border-color:var(--fail)}
figure.chart{margin:8px 0 16px}figure.chart figcaption{font-size:13px;font-weight:600;margin-bottom:4px}
figure.chart svg{max-width:100%;height:auto;color:var(--fg)}
footer{margin-top:28px;font-size:12px;color:var(--muted)}
.toolbar{display:flex;flex-wrap:wrap;align-items:center;gap:6px;margin:0 0 8px}
.toolbar[hidden]{display:none}
.toolbar button{font:inherit;font-size:12px;padding:2px 10px;border:1px solid var(--line);border-radius:12px;
background:var(--bg);color:var(--fg);cursor:pointer}
.toolbar button[aria-pressed=true]{background:var(--fg);color:var(--bg);border-color:var(--fg)}
.toolbar input{font:inherit;font-size:12px;padding:2px 8px;border:1px solid var(--line);border-radius:12px;
background:var(--bg);color:var(--fg);min-width:220px}
@media print{html{font-size:11px}body{padding:0;max-width:none}.toolbar,nav.toc{display:none}
header.page{border:0;padding:0;background:none}tr{break-inside:avoid}h2{break-after:avoid}
a{color:inherit}pre.transcript{background:none}}
`;
