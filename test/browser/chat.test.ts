// The browser client in real Chromium against a real `wrangler dev`: two people chat, hostile text stays text,
// reading scrolled up is not disturbed, and a server restart costs no message and duplicates none.
//
// The steps share one server, one room and the same pages, and run in order.

// The callbacks given to page.evaluate and friends run in the page, among the DOM's types.
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />

import { mkdirSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevServer, startDevServer } from "../../tools/dev-server.ts";
import { launchChromium } from "../support/browser.ts";
import { member, send } from "./page-actions.ts";

const ROOM = "browser-e2e";
const HOSTILE = "<img src=x onerror=alert(1)>";
const SCREENSHOTS = "test-results/screenshots";
// Small pages, so that a short test crosses page boundaries: join history, older history and the resume gap.
// A generous rate limit, so that seeding the room is quick.
const VARS = { HISTORY_ON_JOIN: 12, HISTORY_PAGE_MAX: 5, RATE_LIMIT_BURST: 500, RATE_LIMIT_PER_SECOND: 500 };
const SEEDED = 30;

interface ChatPage {
  context: BrowserContext;
  page: Page;
  /** alert(), confirm() and prompt() calls: there must be none. */
  dialogs: string[];
  /** Uncaught exceptions in the page, and requests answered with an error status (e.g. a missing icon). */
  errors: string[];
}

let server: DevServer;
let browser: Browser;
let alice: ChatPage;
let bob: ChatPage;

beforeAll(async () => {
  [server, browser] = await Promise.all([startDevServer({ vars: VARS }), launchChromium()]);
  mkdirSync(SCREENSHOTS, { recursive: true });
  const seeder = await member(server.wsUrl, ROOM, "seeder");
  for (let i = 1; i <= SEEDED; i++) seeder.send({ type: "chat", text: `seed ${i}` });
  await seeder.next((p) => p.type === "chat" && p.text === `seed ${SEEDED}`);
  await seeder.close();
});

afterAll(async () => {
  await browser?.close();
  await server?.dispose();
});

describe("the chat page", () => {
  it("joins with a name and shows the recent history, then older pages when scrolled to the top", async () => {
    alice = await openChat("Alice", { width: 1280, height: 800 }, "wide-name-dialog-light");
    await alice.page.waitForSelector(`#messages li.message >> text="seed ${SEEDED}"`);
    // Scroll to the top until the page says the beginning is reached.
    await alice.page.waitForFunction(
      () => {
        const scroller = document.getElementById("scroller")!;
        scroller.scrollTop = 0;
        return !document.getElementById("history-start")!.hidden;
      },
      undefined,
      { polling: 200, timeout: 15_000 },
    );
    expect(await messageTexts(alice.page)).toEqual(range(1, SEEDED).map((i) => `seed ${i}`));
    expect(await alice.page.textContent("#members")).toContain("Alice");
  });

  it("shows two people each other's messages and presence, and renders hostile text as text", async () => {
    bob = await openChat(HOSTILE, { width: 360, height: 740 });
    await alice.page.waitForSelector(`#messages li.notice >> text="\u2068${HOSTILE}\u2069 joined."`);
    expect(await alice.page.textContent("#member-list")).toContain(HOSTILE);
    expect(await alice.page.textContent("#member-count")).toBe("2");

    await send(bob.page, HOSTILE);
    await send(alice.page, "hello from Alice");
    for (const { page } of [alice, bob]) {
      await page.waitForSelector(`#messages li.message >> text="hello from Alice"`);
      await page.waitForSelector(`#messages li.message .text >> text="${HOSTILE}"`);
    }
    const last = await alice.page.$$eval("#messages li.message", (items) =>
      items.slice(-2).map((item) => ({
        own: item.classList.contains("own"),
        sender: item.querySelector(".sender")?.textContent,
        text: item.querySelector(".text")?.textContent,
        time: item.querySelector("time")?.textContent,
      })),
    );
    expect(last).toEqual([
      { own: false, sender: HOSTILE, text: HOSTILE, time: expect.stringMatching(/\d/) },
      { own: true, sender: "Alice", text: "hello from Alice", time: expect.stringMatching(/\d/) },
    ]);

    // On a narrow screen the members are behind a toggle that shows their count.
    expect(await bob.page.isVisible("#member-list")).toBe(false);
    expect(await bob.page.textContent("#members-toggle")).toContain("2");
    await bob.page.click("#members-toggle");
    expect(await bob.page.isVisible("#member-list")).toBe(true);
    expect(await bob.page.textContent("#member-list")).toContain("Alice");
    await screenshot(bob.page, "narrow-members-light");
    await bob.page.click("#members-toggle");

    for (const { page, dialogs, errors } of [alice, bob]) {
      expect(await page.evaluate(() => (window as unknown as { imagesCreated: number }).imagesCreated)).toBe(0);
      expect(await page.locator("img").count()).toBe(0);
      expect(dialogs).toEqual([]);
      expect(errors).toEqual([]);
    }
  });

  it("leaves a reader who scrolled up where they are and offers the new messages instead", async () => {
    const scroller = alice.page.locator("#scroller");
    await scroller.evaluate((element) => (element.scrollTop = 300));
    const before = await scroller.evaluate((element) => element.scrollTop);
    expect(before).toBe(300);

    await send(bob.page, "while you read 1");
    await send(bob.page, "while you read 2");
    await alice.page.waitForSelector(`#messages li.message >> text="while you read 2"`);
    expect(await scroller.evaluate((element) => element.scrollTop)).toBe(before);
    expect(await alice.page.isVisible("#new-messages")).toBe(true);
    expect(await alice.page.textContent("#new-messages")).toContain("2 new messages");
    await screenshot(alice.page, "wide-scrolled-up-light");

    await alice.page.click("#new-messages");
    expect(await alice.page.isVisible("#new-messages")).toBe(false);
    expect(await scroller.evaluate((e) => e.scrollHeight - e.scrollTop - e.clientHeight)).toBeLessThan(2);

    // At the bottom, new messages keep it pinned there.
    await send(bob.page, "pinned");
    await alice.page.waitForSelector(`#messages li.message >> text="pinned"`);
    expect(await scroller.evaluate((e) => e.scrollHeight - e.scrollTop - e.clientHeight)).toBeLessThan(2);
    expect(await alice.page.isVisible("#new-messages")).toBe(false);
  });

  it("survives a server restart: reconnects by itself and shows every message sent meanwhile exactly once, in order", async () => {
    // Alice's network goes away with the server and stays away until the others have talked.
    await alice.context.setOffline(true);
    const restarted = server.restart();
    await alice.page.waitForSelector("#status[data-state=reconnecting]", { timeout: 15_000 });
    expect(await alice.page.textContent("#status")).toMatch(/Reconnecting in \d+ s \(try \d+\)/);
    await send(alice.page, "typed while offline");
    expect(await alice.page.textContent("#composer-queue")).toBe("1 message will be sent when reconnected");
    await screenshot(alice.page, "wide-reconnecting-light");
    server = await restarted;

    // Bob comes back by himself, with backoff.
    await bob.page.waitForSelector("#status[data-state=online]", { timeout: 30_000 });
    await send(bob.page, "bob is back");
    // More than one history page (5) is missed: the resume must fill the gap from history.
    const carol = await member(server.wsUrl, ROOM, "carol");
    for (let i = 1; i <= 12; i++) carol.send({ type: "chat", text: `missed ${i}` });
    await carol.next((p) => p.type === "chat" && p.text === "missed 12");
    await carol.close();
    expect(await alice.page.getAttribute("#status", "data-state")).not.toBe("online");

    await alice.context.setOffline(false);
    await alice.page.waitForSelector("#status[data-state=online]", { timeout: 30_000 });
    await alice.page.waitForSelector(`#messages li.message >> text="typed while offline"`);
    await bob.page.waitForSelector(`#messages li.message >> text="typed while offline"`);

    const texts = await messageTexts(alice.page);
    expect(texts.slice(-14)).toEqual(["bob is back", ...range(1, 12).map((i) => `missed ${i}`), "typed while offline"]);
    // Alice has paged through the whole history, so she must hold every sequence number once, in order.
    const { lastSeq } = (await (await fetch(`${server.httpUrl}/api/rooms/${ROOM}`)).json()) as { lastSeq: number };
    expect(await sequenceNumbers(alice.page)).toEqual(range(1, lastSeq));
    expect(await alice.page.textContent("#composer-queue")).toBe("");
    expect(alice.errors).toEqual([]);
  });

  it("renames without leaving", async () => {
    await bob.page.click("#rename");
    await bob.page.fill("#name-input", "  ");
    await bob.page.press("#name-input", "Enter");
    expect(await bob.page.textContent("#name-error")).toMatch(/Name must be 1 to 32 characters/);
    await screenshot(bob.page, "narrow-rename-light");
    await bob.page.fill("#name-input", "Bob");
    await bob.page.press("#name-input", "Enter");
    await alice.page.waitForSelector(
      `#messages li.notice >> text="\u2068${HOSTILE}\u2069 is now known as \u2068Bob\u2069."`,
    );
    await bob.page.waitForSelector(`#messages li.notice >> text="You are now known as \u2068Bob\u2069."`);
    expect(await alice.page.textContent("#member-list")).not.toContain(HOSTILE);
    expect(await alice.page.textContent("#member-list")).toContain("Bob");
    expect(await bob.page.textContent("#self-name")).toBe("Bob");
    expect(await bob.page.getAttribute("#status", "data-state")).toBe("online");
  });

  it("fits wide and narrow pages in their viewport, light and dark, in the scheme's colours with readable text", async () => {
    await alice.page.locator("#scroller").evaluate((e) => (e.scrollTop = e.scrollHeight));
    for (const scheme of ["light", "dark"] as const) {
      for (const { page } of [alice, bob]) await page.emulateMedia({ colorScheme: scheme });
      for (const [chat, width] of [
        [alice, "wide"],
        [bob, "narrow"],
      ] as const) {
        // Screenshots for a person to look at (test-results/screenshots); what the test holds to is the layout.
        await screenshot(chat.page, `${width}-${scheme}`);
        const layout = await layoutOf(chat.page);
        const where = `${width}, ${scheme}`;
        expect(layout.overflowX, where).toBe(0);
        // Every control a person needs is on the page, whole, within the viewport.
        expect(layout.outside, where).toEqual([]);
        // The members list stands beside the conversation when wide; when narrow it hides behind its toggle.
        expect(layout.membersShown, where).toBe(width === "wide");
        expect(layout.membersToggleShown, where).toBe(width === "narrow");
        // The scheme's own colours (static/style.css), and text that reads: WCAG AA contrast, 4.5 to 1, at least.
        expect(layout.background, where).toBe(scheme === "light" ? "rgb(246, 247, 249)" : "rgb(15, 18, 22)");
        for (const [what, ratio] of Object.entries(layout.contrast))
          expect(ratio, `${what}, ${where}`).toBeGreaterThanOrEqual(4.5);
      }
    }
    await bob.page.fill("#composer-input", "x".repeat(1_990));
    await screenshot(bob.page, "narrow-counter-dark");
    expect(await bob.page.textContent("#composer-counter")).toMatch(/1,?990 \/ 2,?000/);
    const long = await layoutOf(bob.page);
    expect(long.overflowX).toBe(0);
    expect(long.outside).toEqual([]);
  });
});

/**
 * Selectors of what a person needs on the page at any width: where they are, how they are doing, how to talk, and
 * the newest message (of several matches, the last is taken).
 */
const ESSENTIALS = ["#room-name", "#status", "#composer-input", "#send", "#messages li.message"];

/**
 * What a test can hold a page's layout to: how far it scrolls sideways (it should not), which essentials lie
 * partly or wholly outside the viewport (or are not shown), whether the members list and its toggle are shown, the
 * page's background colour, and the contrast ratio of text against what is behind it, in a few places.
 */
function layoutOf(page: Page) {
  return page.evaluate((essentials) => {
    const pick = (selector: string) => [...document.querySelectorAll(selector)].at(-1) ?? null;
    const shown = (element: Element | null) => {
      if (!element) return false;
      const { width, height } = element.getBoundingClientRect();
      return width > 0 && height > 0 && getComputedStyle(element).visibility !== "hidden";
    };
    const outside = essentials.filter((selector) => {
      const element = pick(selector);
      if (!element || !shown(element)) return true;
      const box = element.getBoundingClientRect();
      return box.left < 0 || box.top < 0 || box.right > innerWidth || box.bottom > innerHeight;
    });
    const rgb = (colour: string) => (colour.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
    const luminance = (colour: string) => {
      const [r, g, b] = rgb(colour).map((value) => {
        const c = value / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
    };
    /** The colour behind an element: its own background, or the first one set on its way up. */
    const backdrop = (element: Element): string => {
      for (let at: Element | null = element; at; at = at.parentElement) {
        const colour = getComputedStyle(at).backgroundColor;
        if (colour !== "rgba(0, 0, 0, 0)" && colour !== "transparent") return colour;
      }
      return "rgb(255, 255, 255)";
    };
    const contrastOf = (selector: string) => {
      const element = pick(selector);
      if (!element) return 0;
      const [a, b] = [luminance(getComputedStyle(element).color), luminance(backdrop(element))];
      return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    };
    return {
      overflowX: document.documentElement.scrollWidth - document.documentElement.clientWidth,
      outside,
      membersShown: shown(document.querySelector("#members")),
      membersToggleShown: shown(document.querySelector("#members-toggle")),
      background: getComputedStyle(document.body).backgroundColor,
      contrast: Object.fromEntries(
        ["body", "#messages li.message .text", "#composer-input", "#send", "#status"].map((selector) => [
          selector,
          contrastOf(selector),
        ]),
      ),
    };
  }, ESSENTIALS);
}

// ---------------------------------------------------------------------------------------------------------------

async function openChat(
  name: string,
  viewport: { width: number; height: number },
  dialogScreenshot?: string,
): Promise<ChatPage> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const dialogs: string[] = [];
  const errors: string[] = [];
  page.on("dialog", (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on("pageerror", (error) => errors.push(String(error)));
  page.on("response", (response) => {
    if (response.status() >= 400) errors.push(`HTTP ${response.status()} for ${response.url()}`);
  });
  // Counts every <img> ever added to the page, even one removed again at once.
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
  await page.goto(`${server.httpUrl}/rooms/${ROOM}`);
  if (dialogScreenshot) await screenshot(page, dialogScreenshot);
  await page.getByLabel("Your name").fill(name);
  await page.getByRole("button", { name: "Join" }).click();
  await page.waitForSelector("#status[data-state=online]");
  return { context, page, dialogs, errors };
}

function messageTexts(page: Page): Promise<string[]> {
  return page.$$eval("#messages li.message .text", (items) => items.map((item) => item.textContent ?? ""));
}

function sequenceNumbers(page: Page): Promise<number[]> {
  return page.$$eval("#messages li.message", (items) => items.map((item) => Number((item as HTMLElement).dataset.seq)));
}

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png` });
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
