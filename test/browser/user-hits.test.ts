// What a browser user hits (issue 22), in real Chromium against `wrangler dev`: a taken name, a reconnect with
// messages typed meanwhile, a rate-limit refusal, a removal, a resize to a phone's width, a reload, links and
// mentions. Where the network must misbehave on cue, the page's WebSocket goes through a Playwright route that
// can refuse connections, drop the live one, or answer a chat with the room's own refusal.
//
// The steps share one server and one room; each opens its own pages.

/// <reference lib="dom" />

import { mkdirSync } from "node:fs";
import { SignJWT } from "jose";
import type { Browser, BrowserContextOptions, Page, WebSocketRoute } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevServer, startDevServer } from "../../tools/dev-server.ts";
import { launchChromium } from "../support/browser.ts";
import { member, send } from "./page-actions.ts";

const SECRET = "user-hits-secret";
const ROOM = "user-hits";
const SCREENSHOTS = "test-results/screenshots";

let server: DevServer;
let browser: Browser;
const pageErrors: string[] = [];

beforeAll(async () => {
  [server, browser] = await Promise.all([
    startDevServer({ vars: { AUTH_SECRET: SECRET, RATE_LIMIT_BURST: 100, RATE_LIMIT_PER_SECOND: 100 } }),
    launchChromium(),
  ]);
  mkdirSync(SCREENSHOTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await server?.dispose();
});

const mint = (claims: { sub: string; name: string; role?: string }) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .setExpirationTime("1h")
    .sign(new TextEncoder().encode(SECRET));

/** The page's WebSocket, as the test lets it through: `blocked` refuses new connections, `refuseChat` one chat. */
interface Network {
  blocked: boolean;
  refuseChat: boolean;
  live: WebSocketRoute | undefined;
}

interface OpenOptions {
  token?: string;
  context?: BrowserContextOptions;
  network?: Network;
}

/** Opens the room's page, with a token in its fragment or, without one, joining under `name` from the dialog. */
async function open(name: string, { token, context, network }: OpenOptions = {}): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 }, ...context })).newPage();
  page.setDefaultTimeout(10_000);
  page.on("pageerror", (error) => pageErrors.push(String(error)));
  if (network) await route(page, network);
  await page.goto(`${server.httpUrl}/rooms/${ROOM}${token ? `#token=${token}` : ""}`);
  if (!token && name) {
    await page.getByLabel("Your name").fill(name);
    await page.getByRole("button", { name: "Join" }).click();
  }
  if (name || token) await page.waitForSelector("#status[data-state=online]");
  return page;
}

async function route(page: Page, network: Network): Promise<void> {
  await page.routeWebSocket(/\/rooms\//, (ws) => {
    if (network.blocked) return void ws.close({ code: 4000, reason: "offline" });
    network.live = ws;
    const room = ws.connectToServer();
    ws.onMessage((frame) => {
      const text = String(frame);
      if (network.refuseChat && text.startsWith("{") && (JSON.parse(text) as { type: string }).type === "chat") {
        // What the room answers a chat over the rate limit: the chat is not taken.
        network.refuseChat = false;
        ws.send(
          JSON.stringify({ type: "error", code: "rate_limited", message: "rate limit exceeded", retryAfterMs: 300 }),
        );
        return;
      }
      room.send(frame);
    });
  });
}

/** Messages shown, delivered or pending. */
const messageItems = (page: Page, text: string) =>
  page.locator("#scroller li.message", { has: page.locator(".text", { hasText: text }) });

const fromBottom = (page: Page) =>
  page.locator("#scroller").evaluate((e) => e.scrollHeight - e.scrollTop - e.clientHeight);

describe("what a browser user hits", () => {
  it("keeps a taken name typed, says plainly that it is taken, and suggests a free one", async () => {
    const ann = await open("Ann");
    const other = await open("");
    await other.getByLabel("Your name").fill("ann");
    await other.getByRole("button", { name: "Join" }).click();
    await other.waitForSelector(`#name-error >> text="Someone here is already called \u2068ann\u2069."`);
    expect(await other.inputValue("#name-input")).toBe("ann");
    const suggestion = other.getByRole("button", { name: /^Use / });
    expect(await suggestion.textContent()).toBe("Use ann 2");
    await other.screenshot({ path: `${SCREENSHOTS}/name-taken-light.png` });
    await suggestion.click();
    expect(await other.inputValue("#name-input")).toBe("ann 2");
    await other.getByRole("button", { name: "Join" }).click();
    await other.waitForSelector("#status[data-state=online]");
    expect(await other.textContent("#self-name")).toBe("ann 2");
    await Promise.all([ann.context().close(), other.context().close()]);
  });

  it("shows messages typed offline in place as pending, marks the members out of date, and retries at once on focus", async () => {
    const network: Network = { blocked: false, refuseChat: false, live: undefined };
    const page = await open("Offline Olga", { network });
    network.blocked = true;
    network.live?.close({ code: 4000, reason: "dropped" });
    await page.waitForSelector("#status[data-state=reconnecting]");
    // Someone joins while we are away.
    const zed = await member(server.wsUrl, ROOM, "Zed");
    await send(page, "typed offline");
    const pending = messageItems(page, "typed offline");
    await pending.and(page.locator(".pending")).waitFor();
    expect(await pending.textContent()).toContain("Not sent yet");
    expect(await page.getAttribute("#members", "data-stale")).toBe("true");
    expect(await page.textContent("#members-stale")).toBe("Out of date while offline");
    expect(await page.isVisible("#members-stale")).toBe(true);
    // Failed attempts stretch the backoff: wait until the next retry is far away.
    await page.waitForFunction(
      () => {
        const match = /in (\d+) s/.exec(document.getElementById("status")!.textContent ?? "");
        return match !== null && Number(match[1]) >= 6;
      },
      undefined,
      { timeout: 40_000, polling: 200 },
    );
    await page.screenshot({ path: `${SCREENSHOTS}/pending-offline-light.png` });

    network.blocked = false;
    await page.evaluate(() => dispatchEvent(new Event("focus")));
    await page.waitForSelector("#status[data-state=online]", { timeout: 3000 });
    await page.waitForSelector(`#messages li.message[data-seq] .text >> text="typed offline"`);
    expect(await page.locator("#scroller li.message.pending").count()).toBe(0);
    expect(await messageItems(page, "typed offline").count()).toBe(1);
    expect(await page.getAttribute("#members", "data-stale")).toBe("false");
    expect(await page.isVisible("#members-stale")).toBe(false);
    expect(await page.textContent("#member-list")).toContain("Zed");
    await zed.close();
    await page.context().close();
  });

  it("says a rate-limit refusal long enough to read, and shows the message pending until it is sent", async () => {
    const network: Network = { blocked: false, refuseChat: true, live: undefined };
    const page = await open("Hasty Hal", { network });
    await send(page, "too fast");
    await page.waitForSelector(`#composer-error >> text=/sending too fast/`);
    await messageItems(page, "too fast").and(page.locator(".pending")).waitFor();
    // The connection sends it again after a second; the refusal stays on screen for a reader meanwhile.
    await page.waitForTimeout(2500);
    expect(await page.textContent("#composer-error")).toMatch(/sending too fast/);
    await page.waitForSelector(`#messages li.message[data-seq] .text >> text="too fast"`);
    expect(await messageItems(page, "too fast").count()).toBe(1);
    expect(await page.locator("#scroller li.message.pending").count()).toBe(0);
    await page.context().close();
  });

  it("makes links clickable, safely, and highlights mentions of you", async () => {
    const lin = await open("Lin");
    const bob = await member(server.wsUrl, ROOM, "Bob");
    bob.send({
      type: "chat",
      text: "read https://example.com/a?b=1&c=2, not javascript:alert(1) or <a href=x>x</a> @ＬＩＮ and @Linnea",
    });
    const item = messageItems(lin, "read ");
    await item.waitFor();
    const links = await item.locator("a").evaluateAll((anchors) =>
      anchors.map((a) => ({
        href: a.getAttribute("href"),
        text: a.textContent,
        rel: a.getAttribute("rel"),
        target: a.getAttribute("target"),
      })),
    );
    expect(links).toEqual([
      {
        href: "https://example.com/a?b=1&c=2",
        text: "https://example.com/a?b=1&c=2",
        rel: "noopener noreferrer",
        target: "_blank",
      },
    ]);
    expect(await item.locator(".text").textContent()).toBe(
      "read https://example.com/a?b=1&c=2, not javascript:alert(1) or <a href=x>x</a> @ＬＩＮ and @Linnea",
    );
    expect(await item.locator(".mention").allTextContents()).toEqual(["@ＬＩＮ"]);
    await bob.close();
    await lin.context().close();
  });

  it("keeps the view at the newest message through a resize to a phone's width", async () => {
    const page = await open("Resizer");
    const talker = await member(server.wsUrl, ROOM, "Talker");
    for (let i = 1; i <= 25; i++) talker.send({ type: "chat", text: `long line ${i} `.repeat(12) });
    await messageItems(page, "long line 25 ").waitFor();
    expect(await fromBottom(page)).toBeLessThan(2);
    await page.setViewportSize({ width: 360, height: 740 });
    await page.waitForTimeout(300);
    expect(await fromBottom(page)).toBeLessThan(2);
    await talker.close();
    await page.context().close();
  });

  it("marks your own earlier messages as yours after a reload, anonymous or verified", async () => {
    const anon = await open("Reloader");
    await send(anon, "mine before reload");
    await anon.waitForSelector(`#messages li.message.own .text >> text="mine before reload"`);
    await anon.reload();
    await anon.waitForSelector("#status[data-state=online]");
    await messageItems(anon, "mine before reload").waitFor();
    expect(await messageItems(anon, "mine before reload").getAttribute("class")).toContain("own");

    const token = await mint({ sub: "u-vera", name: "Vera" });
    const vera = await open("", { token });
    await send(vera, "vera's own");
    await vera.waitForSelector(`#messages li.message.own .text >> text="vera's own"`);
    // Another tab of the same user (nothing of the first tab's) knows them as its own too.
    const again = await open("", { token: await mint({ sub: "u-vera", name: "Vera" }) });
    await messageItems(again, "vera's own").waitFor();
    expect(await messageItems(again, "vera's own").getAttribute("class")).toContain("own");
    // But not the anonymous member's.
    expect(await messageItems(again, "mine before reload").getAttribute("class")).not.toContain("own");
    await Promise.all([anon, vera, again].map((page) => page.context().close()));
  });

  it("shows Delete to a moderator on a touch screen without hover, and disables a removed member's composer", async () => {
    const moderator = await open("", {
      token: await mint({ sub: "mod-1", name: "Mod", role: "moderator" }),
      context: { viewport: { width: 390, height: 800 }, hasTouch: true, isMobile: true },
    });
    const kicked = await open("Kicked Kim");
    await send(kicked, "delete me");
    const message = messageItems(moderator, "delete me");
    await message.waitFor();
    expect(await moderator.evaluate(() => matchMedia("(hover: none)").matches)).toBe(true);
    const remove = message.getByRole("button", { name: "Delete" });
    expect(await remove.evaluate((button) => getComputedStyle(button).opacity)).toBe("1");
    await moderator.screenshot({ path: `${SCREENSHOTS}/touch-delete-light.png` });
    // At this width the room form once took the first line and squeezed the room's name to a sliver.
    expect((await moderator.locator(".room-title").boundingBox())!.width).toBeGreaterThan(60);

    // On a phone's width the members are behind their toggle.
    await moderator.click("#members-toggle");
    await moderator.click(`#member-list li:has-text("Kicked Kim") summary`);
    await moderator.getByRole("button", { name: "Kick", exact: true }).click();
    await kicked.waitForSelector(`#status >> text="Removed by a moderator"`);
    expect(await kicked.isDisabled("#composer-input")).toBe(true);
    expect(await kicked.isDisabled("#send")).toBe(true);
    expect(await kicked.textContent("#composer-queue")).toBe(
      "A moderator removed you from the room. Rejoin to write again.",
    );
    await kicked.screenshot({ path: `${SCREENSHOTS}/kicked-composer-light.png` });
    // Rejoining gives the composer back.
    await kicked.click("#retry");
    await kicked.waitForSelector("#status[data-state=online]");
    expect(await kicked.isDisabled("#composer-input")).toBe(false);

    // A ban (of everyone anonymous at this address, the test's pages) leaves no way back.
    await moderator.click(`#member-list li:has-text("Kicked Kim") summary`);
    await moderator.getByRole("button", { name: "Ban 10 minutes" }).click();
    await moderator.locator("#ban-dialog").getByRole("button", { name: "Ban", exact: true }).click();
    await kicked.waitForSelector(`#status >> text="Banned from this room"`);
    expect(await kicked.isDisabled("#composer-input")).toBe(true);
    expect(await kicked.textContent("#composer-queue")).toBe(
      "A moderator banned you from the room. You cannot write here.",
    );
    expect(pageErrors).toEqual([]);
  });
});
