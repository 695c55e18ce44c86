// Live signals (issue 24) in a real headless Godot 3 (Debian's godot3-server, 3.2.3): two games using the addon's
// Godot 3 folder (test/godot/signals_client.gd: "ann" and "bo", each with a socket of its own) in a room of
// `wrangler dev`, with a native member who hears what the room relays. ann types and sets its status, bo sees both
// (typers(), typing_changed, member_state_changed, members()); ann stops, types again, chats, types once and goes
// quiet (bo drops it by itself, typingTimeoutMs later), then calls typing() on every frame: the room hears one start.
// Then two more games join: "dee" with a status too big for the room (refused, told, joined again without it), and
// "eve" on a token that vouches for its team, which it then tries to change (refused, told) before it sets a status.

import { resolve } from "node:path";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevServer, startDevServer } from "../../tools/dev-server.ts";
import { scriptErrors, spawnGodot, WITHOUT_GODOT } from "../support/godot.ts";
import { addonProject } from "../support/godot-addon.ts";
import { connect } from "../support/ws-client.ts";

const GAME = resolve(import.meta.dirname, "../godot/signals_client.gd");
const ROOM = "godot-signals";
/** The room's defaults (src/shared/protocol.ts DEFAULT_LIMITS), which the welcome gives the games. */
const TYPING_TIMEOUT_MS = 6000;
/** The server's AUTH_SECRET, for eve's token; the room stays open to anonymous members. */
const SECRET = "secret-of-the-godot-signals-test";

let server: DevServer;
beforeAll(async () => {
  server = await startDevServer({ vars: { AUTH_SECRET: SECRET } });
});
afterAll(async () => {
  await server?.dispose();
});

type Packet = Record<string, unknown>;

describe.skipIf(WITHOUT_GODOT)("typing and member state, between Godot 3 games", () => {
  it("one types and sets its status, another sees it; typers go with a stop, a chat, and by themselves; a refused state is told", async () => {
    const cy = await connect(`${server.wsUrl}/rooms/${ROOM}`);
    cy.send({ type: "join", name: "cy" });
    await cy.next((p) => p.type === "welcome");
    // eve's backend vouches for its team.
    const token = await new SignJWT({ sub: "u-eve", name: "eve", state: { team: "red" } })
      .setProtectedHeader({ alg: "HS256" })
      .setExpirationTime("10m")
      .sign(new TextEncoder().encode(SECRET));
    const game = spawnGodot([
      "--path",
      addonProject(GAME),
      "-s",
      "res://signals_client.gd",
      `--url=${server.wsUrl}`,
      `--room=${ROOM}`,
      `--token=${token}`,
    ]);
    let code: number | null;
    try {
      code = await Promise.race([game.exited, new Promise<null>((done) => setTimeout(() => done(null), 60_000))]);
    } finally {
      game.godot.kill();
    }
    const out = game.stdout;
    expect(code, out).toBe(0);
    expect(scriptErrors(game.stderr)).toEqual([]);
    // No error, and no drop before both left (their sockets close as Godot quits).
    const [beforeDone] = out.split("\nDONE\n");
    expect(beforeDone).not.toMatch(/^(ANN|BO) (ERROR|REFUSED|DISCONNECTED) /m);
    expect(out).toMatch(/^DONE$/m);

    // The phases, in order, each reached through what bo saw.
    expect(out.match(/^PHASE .*$/gm)).toEqual(
      [
        "bo-joins",
        "ann-joins",
        "typing",
        "stopped",
        "again",
        "chat",
        "quiet",
        "hammer",
        "big-state",
        "vouched",
        "done",
      ].map((p) => `PHASE ${p}`),
    );
    // bo's status went with its join, and ann's list shows it as bo set it, BBCode and all.
    expect(out).toContain('ANN SEES bo {"status":"[b]away[/b]"}');
    expect(out).toMatch(/^ANN COUNT 3$/m);
    // ann's status reached bo as a state change, and in bo's member list; ann typing, in typers().
    expect(out).toContain('BO STATE ann {"status":"in a match"}');
    const members = JSON.parse(/^BO MEMBERS (.*)$/m.exec(out)?.[1] ?? "[]") as Packet[];
    expect(members.map(({ name, state }) => ({ name, state }))).toEqual([
      { name: "cy", state: undefined },
      { name: "bo", state: { status: "[b]away[/b]" } },
      { name: "ann", state: { status: "in a match" } },
    ]);
    expect(out).toMatch(/^BO TYPERS\(\) ann$/m);
    expect(out).toMatch(/^BO COUNT 3$/m);
    // Each change of who types, told once: ann typing, stopped, typing again, gone with its chat, typing once more,
    // gone by itself, and typing while it hammers.
    const typers = [...out.matchAll(/^BO TYPERS (\d+) (.*)$/gm)].map(([, ms, names]) => ({ ms: Number(ms), names }));
    expect(typers.map(({ names }) => names)).toEqual(["ann", "", "ann", "", "ann", "", "ann"]);
    expect(out.indexOf("BO CHAT ann: done typing")).toBeGreaterThan(out.indexOf("PHASE chat"));
    // The last typer went quiet: dropped by bo's own clock, typingTimeoutMs after the signal came (its frame a
    // little later than ann's call, and bo's frames a few ms apart).
    const [, , , , shown, dropped] = typers;
    expect(dropped!.ms - shown!.ms).toBeGreaterThanOrEqual(TYPING_TIMEOUT_MS - 50);
    expect(dropped!.ms - shown!.ms).toBeLessThan(TYPING_TIMEOUT_MS + 1000);

    // A join whose state the room refuses (600 bytes of status, over maxStateBytes): told once, and joined again at
    // once without it.
    expect(beforeDone!.match(/^DEE .*$/gm)).toEqual([
      expect.stringMatching(/^DEE ERROR invalid_state /),
      "DEE REFUSED state invalid_state",
      "DEE CONNECTED dee",
      "DEE STATE {}",
    ]);

    // A field the token vouches for cannot be changed: refused for good, told once; eve's own status goes beside it,
    // and bo sees which field its backend vouches for.
    expect(beforeDone!.match(/^EVE (ERROR|REFUSED) .*$/gm)).toEqual([
      expect.stringMatching(/^EVE ERROR forbidden /),
      "EVE REFUSED state forbidden",
    ]);
    expect(JSON.parse(/^BO SEES (.*)$/m.exec(out)?.[1] ?? "{}")).toEqual({
      id: expect.any(Number),
      name: "eve",
      verified: true,
      user: "u-eve",
      state: { status: "ready", team: "red" },
      vouched: ["team"],
    });

    // What the room relayed to a third member: ann's starts, one per typing() that was to go (the phases typing,
    // again, quiet, hammer: one start in HAMMER_MS of calls on every frame), and its one stop.
    const left = (p: Packet) =>
      (p.type === "leave" && p.name === "ann") ||
      (p.type === "leaves" && (p.members as Packet[]).some((member) => member.name === "ann"));
    await cy.next(left);
    const ann = cy.received.find((p) => p.type === "join" && p.name === "ann")?.id;
    const signals = cy.received.filter((p) => p.type === "signals");
    const started = signals.filter((p) => (p.typing as number[] | undefined)?.includes(ann as number));
    const stopped = signals.filter((p) => (p.stopped as number[] | undefined)?.includes(ann as number));
    expect({ started: started.length, stopped: stopped.length }).toEqual({ started: 4, stopped: 1 });
    const states = signals.flatMap((p) => (p.states as Packet[] | undefined) ?? []);
    expect(states.filter(({ id }) => id === ann)).toEqual([{ id: ann, state: { status: "in a match" } }]);
    // bo's status came with its join, not as a change.
    expect(cy.received.find((p) => p.type === "join" && p.name === "bo")?.state).toEqual({ status: "[b]away[/b]" });
    await cy.close();
  }, 90_000);
});
