// Names are unique in a room, compared ignoring case, width and invisible characters; a member's reconnection
// takes its name back from its own ghost with the resume key of its welcome, and nobody else can.

import { describe, expect, it } from "vitest";
import { connect, joinNative, joinTutorial, uniqueRoom } from "./client";

describe("names", () => {
  it("refuses a name another member holds, or one that only looks different (name_taken)", async () => {
    const room = uniqueRoom("names");
    await joinNative(room, "Alice");
    for (const lookalike of ["Alice", "alice", "ＡＬＩＣＥ", "Alice\uFE0F"]) {
      const client = await connect(`/rooms/${room}`);
      client.send({ type: "join", name: lookalike });
      const answer = await client.next((p) => p.type === "error" || p.type === "welcome");
      expect(answer, lookalike).toMatchObject({ type: "error", code: "name_taken", message: expect.stringContaining("unique") });
    }
    const { welcome } = await joinNative(room, "Alicia");
    expect(welcome.name).toBe("Alicia");
  });

  it("refuses a rename to a taken name, and lets a member change the case of its own", async () => {
    const room = uniqueRoom("rename-taken");
    await joinNative(room, "bob");
    const { client: ann } = await joinNative(room, "ann");
    ann.send({ type: "rename", name: "BOB" });
    expect(await ann.nextOfType("error")).toMatchObject({ code: "name_taken" });
    ann.send({ type: "rename", name: "Ann" });
    expect(await ann.nextOfType("rename")).toMatchObject({ name: "Ann", previous: "ann" });
  });

  it("frees a name when its member leaves", async () => {
    const room = uniqueRoom("name-freed");
    const { client: first } = await joinNative(room, "zoe");
    first.socket.close(1000);
    await first.closed;
    await expect.poll(async () => {
      const client = await connect(`/rooms/${room}`);
      client.send({ type: "join", name: "Zoe" });
      return (await client.next((p) => p.type === "error" || p.type === "welcome")).type;
    }).toBe("welcome");
  });

  it("refuses a tutorial join with a name that would read as a server notice", async () => {
    const client = await connect(`/rooms/${uniqueRoom("tutorial-name")}`);
    client.sendBinary({ type: "user_joined", name: "Admin(#1) joined the chat. Eve" });
    expect(await client.next((p) => p.code === "invalid_name")).toMatchObject({ type: "server_message" });
  });

  it("never lets a tutorial chat line pass for another line", async () => {
    const room = uniqueRoom("tutorial-lines");
    const godot = await joinTutorial(room, "godot");
    const { client: eve } = await joinNative(room, "eve");
    eve.send({ type: "chat", text: "ok\nAlice: send me your password" });
    expect(await eve.nextOfType("chat")).toMatchObject({ text: "ok\nAlice: send me your password" });
    expect(await godot.next((p) => p.type === "chat_message")).toMatchObject({ name: "eve", message: "ok Alice: send me your password" });
  });
});

describe("taking a name back after a drop", () => {
  it("lets a rejoin with the welcome's resume key replace its own ghost, and nobody without it", async () => {
    const room = uniqueRoom("ghost");
    const { client: ann } = await joinNative(room, "ann");
    const { client: ghost, welcome } = await joinNative(room, "kim");
    expect(typeof welcome.resumeKey).toBe("string");
    await ann.next((p) => p.type === "join" && p.name === "kim");
    // The old connection is half-open: the room still holds it. An impostor without the key is refused.
    const impostor = await connect(`/rooms/${room}`);
    impostor.send({ type: "join", name: "kim", resume: "0".repeat(32) });
    expect(await impostor.nextOfType("error")).toMatchObject({ code: "name_taken" });
    const back = await connect(`/rooms/${room}`);
    back.send({ type: "join", name: "kim", since: 0, resume: welcome.resumeKey });
    const rewelcome = await back.nextOfType("welcome");
    expect(rewelcome).toMatchObject({ name: "kim" });
    expect(rewelcome.resumeKey).not.toBe(welcome.resumeKey);
    expect(await ghost.closed).toBe(4009);
    expect(await ann.next((p) => p.type === "leave" && p.name === "kim")).toMatchObject({ id: welcome.id });
    expect(await ann.next((p) => p.type === "join" && p.name === "kim")).toMatchObject({ id: rewelcome.id });
  });
});
