// Live signals in real Chromium against a real `wrangler dev` (issue 24): two people in one room; one types, the
// other's page says so under the messages, until the typist clears the input or sends; a third typist from Node
// makes it two names; a status set from the page shows after the name on both pages, as text; the top bar says how
// many are here.
//
// The steps share one server, one room and the same pages, and run in order. Every page sends a few frames a
// second at most (the connection paces typing to one start in typingIntervalMs): the default rate limit holds.

/// <reference lib="dom" />

import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevServer, startDevServer } from "../../tools/dev-server.ts";
import { launchChromium } from "../support/browser.ts";
import type { TestClient } from "../support/ws-client.ts";
import { type ChatPage, joinedPage, member, send } from "./page-actions.ts";

const ROOM = "live-signals";
/**
 * How long the other page may take to show a signal: the room batches signals every 500 ms, and the page shows
 * them as they come; the rest is room for a slow machine.
 */
const SHOWN_WITHIN = 3000;

let server: DevServer;
let browser: Browser;
let ann: ChatPage;
let bo: ChatPage;
let cy: TestClient | undefined;

beforeAll(async () => {
  [server, browser] = await Promise.all([startDevServer(), launchChromium()]);
  const url = `${server.httpUrl}/rooms/${ROOM}`;
  ann = await joinedPage(browser, url, "Ann");
  bo = await joinedPage(browser, url, "Bo");
});

afterAll(async () => {
  await cy?.close();
  await browser?.close();
  await server?.dispose();
});

/** Waits until the page's typing line reads `text` (names without their isolates). */
async function typingLineIs(page: Page, text: string): Promise<void> {
  await page.waitForFunction(
    (wanted) => document.getElementById("typing-line")!.textContent!.replace(/[\u2068\u2069]/g, "") === wanted,
    text,
    { timeout: SHOWN_WITHIN },
  );
}

/** The status shown after member `name` in the page's member list, if any. */
async function statusOf(page: Page, name: string): Promise<string | null> {
  return page.evaluate((wanted) => {
    const row = [...document.querySelectorAll("#member-list li.member")].find(
      (li) => li.querySelector(".member-name")?.textContent === wanted,
    );
    return row?.querySelector(".member-status")?.textContent ?? null;
  }, name);
}

/** Waits until the page shows `status` after member `name` (null: none). */
async function statusIs(page: Page, name: string, status: string | null): Promise<void> {
  await page.waitForFunction(
    ([wanted, text]) => {
      const row = [...document.querySelectorAll("#member-list li.member")].find(
        (li) => li.querySelector(".member-name")?.textContent === wanted,
      );
      return row !== undefined && (row.querySelector(".member-status")?.textContent ?? null) === text;
    },
    [name, status] as const,
    { timeout: SHOWN_WITHIN },
  );
}

describe("live signals in the browser", () => {
  it("says how many are here in the top bar, and follows joins and leaves", async () => {
    await bo.page.waitForFunction(() => document.getElementById("here-count")!.textContent === "2 here");
    expect(await ann.page.textContent("#here-count")).toBe("2 here");
    const passer = await member(server.wsUrl, ROOM, "passer");
    await ann.page.waitForFunction(() => document.getElementById("here-count")!.textContent === "3 here");
    await passer.close();
    await ann.page.waitForFunction(() => document.getElementById("here-count")!.textContent === "2 here");
  });

  it("shows who is typing on the other page, until the typist clears the input", async () => {
    expect(await bo.page.textContent("#typing-line")).toBe("");
    await ann.page.locator("#composer-input").pressSequentially("hel", { delay: 50 });
    await typingLineIs(bo.page, "Ann is typing…");
    // Never ourselves.
    expect(await ann.page.textContent("#typing-line")).toBe("");
    await ann.page.fill("#composer-input", "");
    await typingLineIs(bo.page, "");
  });

  it("drops the typist when its message arrives, with no stop", async () => {
    await ann.page.locator("#composer-input").pressSequentially("hello Bo", { delay: 20 });
    await typingLineIs(bo.page, "Ann is typing…");
    await ann.page.press("#composer-input", "Enter");
    await bo.page.waitForSelector('#messages li.message >> text="hello Bo"', { timeout: SHOWN_WITHIN });
    await typingLineIs(bo.page, "");
  });

  it("names two typists in the order they started, and drops each as it stops", async () => {
    cy = await member(server.wsUrl, ROOM, "Cy");
    await ann.page.locator("#composer-input").pressSequentially("one", { delay: 20 });
    await typingLineIs(bo.page, "Ann is typing…");
    cy.send({ type: "typing" });
    await typingLineIs(bo.page, "Ann and Cy are typing…");
    await typingLineIs(ann.page, "Cy is typing…");
    cy.send({ type: "typing", stop: true });
    await typingLineIs(bo.page, "Ann is typing…");
    await send(ann.page, "one more");
    await typingLineIs(bo.page, "");
  });

  it("shows a status set from the page after the name, on both pages, and clears it", async () => {
    expect(await statusOf(bo.page, "Ann")).toBeNull();
    await ann.page.fill("#status-input", "in a match");
    await ann.page.press("#status-input", "Enter");
    await statusIs(bo.page, "Ann", "in a match");
    // Our own entry too, once the room says so.
    await statusIs(ann.page, "Ann", "in a match");
    // The room takes a state a second at most: the connection waits for the interval by itself.
    await ann.page.fill("#status-input", "");
    await ann.page.press("#status-input", "Enter");
    await statusIs(bo.page, "Ann", null);
  });

  it("shows another client's status as text, cut to 40 characters", async () => {
    const hostile = `<b>busy</b> <img src=x onerror=alert(1)> ${"x".repeat(40)}`;
    cy!.send({ type: "state", state: { status: hostile, level: 3 } });
    const cut = `${hostile.slice(0, 39)}…`;
    await statusIs(bo.page, "Cy", cut);
    await statusIs(ann.page, "Cy", cut);
    for (const page of [ann.page, bo.page])
      expect(await page.locator("#member-list b, #member-list img").count()).toBe(0);
  });

  it("went without a problem on either page", async () => {
    expect(ann.problems).toEqual([]);
    expect(bo.problems).toEqual([]);
    expect(await bo.page.evaluate(() => (window as unknown as { imagesCreated: number }).imagesCreated)).toBe(0);
  });
});
