// A room's member list in pages: a welcome lists the first MEMBERS_PAGE_MAX members (30 in this pool) and how many
// there are; `members` pages through the rest, in the order members joined.

import { describe, expect, it } from "vitest";
import { connect, joinNative, joinTutorial, type Packet, uniqueRoom } from "../client";

const ids = (members: unknown) => (members as { id: number }[]).map((member) => member.id);

describe("members", () => {
  it("lists the first 30 in a welcome, with the count, and pages through the rest in the order members joined", async () => {
    const room = uniqueRoom("members");
    const joined = [];
    for (let i = 0; i < 32; i++) joined.push(await joinNative(room, `m${i}`));
    const everyone = joined.map(({ welcome }) => welcome.id as number);
    const { client, welcome } = await joinNative(room, "late");
    everyone.push(welcome.id as number);

    expect(welcome.memberCount).toBe(33);
    expect(ids(welcome.members)).toEqual(everyone.slice(0, 30));
    client.send({ type: "members", after: everyone[29] });
    expect(await client.nextOfType("members")).toEqual({
      type: "members",
      members: [
        { id: everyone[30], name: "m30", guest: true },
        { id: everyone[31], name: "m31", guest: true },
        { id: everyone[32], name: "late", guest: true },
      ],
      more: false,
    });
    client.send({ type: "members", limit: 2 });
    expect(await client.nextOfType("members")).toMatchObject({ members: [{ name: "m0" }, { name: "m1" }], more: true });
    // A member that left is in no page; the one after it is.
    joined[31]!.client.socket.close(1000);
    await client.next((p) => p.type === "leave" || p.type === "leaves");
    client.send({ type: "members", after: everyone[30], limit: 1 });
    expect(await client.nextOfType("members")).toMatchObject({ members: [{ name: "late" }], more: false });
  });

  it("lists members in the order they joined, not the order they connected", async () => {
    const room = uniqueRoom("members-order");
    const early = await connect(`/rooms/${room}`);
    const { welcome: first } = await joinNative(room, "first");
    early.send({ type: "join", name: "second" });
    const second = await early.nextOfType("welcome");
    expect(ids(second.members)).toEqual([first.id, second.id]);
    const { welcome: third } = await joinNative(room, "third");
    expect(ids(third.members)).toEqual([first.id, second.id, third.id]);
    expect(third.id as number).toBeGreaterThan(second.id as number);
  });

  it("refuses a bad page request, and one before join; the tutorial client never sees a member list", async () => {
    const room = uniqueRoom("members-bad");
    const { client } = await joinNative(room, "ann");
    for (const bad of [{ after: -1 }, { after: "1" }, { limit: 0 }, { limit: 1.5 }]) {
      client.send({ type: "members", ...bad });
      expect(await client.nextOfType("error")).toMatchObject({ code: "invalid_field" });
    }
    const stranger = await connect(`/rooms/${room}`);
    stranger.send({ type: "members" });
    expect(await stranger.nextOfType("error")).toMatchObject({ code: "not_joined" });
    const godot = await joinTutorial(room, "godot");
    expect(godot.received.some((p: Packet) => "members" in p || "memberCount" in p)).toBe(false);
  });
});
