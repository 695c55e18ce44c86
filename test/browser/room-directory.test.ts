// The room directory and a moderator's room settings in real Chromium against `wrangler dev`: the start page lists
// the rooms that chose to be listed, with their titles and counts, and a click joins one; a moderator's controls set
// slow mode, the listing and the title, which the room's members hear and the directory shows.

/// <reference lib="dom" />

import { SignJWT } from "jose";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevServer, startDevServer } from "../../tools/dev-server.ts";
import { launchChromium } from "../support/browser.ts";
import type { TestClient } from "../support/ws-client.ts";
import { member } from "./page-actions.ts";

const SECRET = "browser-directory-secret";
const ADMIN = "browser-directory-admin";

let server: DevServer;
let browser: Browser;
const pageErrors: string[] = [];
const clients: TestClient[] = [];

beforeAll(async () => {
  [server, browser] = await Promise.all([
    startDevServer({ vars: { AUTH_SECRET: SECRET, ADMIN_TOKEN: ADMIN } }),
    launchChromium(),
  ]);
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await browser?.close();
  await server?.dispose();
});

const mint = (claims: { sub: string; name: string; role?: string }) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .setExpirationTime("1h")
    .sign(new TextEncoder().encode(SECRET));

async function newPage(): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  page.on("pageerror", (error) => pageErrors.push(String(error)));
  return page;
}

const directory = async () =>
  (await (await fetch(`${server.httpUrl}/api/rooms`)).json()) as {
    rooms: { name: string; title: string; members: number }[];
  };

describe("the room directory in the browser", () => {
  it("lists the listed rooms on the start page, with title and count, and a click joins one", async () => {
    clients.push(await member(server.wsUrl, "ranked-eu", "ann"));
    const listed = await fetch(`${server.httpUrl}/api/rooms/ranked-eu/settings`, {
      method: "POST",
      headers: { Authorization: `Bearer ${ADMIN}` },
      body: JSON.stringify({ listed: true, title: "Ranked, EU evenings" }),
    });
    expect(listed.status).toBe(200);
    // Busy, but not listed: never shown.
    clients.push(await member(server.wsUrl, "secret-room", "bob"));

    const page = await newPage();
    await page.goto(`${server.httpUrl}/`);
    await page.getByLabel("Your name").fill("Zed");
    await page.getByRole("button", { name: "Join" }).click();
    await page.waitForSelector("#status[data-state=online]");
    const room = page.getByRole("link", { name: /Ranked, EU evenings/ });
    await room.waitFor();
    expect(await page.$$eval("#directory-list li", (items) => items.map((item) => item.textContent))).toEqual([
      "Ranked, EU evenings#ranked-eu1 member",
    ]);
    await room.click();
    await page.waitForURL(`${server.httpUrl}/rooms/ranked-eu`);
    await page.waitForSelector("#status[data-state=online]");
    await page.waitForSelector(`#member-list li >> text="ann"`);
    expect(await page.textContent("#self-name")).toBe("Zed");
    // The directory opened on another page shows this room as the current one, its count now 2 (told within seconds).
    for (let tries = 0; !(await directory()).rooms.some(({ members }) => members === 2); tries++) {
      if (tries > 100) throw new Error("the directory never counted 2 members");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // The directory's answer may be cached for 2 s (its Cache-Control), and the start page read it moments ago: a
    // user who sees the old count closes and opens it again, as this does until the count is 2.
    const current = page.locator("#directory-list a[aria-current=page] .directory-count");
    for (let tries = 0; ; tries++) {
      await page.click("#directory summary");
      await current.waitFor();
      if ((await current.textContent()) === "2 members") break;
      if (tries > 20) throw new Error(`the directory on the page still says ${await current.textContent()}`);
      await page.click("#directory summary");
      await page.waitForTimeout(500);
    }
    expect(pageErrors).toEqual([]);
  });

  it("gives a moderator controls for slow mode, listing and title, which everyone hears", async () => {
    const watcher = await member(server.wsUrl, "friday", "watcher");
    clients.push(watcher);
    const plain = await newPage();
    await plain.goto(`${server.httpUrl}/rooms/friday#token=${await mint({ sub: "u-amy", name: "Amy" })}`);
    await plain.waitForSelector("#status[data-state=online]");
    const page = await newPage();
    await page.goto(
      `${server.httpUrl}/rooms/friday#token=${await mint({ sub: "m-1", name: "Mo", role: "moderator" })}`,
    );
    await page.waitForSelector("#status[data-state=online]");
    await page.waitForSelector("#room-settings:not([hidden])");
    expect(await plain.isHidden("#room-settings")).toBe(true);

    await page.getByLabel("Slow mode").selectOption({ label: "10 s" });
    expect(await watcher.next((p) => p.type === "settings")).toMatchObject({
      settings: { slowModeSeconds: 10, listed: false },
    });
    await page.getByLabel("Listed in the room directory").check();
    await watcher.next((p) => p.type === "settings" && (p.settings as { listed: boolean }).listed);
    await page.getByLabel("Title in the directory").fill("  Friday night  ");
    await page.getByRole("button", { name: "Set" }).click();
    expect(await watcher.next((p) => p.type === "settings" && (p.changed as string[]).includes("title"))).toEqual({
      type: "settings",
      settings: { slowModeSeconds: 10, listed: true, title: "Friday night" },
      changed: ["title"],
    });
    expect((await directory()).rooms).toContainEqual({ name: "friday", title: "Friday night", members: 3 });

    // A title the room would refuse is not sent: the control says why.
    await page.getByLabel("Title in the directory").fill("   ");
    await page.getByRole("button", { name: "Set" }).click();
    expect(await page.textContent("#room-settings-error")).toMatch(/^Title must be 1 to 64 characters/);

    // Another moderator's change (the admin API's here) shows in the controls too.
    await fetch(`${server.httpUrl}/api/rooms/friday/settings`, {
      method: "POST",
      headers: { Authorization: `Bearer ${ADMIN}` },
      body: JSON.stringify({ slowModeSeconds: 0, listed: false }),
    });
    await page.waitForFunction(() => {
      const select = document.querySelector<HTMLSelectElement>("#slow-mode");
      const listed = document.querySelector<HTMLInputElement>("#room-listed");
      return select?.value === "0" && listed?.checked === false;
    });
    expect((await directory()).rooms.map(({ name }) => name)).not.toContain("friday");
    expect(pageErrors).toEqual([]);
  });
});
