// The Chromium the browser tests drive: the system's (Debian's `chromium`) when there is one, else the Chromium that
// ships inside the @sparticuz/chromium npm package, so that `npm install && npm test` needs nothing but Node.
// CHROMIUM_PATH names another binary; PACKAGED_CHROMIUM=1 forces the packaged one even where the system has its own.
import { existsSync } from "node:fs";
import packaged from "@sparticuz/chromium";
import { type Browser, chromium } from "playwright-core";

const SYSTEM_CHROMIUM = "/usr/bin/chromium";

type Source = "CHROMIUM_PATH" | "system" | "packaged";

/** Which Chromium the tests run, without extracting the packaged one. */
export function chromiumSource(): Source {
  if (process.env.CHROMIUM_PATH) return "CHROMIUM_PATH";
  return process.env.PACKAGED_CHROMIUM !== "1" && existsSync(SYSTEM_CHROMIUM) ? "system" : "packaged";
}

/** The binary of `chromiumSource()`; the packaged one is extracted into the temporary folder on first use (~2 s). */
export async function chromiumPath(): Promise<string> {
  const source = chromiumSource();
  if (source === "CHROMIUM_PATH") return process.env.CHROMIUM_PATH!;
  return source === "system" ? SYSTEM_CHROMIUM : packaged.executablePath();
}

/** A headless Chromium with nothing running in the background that could disturb a test. */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: await chromiumPath(),
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-quic",
      "--no-first-run",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
