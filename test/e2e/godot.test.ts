// The strongest proof that the tutorial dialect is right: a real Godot 3 client (Debian's godot3-server, headless
// Godot 3.2.3) running a script written to the tutorial chats with a native client through `wrangler dev`.

import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevServer, startDevServer } from "../../tools/dev-server.ts";
import { runGodot, scriptErrors, WITHOUT_GODOT } from "../support/godot.ts";
import { connect } from "../support/ws-client.ts";

const SCRIPT = resolve(import.meta.dirname, "../godot/tutorial_client.gd");

// Twice: in a room of one object, and in a room of many, where every connection past the first (Godot's) is on a
// shard (docs/scaling.md).
describe.each<{ room: string; vars: Record<string, number> }>([
  { room: "a room of one object", vars: {} },
  { room: "a room on shards", vars: { SHARD_CAPACITY: 1 } },
])("$room", ({ vars }) => {
  let server: DevServer;
  beforeAll(async () => {
    server = await startDevServer({ vars });
  });
  afterAll(async () => {
    await server?.dispose();
  });

  it.skipIf(WITHOUT_GODOT)("a real Godot 3 tutorial client chats with a native client in the lobby", async () => {
    const ann = await connect(`${server.wsUrl}/rooms/lobby`);
    ann.send({ type: "join", name: "ann" });
    await ann.next((p) => p.type === "welcome");

    const godot = runGodot(
      ["-s", SCRIPT, `--url=${server.wsUrl}`, "--name=godot", "--say=héllo from Gödot 😀", "--until=bye"],
      { timeoutMs: 40_000 },
    );

    const fromGodot = await ann.next((p) => p.type === "chat", 30_000);
    expect(fromGodot).toMatchObject({ sender: { name: "godot" }, text: "héllo from Gödot 😀" });
    const { shards = [] } = (await (await fetch(`${server.httpUrl}/api/rooms/lobby`)).json()) as {
      shards?: { members: number }[];
    };
    expect(shards.map((shard) => shard.members)).toEqual("SHARD_CAPACITY" in vars ? [1] : []);
    ann.send({ type: "chat", text: "hi Godot 🎮, bye" });

    const run = await godot;
    expect(run.code, run.stdout).toBe(0);
    expect(scriptErrors(run.stderr)).toEqual([]);
    const output = run.stdout;
    expect(output).toMatch(/^RECV server_message : godot\(#\d+\) joined the chat\.$/m);
    expect(output).toContain("RECV chat_message godot: héllo from Gödot 😀");
    expect(output).toContain("RECV chat_message ann: hi Godot 🎮, bye");
    expect(output).toContain("DONE");
    expect((await ann.next((p) => p.type === "leave")).name).toBe("godot");
    await ann.close();
  });

  it.skipIf(WITHOUT_GODOT)(
    "a real Godot 3 tutorial client hears of a native member's edit and deletion once each, and of reactions nothing",
    async () => {
      const room = "tutorial-changes";
      const ann = await connect(`${server.wsUrl}/rooms/${room}`);
      ann.send({ type: "join", name: "ann" });
      await ann.next((p) => p.type === "welcome");
      const godot = runGodot(
        ["-s", SCRIPT, `--url=${server.wsUrl}/rooms/${room}`, "--name=godot", "--say=hello", "--until=the end"],
        { timeoutMs: 40_000 },
      );
      const joined = await ann.next((p) => p.type === "join" && p.name === "godot", 30_000);
      const hello = await ann.next((p) => p.type === "chat" && p.text === "hello", 30_000);
      /** Sends `packet`, and waits for what the room answers ann with: `type`, of message `seq` if given. */
      const send = (packet: Record<string, unknown>, type: string, seq?: unknown) => {
        ann.send(packet);
        return ann.next((p) => p.type === type && (seq === undefined || p.seq === seq));
      };
      const { seq: typo } = await send({ type: "chat", text: "helo tpyo" }, "chat");
      await send({ type: "react", seq: typo, reaction: "👍" }, "reactions", typo);
      await send({ type: "react", seq: hello.seq, reaction: ":wave:" }, "reactions", hello.seq);
      await send({ type: "edit", seq: typo, text: "hello, typo fixed" }, "edited", typo);
      await send({ type: "edit", seq: typo, text: "hello, typo fixed twice" }, "edited", typo);
      await send({ type: "unreact", seq: typo, reaction: "👍" }, "reactions", typo);
      const { seq: doomed } = await send({ type: "chat", text: "doomed" }, "chat");
      await send({ type: "react", seq: doomed, reaction: "🔥" }, "reactions", doomed);
      await send({ type: "delete", seq: doomed }, "deleted", doomed);
      // Ten packets so far, the rate limit's burst: the last line may have to wait its turn, as a client would.
      for (;;) {
        ann.send({ type: "chat", text: "the end" });
        const answer = await ann.next((p) => (p.type === "chat" && p.text === "the end") || p.type === "error");
        if (answer.type === "chat") break;
        expect(answer.code).toBe("rate_limited");
        await new Promise((resolve) => setTimeout(resolve, Number(answer.retryAfterMs)));
      }

      const run = await godot;
      expect(run.code, run.stdout).toBe(0);
      expect(scriptErrors(run.stderr)).toEqual([]);
      // Every line the tutorial client got, exactly: a notice per edit, one for the deletion, nothing for the
      // reactions, and no line of an edit's text (it could pass for a new message).
      expect(run.stdout.match(/^RECV .*$/gm)).toEqual([
        `RECV server_message : godot(#${joined.id}) joined the chat.`,
        "RECV chat_message godot: hello",
        "RECV chat_message ann: helo tpyo",
        `RECV server_message : Message #${typo} was edited by its author.`,
        `RECV server_message : Message #${typo} was edited by its author.`,
        "RECV chat_message ann: doomed",
        `RECV server_message : Message #${doomed} was deleted by its author.`,
        "RECV chat_message ann: the end",
      ]);
      expect(run.stdout).not.toContain("fixed");
      await ann.close();
    },
  );
});
