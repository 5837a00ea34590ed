/**
 * Regenerates the README screenshots in `docs/img/` from real runs, rendered in headless
 * Chromium (reports/browser.ts):
 *
 * - `docs/img/conformance-report.png`: the HTML conformance report of the reference server with
 *   one deliberate defect (`expires-at-unix`: `expires_at` sent as Unix seconds instead of
 *   RFC 3339), so the picture shows a failing check expanded. The server and the engine share a
 *   clock that jumps over the expiry waits (as `npm run mutation` runs them) and otherwise moves
 *   with real time, so the run takes well under a second and shows real durations.
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

/** Renders `doc` as HTML, opens it in Chromium and saves the top 1200x900 of it to `png`. */
export async function screenshotReport(doc: ConformanceResult, png: string): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "smsgate-screenshots-" });
  const browser = await launchChromium();
  try {
    const html = join(dir, "report.html");
    await Deno.writeTextFile(html, renderHtml(doc));
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
  return [conformance];
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
