// The room's rules (issue 25) between a real room of `wrangler dev` and a game using the Godot addon's Godot 3 folder
// (test/godot/moderated_client.gd, in headless Godot 3: Debian's godot3-server, 3.2.3), with a moderator on a native
// socket: slow mode refuses the game's second chat, a word the room blocks refuses its next, a mute refuses what it
// says while muted, the game's backend posts under the game's own name; each is told to the game as the addon's
// signals say, and nothing refused reaches the room. The panel's side is test/unit/godot-rules.test.ts.

import { resolve } from "node:path";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevServer, startDevServer } from "../../tools/dev-server.ts";
import { scriptErrors, spawnGodot, WITHOUT_GODOT } from "../support/godot.ts";
import { addonProject } from "../support/godot-addon.ts";
import { connect } from "../support/ws-client.ts";

const GAME = resolve(import.meta.dirname, "../godot/moderated_client.gd");
const ROOM = "godot-moderation";
const SECRET = "secret-of-the-godot-moderation-test";
const PUBLISH_TOKEN = "publish-token-of-the-godot-moderation-test";

let server: DevServer;
beforeAll(async () => {
  server = await startDevServer({ vars: { AUTH_SECRET: SECRET, PUBLISH_TOKEN, BLOCKED_WORDS: "frobnicate" } });
});
afterAll(async () => {
  await server?.dispose();
});

type Packet = Record<string, unknown>;

describe.skipIf(WITHOUT_GODOT)("a moderated room, with a Godot 3 game in it", () => {
  it("slow mode, a blocked word and a mute refuse the game's chats, told to it; its backend's message is the system's", async () => {
    const token = await new SignJWT({ sub: "u-mod", name: "mod", role: "moderator" })
      .setProtectedHeader({ alg: "HS256" })
      .setExpirationTime("10m")
      .sign(new TextEncoder().encode(SECRET));
    const mod = await connect(`${server.wsUrl}/rooms/${ROOM}?token=${token}`);
    mod.send({ type: "join", name: "mod" });
    await mod.next((p) => p.type === "welcome");
    mod.send({ type: "settings", slowModeSeconds: 10 });
    await mod.next((p) => p.type === "settings");

    const game = spawnGodot([
      "--path",
      addonProject(GAME),
      "-s",
      "res://moderated_client.gd",
      `--url=${server.wsUrl}`,
      `--room=${ROOM}`,
    ]);
    const out = () => game.stdout;
    let code: number | null;
    let joined: Packet = {};
    try {
      joined = await mod.next((p) => p.type === "join" && p.name === "godot", 30_000);
      await mod.next((p) => p.type === "chat" && p.text === "one");
      await expect.poll(out, { timeout: 10_000 }).toContain("REFUSED chat slow_mode");

      // The backend posts under the game's name: the game is told it is the system's.
      const posted = await fetch(`${server.httpUrl}/api/rooms/${ROOM}/messages`, {
        method: "POST",
        headers: { Authorization: `Bearer ${PUBLISH_TOKEN}`, "Content-Type": "application/json" },
        body: JSON.stringify({ text: "godot won the match", sender: { name: "godot" } }),
      });
      expect(posted.status).toBe(201);
      await expect.poll(out, { timeout: 10_000 }).toMatch(/^CHAT \d+ system godot: godot won the match$/m);

      mod.send({ type: "settings", slowModeSeconds: 0 });
      await expect.poll(out, { timeout: 10_000 }).toContain("REFUSED chat blocked_word");

      mod.send({ type: "mute", id: joined.id, minutes: 1, reason: "spam" });
      const muted = await mod.next((p) => p.type === "muted");
      await expect.poll(out, { timeout: 10_000 }).toContain("REFUSED chat muted");
      mod.send({ type: "unmute", user: muted.user });
      await mod.next((p) => p.type === "chat" && p.text === "bye", 10_000);
      code = await Promise.race([game.exited, new Promise<null>((done) => setTimeout(() => done(null), 10_000))]);
    } finally {
      game.godot.kill();
    }
    expect(code, out()).toBe(0);
    expect(scriptErrors(game.stderr)).toEqual([]);

    const lines = out()
      .split("\n")
      .filter((line) => /^(SETTINGS|MUTE|ERROR|REFUSED) /.test(line));
    const [, until] = /^MUTE True (\d+) spam$/m.exec(out()) ?? [];
    // A minute's mute, as the room counts it.
    expect(Number(until) - Date.now()).toBeGreaterThan(30_000);
    expect(lines.map((line) => line.replace(/^(ERROR slow_mode|ERROR muted) \d+$/, "$1 <wait>"))).toEqual([
      'SETTINGS {"listed":false,"slowModeSeconds":10}',
      "ERROR slow_mode <wait>",
      "REFUSED chat slow_mode",
      'SETTINGS {"listed":false,"slowModeSeconds":0}',
      "ERROR blocked_word 0",
      "REFUSED chat blocked_word",
      `MUTE True ${until} spam`,
      "ERROR muted <wait>",
      "REFUSED chat muted",
      "MUTE False 0 ",
    ]);
    // Slow mode's wait, and the mute's, as the room said them.
    const wait = (refusal: string) => Number(new RegExp(`^ERROR ${refusal} (\\d+)$`, "m").exec(out())?.[1]);
    expect(wait("slow_mode")).toBeGreaterThan(8_000);
    expect(wait("slow_mode")).toBeLessThanOrEqual(10_000);
    expect(wait("muted")).toBeGreaterThan(30_000);

    // The room took "one" and "bye" of the game's, and nothing refused; the muted game's typing never reached it.
    const fromGame = (p: Packet) => (p.sender as Packet | undefined)?.id === joined.id;
    expect(mod.received.filter((p) => p.type === "chat" && fromGame(p)).map((p) => p.text)).toEqual(["one", "bye"]);
    expect(
      mod.received.filter(
        (p) => p.type === "signals" && (p.typing as number[] | undefined)?.includes(joined.id as number),
      ),
    ).toEqual([]);
    await mod.close();
  }, 90_000);
});
