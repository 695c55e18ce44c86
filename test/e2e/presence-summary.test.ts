// Summary presence end to end (docs/protocol.md, "Presence in large rooms"; clients/spec rule presence-summary), as
// users meet it: apps on the package entry `edge-chat-rooms/client` (in Node, with `ws`) and a game on the Godot
// addon's Godot 3 folder (test/godot/addon_client.gd, headless) in one room of a real `wrangler dev` whose
// PRESENCE_LIST_MAX is 3. The fourth member takes the room to summary presence: everyone hears counts, not joins;
// the near members (a moderator, those who speak) come and go by name; the whole list still pages, for the apps
// (loadMembers) and the game (load_members). Leaves bring it to 2, floor(¾ × 3): the room lists everyone again.
//
// Each step waits until every member heard it before the next, so what everyone hears can be counted exactly: a
// presence packet goes out at most once a second, and a step that came sooner would share the packet of the last.

import { type ConnectionEvent, type PresencePacket, RoomConnection, webSocketFactory } from "edge-chat-rooms/client";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type DevServer, startDevServer } from "../../tools/dev-server.ts";
import { type RunningGodot, scriptErrors, spawnGodot, WITHOUT_GODOT } from "../support/godot.ts";
import { addonProject } from "../support/godot-addon.ts";

const GAME = new URL("../godot/addon_client.gd", import.meta.url).pathname;
const ROOM = "presence-summary";
/** The server's AUTH_SECRET, for the moderator's token; the room stays open to anonymous members. */
const SECRET = "secret-of-the-presence-summary-test";
/** Past 3 members the room is in summary presence; at 2 (floor(¾ × 3)) in list presence again. */
const PRESENCE_LIST_MAX = 3;
/** Pages of 2, so that the whole list of 6 takes three. */
const MEMBERS_PAGE_MAX = 2;
const WAIT = { timeout: 20_000 };

let server: DevServer;
/** Every app opened, to close whatever a failed test left open (a connection would otherwise retry). */
const opened: RoomConnection[] = [];
beforeAll(async () => {
  server = await startDevServer({ vars: { AUTH_SECRET: SECRET, PRESENCE_LIST_MAX, MEMBERS_PAGE_MAX } });
});
afterAll(async () => {
  for (const connection of opened) connection.close();
  await server?.dispose();
});

/** An app in the room through the package entry, and everything its connection told it. */
interface App {
  name: string;
  connection: RoomConnection;
  events: ConnectionEvent[];
}

/** Opens an app's connection as `name` (with a token, if given) and waits for its welcome. */
async function join(name: string, token?: string): Promise<App> {
  const events: ConnectionEvent[] = [];
  const connection = new RoomConnection({
    url: `${server.wsUrl}/rooms/${ROOM}`,
    name,
    createSocket: webSocketFactory(WebSocket),
    onEvent: (event) => events.push(event),
    ...(token && { token: async () => token }),
  });
  opened.push(connection);
  connection.open();
  await expect.poll(() => events.some((e) => e.type === "welcome"), WAIT).toBe(true);
  return { name, connection, events };
}

const names = (members: readonly { name: string }[] | undefined) => members?.map((member) => member.name);

/** A presence packet as lines, members by name; a batch is one join or leave per entry, however gathered. */
function linesOf(packet: PresencePacket): string[] {
  switch (packet.type) {
    case "join":
    case "leave":
    case "rename":
      return [`${packet.type} ${packet.name}`];
    case "joins":
      return packet.members.map((member) => `join ${member.name}`);
    case "leaves":
      return packet.members.map((member) => `leave ${member.name}`);
    case "presence": {
      const lists = (["members", "joins", "leaves"] as const).flatMap((key) =>
        packet[key] ? [`${key}=${names(packet[key])}`] : [],
      );
      return [[packet.type, packet.mode, packet.memberCount, ...lists].join(" ")];
    }
  }
}

/** What an app heard of presence (join, leave, presence packets), to count exactly. */
const heard = (app: App) => app.events.flatMap((event) => (event.type === "presence" ? linesOf(event.packet) : []));

/** The app's welcome, as its `welcome` event told it. */
const welcomeOf = (app: App) => {
  const welcome = app.events.find((e) => e.type === "welcome");
  if (welcome?.type !== "welcome") throw new Error(`${app.name} has no welcome`);
  return { presence: welcome.presence, memberCount: welcome.memberCount, members: names(welcome.members) };
};

/** What the app knows now: its mode, count and list. */
const view = (app: App) => ({
  presence: app.connection.presence,
  memberCount: app.connection.memberCount,
  members: names(app.connection.members),
});

/**
 * Does `action` (a join, a leave), then waits until each of `apps` heard a presence packet with `memberCount` after
 * it: each step in a window of its own.
 */
async function step<T>(apps: App[], memberCount: number, action: () => T | Promise<T>): Promise<T> {
  const from = apps.map((app) => app.events.length);
  const done = await action();
  for (const [i, app] of apps.entries()) {
    const told = () =>
      app.events
        .slice(from[i])
        .some((e) => e.type === "presence" && e.packet.type === "presence" && e.packet.memberCount === memberCount);
    await expect.poll(told, WAIT).toBe(true);
  }
  return done;
}

/** Pages the room's whole member list as an app would with loadMembers, a page at a time: the pages, by name. */
async function pageAll(app: App): Promise<{ members: string[] | undefined; more: boolean }[]> {
  const pages: { members: string[] | undefined; more: boolean }[] = [];
  while (pages.at(-1)?.more !== false) {
    const from = app.events.length;
    expect(app.connection.loadMembers()).toBe(true);
    await expect.poll(() => app.events.slice(from).some((e) => e.type === "membersPage"), WAIT).toBe(true);
    const page = app.events.slice(from).find((e) => e.type === "membersPage");
    if (page?.type === "membersPage") pages.push({ members: names(page.members), more: page.more });
  }
  return pages;
}

const chatsOf = (app: App) =>
  app.events.flatMap((e) => (e.type === "messages" ? e.messages.map((message) => message.text) : []));

/** The lines the game printed that start with `prefix`, without it. */
const lines = (stdout: string, prefix: string) =>
  stdout
    .split("\n")
    .filter((line) => line.startsWith(`${prefix} `))
    .map((line) => line.slice(prefix.length + 1));

describe.skipIf(WITHOUT_GODOT)("summary presence, with apps on the SDK and a Godot 3 game in one room", () => {
  it("past three members everyone hears counts and near members, pages the whole list, and at two lists everyone again", async () => {
    const moderatorToken = await new SignJWT({ sub: "u-mod", name: "mod", role: "moderator" })
      .setProtectedHeader({ alg: "HS256" })
      .setExpirationTime("10m")
      .sign(new TextEncoder().encode(SECRET));

    // List presence: three members, each join told.
    const a = await join("a");
    const b = await join("b");
    const c = await join("c");
    await expect.poll(() => heard(a), WAIT).toEqual(["join a", "join b", "join c"]);
    a.connection.sendChat("hello");
    await expect.poll(() => chatsOf(c), WAIT).toEqual(["hello"]);
    // The game: a fourth member takes the room past the threshold.
    const startGame = () =>
      spawnGodot([
        "--path",
        addonProject(GAME),
        "-s",
        "res://addon_client.gd",
        `--url=${server.wsUrl}`,
        `--room=${ROOM}`,
        "--name=godot",
        "--load=show everyone",
        "--until=bye",
      ]);
    let started: RunningGodot | undefined;
    try {
      const game = await step([a, b, c], 4, () => (started = startGame()));
      // a spoke: it is near, and the switch's list names it; each keeps itself.
      expect([a, b, c].map(view)).toEqual([
        { presence: "summary", memberCount: 4, members: ["a"] },
        { presence: "summary", memberCount: 4, members: ["a", "b"] },
        { presence: "summary", memberCount: 4, members: ["a", "c"] },
      ]);

      // A moderator is near: everyone hears it join, by name.
      const mod = await step([a, b, c], 5, () => join("mod", moderatorToken));
      expect(welcomeOf(mod)).toEqual({ presence: "summary", memberCount: 5, members: ["a", "mod"] });
      // d is nobody's near member: counted only.
      const d = await step([a, b, c, mod], 6, () => join("d"));
      expect(welcomeOf(d)).toEqual({ presence: "summary", memberCount: 6, members: ["a", "mod", "d"] });
      // b speaks: near for everyone from its chat on.
      b.connection.sendChat("me too");
      await expect.poll(() => view(d).members, WAIT).toEqual(["a", "b", "mod", "d"]);

      // The whole list, in pages of two, for the app that asks, never merged into its list.
      const pages = await pageAll(d);
      expect(pages).toEqual([
        { members: ["a", "b"], more: true },
        { members: ["c", "godot"], more: true },
        { members: ["mod", "d"], more: false },
      ]);
      expect(view(d).members).toEqual(["a", "b", "mod", "d"]);
      // And for the game.
      a.connection.sendChat("show everyone");
      await expect.poll(() => lines(game.stdout, "MEMBERS_PAGE").length, WAIT).toBe(3);

      // Leaves, one window each: d's and c's counted only, the moderator's and b's by name. At two, list presence.
      const staying = [a, b, c, mod];
      for (const [leaving, count] of [
        [d, 5],
        [mod, 4],
        [c, 3],
        [b, 2],
      ] as const) {
        staying.splice(staying.indexOf(leaving), 1);
        await step(staying, count, () => leaving.connection.close());
      }
      // The list is paged again from the start, and holds who is here.
      await expect.poll(() => view(a), WAIT).toEqual({ presence: "list", memberCount: 2, members: ["a", "godot"] });
      // Joins are told again.
      const e = await join("e");
      expect(welcomeOf(e)).toEqual({ presence: "list", memberCount: 3, members: ["a", "godot"] });
      await expect.poll(() => heard(a).at(-1), WAIT).toBe("join e");
      await expect.poll(() => view(e).members, WAIT).toEqual(["a", "godot", "e"]);
      a.connection.sendChat("bye");
      expect(await game.exited, game.stdout).toBe(0);
      // And leaves.
      await expect.poll(() => heard(a).at(-1), WAIT).toBe("leave godot");

      // What each app heard, exactly, while it was in the room: after the switch, one presence packet a step and no
      // join or leave, until the way back.
      const timeline = [
        "join a",
        "join b",
        "join c",
        "presence summary 4 members=a",
        "presence summary 5 joins=mod",
        "presence summary 6",
        "presence summary 5",
        "presence summary 4 leaves=mod",
        "presence summary 3",
        "presence list 2 leaves=b",
        "join e",
        "leave godot",
      ];
      expect(heard(a)).toEqual(timeline);
      expect(heard(b)).toEqual(timeline.slice(1, 9));
      expect(heard(c)).toEqual(timeline.slice(2, 8));
      // A newcomer may hear of a near member its welcome listed: the moderator hears its own join.
      expect(heard(mod)).toEqual(timeline.slice(4, 7));
      expect(heard(d)).toEqual(timeline.slice(5, 6));
      expect(heard(e)).toEqual(timeline.slice(10));
      // The game: its welcome and each packet; b's chat made b near (a was in its welcome); the pages; the way back.
      expect(lines(game.stdout, "PRESENCE")).toEqual([
        "summary 4 summary 4 a,godot",
        "summary 4 summary 4 a,godot",
        "summary 5 summary 5 a,godot,mod",
        "summary 6 summary 6 a,godot,mod",
        "summary 6 summary 6 a,b,godot,mod",
        "summary 5 summary 5 a,b,godot,mod",
        "summary 4 summary 4 a,b,godot",
        "summary 3 summary 3 a,b,godot",
        "list 2 list 2 a,godot",
      ]);
      expect(lines(game.stdout, "JOINED")).toEqual(["mod", "e"]);
      expect(lines(game.stdout, "LEFT")).toEqual(["mod", "b"]);
      expect(lines(game.stdout, "MEMBERS_PAGE")).toEqual(["a,b True", "c,godot True", "mod,d False"]);
      expect(lines(game.stdout, "MEMBERS")).toEqual(["a,godot,e"]);
      expect(scriptErrors(game.stderr)).toEqual([]);
    } finally {
      started?.godot.kill();
    }
  });
});
