// The room's rules (issue 25) as the Godot addon's example panel shows them, in headless Godot 3 (Debian's
// godot3-server, 3.2.3): test/godot/rules_client.gd plays the room itself (a WebSocketServer of Godot's own), so the
// addon's adapter, its new signals and the panel run whole with no server of ours: a message the game's backend
// posted, slow mode and its wait, a refusal put back in the line, a timed mute that ends by itself, blocked words,
// and a moderator's calls. The rules themselves are checked in test/godot/chat_logic_test.gd and clients/spec.

import { createServer } from "node:net";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { runGodot, scriptErrors, WITHOUT_GODOT } from "../support/godot.ts";
import { addonProject, readmeBlock } from "../support/godot-addon.ts";

const GAME = resolve(import.meta.dirname, "../godot/rules_client.gd");

/** A TCP port free on 127.0.0.1 now. */
function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** The epoch's `ms` as the panel shows it: the time of day, "14:05" (the test machine's zone is UTC). */
const clock = (ms: number) => new Date(ms).toISOString().slice(11, 16);

describe.skipIf(WITHOUT_GODOT)("the example panel under the room's rules, in Godot 3", () => {
  it("shows the system's messages apart, slow mode's wait, refusals plainly, and a mute until it ends", async () => {
    const project = addonProject(GAME, `\n${readmeBlock("autoload:godot3")}`);
    const started = Date.now();
    const run = await runGodot(["--path", project, "-s", "res://rules_client.gd", `--port=${await freePort()}`], {
      timeoutMs: 30_000,
    });
    expect(scriptErrors(run.stderr)).toEqual([]);
    expect(run.code, run.stdout).toBe(0);
    const shown = Object.fromEntries(
      [...run.stdout.matchAll(/^SHOWN ([^:]+): (.*)$/gm)].map(([, step, shownThen]) => [step, shownThen]),
    );
    expect(shown.welcomed).toBe("Slow mode: one message per 10 s | editable=True | input=");
    expect(shown.chatted).toMatch(/^Slow mode: wait (10|9) s \| editable=True \| input=$/);
    // The chat sent too soon is refused, and back in the line.
    expect(shown.slow_mode).toMatch(/^Slow mode: wait 20 s \| editable=True \| input=second$/);
    const muteStatus = /^SIGNAL mute_changed \[true,(\d+),"\[b\]spam\[\/b\]"\]$/m.exec(run.stdout);
    expect(muteStatus).not.toBeNull();
    const until = clock(Number(muteStatus?.[1]));
    expect(shown.muted).toBe(`You are muted until ${until} ([b]spam[/b]) | editable=False | input=second`);
    expect(shown["mute over"]).toMatch(/^Slow mode: wait \d+ s \| editable=True \| input=second$/);
    expect(shown["slow mode off"]).toBe(" | editable=True | input=second");
    expect(shown.blocked).toBe(" | editable=True | input=a bad word");
    expect(shown["muted by a refusal"]).toBe("You are muted | editable=False | input=a bad word");

    const log = /^LOG (.*)$/m.exec(run.stdout)?.[1]?.split(" | ");
    expect(log).toEqual([
      "You joined #rules as me.",
      "Slow mode: one message per 10 s.",
      // The backend's message, under a member's name: marked as the system's, BBCode as text.
      "[system] [i]ann[/i]: [b]ann[/b] won the match",
      "[i]ann[/i]: gg",
      "me: first",
      "Not sent: slow mode. Wait 20 s.",
      `A moderator muted you until ${until}: [b]spam[/b].`,
      "You may speak again.",
      "Slow mode is off.",
      "Not sent: it holds a word this room does not allow.",
      "Not sent: you are muted.",
      "A moderator muted you.",
    ]);
    // What the room received: the chats (none while muted), then the moderator's calls, in order.
    const received = [...run.stdout.matchAll(/^RECEIVED (.*)$/gm)].map(([, frame]) => JSON.parse(frame as string));
    expect(received.map(({ cid: _cid, maxFrameBytes: _max, ...frame }) => frame)).toEqual([
      { type: "join", name: "me" },
      { type: "chat", text: "first" },
      { type: "chat", text: "second" },
      { type: "chat", text: "a bad word" },
      { type: "mute", id: 2, minutes: 10, reason: "flood" },
      { type: "unmute", user: "address:ab12" },
      { type: "settings", slowModeSeconds: 5 },
    ]);
    expect(run.stdout).toMatch(
      /^SIGNAL moderated \[\{"id":2,"name":"\[i\]ann\[\/i\]","type":"muted","until":1900000000000,"user":"address:ab12"\}\]$/m,
    );
    expect(run.stdout).toContain('SIGNAL settings_changed [{"listed":true,"slowModeSeconds":10,"title":"Lobby"}]');
    expect(run.stdout).toContain('SIGNAL mute_changed [false,0,""]');
    expect(run.stdout).toContain('SIGNAL refused ["chat","slow_mode","slow mode is on: wait 20 s"]');
    // The mute ended on time, by the addon's own clock: the run took its 1.5 s and more.
    expect(Date.now() - started).toBeGreaterThan(1500);
  }, 40_000);
});
