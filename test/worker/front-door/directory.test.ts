// The room directory, `GET /api/rooms`, as anyone reading it sees it: the rooms that chose to be listed, with their
// titles and member counts within a few seconds of joins and leaves, sorted by members then name and paged; never
// a room that is not listed; and a read that reaches no room at all.

import { SELF } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { Sessions } from "../../../src/server/connections/sessions";
import type { ListedRoom } from "../../../src/shared/protocol";
import { type Client, connect, sleep, token, uniqueRoom } from "../client";

interface Page {
  rooms: ListedRoom[];
  next?: string;
}

const list = async (query = ""): Promise<Page> => {
  const answer = await SELF.fetch(`http://rooms.test/api/rooms${query}`);
  expect(answer.status).toBe(200);
  return (await answer.json()) as Page;
};

/** Every listed room, page after page of `limit`. */
async function everyRoom(limit = 100): Promise<ListedRoom[]> {
  const rooms: ListedRoom[] = [];
  let page = await list(`?limit=${limit}`);
  rooms.push(...page.rooms);
  while (page.next !== undefined) {
    page = await list(`?limit=${limit}&cursor=${page.next}`);
    rooms.push(...page.rooms);
  }
  return rooms;
}

/** The room as the directory lists it now; undefined if it is not listed. */
const listed = async (room: string) => (await everyRoom()).find(({ name }) => name === room);

/** Waits until the directory lists `room` as `expected` (undefined: not at all); a few seconds at most. */
async function listedAs(room: string, expected: ListedRoom | undefined): Promise<void> {
  const deadline = Date.now() + 8000;
  for (;;) {
    const now = await listed(room);
    if (JSON.stringify(now) === JSON.stringify(expected)) return;
    if (Date.now() > deadline) throw new Error(`${room} is listed as ${JSON.stringify(now)}`);
    await sleep(100);
  }
}

const adminSettings = (room: string, body: unknown) =>
  SELF.fetch(`http://rooms.test/api/rooms/${room}/settings`, {
    method: "POST",
    headers: { Authorization: "Bearer admin-token-of-the-worker-pool" },
    body: JSON.stringify(body),
  });

async function join(room: string, name: string, role?: string): Promise<Client> {
  const query = role === undefined ? "" : `?token=${await token({ sub: `u-${name}`, name, role })}`;
  const client = await connect(`/rooms/${room}${query}`);
  client.send({ type: "join", name });
  await client.nextOfType("welcome");
  return client;
}

describe("the room directory", () => {
  it("lists a listed room with its title and count, within seconds of joins and leaves", async () => {
    const room = uniqueRoom("dir-counts");
    expect((await adminSettings(room, { listed: true, title: "Friday night" })).status).toBe(200);
    // Listed and empty: there, with no members.
    await listedAs(room, { name: room, title: "Friday night", members: 0 });
    const ann = await join(room, "ann");
    const bob = await join(room, "bob");
    const cy = await join(room, "cy");
    await listedAs(room, { name: room, title: "Friday night", members: 3 });
    bob.socket.close(1000);
    await listedAs(room, { name: room, title: "Friday night", members: 2 });
    ann.socket.close(1000);
    cy.socket.close(1000);
    await listedAs(room, { name: room, title: "Friday night", members: 0 });
  });

  it("lists a room its moderator lists, by its name until it has a title, and forgets it once unlisted", async () => {
    const room = uniqueRoom("dir-moderator");
    const mod = await join(room, "mod", "moderator");
    mod.send({ type: "settings", listed: true });
    await listedAs(room, { name: room, title: room, members: 1 });
    mod.send({ type: "settings", title: "Ranked" });
    await listedAs(room, { name: room, title: "Ranked", members: 1 });
    mod.send({ type: "settings", listed: false });
    await listedAs(room, undefined);
  });

  it("never lists a room that is not listed, however busy, nor one wiped", async () => {
    const quiet = uniqueRoom("dir-unlisted");
    const members = [await join(quiet, "ann"), await join(quiet, "bob")];
    await adminSettings(quiet, { slowModeSeconds: 5, title: "Not listed" });
    const wiped = uniqueRoom("dir-wiped");
    await adminSettings(wiped, { listed: true });
    await listedAs(wiped, { name: wiped, title: wiped, members: 0 });
    const wipe = await SELF.fetch(`http://rooms.test/api/rooms/${wiped}`, {
      method: "DELETE",
      headers: { Authorization: "Bearer admin-token-of-the-worker-pool" },
    });
    expect(wipe.status).toBe(200);
    await listedAs(wiped, undefined);
    expect(await listed(quiet)).toBeUndefined();
    for (const member of members) member.socket.close(1000);
  });

  it("pages by members, most first, then name, each room once", async () => {
    const prefix = uniqueRoom("dir-pages");
    const names = ["e", "b", "d", "a", "c"].map((letter) => `${prefix}-${letter}`);
    for (const name of names) await adminSettings(name, { listed: true });
    const busy = `${prefix}-z`;
    await adminSettings(busy, { listed: true });
    const members = [await join(busy, "ann"), await join(busy, "bob")];
    await listedAs(busy, { name: busy, title: busy, members: 2 });
    const all = await everyRoom(2);
    // Sorted as a whole, and ours among them: the busy one before the empty ones, those by name.
    const order = all.map(({ members, name }) => [-members, name] as const);
    const sorted = [...order].sort(([a, x], [b, y]) => a - b || (x < y ? -1 : x > y ? 1 : 0));
    expect(order).toEqual(sorted);
    expect(new Set(all.map(({ name }) => name)).size).toBe(all.length);
    const ours = all.filter(({ name }) => name.startsWith(prefix)).map(({ name }) => name);
    expect(ours).toEqual([busy, ...[...names].sort()]);
    const first = await list("?limit=2");
    expect(first.rooms).toHaveLength(2);
    expect(first.next).toEqual(expect.any(String));
    for (const member of members) member.socket.close(1000);
  });

  it("answers a bad query with 400, anything but GET with 405, and may be cached briefly", async () => {
    for (const query of [
      "?limit=0",
      "?limit=101",
      "?limit=ten",
      "?limit=1.5",
      "?limit=",
      "?cursor=%%%",
      "?cursor=abc",
    ]) {
      const answer = await SELF.fetch(`http://rooms.test/api/rooms${query}`);
      expect(answer.status, query).toBe(400);
      expect(await answer.json()).toMatchObject({ error: "invalid_field" });
    }
    const posted = await SELF.fetch("http://rooms.test/api/rooms", { method: "POST", body: "{}" });
    expect(posted.status).toBe(405);
    const answer = await SELF.fetch("http://rooms.test/api/rooms?limit=1");
    expect(answer.headers.get("Cache-Control")).toBe("max-age=2");
  });

  it("is read without reaching any room: no room object starts for it", async () => {
    const room = uniqueRoom("dir-asleep");
    await adminSettings(room, { listed: true, title: "Asleep" });
    await listedAs(room, { name: room, title: "Asleep", members: 0 });
    // Every room object builds its sessions as it starts (room-parts.ts): counted from here on.
    const started = vi.spyOn(Sessions.prototype, "restore");
    try {
      for (let read = 0; read < 3; read++) expect(await listed(room)).toMatchObject({ title: "Asleep" });
      expect(started).not.toHaveBeenCalled();
      // The count is the spy's to see: a room that does start is counted.
      await join(uniqueRoom("dir-awake"), "ann");
      expect(started).toHaveBeenCalled();
    } finally {
      started.mockRestore();
    }
  });
});
