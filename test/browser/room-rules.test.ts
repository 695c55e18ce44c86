// The room's rules in real Chromium (design 25b): a message the game's backend posted, shown as the room's voice
// and never as a member's (against a real `wrangler dev` and its publish API); and slow mode, a mute, the refusals
// `slow_mode`, `blocked_word` and `muted`, a moderator's mute from the member menu, and a room too large to list
// (summary presence), as the page shows them (the page is real, its room socket answered by a scripted room:
// scripted-room.ts).

/// <reference lib="dom" />

import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevServer, startDevServer } from "../../tools/dev-server.ts";
import { launchChromium } from "../support/browser.ts";
import type { TestClient } from "../support/ws-client.ts";
import { joinedPage, member, send } from "./page-actions.ts";
import { ScriptedRoom, type ScriptedRoomOptions } from "./scripted-room.ts";

const ADMIN_TOKEN = "rules-admin-token";

let server: DevServer;
let browser: Browser;
let referee: TestClient | undefined;
const problems: string[] = [];

beforeAll(async () => {
  [server, browser] = await Promise.all([startDevServer({ vars: { ADMIN_TOKEN } }), launchChromium()]);
});

afterAll(async () => {
  await referee?.close();
  await browser?.close();
  await server?.dispose();
});

/** A page of room `room` whose socket the scripted room answers, joined as `name` (or by `token`'s claims). */
async function scripted(room: string, options: ScriptedRoomOptions & { name?: string; token?: string } = {}) {
  const page = await (await browser.newContext({ viewport: { width: 1100, height: 800 } })).newPage();
  page.on("pageerror", (error) => problems.push(String(error)));
  const script = await ScriptedRoom.on(page, options);
  await page.goto(`${server.httpUrl}/rooms/${room}${options.token ? `#token=${options.token}` : ""}`);
  if (!options.token) {
    await page.getByLabel("Your name").fill(options.name ?? "Ann");
    await page.getByRole("button", { name: "Join" }).click();
  }
  await page.waitForSelector("#status[data-state=online]");
  return { page, room: script };
}

const notices = (page: Page) => page.$$eval("#messages li.notice", (items) => items.map((i) => i.textContent ?? ""));
const ruleLine = (page: Page) => page.textContent("#composer-rule");
const inputValue = (page: Page) => page.inputValue("#composer-input");

describe("the room's voice", () => {
  it("shows a published message apart, as text, never as the member of the same name; never grouped with it", async () => {
    const viewer = await joinedPage(browser, `${server.httpUrl}/rooms/voice`, "Viewer");
    referee = await member(server.wsUrl, "voice", "Referee");
    referee.send({ type: "chat", text: "I am the referee" });
    const posted = await fetch(`${server.httpUrl}/api/rooms/voice/messages`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ text: "<b>Ann won</b>", sender: { name: "Referee" } }),
    });
    expect(posted.status).toBe(201);
    await viewer.page.waitForSelector("#messages li.message.system");
    const rows = await viewer.page.$$eval("#messages li.message", (items) =>
      items.map((item) => ({
        system: item.classList.contains("system"),
        continued: item.classList.contains("continued"),
        sender: item.querySelector(".sender")?.textContent,
        senderClass: item.querySelector(".sender")?.className,
        mark: item.querySelector(".system-mark")?.textContent ?? null,
        text: item.querySelector(".text")?.textContent,
        bold: item.querySelector(".text b") !== null,
      })),
    );
    expect(rows).toEqual([
      {
        system: false,
        continued: false,
        sender: "Referee",
        senderClass: "sender",
        mark: null,
        text: "I am the referee",
        bold: false,
      },
      {
        system: true,
        continued: false,
        sender: "Referee",
        senderClass: "sender system-sender",
        mark: "system",
        text: "<b>Ann won</b>",
        bold: false,
      },
    ]);
    expect(viewer.problems).toEqual([]);
  });
});

describe("slow mode, mute and refusals, as the page shows them", () => {
  it("says slow mode is on, and after a chat the room took keeps the next one in the box until the wait is over", async () => {
    const { page, room } = await scripted("slow", { settings: { slowModeSeconds: 3, listed: false } });
    await page.waitForSelector(`#messages li.notice >> text="Slow mode is on: one message per 3 s."`);
    await send(page, "one");
    await page.waitForSelector(`#messages li.message >> text="one"`);
    expect(await ruleLine(page)).toMatch(/^Slow mode: your next message can go in [1-3] s\.$/);
    await send(page, "two");
    expect(await inputValue(page)).toBe("two");
    expect(await page.isDisabled("#send")).toBe(true);
    expect(room.sent("chat").map((chat) => chat.text)).toEqual(["one"]);
    await page.waitForFunction(() => document.querySelector("#composer-rule")?.textContent === "", null, {
      timeout: 5000,
    });
    await page.press("#composer-input", "Enter");
    await page.waitForSelector(`#messages li.message >> text="two"`);
    expect(room.sent("chat").map((chat) => chat.text)).toEqual(["one", "two"]);
    room.send({ type: "settings", settings: { slowModeSeconds: 0, listed: false } });
    await page.waitForSelector(`#messages li.notice >> text="Slow mode is off."`);
    expect(await ruleLine(page)).toBe("");
  });

  it("puts a chat refused for a blocked word, for slow mode or for a mute back in the box, with a line for each", async () => {
    const { page, room } = await scripted("refusals");
    room.refuseNext({ code: "blocked_word", message: "a word this room blocks" });
    await send(page, "a rude word");
    await page.waitForFunction(() => document.querySelector("#composer-error")?.textContent !== "");
    expect(await page.textContent("#composer-error")).toBe(
      "Not sent: it holds a word this room does not allow. Change it and try again.",
    );
    expect(await inputValue(page)).toBe("a rude word");
    expect(await page.$$("#pending-messages li")).toHaveLength(0);

    room.refuseNext({ code: "slow_mode", message: "slow mode", retryAfterMs: 2000 });
    await page.fill("#composer-input", "too soon");
    await page.press("#composer-input", "Enter");
    await page.waitForFunction(() => document.querySelector("#composer-error")?.textContent?.includes("slow mode"));
    expect(await page.textContent("#composer-error")).toBe(
      "Not sent: slow mode is on. Your message is still in the box: send it again in 2 s.",
    );
    expect(await inputValue(page)).toBe("too soon");
    expect(await ruleLine(page)).toMatch(/^Slow mode: your next message can go in [12] s\.$/);
    await page.waitForFunction(() => document.querySelector("#composer-rule")?.textContent === "", null, {
      timeout: 4000,
    });

    room.refuseNext({ code: "muted", message: "muted", retryAfterMs: 2000 });
    await page.press("#composer-input", "Enter");
    await page.waitForFunction(() => document.querySelector("#composer-error")?.textContent?.includes("muted"));
    expect(await page.textContent("#composer-error")).toBe("Not sent: a moderator muted you.");
    expect(await inputValue(page)).toBe("too soon");
    expect(await page.isDisabled("#composer-input")).toBe(true);
    expect(await ruleLine(page)).toMatch(/^You are muted until .+\.$/);
    // The connection ends a timed mute at its end, with no word from the room.
    await page.waitForSelector(`#messages li.notice >> text="You may write again."`, { timeout: 4000 });
    expect(await page.isDisabled("#composer-input")).toBe(false);
    expect(await inputValue(page)).toBe("too soon");
    expect(room.sent("chat").map((chat) => chat.text)).toEqual(["a rude word", "too soon", "too soon"]);
  });

  it("holds the composer while a moderator has us muted, says until when and why, and lets us write again", async () => {
    const { page, room } = await scripted("muted");
    await page.fill("#composer-input", "draft");
    room.send({ type: "mute_status", muted: true, until: Date.now() + 2500, reason: "cool off" });
    await page.waitForFunction(() => (document.querySelector("#composer-input") as HTMLTextAreaElement).disabled);
    expect(await ruleLine(page)).toMatch(/^You are muted until .+ \(cool off\)\.$/);
    expect((await notices(page)).some((n) => /^A moderator muted you until .+: cool off$/.test(n))).toBe(true);
    await page.waitForSelector(`#messages li.notice >> text="You may write again."`, { timeout: 5000 });
    expect(await page.isDisabled("#composer-input")).toBe(false);
    expect(await inputValue(page)).toBe("draft");

    room.send({ type: "mute_status", muted: true });
    await page.waitForFunction(() => document.querySelector("#composer-rule")?.textContent !== "");
    expect(await ruleLine(page)).toBe("You are muted until a moderator lifts it.");
    room.send({ type: "mute_status", muted: false });
    await page.waitForFunction(() => document.querySelector("#composer-rule")?.textContent === "");
    expect(await page.isDisabled("#composer-input")).toBe(false);
  });

  it("gives a moderator Mute in the member menu, and Unmute once the room says whom it muted", async () => {
    const claims = { sub: "mod-1", name: "Mod", role: "moderator" };
    const token = `e30.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.unsigned`;
    const { page, room } = await scripted("moderated", { token, others: [{ id: 2, name: "Bob" }] });
    await page.click(`#member-list li[data-id="2"] summary`);
    await page.getByRole("button", { name: "Mute 10 minutes" }).click();
    await expect.poll(() => room.sent("mute")).toEqual([{ type: "mute", id: 2, minutes: 10 }]);
    room.send({ type: "muted", id: 2, name: "Bob", user: "address:ab", until: Date.now() + 600_000 });
    await page.waitForSelector(`#member-list li[data-id="2"] .muted-mark`);
    expect((await notices(page)).some((n) => n.startsWith("You muted") && n.includes("address:ab"))).toBe(true);
    await page.click(`#member-list li[data-id="2"] summary`);
    await page.getByRole("button", { name: "Unmute" }).click();
    await expect.poll(() => room.sent("unmute")).toEqual([{ type: "unmute", user: "address:ab" }]);
    room.send({ type: "unmuted", user: "address:ab" });
    await page.waitForSelector(`#member-list li[data-id="2"] .muted-mark`, { state: "detached" });
    expect(problems).toEqual([]);
  });
});

describe("a room too large to list", () => {
  it("shows the count and the members near us, adds who speaks, and pages everyone on request, as text", async () => {
    const { page, room } = await scripted("crowd", {
      others: [{ id: 2, name: "Mod" }],
      welcome: { presence: "summary", memberCount: 5000, moreMembers: true },
    });
    const listed = () => page.$$eval("#member-list li", (items) => items.map((i) => i.getAttribute("data-id")));
    await expect.poll(() => page.textContent("#member-count")).toMatch(/^5\D?000$/);
    expect(await page.isVisible("#members-near")).toBe(true);
    expect((await listed()).sort()).toEqual(["1", "2"]);
    const hostile = "<img src=x onerror=alert(1)>";
    room.send({ type: "chat", seq: 1, ts: Date.now(), sender: { id: 40, name: hostile }, text: "hi" });
    room.send({ type: "presence", mode: "summary", memberCount: 5001, joins: [{ id: 41, name: "Mod2" }] });
    await expect.poll(() => page.textContent("#member-count")).toMatch(/^5\D?001$/);
    await expect.poll(async () => (await listed()).sort()).toEqual(["1", "2", "40", "41"]);
    expect(await page.textContent(`#member-list li[data-id="40"] .member-name`)).toBe(hostile);
    // Nobody's join or leave far from us makes a line; the moderator's does.
    const joined = (await notices(page)).filter((n) => n.includes(" joined."));
    expect(joined).toHaveLength(1);
    expect(joined[0]).toContain("Mod2");
    await page.getByRole("button", { name: "Show all members" }).click();
    await expect.poll(() => room.sent("members")).toEqual([{ type: "members", after: 0, limit: 500 }]);
    room.send({
      type: "members",
      members: [
        { id: 1, name: "Ann" },
        { id: 3, name: `<b>${hostile}</b>` },
      ],
      more: true,
    });
    await page.waitForSelector('#members-pages-list li[data-id="3"]');
    expect(await page.textContent('#members-pages-list li[data-id="3"]')).toBe(`<b>${hostile}</b>`);
    expect(await page.$$("#members-pages-list img, #member-list img")).toHaveLength(0);
    // The pages are not the list: it still shows the members near us.
    expect((await listed()).sort()).toEqual(["1", "2", "40", "41"]);
    await page.getByRole("button", { name: "More members" }).click();
    await expect.poll(() => room.sent("members").at(-1)).toEqual({ type: "members", after: 3, limit: 500 });
    // Back in list presence: the near note and the pager go, and the whole list is paged in again.
    room.send({ type: "presence", mode: "list", memberCount: 700 });
    await expect.poll(() => page.isVisible("#members-all")).toBe(false);
    expect(await page.isVisible("#members-near")).toBe(false);
    expect(problems).toEqual([]);
  });
});
