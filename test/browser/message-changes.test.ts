// Messages that change, in real Chromium against a real `wrangler dev` (issue 23): two people edit, delete, react
// and reply from the page, by keyboard too; the other page shows each change live; a quote jumps to its
// original, loading older history to find it; game data is shown as text; and no name, text, quote, reactor or
// data is ever rendered as markup.
//
// The steps share one server, one room and the same pages, and run in order.

/// <reference lib="dom" />

import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevServer, startDevServer } from "../../tools/dev-server.ts";
import { launchChromium } from "../support/browser.ts";
import { type ChatPage, joinedPage, member, send } from "./page-actions.ts";

const ROOM = "message-changes";
// Small pages, so that the first message is not on the page when the test jumps to it.
const VARS = { HISTORY_ON_JOIN: 5, HISTORY_PAGE_MAX: 5, RATE_LIMIT_BURST: 500, RATE_LIMIT_PER_SECOND: 500 };
const SEEDED = 60;
const ALICE = "Alice <i>A</i>";
const BOB = "<b>Bob</b>";
const DATA = { invite: "<b>match</b>", at: [1, 2], html: "<img src=x onerror=alert(1)>" };
/**
 * How long the other page may take to show a change before the test fails. The bar is a second, which is a
 * matter for the bench, not a test: on a machine of two cores running other test files beside this one, a page can
 * lag past it. What this checks is that each change arrives, live, with no reload.
 */
const ARRIVAL_TIMEOUT = 10_000;

let server: DevServer;
let browser: Browser;
let alice: ChatPage;
let bob: ChatPage;

beforeAll(async () => {
  [server, browser] = await Promise.all([startDevServer({ vars: VARS }), launchChromium()]);
  const seeder = await member(server.wsUrl, ROOM, "seeder");
  for (let i = 1; i <= SEEDED; i++) seeder.send({ type: "chat", text: `seed ${i}` });
  seeder.send({ type: "chat", text: "answering the very first", replyTo: 1 });
  seeder.send({ type: "chat", text: "<b>data</b>", data: DATA });
  await seeder.next((p) => p.type === "chat" && p.text === "<b>data</b>");
  await seeder.close();
  const url = `${server.httpUrl}/rooms/${ROOM}`;
  alice = await joinedPage(browser, url, ALICE);
  bob = await joinedPage(browser, url, BOB);
});

afterAll(async () => {
  await browser?.close();
  await server?.dispose();
});

describe("messages that change, in the browser", () => {
  let original: string;

  it("edits one's own message in place by keyboard; Escape cancels; the other page sees the edit live", async () => {
    await send(alice.page, "first <b>x</b>");
    original = await row(bob.page, "first <b>x</b>").getAttribute("data-seq").then(String);
    const mine = alice.page.locator(`li.message[data-seq="${original}"]`);

    // Tab order reaches the message's menu button; Enter opens the menu; arrows reach Edit.
    await mine.locator(".actions-toggle").focus();
    await alice.page.keyboard.press("Enter");
    await alice.page.keyboard.press("ArrowUp"); // from the first item round to the last: Delete
    await alice.page.keyboard.press("ArrowUp");
    expect(await focusedText(alice.page)).toBe("Edit");
    await alice.page.keyboard.press("Enter");
    await alice.page.keyboard.press("Escape");
    expect(await mine.locator(".editor").count()).toBe(0);
    expect(await mine.locator(".text").textContent()).toBe("first <b>x</b>");

    await mine.locator(".actions-toggle").focus();
    await alice.page.keyboard.press("Enter");
    await alice.page.keyboard.press("ArrowUp");
    await alice.page.keyboard.press("ArrowUp");
    await alice.page.keyboard.press("Enter");
    await alice.page.keyboard.press("ControlOrMeta+A");
    await alice.page.keyboard.type("edited <b>y</b>");
    await arrivesLive(
      bob.page,
      alice.page.keyboard.press("Enter"),
      (seq) => {
        const item = document.querySelector(`#messages li.message[data-seq="${seq}"]`);
        return (
          item?.querySelector(".text")?.textContent === "edited <b>y</b>" && item.querySelector(".edited") !== null
        );
      },
      original,
    );
    const title = await row(bob.page, "edited <b>y</b>").locator(".edited").getAttribute("title");
    expect(title).toMatch(/^Edited .*\d/);
    await alice.page.waitForSelector(`li.message[data-seq="${original}"] .edited:not(.saving)`);
  });

  it("reacts from the picker and with the reaction's button, by keyboard too: counts, highlight and names cross live", async () => {
    const chip = (page: Page) => row(page, "edited <b>y</b>").locator('.reaction[data-reaction="👍"]');
    await row(bob.page, "edited <b>y</b>").locator(".actions-toggle").click();
    await arrivesLive(
      alice.page,
      menu(bob.page).getByRole("button", { name: "React with 👍" }).click(),
      (seq) => {
        const count = document.querySelector(
          `li.message[data-seq="${seq}"] .reaction[data-reaction="👍"] .reaction-count`,
        );
        return count?.textContent === "1";
      },
      original,
    );
    expect(await chip(alice.page).getAttribute("aria-pressed")).toBe("false");
    expect(await chip(alice.page).getAttribute("title")).toBe(BOB);
    expect(await chip(bob.page).getAttribute("aria-pressed")).toBe("true");

    // Alice adds hers with Enter on the reaction's button; then takes it back.
    await chip(alice.page).focus();
    await arrivesLive(
      bob.page,
      alice.page.keyboard.press("Enter"),
      (seq) => {
        const button = document.querySelector(`li.message[data-seq="${seq}"] .reaction[data-reaction="👍"]`);
        return button?.querySelector(".reaction-count")?.textContent === "2";
      },
      original,
    );
    expect(await chip(bob.page).getAttribute("title")).toBe(`${BOB}, ${ALICE}`);
    await alice.page.waitForSelector(`li.message[data-seq="${original}"] .reaction[aria-pressed="true"]`);
    // The button kept the focus through the row's update: Enter again takes the reaction back.
    await arrivesLive(
      bob.page,
      alice.page.keyboard.press("Enter"),
      (seq) => {
        const count = document.querySelector(
          `li.message[data-seq="${seq}"] .reaction[data-reaction="👍"] .reaction-count`,
        );
        return count?.textContent === "1";
      },
      original,
    );

    // Any one emoji may be typed; anything else is refused in the menu and nothing is sent.
    await row(bob.page, "edited <b>y</b>").locator(".actions-toggle").click();
    const other = menu(bob.page).getByLabel("Another emoji: type it and press Enter");
    await other.fill("<b>");
    await other.press("Enter");
    expect(await menu(bob.page).locator(".field-error").textContent()).toMatch(/Not one emoji/);
    // A change to the message meanwhile (Alice reacts again) rebuilds its row: Bob's menu stays open, focus in it.
    await arrivesLive(
      bob.page,
      alice.page.keyboard.press("Enter"),
      (seq) => {
        const count = document.querySelector(
          `li.message[data-seq="${seq}"] .reaction[data-reaction="👍"] .reaction-count`,
        );
        return count?.textContent === "2";
      },
      original,
    );
    expect(await bob.page.evaluate(() => document.activeElement?.className)).toBe("reaction-other");
    expect(await menu(bob.page).isVisible()).toBe(true);
    await other.fill("🎉");
    await arrivesLive(
      alice.page,
      other.press("Enter"),
      (seq) => {
        return document.querySelector(`li.message[data-seq="${seq}"] .reaction[data-reaction="🎉"]`) !== null;
      },
      original,
    );
  });

  it("replies with a quote of the original (Escape cancels a reply), and the quote goes to its original", async () => {
    const replyFromMenu = async () => {
      await row(bob.page, "edited <b>y</b>").locator(".actions-toggle").click();
      await menu(bob.page).getByRole("button", { name: "Reply", exact: true }).click();
    };
    await replyFromMenu();
    expect(await bob.page.isVisible("#reply-bar")).toBe(true);
    expect(await bob.page.textContent("#reply-name")).toBe(ALICE);
    await bob.page.press("#composer-input", "Escape");
    expect(await bob.page.isVisible("#reply-bar")).toBe(false);

    await replyFromMenu();
    await bob.page.fill("#composer-input", "re: <i>z</i>");
    await arrivesLive(alice.page, bob.page.press("#composer-input", "Enter"), () => {
      const reply = [...document.querySelectorAll("#messages li.message")].find(
        (item) => item.querySelector(".text")?.textContent === "re: <i>z</i>",
      );
      return reply?.querySelector(".quote-text")?.textContent === "edited <b>y</b>";
    });
    expect(await bob.page.isVisible("#reply-bar")).toBe(false);
    const quote = row(alice.page, "re: <i>z</i>").locator(".quote");
    expect(await quote.locator(".quote-name").textContent()).toBe(ALICE);
    await quote.focus();
    await alice.page.keyboard.press("Enter");
    await alice.page.waitForSelector(`li.message.highlight[data-seq="${original}"]`);
    expect(await alice.page.evaluate(() => (document.activeElement as HTMLElement).dataset.seq)).toBe(original);
  });

  it("goes to an original that is not on the page by loading older history until it is", async () => {
    expect(await alice.page.locator(`li.message[data-seq="1"]`).count()).toBe(0);
    await row(alice.page, "answering the very first").locator(".quote").click();
    await alice.page.waitForSelector(`li.message.highlight[data-seq="1"]`, { timeout: 15_000 });
    expect(await alice.page.textContent(`li.message[data-seq="1"] .text`)).toBe("seed 1");
  });

  it("deletes one's own message after an undo window: Undo keeps it; the delete reaches the other page live once it goes out", async () => {
    const mine = alice.page.locator(`li.message[data-seq="${original}"]`);
    await mine.locator(".actions-toggle").click();
    await menu(alice.page).getByRole("button", { name: "Delete", exact: true }).click();
    expect(await focusedText(alice.page)).toBe("Undo");
    expect(await mine.locator(".text").textContent()).toBe("Deleted — Undo");
    await alice.page.keyboard.press("Escape");
    expect(await mine.locator(".text").textContent()).toBe("edited <b>y</b>");
    await alice.page.waitForTimeout(6000);
    expect(await bob.page.locator(`li.message.deleted[data-seq="${original}"]`).count()).toBe(0);

    await mine.locator(".actions-toggle").click();
    await menu(alice.page).getByRole("button", { name: "Delete", exact: true }).click();
    // The delete goes out when the window closes, which is when the Undo button goes.
    const sent = alice.page.waitForSelector(`li.message[data-seq="${original}"] .undo`, {
      state: "detached",
      timeout: 10_000,
    });
    await arrivesLive(
      bob.page,
      sent,
      (seq) => {
        const item = document.querySelector(`li.message[data-seq="${seq}"]`);
        const reply = [...document.querySelectorAll("#messages li.message")].find(
          (other) => other.querySelector(".text")?.textContent === "re: <i>z</i>",
        );
        return (
          item?.classList.contains("deleted") === true &&
          item.querySelector(".text")?.textContent === "message deleted" &&
          reply?.querySelector(".quote-text")?.textContent === "deleted message"
        );
      },
      original,
    );
    await alice.page.waitForSelector(`li.message.deleted[data-seq="${original}"]`);
    expect(await row(bob.page, "edited <b>y</b>").count()).toBe(0);
  });

  it("shows game data as text, and nothing on either page as markup", async () => {
    for (const { page, problems } of [alice, bob]) {
      const data = row(page, "<b>data</b>").locator("details.game-data");
      await data.locator("summary").click();
      expect(await data.locator("pre").textContent()).toBe(JSON.stringify(DATA, null, 2));
      const markup = "#messages b, #messages i, #messages img, #member-list b, #member-list i, #reply-bar b";
      expect(await page.locator(markup).count()).toBe(0);
      expect(await page.evaluate(() => (window as unknown as { imagesCreated: number }).imagesCreated)).toBe(0);
      expect(problems).toEqual([]);
    }
    await alice.page.screenshot({ path: "test-results/screenshots/message-changes-light.png" });
    await bob.page.emulateMedia({ colorScheme: "dark" });
    await bob.page.screenshot({ path: "test-results/screenshots/message-changes-dark.png" });
  });
});

// ---------------------------------------------------------------------------------------------------------------

/** The row of the message that says `text`. */
function row(page: Page, text: string) {
  return page.locator("#messages li.message", { has: page.locator(".text", { hasText: text }) }).last();
}

/** The actions menu open on the page. */
function menu(page: Page) {
  return page.locator(".actions.open .actions-menu");
}

function focusedText(page: Page): Promise<string | null | undefined> {
  return page.evaluate(() => document.activeElement?.textContent);
}

/**
 * Does `action` (on one page) and waits until `shown` holds on `page` (the other), polling its DOM, without a reload:
 * within ARRIVAL_TIMEOUT of the action's end, or the test fails.
 */
async function arrivesLive(
  page: Page,
  action: Promise<unknown>,
  shown: (seq: string) => boolean,
  seq = "",
): Promise<void> {
  await action;
  // waitForFunction fails the test if `shown` does not hold within its timeout, counted from the action's end.
  await page.waitForFunction(shown, seq, { polling: 25, timeout: ARRIVAL_TIMEOUT });
}
