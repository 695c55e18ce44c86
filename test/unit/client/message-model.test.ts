import { describe, expect, it } from "vitest";
import { RoomConnection } from "../../../src/client/connection";
import type { ConnectionEvent } from "../../../src/client/connection-events";
import { canonical, MessageModel } from "../../../src/client/message-model";
import type { ChatMessage, ServerPacket } from "../../../src/shared/protocol";
import { FakeClock, message, socketFactory, welcome } from "./fakes";

function connected(history: ChatMessage[]) {
  const clock = new FakeClock();
  const sockets = socketFactory();
  const events: ConnectionEvent[] = [];
  const connection = new RoomConnection({
    url: "ws://chat.test/rooms/a",
    name: "me",
    createSocket: sockets.create,
    onEvent: (event) => events.push(event),
    clock,
    random: () => 0.5,
  });
  connection.open();
  sockets.last().open();
  sockets.last().receive(welcome(1, history));
  return { connection, events, sockets, clock };
}

const reply = { ...message(3), replyTo: { seq: 1, name: "other", text: "message 1" } } as ChatMessage;

describe("the message model", () => {
  it("gives a reader who resumed the same messages, byte for byte, as one who stayed", () => {
    const stayed = connected([message(1), message(2), reply]);
    const away = connected([message(1), message(2), reply]);
    away.sockets.last().drop(1006);
    const changes: ServerPacket[] = [
      { type: "edited", seq: 2, at: 4, text: "two, edited", edited: 40 },
      { type: "reactions", seq: 2, at: 5, reactions: [{ reaction: "👍", count: 1, by: ["ann"] }] },
      { type: "deleted", seq: 1, at: 6 },
    ];
    for (const packet of changes) stayed.sockets.last().receive(packet);
    // The live chat comes with its fields in another order than the room's pages give them.
    const data = { item: 7 };
    stayed.sockets.last().receive({
      type: "chat",
      data,
      replyTo: { text: "two, edited", name: "other", seq: 2 },
      text: "hi",
      sender: { name: "bob", id: 5 },
      ts: 7,
      seq: 7,
    });
    away.clock.advance(1000);
    away.sockets.last().open();
    const state = (seq: number) => stayed.connection.messages.get(seq)!;
    const page = (m: ChatMessage) => JSON.parse(JSON.stringify(canonical(m))) as ChatMessage;
    away.sockets.last().receive({
      ...welcome(2, [page(state(7))], { lastSeq: 7 }),
      changed: [page(state(2)), { seq: 1, ts: state(1).ts, sender: state(1).sender, text: "", deleted: true }],
    } as ServerPacket);
    const model = (c: RoomConnection) => JSON.stringify([...c.messages].sort(([a], [b]) => a - b));
    expect(model(away.connection)).toBe(model(stayed.connection));
    expect(state(3).replyTo).toEqual({ seq: 1, name: "other", text: "", deleted: true });
    expect(JSON.parse(away.sockets.last().sent[0]!)).toMatchObject({ since: 3 });
  });

  it("replaces a message's object when it changes, and tells its new state", () => {
    const t = connected([message(1)]);
    const before = t.connection.messages.get(1);
    t.sockets.last().receive({ type: "edited", seq: 1, at: 2, text: "new", edited: 9 });
    const after = t.connection.messages.get(1);
    expect(after).not.toBe(before);
    expect(after).toEqual({ ...message(1), text: "new", edited: 9 });
    expect(t.events.at(-1)).toEqual({ type: "changed", message: after, change: "edited" });
  });

  it("refuses at once, unsent, data that is no JSON object, a reaction that is none, and a change after a stop", () => {
    const t = connected([message(1)]);
    const sent = () => t.sockets.last().sent.length;
    const before = sent();
    t.connection.sendChat("x", { data: [1] as unknown as Record<string, unknown> });
    t.connection.react(1, "thumbs up");
    t.connection.close();
    t.connection.edit(1, "too late");
    const errors = t.events.flatMap((e) => (e.type === "error" ? [[e.error.code, e.error.for]] : []));
    expect(errors).toEqual([
      ["invalid_data", "chat"],
      ["invalid_reaction", "react"],
      ["not_joined", "edit"],
    ]);
    expect(sent()).toBe(before);
    expect(t.connection.reactedByMe(1, "thumbs up")).toBe(false);
  });

  it("drops changes to messages it does not hold, and forgets its own reactions to a deleted message", () => {
    const model = new MessageModel();
    model.add([message(1)]);
    expect(model.apply({ type: "edited", seq: 9, at: 10, text: "x", edited: 1 })).toEqual([]);
    model.reacted(1, "👍", true);
    model.apply({ type: "deleted", seq: 1, at: 11 });
    expect(model.reactedByMe(1, "👍")).toBe(false);
    expect(model.messages.get(1)).toEqual({
      seq: 1,
      ts: message(1).ts,
      sender: message(1).sender,
      text: "",
      deleted: true,
    });
  });
});
