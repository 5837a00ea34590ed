/**
 * Regenerates the README screenshots in `docs/img/` from real runs, rendered in headless
 * Chromium (reports/browser.ts):
 *
 * - `docs/img/conformance-report.png`: the HTML conformance report of the reference server with
 *   one deliberate defect (`expires-at-unix`: `expires_at` sent as Unix seconds instead of
 *   RFC 3339), so the picture shows a failing check expanded. The server and the engine share a
 *   clock that jumps over the expiry waits (as `npm run mutation` runs them) and otherwise moves
 *   with real time, so the run takes well under a second and shows real durations.
 * - `docs/img/load-report.png`: the HTML load report of a real 4-second run of the shipped
 *   `load/scripts/send.ts` (constant-arrival-rate, 100 sends/s) against the embedded reference
 *   server, with its latency distribution (corrected and uncorrected).
 *
 * The images are cropped to a 1200x900 viewport to stay small. Needs Chromium (`apt-get install
 * -y chromium`, or CHROMIUM_PATH).
 *
 * ```sh
 * npx deno run -A scripts/screenshots.ts            # writes docs/img/*.png
 * npx deno run -A scripts/screenshots.ts --out DIR  # somewhere else
 * ```
 *
 * @module
 */

import FakeTimers from "@sinonjs/fake-timers";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startReferenceServer } from "../fixtures/reference_server.ts";
import { ChromiumNotFoundError, launchChromium, toFileUrl } from "../reports/browser.ts";
import { renderHtml } from "../reports/html.ts";
import { type LoadReportDocument, renderLoadHtml } from "../reports/load_html.ts";
import { runLoadDocument } from "../reports/testdata/load_run.ts";
import { getProfile } from "../smsgate/profiles.ts";
import { detectProfile } from "../suites/detect.ts";
import { ALL_CHECKS } from "../suites/registry.ts";
import type { ConformanceResult } from "../suites/result.ts";
import { runConformance } from "../suites/runner.ts";

/** The repository's image folder. */
export const IMG_DIR: string = fileURLToPath(new URL("../docs/img/", import.meta.url));

/** Viewport of every screenshot, in CSS px. */
export const VIEWPORT = { width: 1200, height: 900 } as const;

/** The defect shown in the conformance screenshot. */
export const SCREENSHOT_DEFECT = "expires-at-unix";

/**
 * A real conformance run (every suite, profile auto-detected) against the reference server with
 * `defects`, on virtual time.
 */
export async function conformanceRun(
  defects: string[] = [SCREENSHOT_DEFECT],
  profile = "server",
): Promise<ConformanceResult> {
  // Virtual time that also moves with real time, so durations in the picture are real while
  // expiry waits are skipped; the server and the engine read the same clock.
  const clock = FakeTimers.createClock(Date.now());
  const started = performance.now();
  const now = () => clock.now + Math.floor(performance.now() - started);
  const server = await startReferenceServer({ profile, defects, clock: { now } });
  try {
    const u = server.users[0];
    const found = await detectProfile(server.url, u.username, u.password);
    return await runConformance({
      target: {
        url: server.url,
        username: u.username,
        password: u.password,
        profile: getProfile(found.profile ?? profile),
        jwtSecret: server.app.tokens.secretText,
        allowSend: false,
        timeoutMs: 10_000,
      },
      checks: ALL_CHECKS,
      profileSource: "auto",
      detection: { profile: found.profile, evidence: found.evidence },
      embedded: true,
      deps: {
        now,
        sleep: (ms) => {
          clock.tick(ms);
          return Promise.resolve();
        },
      },
    });
  } finally {
    await server.close();
  }
}

/** The shipped script shown in the load report screenshot, and its `__ENV`. */
export const SCREENSHOT_LOAD = {
  script: "load/scripts/send.ts",
  env: { RATE: "100", DURATION: "4s", PRE_VUS: "5", MAX_VUS: "20" },
} as const;

/**
 * A real load run of {@linkcode SCREENSHOT_LOAD} against the embedded reference server, as
 * `load` without `--target` runs it; returns its result document with the latency distribution.
 */
export async function loadRun(profile = "server"): Promise<LoadReportDocument> {
  const server = await startReferenceServer({ profile });
  try {
    const u = server.users[0];
    const script = fileURLToPath(new URL(`../${SCREENSHOT_LOAD.script}`, import.meta.url));
    const { doc, result } = await runLoadDocument({
      script,
      target: { url: server.url, embedded: true, profile },
      env: {
        ...SCREENSHOT_LOAD.env,
        SMSGATE_URL: server.url,
        SMSGATE_USERNAME: u.username,
        SMSGATE_PASSWORD: u.password,
      },
    });
    if (result.error !== null) throw new Error(`Cannot use the load run: ${result.error}`);
    doc.script = SCREENSHOT_LOAD.script;
    return doc;
  } finally {
    await server.close();
  }
}

/** Renders `doc` as HTML, opens it in Chromium and saves the top 1200x900 of it to `png`. */
export async function screenshotReport(doc: ConformanceResult, png: string): Promise<void> {
  await screenshotHtml(renderHtml(doc), png);
}

/** Opens the HTML page `markup` in Chromium and saves the top 1200x900 of it to `png`. */
export async function screenshotHtml(markup: string, png: string): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "smsgate-screenshots-" });
  const browser = await launchChromium();
  try {
    const html = join(dir, "report.html");
    await Deno.writeTextFile(html, markup);
    const page = await browser.newPage(VIEWPORT);
    await page.goto(toFileUrl(html));
    if (page.errors.length) {
      throw new Error(`Cannot screenshot ${html}: the page reported ${page.errors.join("; ")}`);
    }
    await page.screenshot(png, { fullPage: false });
  } finally {
    await browser.close();
    await Deno.remove(dir, { recursive: true });
  }
}

/** Regenerates every screenshot into `outDir`; returns the files written. */
export async function regenerate(outDir: string = IMG_DIR): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const conformance = join(outDir, "conformance-report.png");
  await screenshotReport(await conformanceRun(), conformance);
  const load = join(outDir, "load-report.png");
  await screenshotHtml(renderLoadHtml(await loadRun()), load);
  return [conformance, load];
}

if (import.meta.main) {
  const i = Deno.args.indexOf("--out");
  const out = i >= 0 ? Deno.args[i + 1] : undefined;
  if (i >= 0 && !out) {
    console.error("error: Cannot use --out without a directory: give one, e.g. --out docs/img");
    Deno.exit(2);
  }
  try {
    for (const file of await regenerate(out)) {
      console.log(`wrote ${file} (${(await Deno.stat(file)).size} bytes)`);
    }
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    Deno.exit(e instanceof ChromiumNotFoundError ? 2 : 1);
  }
}
