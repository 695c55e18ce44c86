// What the browser tests do alike: type a message as a person would, bring in a member from outside the page, and
// open a page that joins and records whatever goes wrong in it.

/// <reference lib="dom" />

import type { Browser, Page } from "playwright-core";
import { connect, type TestClient } from "../support/ws-client.ts";

/** Types a message and sends it with Enter, as a person would. */
export async function send(page: Page, text: string): Promise<void> {
  await page.fill("#composer-input", text);
  await page.press("#composer-input", "Enter");
}

/** A member of room `room` joined from Node, as `name`; resolves once welcomed. */
export async function member(wsUrl: string, room: string, name: string): Promise<TestClient> {
  const client = await connect(`${wsUrl}/rooms/${room}`);
  client.send({ type: "join", name });
  await client.next((p) => p.type === "welcome");
  return client;
}

/** A page that joined, and what went wrong in it. */
export interface ChatPage {
  page: Page;
  /** Uncaught exceptions, alert() and friends, and requests answered with an error status: there must be none. */
  problems: string[];
}

/**
 * Opens the room page at `url` in a new context and joins as `name` from the name dialog. The page counts every
 * <img> ever added to it, even one removed again at once, in `window.imagesCreated`.
 */
export async function joinedPage(
  browser: Browser,
  url: string,
  name: string,
  viewport = { width: 1100, height: 800 },
): Promise<ChatPage> {
  const page = await (await browser.newContext({ viewport })).newPage();
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(String(error)));
  page.on("dialog", (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on("response", (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()} for ${response.url()}`);
  });
  await page.addInitScript(() => {
    const counter = window as unknown as { imagesCreated: number };
    counter.imagesCreated = 0;
    new MutationObserver((records) => {
      for (const record of records) {
        for (const node of record.addedNodes) {
          if (node instanceof Element && (node.matches("img") || node.querySelector("img"))) counter.imagesCreated++;
        }
      }
    }).observe(document, { childList: true, subtree: true });
  });
  await page.goto(url);
  await page.getByLabel("Your name").fill(name);
  await page.getByRole("button", { name: "Join" }).click();
  await page.waitForSelector("#status[data-state=online]");
  return { page, problems };
}
