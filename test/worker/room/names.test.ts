// Names are unique in a room, compared ignoring case, width and invisible characters; a member's reconnection
// takes its name back from its own ghost with the resume key of its welcome, and nobody else can.

import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  asGuest,
  type Client,
  connect,
  joinNative,
  joinTutorial,
  type Packet,
  token,
  UPGRADE,
  uniqueRoom,
} from "../client";

describe("names", () => {
  it("refuses a name another member holds, or one that only looks different (name_taken)", async () => {
    const room = uniqueRoom("names");
    await joinNative(room, "Alice");
    for (const lookalike of ["Alice", "alice", "ＡＬＩＣＥ", "Alice\uFE0F"]) {
      const client = await connect(`/rooms/${room}`);
      client.send({ type: "join", name: lookalike });
      const answer = await client.next((p) => p.type === "error" || p.type === "welcome");
      expect(answer, lookalike).toMatchObject({
        type: "error",
        code: "name_taken",
        message: expect.stringContaining("unique"),
      });
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
    await expect
      .poll(async () => {
        const client = await connect(`/rooms/${room}`);
        client.send({ type: "join", name: "Zoe" });
        return (await client.next((p) => p.type === "error" || p.type === "welcome")).type;
      })
      .toBe("welcome");
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
    expect(await godot.next((p) => p.type === "chat_message")).toMatchObject({
      name: asGuest("eve"),
      message: "ok Alice: send me your password",
    });
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

describe("a verified member's name", () => {
  async function joinWith(room: string, claims: Record<string, unknown>, name = "anything", resume?: string) {
    const client = await connect(`/rooms/${room}?token=${await token(claims)}`);
    client.send({ type: "join", name, ...(resume === undefined ? {} : { resume }) });
    return { client, welcome: await client.nextOfType("welcome") };
  }

  it("is always its own: a guest who took it, in any look-alike form, gives it up, and everyone hears so", async () => {
    const room = uniqueRoom("squat");
    const godot = await joinTutorial(room, "godot");
    const { client: squatter, welcome: squatted } = await joinNative(room, "ｍｏｄｅｒａｔｏｒ");
    const { client: alice } = await joinNative(room, "alice");
    const { client: mod, welcome } = await joinWith(room, { sub: "u-mod", name: "moderator", role: "moderator" });
    expect(welcome).toMatchObject({ name: "moderator" });
    const renamed = {
      type: "rename",
      id: squatted.id,
      name: "ｍｏｄｅｒａｔｏｒ 2",
      previous: "ｍｏｄｅｒａｔｏｒ",
      guest: true,
    };
    for (const client of [squatter, alice]) expect(await client.nextOfType("rename")).toEqual(renamed);
    expect(await godot.next((p) => String(p.message).includes("known as"))).toMatchObject({
      message: `${asGuest("ｍｏｄｅｒａｔｏｒ")}(#${squatted.id}) is now known as ${asGuest("ｍｏｄｅｒａｔｏｒ 2")}.`,
    });
    // The verified one can act at once: remove the squatter.
    mod.send({ type: "kick", id: squatted.id });
    expect(await squatter.closed).toBe(4001);
    // A second squatter cannot take the name while its verified holder is here.
    const late = await connect(`/rooms/${room}`);
    late.send({ type: "join", name: "Moderator" });
    expect(await late.nextOfType("error")).toMatchObject({ code: "name_taken" });
    alice.send({ type: "rename", name: "MODERATOR" });
    expect(await alice.nextOfType("error")).toMatchObject({ code: "name_taken" });
  });

  it("never looks like a guest's, and a guest never looks like a verified member, in either dialect", async () => {
    const room = uniqueRoom("guest-mark");
    const godot = await joinTutorial(room, "godot");
    const { client: fake } = await joinNative(room, "Alice");
    fake.send({ type: "chat", text: "I am Alice" });
    const { client: alice } = await joinWith(room, { sub: "u-alice", name: "Alice" });
    await fake.nextOfType("rename");
    alice.send({ type: "chat", text: "I am the real Alice" });
    const lines = await godot.collect((p) => p.type === "chat_message", 2);
    expect(lines.map((p) => p.name)).toEqual([asGuest("Alice"), "Alice"]);
    const chats = await fake.collect((p) => p.type === "chat", 2);
    expect(chats.map((p) => p.sender)).toEqual([
      { id: expect.any(Number), name: "Alice", guest: true },
      { id: expect.any(Number), name: "Alice", user: "u-alice", verified: true },
    ]);
    // History tells them apart too, for those who join later.
    const { welcome } = await joinNative(room, "late");
    expect((welcome.history as Packet[]).map((m) => m.sender)).toEqual(chats.map((p) => p.sender));
    // No token may give a verified member a name that reads as a guest's.
    for (const name of ["Bob (guest)", "Bob(GUEST)", "Bob （guest）"]) {
      const response = await SELF.fetch(
        `http://rooms.test/rooms/${room}?token=${await token({ sub: "u-bob", name })}`,
        { headers: UPGRADE },
      );
      expect(response.status, name).toBe(401);
      expect(await response.json()).toMatchObject({
        error: "invalid_token",
        message: expect.stringContaining("guest"),
      });
    }
  });

  it("replaces its own old connection when it resumes, while another tab that does not resume stays", async () => {
    const room = uniqueRoom("verified-resume");
    const { client: ann } = await joinNative(room, "ann");
    const claims = { sub: "u-kim", name: "Kim" };
    const { client: first, welcome } = await joinWith(room, claims);
    const { client: tab } = await joinWith(room, claims);
    // The key of a verified membership resumes nothing for a connection without the same user's token.
    const anonymous = await connect(`/rooms/${room}`);
    anonymous.send({ type: "join", name: "Kim", resume: welcome.resumeKey });
    expect(await anonymous.nextOfType("error")).toMatchObject({ code: "name_taken" });
    const back = await joinWith(room, claims, "Kim", welcome.resumeKey as string);
    expect(await first.closed).toBe(4009);
    // The replaced connection's member leaves, by the name it had.
    expect(await ann.next((p) => p.type === "leave" && p.id === welcome.id)).toMatchObject({ name: "Kim" });
    const members = (await env.ROOMS.getByName(room).info()).members.filter((m) => m.name === "Kim");
    expect(members.map((m) => m.id).sort()).toEqual([back.welcome.id, await tabId(tab)].sort());
  });
});

async function tabId(client: Client): Promise<number> {
  return client.received.find((p) => p.type === "welcome")!.id as number;
}

describe("joins refused for their name", () => {
  it("spend none of the room's joins, and are charged to their sender", async () => {
    const room = uniqueRoom("join-budget");
    await joinNative(room, "taken");
    // More refused joins than the room's whole burst of joins (40 in this pool), from connections that never join.
    const squatters: Client[] = await Promise.all(Array.from({ length: 12 }, () => connect(`/rooms/${room}`)));
    const sent = Date.now();
    for (const squatter of squatters) for (let i = 0; i < 16; i++) squatter.send({ type: "join", name: "Taken" });
    // (On a shard, the shard refuses the frames past its sender's limit before the hub's answers come back.)
    for (const squatter of squatters) {
      await squatter.collect((p) => p.code === "name_taken", 5);
      await squatter.next((p) => p.code === "rate_limited");
    }
    const honest = await Promise.all(Array.from({ length: 12 }, (_, i) => joinNative(room, `honest ${i}`)));
    expect(honest.map(({ welcome }) => welcome.type)).toEqual(Array(12).fill("welcome"));
    const answers = squatters.map((squatter) => [...squatter.received]);
    // The bucket refills 5 tokens a second while the frames are on their way: on a loaded machine that can pay for
    // an answer more, never for more than the time they took.
    const refilled = Math.floor(((Date.now() - sent) / 1000) * 5);
    // Each refusal costs its sender its frame and its answer: 10 tokens pay for 5 answered refusals, then it waits.
    for (const answered of answers) {
      const refused = answered.filter((p) => p.code === "name_taken").length;
      expect(refused).toBeGreaterThanOrEqual(5);
      expect(refused).toBeLessThanOrEqual(5 + Math.floor(refilled / 2));
    }
  });
});
