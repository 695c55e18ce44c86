// The Chromium inside the @sparticuz/chromium package runs this machine's pages, so a machine with Node and nothing
// else can run the browser tests (test/support/browser.ts falls back to it where the system has no Chromium).
import { afterAll, beforeAll, expect, it } from "vitest";
import { chromiumPath, chromiumSource, launchChromium } from "../support/browser.ts";

const forced = process.env.PACKAGED_CHROMIUM;

beforeAll(() => {
  process.env.PACKAGED_CHROMIUM = "1";
});
afterAll(() => {
  if (forced === undefined) delete process.env.PACKAGED_CHROMIUM;
  else process.env.PACKAGED_CHROMIUM = forced;
});

it.skipIf(process.env.CHROMIUM_PATH)("runs a page's script in the packaged Chromium when it is forced", async () => {
  expect(chromiumSource()).toBe("packaged");
  expect(await chromiumPath()).not.toBe("/usr/bin/chromium");
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.setContent(`<p id="out"></p><script>document.getElementById("out").textContent = 6 * 7;</script>`);
    expect(await page.textContent("#out")).toBe("42");
  } finally {
    await browser.close();
  }
});
