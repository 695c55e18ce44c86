// Blocked words: the server's list (BLOCKED_WORDS: "zonk, frobnicate the widget" in this pool, vitest.config.ts) and a
// room's own (the admin API). A chat, an edit, a rename or a join name that holds one is refused with `blocked_word`,
// which does not echo the word, and nobody else ever hears it; the backend's posts are not checked.

import { abortAllDurableObjects, env, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { connect, storedBy, token, uniqueRoom, upToMarker } from "../client";
import { admin, member, say } from "./members";

const putWords = (room: string, words: unknown) => admin(room, "blocked-words", "PUT", { words });

describe("blocked words", () => {
  it("refuses the server's words in chats, whole words and phrases only, and nobody hears them", async () => {
    const room = uniqueRoom("blocked-server");
    const speaker = await member(room, undefined, undefined, "speaker");
    const listener = await member(room, undefined, undefined, "listener");
    for (const text of ["oh ZONK!", "please frobnicate-the widget now", "ｚｏｎｋ", "zo\u200Bnk"]) {
      speaker.client.send({ type: "chat", text, cid: "c1" });
      const refused = await speaker.client.nextOfType("error");
      expect(refused, text).toMatchObject({ code: "blocked_word", for: "chat", cid: "c1" });
      expect(String(refused.message).toLowerCase()).not.toContain("zonk");
      expect(String(refused.message)).not.toContain("frobnicate");
    }
    const [heard] = await upToMarker(speaker.client, [listener.client]);
    expect(heard!.filter((p) => p.type === "chat").map((p) => p.text)).toEqual([expect.stringMatching(/^marker/)]);
    // Parts of words are not words: these pass.
    for (const text of ["zonking along", "frobnicate the widgets", "the widget"])
      expect(await say(speaker.client, text)).toBeGreaterThan(0);
  });

  it("keeps a room's own list, as given, across restarts; refuses chats, edits, renames and join names with it", async () => {
    const room = uniqueRoom("blocked-room");
    const put = await putWords(room, ["Spoiler", "the butler did it", "spoiler"]);
    expect(put.status).toBe(200);
    expect(await put.json()).toEqual({ ok: true, words: ["Spoiler", "the butler did it"] });
    await abortAllDurableObjects();
    expect(await (await admin(room, "blocked-words")).json()).toEqual({ words: ["Spoiler", "the butler did it"] });

    const author = await member(room, undefined, undefined, "author");
    const other = await member(room, undefined, undefined, "other");
    const seq = await say(author.client, "guess who did it");
    for (const packet of [
      { type: "chat", text: "THE BUTLER DID IT" },
      { type: "edit", seq, text: "spoiler: the butler did it" },
      { type: "rename", name: "Spoiler Bot" },
    ]) {
      author.client.send(packet);
      expect(await author.client.nextOfType("error"), packet.type).toMatchObject({
        code: "blocked_word",
        for: packet.type,
      });
    }
    const [heard] = await upToMarker(author.client, [other.client]);
    expect(heard!.some((p) => p.type === "edited" || p.type === "rename")).toBe(false);
    expect(heard!.some((p) => p.type === "chat" && String(p.text).includes("BUTLER"))).toBe(false);

    // A join name with the word is refused, and its connection may join with another.
    const guest = await connect(`/rooms/${room}`);
    guest.send({ type: "join", name: "spoiler" });
    expect(await guest.nextOfType("error")).toMatchObject({ code: "blocked_word", for: "join" });
    guest.send({ type: "join", name: "polite" });
    expect(await guest.nextOfType("welcome")).toMatchObject({ name: "polite" });
    // A verified member's name is its token's: the backend chose it.
    const verified = await member(room, { sub: "u-s", name: "Spoiler" });
    expect(verified.welcome.name).toBe("Spoiler");
    // Other rooms do not have this room's list.
    expect(
      await say((await member(uniqueRoom("blocked-other"), undefined, undefined, "x")).client, "spoiler"),
    ).toBeGreaterThan(0);

    // The backend's posts are not checked.
    const posted = await SELF.fetch(`http://rooms.test/api/rooms/${room}/messages`, {
      method: "POST",
      headers: { Authorization: "Bearer publish-token-of-the-worker-pool", "Content-Type": "application/json" },
      body: JSON.stringify({ text: "Spoiler: zonk" }),
    });
    expect(posted.status).toBe(201);
    expect(await other.client.next((p) => p.type === "chat" && p.text === "Spoiler: zonk")).toMatchObject({
      sender: { system: true },
    });

    // An empty list lifts the room's own, not the server's.
    expect(await (await putWords(room, [])).json()).toEqual({ ok: true, words: [] });
    expect(await say(author.client, "spoiler alert")).toBeGreaterThan(0);
    author.client.send({ type: "chat", text: "zonk" });
    expect(await author.client.nextOfType("error")).toMatchObject({ code: "blocked_word" });
  });

  it("keeps the storage of a room whose only data is its list; reading a list writes nothing", async () => {
    const fresh = uniqueRoom("blocked-read");
    expect(await (await admin(fresh, "blocked-words")).json()).toEqual({ words: [] });
    expect(await storedBy(fresh)).toEqual({ tables: [], alarm: null });

    const room = uniqueRoom("blocked-kept");
    await putWords(room, ["kept"]);
    // Without the audit entry of that change, which would keep the storage by itself.
    await runInDurableObject(env.ROOMS.getByName(room), (_, state) => {
      state.storage.sql.exec(`DELETE FROM audit_log`);
    });
    const visitor = await member(room, undefined, undefined, "visitor");
    visitor.client.socket.close(1000);
    await visitor.client.closed;
    await expect.poll(async () => (await env.ROOMS.getByName(room).info()).members.length).toBe(0);
    await abortAllDurableObjects();
    expect(await (await admin(room, "blocked-words")).json()).toEqual({ words: ["kept"] });
    expect((await storedBy(room)).tables).toContain("blocked_words");
  });

  it("answers 400 to a list that is not valid, 405 to another method, and 401 without the token", async () => {
    const room = uniqueRoom("blocked-invalid");
    for (const words of [
      undefined,
      "spoiler",
      [""],
      ["x".repeat(65)],
      ["!!"],
      [7],
      Array.from({ length: 501 }, (_, i) => `w${i}`),
    ]) {
      const response = await putWords(room, words);
      expect(response.status, JSON.stringify(words)?.slice(0, 40)).toBe(400);
      expect(await response.json()).toMatchObject({ error: "invalid_field" });
    }
    expect(
      (
        await putWords(
          room,
          Array.from({ length: 500 }, (_, i) => `w${i}`),
        )
      ).status,
    ).toBe(200);
    const post = await admin(room, "blocked-words", "POST", { words: [] });
    expect([post.status, post.headers.get("Allow")]).toEqual([405, "GET, PUT"]);
    const anonymous = await SELF.fetch(`http://rooms.test/api/rooms/${room}/blocked-words`);
    expect(anonymous.status).toBe(401);
    const withMemberToken = await SELF.fetch(`http://rooms.test/api/rooms/${room}/blocked-words`, {
      headers: { Authorization: `Bearer ${await token({ sub: "u", name: "U", role: "moderator" })}` },
    });
    expect(withMemberToken.status).toBe(401);
  });
});
