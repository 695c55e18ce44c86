// Identity and moderation in real Chromium against `wrangler dev` with an AUTH_SECRET: tokens handed to the page in
// its fragment, the verified mark, and a moderator deleting a message, kicking and banning, as the others see it.
//
// The steps share one server, one room and the same pages, and run in order.

/// <reference lib="dom" />

import { SignJWT } from "jose";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevServer, startDevServer } from "../../tools/dev-server.ts";
import { launchChromium } from "../support/browser.ts";
import { send } from "./page-actions.ts";

const SECRET = "browser-auth-secret";
const ROOM = "moderated-browser";

let server: DevServer;
let browser: Browser;
let moderator: Page;
let member: Page;
let anonymous: Page;
let eve: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  [server, browser] = await Promise.all([startDevServer({ vars: { AUTH_SECRET: SECRET } }), launchChromium()]);
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

/** Opens the room's page, with a token in its fragment or, without one, joining under `name` from the dialog. */
async function open(name: string, token?: string): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  page.on("pageerror", (error) => pageErrors.push(String(error)));
  page.on("dialog", (dialog) => {
    pageErrors.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  await page.goto(`${server.httpUrl}/rooms/${ROOM}${token ? `#token=${token}` : ""}`);
  if (!token) {
    await page.getByLabel("Your name").fill(name);
    await page.getByRole("button", { name: "Join" }).click();
  }
  await page.waitForSelector("#status[data-state=online]");
  return page;
}

const roomInfo = async () =>
  (await (await fetch(`${server.httpUrl}/api/rooms/${ROOM}`)).json()) as { members: { name: string }[] };

const notice = (page: Page, text: string) => page.waitForSelector(`#messages li.notice >> text="${text}"`);

describe("moderation in the browser", () => {
  it("joins verified members under their token's name, with a mark an anonymous look-alike does not get", async () => {
    moderator = await open("", await mint({ sub: "mod-1", name: "Mod", role: "moderator" }));
    member = await open("", await mint({ sub: "u-alice", name: "Alice" }));
    anonymous = await open("Alice ✓ real");
    // The token left the address bar, and renaming is not offered to a verified member.
    expect(new URL(member.url()).hash).toBe("");
    expect(await member.isVisible("#rename")).toBe(false);
    expect(await member.textContent("#self-name")).toBe("Alice");

    await moderator.waitForSelector(`#member-list li >> text="Alice ✓ real"`);
    const marks = await moderator.$$eval("#member-list li", (items) =>
      items.map((item) => ({
        name: item.querySelector(".member-name")?.textContent,
        mark: item.querySelector(".verified")?.getAttribute("aria-label") ?? null,
      })),
    );
    expect(marks).toEqual([
      { name: "Alice", mark: "verified user u-alice" },
      { name: "Alice ✓ real", mark: null },
      { name: "Mod", mark: "verified user mod-1" },
    ]);
    // Only the moderator gets controls.
    expect(await moderator.locator("#member-list details.moderate").count()).toBe(2);
    await moderator.click(`#member-list li:has-text("Alice ✓ real") summary`);
    await moderator.screenshot({ path: "test-results/screenshots/moderator-menu-light.png" });
    await moderator.click(`#member-list li:has-text("Alice ✓ real") summary`);
    expect(await member.locator("#member-list details.moderate").count()).toBe(0);
  });

  it("lets the moderator delete a message, which everyone, and a page loaded later, sees as deleted", async () => {
    await send(anonymous, "buy cheap gold");
    const message = moderator.locator(`#messages li.message`, { hasText: "buy cheap gold" });
    await message.hover();
    await moderator.screenshot({ path: "test-results/screenshots/moderator-delete-light.png" });
    await message.getByRole("button", { name: "Delete" }).click();
    for (const page of [moderator, member, anonymous]) {
      await page.waitForSelector(`#messages li.message.deleted .text >> text="message deleted"`);
      expect(await page.textContent("#messages")).not.toContain("buy cheap gold");
    }
    expect(await member.locator("#messages li.message .delete").count()).toBe(0);
    await member.reload();
    await member.waitForSelector("#status[data-state=online]");
    await member.waitForSelector(`#messages li.message.deleted .text >> text="message deleted"`);
    expect(await member.textContent("#messages")).not.toContain("buy cheap gold");
  });

  it("lets the moderator kick a member: the others see it, and the kicked page says so and stays out until asked", async () => {
    await moderator.click(`#member-list li:has-text("Alice ✓ real") summary`);
    await moderator.getByRole("button", { name: "Kick", exact: true }).click();
    for (const page of [moderator, member]) await notice(page, "\u2068Alice ✓ real\u2069 was removed by a moderator.");
    await anonymous.waitForSelector(`#status >> text="Removed by a moderator"`);
    await notice(anonymous, "A moderator removed you from the room.");
    expect(await anonymous.textContent("#retry")).toBe("Rejoin");
    await anonymous.waitForTimeout(3000);
    expect((await roomInfo()).members.map((m) => m.name)).not.toContain("Alice ✓ real");

    await anonymous.click("#retry");
    await anonymous.waitForSelector("#status[data-state=online]");
    await moderator.waitForSelector(`#member-list li >> text="Alice ✓ real"`);
  });

  it("asks the moderator to confirm a ban, naming as text everyone it would remove, and bans nobody on Cancel", async () => {
    // All pages connect from this machine's address: banning Alice refuses anonymous members there too.
    eve = await open("<img src=x onerror=alert(1)>Eve");
    await moderator.waitForSelector(`#member-list li >> text="<img src=x onerror=alert(1)>Eve"`);
    await moderator.click(`#member-list li:has-text("Alice") >> nth=0 >> summary`);
    await moderator.getByRole("button", { name: "Ban 10 minutes" }).click();
    const dialog = moderator.locator("#ban-dialog");
    await dialog.waitFor({ state: "visible" });
    expect(await moderator.textContent("#ban-dialog-title")).toBe("Ban Alice for 10 minutes?");
    expect(
      await moderator.$$eval("#ban-dialog-list li .member-name", (names) => names.map((name) => name.textContent)),
    ).toEqual(["Alice", "Alice ✓ real", "<img src=x onerror=alert(1)>Eve"]);
    // A name is text, never markup.
    expect(await moderator.locator("#ban-dialog img").count()).toBe(0);
    await moderator.screenshot({ path: "test-results/screenshots/moderator-ban-confirm-light.png" });
    await moderator.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "hidden" });
    // A chat the moderator sends now is taken after anything its page sent before: once it is echoed, a ban sent
    // on Cancel would have been carried out.
    await send(moderator, "nobody banned");
    await moderator.waitForSelector(`#messages li.message[data-seq] .text >> text="nobody banned"`);
    expect((await roomInfo()).members).toHaveLength(4);
  });

  it("bans on the moderator's yes: the member and the anonymous members at its address are told and offered no way back", async () => {
    await moderator.click(`#member-list li:has-text("Alice") >> nth=0 >> summary`);
    await moderator.getByRole("button", { name: "Ban 10 minutes" }).click();
    await moderator.locator("#ban-dialog").getByRole("button", { name: "Ban", exact: true }).click();
    await moderator.waitForSelector(`#messages li.notice >> text=/You banned \u2068Alice\u2069 until/`);
    for (const page of [member, anonymous, eve]) {
      await page.waitForSelector(`#status >> text="Banned from this room"`);
      expect(await page.isVisible("#retry")).toBe(false);
    }
    await notice(moderator, "\u2068Alice ✓ real\u2069 was banned by a moderator.");
    await moderator.waitForTimeout(3000);
    expect((await roomInfo()).members.map((m) => m.name)).toEqual(["Mod"]);
    expect(pageErrors).toEqual([]);
  });
});
