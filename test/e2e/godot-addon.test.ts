// The Godot addon's Godot 3 folder (clients/godot/addons/edge_chat_godot3) in a real headless Godot 3 (Debian's
// godot3-server, 3.2.3): the unit tests of its shared logic, and a game using it against `wrangler dev` with a native
// client in the room, a server restart in the middle of the chat included. Messages that change are in
// test/e2e/godot-changes.test.ts. Its Godot 4 folder is parsed in test/unit/godot-parse.test.ts, and its README's
// quick start runs in test/e2e/godot-quick-start.test.ts.

import { join, resolve } from "node:path";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevServer, startDevServer } from "../../tools/dev-server.ts";
import { runGodot, scriptErrors, spawnGodot, WITHOUT_GODOT } from "../support/godot.ts";
import { ADDON_GODOT4, addonProject } from "../support/godot-addon.ts";
import { connect, type TestClient } from "../support/ws-client.ts";

const TESTS = resolve(import.meta.dirname, "../godot");
const ROOM = "godot-addon";
/** The server's AUTH_SECRET, for the game's tokens; rooms stay open to anonymous members. */
const SECRET = "secret-of-the-godot-addon-test";
/** The checks test/godot/chat_logic_test.gd makes: it says PASSED with this count only if it ran all of them. */
const LOGIC_CHECKS = 142;

/** A scratch Godot 3 project holding a copy of the addon and of test/godot/addon_client.gd, with `settings`. */
const project = (settings = "") => addonProject(join(TESTS, "addon_client.gd"), settings);

let server: DevServer;
beforeAll(async () => {
  server = await startDevServer({ vars: { AUTH_SECRET: SECRET } });
});
afterAll(async () => {
  await server?.dispose();
});

/** A game of test/godot/addon_client.gd in a scratch project (`settings` in its project.godot), run to its end. */
const runGame = (args: string[], timeoutMs: number, settings = "") =>
  runGodot(["--path", project(settings), "-s", "res://addon_client.gd", ...args], { timeoutMs });

/** Starts a game of test/godot/addon_client.gd in a scratch project, and gathers what it prints as it runs. */
const startGame = (args: string[]) => spawnGodot(["--path", project(), "-s", "res://addon_client.gd", ...args]);

describe.skipIf(WITHOUT_GODOT)("the Godot addon in Godot 3", () => {
  it(`passes all ${LOGIC_CHECKS} unit tests of its shared logic, with no script error`, async () => {
    const run = await runGodot(
      ["-s", join(TESTS, "chat_logic_test.gd"), `--logic=${join(ADDON_GODOT4, "chat_logic.gd")}`],
      { timeoutMs: 30_000 },
    );
    // A script error stops the function it is in, and Godot goes on: fewer checks, or an error on stderr.
    expect(scriptErrors(run.stderr)).toEqual([]);
    expect(run.stdout).not.toContain("FAIL ");
    expect(run.stdout).toMatch(new RegExp(`^PASSED ${LOGIC_CHECKS}$`, "m"));
    expect(run.code).toBe(0);
  });

  it.each(["127.0.0.1:8787", "http://127.0.0.1:8787"])(
    "refuses the address %s at once, with a clear error, and does not retry it",
    async (address) => {
      const started = Date.now();
      const { code, stdout, stderr } = await runGame(
        [`--url=${address}`, "--room=x", "--name=godot", "--say=hello", "--until=bye"],
        20_000,
      );
      const message = `EdgeChat: "${address}" is not a WebSocket address: it must begin with ws:// or wss://`;
      expect(stdout).toContain(`ERROR bad_address ${message} 0`);
      expect(stdout).toContain(`DISCONNECTED 0 ${message}`);
      expect(stdout).not.toContain("RECONNECTING");
      // push_error(): Godot 3 prints it as "ERROR: call: <message>". That error, once, and no other.
      expect(scriptErrors(stderr).map((error) => error.split("\n")[0])).toEqual([`ERROR: call: ${message}`]);
      // addon_client.gd quits with 3 on `disconnected`: at once, not after a backoff.
      expect(code).toBe(3);
      expect(Date.now() - started).toBeLessThan(10_000);
    },
  );

  /**
   * Fills `room` with `senders` × `each` chats numbered from 1 ("<n> <padding>"), each sender within its burst, and
   * waits until the last of each is stored.
   */
  async function fill(room: string, senders: number, each: number, padding: string): Promise<void> {
    const clients = await Promise.all(
      Array.from({ length: senders }, async (_, i) => {
        const client = await connect(`${server.wsUrl}/rooms/${room}`);
        client.send({ type: "join", name: `s${i}` });
        await client.next((p) => p.type === "welcome");
        return client;
      }),
    );
    for (const [i, sender] of clients.entries()) {
      for (let n = 1; n <= each; n++) sender.send({ type: "chat", text: `${i * each + n} ${padding}` });
      await sender.next((p) => p.type === "chat" && String(p.text).startsWith(`${i * each + each} `));
    }
    await Promise.all(clients.map((client) => client.close()));
  }

  it("joins a room whose welcome would be 200 KB with Godot 3's default 64 KiB buffer, and with a bigger one", async () => {
    const room = "godot-big-welcome";
    // 50 chats (the welcome's history) of 2,000 two-byte characters: a welcome of about 200 KB, which the room cuts
    // to the frame size the game says it takes. Ten senders, each within its burst.
    await fill(room, 10, 5, "é".repeat(1995));
    // Two games at once, so each under a name of its own.
    const game = (name: string, settings: string) =>
      runGame(
        [`--url=${server.wsUrl}`, `--room=${room}`, `--name=${name}`, "--say=hello", "--until=50 é"],
        20_000,
        settings,
      );
    const runs = [game("stock", ""), game("roomy", "\n[network]\n\nlimits/websocket_client/max_in_buffer_kb=1024\n")];
    for (const run of await Promise.all(runs)) {
      // Joined at once, with the newest messages that fit in a frame, in order; no drop, no retry.
      const [untilDone] = run.stdout.split("\nDONE\n");
      expect({ code: run.code, ends: untilDone!.match(/^(DISCONNECTED|RECONNECTING|ERROR) .*$/gm) }).toEqual({
        code: 0,
        ends: null,
      });
      expect(run.stdout).toMatch(/^CONNECTED /m);
      expect(scriptErrors(run.stderr)).toEqual([]);
      const seqs = [...run.stdout.matchAll(/^CHAT (\d+) s\d: /gm)].map(([, seq]) => Number(seq));
      expect(seqs.length).toBeGreaterThan(5);
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
      expect(new Set(seqs).size).toBe(seqs.length);
      expect(seqs.at(-1)).toBe(50);
    }
  });

  it("sends 10 chats right after a large history page: all 10 arrive once, in order", async () => {
    const room = "godot-burst";
    const observer = await connect(`${server.wsUrl}/rooms/${room}`);
    observer.send({ type: "join", name: "observer" });
    await observer.next((p) => p.type === "welcome");
    // 40 chats of 2,000 characters: a history page of about 80 KB, charged to the game's rate limit by its size.
    await fill(room, 5, 8, "x".repeat(1990));
    const run = await runGame(
      [`--url=${server.wsUrl}`, `--room=${room}`, "--name=godot", "--say=burst", "--burst=10", "--until=burst 10"],
      30_000,
    );
    expect(run.code, run.stdout.slice(-2000)).toBe(0);
    expect(scriptErrors(run.stderr)).toEqual([]);
    // The game quit on the echo of its tenth. Up to a chat the observer sends now, it heard each of them once.
    await observer.next((p) => p.type === "chat" && p.text === "burst 10");
    observer.send({ type: "chat", text: "after the burst" });
    const heard = (await observer.upTo((p) => p.type === "chat" && p.text === "after the burst"))
      .filter((p) => p.type === "chat" && String(p.text).startsWith("burst "))
      .map((p) => p.text);
    expect(heard).toEqual(Array.from({ length: 10 }, (_, i) => `burst ${i + 1}`));
    await observer.close();
  });

  it("posts a chat with spaces round it once, across a server restart", async () => {
    const room = "godot-padded";
    const game = startGame([
      `--url=${server.wsUrl}`,
      `--room=${room}`,
      "--name=godot",
      "--say=   padded hello   ",
      "--until=bye",
    ]);
    try {
      await expect.poll(() => game.stdout, { timeout: 30_000 }).toMatch(/^CHAT \d+ godot: padded hello$/m);
      server = await server.restart();
      await expect.poll(() => game.stdout, { timeout: 30_000 }).toMatch(/^CONNECTED [\s\S]*^CONNECTED /m);
      const ann = await connect(`${server.wsUrl}/rooms/${room}`);
      ann.send({ type: "join", name: "ann" });
      const welcome = await ann.next((p) => p.type === "welcome");
      ann.send({ type: "chat", text: "bye" });
      expect(await game.exited, game.stdout).toBe(0);
      const history = (welcome.history as { text: string }[]).map((m) => m.text);
      expect(history.filter((text) => text === "padded hello")).toHaveLength(1);
      expect(game.stdout.match(/^CHAT \d+ godot: padded hello$/gm)).toHaveLength(1);
      expect(scriptErrors(game.stderr)).toEqual([]);
      await ann.close();
    } finally {
      game.godot.kill();
    }
  });

  it("chats both ways with a native client, keeps BBCode and emoji as text, and rides out a server restart", async () => {
    const native = async (since?: number): Promise<TestClient> => {
      const client = await connect(`${server.wsUrl}/rooms/${ROOM}`);
      client.send({ type: "join", name: "ann", ...(since === undefined ? {} : { since }) });
      await client.next((p) => p.type === "welcome");
      return client;
    };
    let ann = await native();
    const game = startGame([
      `--url=${server.wsUrl}`,
      `--room=${ROOM}`,
      "--name=godot",
      "--say=héllo [color=red]red[/color] 😀",
      "--until=bye",
    ]);
    const said: string[] = ["[b]bold[/b] [url=https://evil.example]click[/url] 🎮"];
    try {
      expect(await ann.next((p) => p.type === "chat", 30_000)).toMatchObject({
        sender: { name: "godot" },
        text: "héllo [color=red]red[/color] 😀",
      });
      ann.send({ type: "chat", text: said[0] });
      for (let i = 1; i <= 3; i++) said.push(`before ${i}`);
      for (const text of said.slice(1)) ann.send({ type: "chat", text });
      await ann.next((p) => p.type === "chat" && p.text === "before 3");
      await expect.poll(() => game.stdout, { timeout: 10_000 }).toContain("before 3");

      server = await server.restart();
      ann = await native();
      for (let i = 1; i <= 3; i++) said.push(`after ${i}`);
      said.push("bye");
      for (const text of said.slice(-4)) ann.send({ type: "chat", text });
      expect(await game.exited, game.stdout).toBe(0);
    } finally {
      game.godot.kill();
    }
    const chats = [...game.stdout.matchAll(/^CHAT (\d+) (\S+): (.*)$/gm)].map(([, seq, name, text]) => ({
      seq: Number(seq),
      name,
      text,
    }));
    // Every message once, in order, across the restart.
    expect(chats.map((c) => c.seq)).toEqual([...chats.map((c) => c.seq)].sort((a, b) => a - b));
    expect(new Set(chats.map((c) => c.seq)).size).toBe(chats.length);
    expect(chats.filter((c) => c.name === "ann").map((c) => c.text)).toEqual(said);
    // The first retry waits between half and all of the policy's first window (0.5 s).
    const [, delay, attempt] = /^RECONNECTING ([\d.]+) (\d+)$/m.exec(game.stdout) ?? [];
    expect(Number(attempt)).toBe(1);
    expect(Number(delay)).toBeGreaterThanOrEqual(0.25);
    expect(Number(delay)).toBeLessThanOrEqual(0.5);
    // Shown the way the example scene shows them: BBCode stays text.
    expect(game.stdout).toContain(
      "RENDERED héllo [color=red]red[/color] 😀 | [b]bold[/b] [url=https://evil.example]click[/url] 🎮 |",
    );
    // The drop freed no socket in the middle of its own signal.
    expect(game.stderr).not.toContain("freed or unreferenced while a signal is being emitted");
    expect(scriptErrors(game.stderr)).toEqual([]);
    await ann.close();
  });

  it("gets a new token each time its token expires, and resumes with no drop: every message once, in order", async () => {
    const room = "godot-tokens";
    // Token i ends 5 s after token i − 1 (its exp lies in the past, within the server's 60 s of clock skew): the
    // room closes the connection with 4010 at each end, and the game answers token_needed with the next.
    const start = Math.floor(Date.now() / 1000);
    const tokens = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        new SignJWT({ sub: "u-godot", name: "godot" })
          .setProtectedHeader({ alg: "HS256" })
          .setExpirationTime(start - 60 + 8 + 5 * i)
          .sign(new TextEncoder().encode(SECRET)),
      ),
    );
    const ann = await connect(`${server.wsUrl}/rooms/${room}`);
    ann.send({ type: "join", name: "ann" });
    await ann.next((p) => p.type === "welcome");
    const game = startGame([
      `--url=${server.wsUrl}`,
      `--room=${room}`,
      "--name=godot",
      "--say=hello",
      "--until=bye",
      `--token=${tokens[0]}`,
      `--tokens=${tokens.slice(1).join(",")}`,
    ]);
    const said: string[] = [];
    try {
      await ann.next((p) => p.type === "chat" && p.text === "hello", 30_000);
      // Chats through two of the game's tokens' ends.
      while (Date.now() < (start + 19) * 1000) {
        said.push(`ann ${said.length + 1}`);
        ann.send({ type: "chat", text: said.at(-1) });
        await new Promise((resolveSleep) => setTimeout(resolveSleep, 250));
      }
      said.push("bye");
      ann.send({ type: "chat", text: "bye" });
      expect(await game.exited, game.stdout).toBe(0);
    } finally {
      game.godot.kill();
    }
    expect(game.stdout.match(/^TOKEN_NEEDED/gm)?.length ?? 0).toBeGreaterThanOrEqual(2);
    // Up to its DONE (its own leave may then be heard as 1006 if it quits before the close completes).
    const untilDone = game.stdout.split(/^DONE$/m)[0]!;
    expect(game.stdout).toMatch(/^DONE$/m);
    expect(untilDone).not.toMatch(/^(RECONNECTING|DISCONNECTED)/m);
    expect(scriptErrors(game.stderr)).toEqual([]);
    const chats = [...game.stdout.matchAll(/^CHAT (\d+) (\S+): (.*)$/gm)].map(([, seq, name, text]) => ({
      seq: Number(seq),
      name,
      text,
    }));
    expect(chats.map((c) => c.seq)).toEqual([...chats.map((c) => c.seq)].sort((a, b) => a - b));
    expect(new Set(chats.map((c) => c.seq)).size).toBe(chats.length);
    expect(chats.filter((c) => c.name === "ann").map((c) => c.text)).toEqual(said);
    await ann.close();
  });
});
