// The room's rules in real Chromium against a real `wrangler dev` (design 25b): slow mode set through the admin API
// shows on a member's page, which keeps the next message in the box for the wait, and shows the room's own
// `slow_mode` refusal after a reload (the room's count outlives the page); a blocked word (BLOCKED_WORDS) is refused,
// its text back in the box; a moderator mutes a member from the member menu, whose page is held until the
// moderator lifts the mute. In a room of its own, past the server's PRESENCE_LIST_MAX (3: the other room never has
// more than three members), the page shows the room's count and pages everyone with "Show all members".
//
// The steps share one server, one room and the same pages, and run in order.

/// <reference lib="dom" />

import { SignJWT } from "jose";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevServer, startDevServer } from "../../tools/dev-server.ts";
import { launchChromium } from "../support/browser.ts";
import { connect } from "../support/ws-client.ts";
import { send } from "./page-actions.ts";

const SECRET = "rules-auth-secret";
const ADMIN_TOKEN = "rules-admin-token";
const ROOM = "rules-real";
/** Rooms past this many members tell counts and near members (docs/protocol.md, "Presence in large rooms"). */
const PRESENCE_LIST_MAX = 3;

let server: DevServer;
let browser: Browser;
let moderator: Page;
let ann: Page;
const problems: string[] = [];

beforeAll(async () => {
  [server, browser] = await Promise.all([
    startDevServer({ vars: { AUTH_SECRET: SECRET, ADMIN_TOKEN, BLOCKED_WORDS: "frobnicate", PRESENCE_LIST_MAX } }),
    launchChromium(),
  ]);
  const token = await new SignJWT({ sub: "mod-1", name: "Mod", role: "moderator" })
    .setProtectedHeader({ alg: "HS256" })
    .setExpirationTime("1h")
    .sign(new TextEncoder().encode(SECRET));
  moderator = await open(`#token=${token}`);
  ann = await open("", "Ann");
});

afterAll(async () => {
  await browser?.close();
  await server?.dispose();
});

/**
 * Opens the page of `room` (the rules' by default), with a token in its fragment or, without one, joining as `name`
 * from the dialog.
 */
async function open(fragment: string, name?: string, room = ROOM): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1100, height: 800 } })).newPage();
  page.on("pageerror", (error) => problems.push(String(error)));
  await page.goto(`${server.httpUrl}/rooms/${room}${fragment}`);
  if (name) {
    await page.getByLabel("Your name").fill(name);
    await page.getByRole("button", { name: "Join" }).click();
  }
  await page.waitForSelector("#status[data-state=online]");
  return page;
}

const admin = (path: string, body: unknown) =>
  fetch(`${server.httpUrl}/api/rooms/${ROOM}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
const notice = (page: Page, text: string) => page.waitForSelector(`#messages li.notice >> text="${text}"`);
const errorLine = async (page: Page, includes: string) => {
  await page.waitForFunction(
    (part) => document.querySelector("#composer-error")?.textContent?.includes(part),
    includes,
  );
  return page.textContent("#composer-error");
};

describe("the room's rules against the real room", () => {
  it("shows slow mode, keeps the next message for the wait, and shows the room's refusal after a reload", async () => {
    expect((await admin("/settings", { slowModeSeconds: 30 })).status).toBe(200);
    await notice(ann, "Slow mode is on: one message per 30 s.");
    await notice(moderator, "Slow mode is on: one message per 30 s (moderators exempt).");
    await send(ann, "first");
    await ann.waitForSelector(`#messages li.message >> text="first"`);
    expect(await ann.textContent("#composer-rule")).toMatch(/^Slow mode: your next message can go in (30|29) s\.$/);
    await send(ann, "second");
    expect(await ann.inputValue("#composer-input")).toBe("second");
    // A moderator is exempt: no wait on its page.
    await send(moderator, "mod one");
    await send(moderator, "mod two");
    await moderator.waitForSelector(`#messages li.message >> text="mod two"`);

    // A reload forgets the page's wait; the room's count of Ann's chats does not.
    // (The page remembers the name it joined with, and joins again under it.)
    await ann.reload();
    await ann.waitForSelector("#status[data-state=online]");
    await send(ann, "too soon");
    expect(await errorLine(ann, "slow mode")).toMatch(
      /^Not sent: slow mode is on\. Your message is still in the box: send it again in \d+ s\.$/,
    );
    expect(await ann.inputValue("#composer-input")).toBe("too soon");
    expect(await ann.textContent("#composer-rule")).toMatch(/^Slow mode: your next message can go in \d+ s\.$/);

    expect((await admin("/settings", { slowModeSeconds: 0 })).status).toBe(200);
    await notice(ann, "Slow mode is off.");
    expect(await ann.textContent("#composer-rule")).toBe("");
  });

  it("refuses a blocked word, never shown to others, and puts the text back in the box", async () => {
    await ann.fill("#composer-input", "");
    await send(ann, "you frobnicate");
    expect(await errorLine(ann, "does not allow")).toBe(
      "Not sent: it holds a word this room does not allow. Change it and try again.",
    );
    expect(await ann.inputValue("#composer-input")).toBe("you frobnicate");
    expect(await ann.$$("#pending-messages li")).toHaveLength(0);
    await send(moderator, "after the word");
    await ann.waitForSelector(`#messages li.message >> text="after the word"`);
    expect(await moderator.$$(`#messages li.message >> text="you frobnicate"`)).toHaveLength(0);
  });

  it("lets a moderator mute a member from the menu, which holds the member's page until the mute is lifted", async () => {
    const annId = await ann.evaluate(() => document.querySelector("#member-list li.self")?.getAttribute("data-id"));
    await moderator.click(`#member-list li[data-id="${annId}"] summary`);
    await moderator.getByRole("button", { name: "Mute 10 minutes" }).click();
    await ann.waitForFunction(() => (document.querySelector("#composer-input") as HTMLTextAreaElement).disabled);
    expect(await ann.textContent("#composer-rule")).toMatch(/^You are muted until .+\.$/);
    await moderator.waitForSelector(`#member-list li[data-id="${annId}"] .muted-mark`);

    await moderator.click(`#member-list li[data-id="${annId}"] summary`);
    await moderator.getByRole("button", { name: "Unmute" }).click();
    await notice(ann, "You may write again.");
    expect(await ann.isDisabled("#composer-input")).toBe(false);
    await ann.fill("#composer-input", "");
    await send(ann, "back again");
    await moderator.waitForSelector(`#messages li.message >> text="back again"`);
    expect(problems).toEqual([]);
  });
});

describe("a real room too large to list", () => {
  it("shows the room's count, not the list's, and pages everyone with Show all members", async () => {
    const room = "rules-crowd";
    const pat = await open("", "Pat", room);
    const others = await Promise.all(
      ["Xia", "Yun", "Zed"].map(async (name) => {
        const client = await connect(`${server.wsUrl}/rooms/${room}`);
        client.send({ type: "join", name });
        await client.next((p) => p.type === "welcome");
        return client;
      }),
    );
    // Four: past the threshold. The list holds the members near Pat (Pat only: nobody spoke); the count is the room's.
    await expect.poll(() => pat.textContent("#member-count")).toBe("4");
    expect(await pat.$$eval("#member-list li .member-name", (items) => items.map((i) => i.textContent))).toEqual([
      "Pat",
    ]);
    await pat.getByRole("button", { name: "Show all members" }).click();
    await pat.waitForSelector("#members-pages-list li >> nth=3");
    expect(await pat.$$eval("#members-pages-list li", (items) => items.map((i) => i.textContent))).toEqual([
      "Pat",
      "Xia",
      "Yun",
      "Zed",
    ]);
    expect(await pat.isVisible("#members-near")).toBe(true);
    await Promise.all(others.map((client) => client.close()));
    await pat.context().close();
    expect(problems).toEqual([]);
  });
});
