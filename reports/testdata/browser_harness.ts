/**
 * What the headless-Chromium tests of the reports share: finding Chromium (and saying how to
 * install it when absent: the tests are then ignored, never failing), one browser per test with
 * a temporary directory, and opening a report file at the screenshot viewport.
 *
 * @module
 */

import {
  type Chromium,
  findChromium,
  INSTALL_HINT,
  launchChromium,
  type Page,
  toFileUrl,
} from "../browser.ts";

/** The Chromium executable, or undefined (the browser tests are ignored). */
export const CHROMIUM: string | undefined = findChromium() ?? undefined;

/** Warns once, naming the test file, that its browser tests are skipped and why. */
export function warnWhenNoChromium(file: string, what: string): void {
  if (CHROMIUM) return;
  const explicit = Deno.env.get("CHROMIUM_PATH");
  console.warn(
    `${file}: skipping ${what}: ${
      explicit ? `CHROMIUM_PATH=${explicit} names no file` : "Chromium not found"
    }; ${INSTALL_HINT}`,
  );
}

/** A Deno test with its own browser and temporary directory; ignored without Chromium. */
export function browserTest(
  name: string,
  fn: (browser: Chromium, dir: string) => Promise<void>,
): void {
  Deno.test({
    name,
    ignore: !CHROMIUM,
    async fn() {
      const dir = await Deno.makeTempDir({ prefix: "browser_test_" });
      const browser = await launchChromium({ executable: CHROMIUM });
      try {
        await fn(browser, dir);
      } finally {
        await browser.close();
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}

/** Opens `file` in a new 1200x900 page, with or without JavaScript. */
export async function openReport(
  browser: Chromium,
  file: string,
  javaScript = true,
): Promise<Page> {
  const page = await browser.newPage({ javaScript, width: 1200, height: 900 });
  await page.goto(toFileUrl(file));
  return page;
}
