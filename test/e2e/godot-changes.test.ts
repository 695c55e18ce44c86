// Messages that change (issue 23), in a real headless Godot 3 (Debian's godot3-server, 3.2.3): a game using the
// addon's Godot 3 folder (test/godot/changes_client.gd) in a room of `wrangler dev` with a native member, whose
// messages are edited, deleted and reacted to, live, by the game itself, and while the game is away over a server
// restart; afterwards the game holds each change once, and a model equal, byte for byte, to a fresh reader's.

import { once } from "node:events";
import { type AddressInfo, createServer, connect as netConnect, type Socket } from "node:net";
import { resolve } from "node:path";
import { type ChatMessage, RoomConnection, webSocketFactory } from "edge-chat-rooms/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type DevServer, startDevServer } from "../../tools/dev-server.ts";
import { scriptErrors, spawnGodot, WITHOUT_GODOT } from "../support/godot.ts";
import { addonProject } from "../support/godot-addon.ts";
import { connect, type TestClient } from "../support/ws-client.ts";

const GAME = resolve(import.meta.dirname, "../godot/changes_client.gd");
const ROOM = "godot-changes";

let server: DevServer;
beforeAll(async () => {
  server = await startDevServer();
});
afterAll(async () => {
  await server?.dispose();
});

/**
 * A relay from the game to the server, on a port of its own, that can hold the game's new connections back: a
 * connection made while it holds waits, unanswered, until it lets go. So the game stays away, for sure, while a
 * member changes messages across a restart, and comes back as soon as they are made.
 */
async function startGate(serverPort: () => number) {
  let holding = false;
  const parked: (() => void)[] = [];
  const sockets = new Set<Socket>();
  const relay = createServer((client) => {
    sockets.add(client);
    client.on("error", () => client.destroy());
    client.pause();
    const pass = () => {
      if (client.destroyed) return;
      const upstream = netConnect(serverPort(), "127.0.0.1");
      sockets.add(upstream);
      const end = () => {
        client.destroy();
        upstream.destroy();
      };
      for (const socket of [client, upstream]) socket.on("error", end).on("close", end);
      client.pipe(upstream).pipe(client);
    };
    if (holding) parked.push(pass);
    else pass();
  });
  relay.listen(0, "127.0.0.1");
  await once(relay, "listening");
  return {
    url: `ws://127.0.0.1:${(relay.address() as AddressInfo).port}`,
    hold() {
      holding = true;
    },
    release() {
      holding = false;
      for (const pass of parked.splice(0)) pass();
    },
    close() {
      for (const socket of sockets) socket.destroy();
      relay.close();
    },
  };
}

/** Objects with their keys sorted, as Godot's JSON.print(value, "", true) writes them. */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortedKeys((value as Record<string, unknown>)[key])]),
  );
}

/** What a fresh reader's connection (the JavaScript SDK) holds of the room once joined, `count` messages. */
async function freshReader(count: number): Promise<ChatMessage[]> {
  const reader = new RoomConnection({
    url: `${server.wsUrl}/rooms/${ROOM}`,
    name: "reader",
    createSocket: webSocketFactory(WebSocket),
    onEvent() {},
  });
  reader.open();
  try {
    await expect.poll(() => reader.messages.size, { timeout: 20_000 }).toBe(count);
    return [...reader.messages.values()].sort((a, b) => a.seq - b.seq);
  } finally {
    reader.close();
  }
}

type Packet = Record<string, unknown>;

describe.skipIf(WITHOUT_GODOT)("messages that change, in a Godot 3 game", () => {
  it("applies edits, deletions and reactions live and across a server restart, each once, as a fresh reader sees them", async () => {
    const gate = await startGate(() => server.port);
    let ann: TestClient = await connect(`${server.wsUrl}/rooms/${ROOM}`);
    ann.send({ type: "join", name: "ann" });
    const { resumeKey } = await ann.next((p) => p.type === "welcome");
    const game = spawnGodot([
      "--path",
      addonProject(GAME),
      "-s",
      "res://changes_client.gd",
      `--url=${gate.url}`,
      `--room=${ROOM}`,
      "--name=godot",
    ]);
    // The seq of each message by the text it was first sent with.
    const seqOf: Record<string, number> = {};
    const chatFrom = async (name: string, text: string) => {
      const chat = await ann.next((p) => p.type === "chat" && p.text === text, 30_000);
      expect((chat.sender as { name: string }).name).toBe(name);
      seqOf[text] = chat.seq as number;
    };
    const say = async (text: string, options: Packet = {}) => {
      ann.send({ type: "chat", text, ...options });
      await chatFrom("ann", text);
    };
    /** Waits for the room to announce the change `type` of message `text`. */
    const announced = (type: string, text: string) => ann.next((p) => p.type === type && p.seq === seqOf[text]);
    /** Sends `packet`, and waits for the room to announce the change `type` of message `text`. */
    const change = (packet: Packet, type: string, text: string) => {
      ann.send(packet);
      return announced(type, text);
    };
    const gameSays = (line: RegExp) => expect.poll(() => game.stdout, { timeout: 20_000 }).toMatch(line);
    try {
      await chatFrom("godot", "mine 1");
      await chatFrom("godot", "mine 2");
      for (const text of ["one", "two"]) await say(text);
      await say("three", { data: { item: "sword", slots: 2 } });
      await say("four");
      await say("re two", { replyTo: seqOf.two });

      // Another member's changes, live.
      await change({ type: "edit", seq: seqOf.one, text: "one, edited" }, "edited", "one");
      await change({ type: "delete", seq: seqOf.two }, "deleted", "two");
      await change({ type: "react", seq: seqOf.three, reaction: "👍" }, "reactions", "three");
      // The game's own: it edits and reacts to "mine 1", reacts to "three", deletes "mine 2", and is refused the
      // edit of "one".
      await say("your turn");
      await announced("edited", "mine 1");
      await announced("reactions", "mine 1");
      await announced("reactions", "three");
      await announced("deleted", "mine 2");
      await gameSays(/^REFUSED edit forbidden /m);
      await gameSays(new RegExp(`^CHANGED ${seqOf["mine 2"]} deleted `, "m"));

      // The server restarts, on the same storage; the game stays away while ann, back with her resume key (her
      // messages are hers only on her membership), changes messages the game holds.
      gate.hold();
      server = await server.restart();
      await gameSays(/^RECONNECTING /m);
      ann = await connect(`${server.wsUrl}/rooms/${ROOM}`);
      ann.send({ type: "join", name: "ann", since: seqOf["your turn"], resume: resumeKey });
      await ann.next((p) => p.type === "welcome");
      await change({ type: "edit", seq: seqOf.four, text: "four, edited" }, "edited", "four");
      await change({ type: "react", seq: seqOf["mine 1"], reaction: "🔥" }, "reactions", "mine 1");
      await change({ type: "delete", seq: seqOf.one }, "deleted", "one");
      await say("while away");
      gate.release();
      await gameSays(/^CONNECTED [\s\S]*^CONNECTED /m);

      // Live again.
      await change({ type: "react", seq: seqOf["while away"], reaction: "👀" }, "reactions", "while away");
      await say("bye");
      expect(await game.exited, game.stdout).toBe(0);
    } finally {
      game.godot.kill();
      gate.close();
      await ann.close();
    }

    expect(scriptErrors(game.stderr)).toEqual([]);
    const out = game.stdout;
    const textOf = new Map(Object.entries(seqOf).map(([text, seq]) => [seq, text]));
    // Every message once, in seq order.
    const chats = [...out.matchAll(/^CHAT (\d+) (\S+): (.*)$/gm)].map(([, seq, name, text]) => ({
      seq: Number(seq),
      name,
      text,
    }));
    expect(chats.map(({ name, text }) => `${name}: ${text}`)).toEqual([
      "godot: mine 1",
      "godot: mine 2",
      ...["one", "two", "three", "four", "re two", "your turn", "while away", "bye"].map((text) => `ann: ${text}`),
    ]);
    expect(chats.map((c) => c.seq)).toEqual(chats.map(({ text }) => seqOf[text ?? ""]));
    expect(chats.map((c) => c.seq)).toEqual([...chats.map((c) => c.seq)].sort((a, b) => a - b));

    // Each change told once: live before the restart, and after the resume, each change made while away once, as
    // the message's state, then the live one. Within a phase, in any order (the reactions of one batch of the
    // room's outbox take one position, which may come after a deletion in the same batch).
    const resumedAt = out.lastIndexOf("\nCONNECTED ");
    expect(resumedAt).toBeGreaterThan(out.indexOf("\nRECONNECTING "));
    const told = (part: string) =>
      [...part.matchAll(/^(CHANGED|DELETED) (\d+)(?: (\S+))?/gm)]
        .map(([, signal, seq, kind]) => `${signal} ${textOf.get(Number(seq))}${kind ? ` ${kind}` : ""}`)
        .sort();
    expect(told(out.slice(0, resumedAt))).toEqual(
      [
        "CHANGED one edited",
        "DELETED two",
        "CHANGED two deleted",
        "CHANGED re two state",
        "CHANGED three reactions",
        "CHANGED mine 1 edited",
        "CHANGED mine 1 reactions",
        "CHANGED three reactions",
        "DELETED mine 2",
        "CHANGED mine 2 deleted",
      ].sort(),
    );
    expect(told(out.slice(resumedAt))).toEqual(
      ["CHANGED four state", "CHANGED mine 1 state", "CHANGED one state", "CHANGED while away reactions"].sort(),
    );
    // Refused once, for good: not sent again after the restart.
    expect(out.match(/^(REFUSED|ERROR) .*$/gm)).toEqual([
      expect.stringMatching(/^ERROR forbidden /),
      expect.stringMatching(/^REFUSED edit forbidden /),
    ]);
    expect(out.match(/^OWN .*$/gm)).toEqual([
      "OWN 🎮 mine 1 True",
      "OWN 🎮 three False",
      "OWN :gg: mine 1 False",
      "OWN :gg: three True",
    ]);

    // The game's model: byte for byte a fresh reader's (keys sorted alike), and what the changes made of it.
    const model = /^MODEL (.*)$/m.exec(out)?.[1] ?? "";
    const reader = await freshReader(chats.length);
    expect(model).toBe(JSON.stringify(sortedKeys(reader)));
    const seen = (JSON.parse(model) as ChatMessage[]).map((m) => ({
      text: m.text,
      ...(m.deleted && { deleted: true }),
      ...(m.edited !== undefined && { edited: true }),
      ...(m.replyTo && { replyTo: m.replyTo }),
      ...(m.data && { data: m.data }),
      ...(m.reactions && { reactions: m.reactions }),
    }));
    expect(seen).toEqual([
      { text: "mine 1, edited", edited: true, reactions: [r("🎮", "godot"), r("🔥", "ann")] },
      { text: "", deleted: true },
      { text: "", deleted: true },
      { text: "", deleted: true },
      { text: "three", data: { item: "sword", slots: 2 }, reactions: [r("👍", "ann"), r(":gg:", "godot")] },
      { text: "four, edited", edited: true },
      { text: "re two", replyTo: { seq: seqOf.two, name: "ann", text: "", deleted: true } },
      { text: "your turn" },
      { text: "while away", reactions: [r("👀", "ann")] },
      { text: "bye" },
    ]);
  });
});

/** A reaction given once, by `name`. */
const r = (reaction: string, name: string) => ({ reaction, count: 1, by: [name] });
