// The shared spec's runner for the JavaScript client: every scenario of clients/spec/scenarios.json, step by step,
// against a RoomConnection on a fake clock and fake sockets. test/godot/spec_runner.gd runs the same file against
// the Godot addon's chat_logic.gd.

import { describe, expect, it } from "vitest";
import { DEFAULT_BACKOFF } from "../../../src/client/backoff";
import { type ChatOptions, RoomConnection } from "../../../src/client/connection";
import type { ConnectionEvent } from "../../../src/client/connection-events";
import { DEFAULT_ANSWER_TIMEOUT_MS, DEFAULT_PING_INTERVAL_MS } from "../../../src/client/connection-options";
import { CLIENT_CONSTANTS } from "../../../src/client/constants";
import { refusedForGood } from "../../../src/client/refusal";
import { BURST_MARGIN, REFUSAL_CHECK_MS } from "../../../src/client/send-queue";
import { CLOSE_CODES } from "../../../src/shared/close-codes";
import type { MuteState, RoomSettings, ServerPacket } from "../../../src/shared/protocol";
import { FakeClock, type FakeSocket, socketFactory } from "./fakes";
import {
  CidNames,
  constants,
  cutTo,
  type Expectations,
  expand,
  named,
  type Packet,
  type Scenario,
  type Step,
  spec,
} from "./spec-scenarios";

/** What a scenario has seen so far of the client, kept until the check that reads it. */
class Observed {
  frames: Packet[] = [];
  pings = 0;
  delivered: number[] = [];
  errors: { code: string; for?: string; retryAfterMs?: number }[] = [];
  changed: [number, string][] = [];
  reconnectIn: number | null = null;
  /** The delay of the last reconnect scheduled, which `{"wait": "reconnect"}` waits out. */
  lastReconnect = 0;
  /** The typers the last `typing` event told (none before one). */
  toldTypers: number[] = [];
  /** The mute the last `muted` event told (none before one). */
  toldMuted: MuteState | undefined;
  /** The settings the last `settings` event told. */
  toldSettings: RoomSettings | undefined;
  /** The presence mode the last `welcome` or `presence` event told. */
  toldPresence: string | undefined;
  /** The pages of members told (`membersPage`), by id. */
  membersPages: { members: number[]; more: boolean }[] = [];
}

async function run(scenario: Scenario): Promise<void> {
  const clock = new FakeClock();
  const sockets = socketFactory();
  const cids = new CidNames();
  const seen = new Observed();
  const limits = spec.defaults.limits;
  const random = scenario.random ?? spec.defaults.random;
  let sentCount = 0;

  const onEvent = (event: ConnectionEvent) => {
    if (event.type === "messages") seen.delivered.push(...event.messages.map((m) => m.seq));
    if (event.type === "error") {
      // `for` as the spec checks it: what a refusal for good answered.
      const { code, retryAfterMs } = event.error;
      seen.errors.push({ code, for: refusedForGood(event.error) ? event.error.for : undefined, retryAfterMs });
    }
    if (event.type === "muted") seen.toldMuted = event.muted;
    if (event.type === "settings") seen.toldSettings = event.settings;
    if (event.type === "welcome") seen.toldPresence = event.presence;
    if (event.type === "presence" && event.packet.type === "presence") seen.toldPresence = event.packet.mode;
    if (event.type === "membersPage") {
      seen.membersPages.push({ members: event.members.map((member) => member.id), more: event.more });
    }
    if (event.type === "changed") seen.changed.push([event.message.seq, event.change]);
    if (event.type === "typing") seen.toldTypers = event.typers.map((member) => member.id);
    if (event.type === "status" && event.status.state === "reconnecting") {
      seen.reconnectIn = seen.lastReconnect = event.status.retryAt - clock.now();
    }
  };
  const create: typeof sockets.create = (url, handlers) => {
    const socket = sockets.create(url, handlers) as FakeSocket;
    // The network connects at once: as soon as the connection has taken the socket as its own.
    clock.setTimeout(() => socket.open(), 0);
    return socket;
  };
  /** Lets a token promise settle, and a socket it opened connect. */
  const settle = async () => {
    for (let i = 0; i < 3; i++) await Promise.resolve();
    clock.advance(0);
  };
  const collectSent = () => {
    const all = sockets.sockets.flatMap((socket) => socket.sent);
    for (const frame of all.slice(sentCount)) {
      if (frame === "ping") seen.pings++;
      else seen.frames.push(named(JSON.parse(frame) as Packet, cids));
    }
    sentCount = all.length;
  };

  // Made before the steps (a state may be set before it opens); nothing connects until `open`.
  const connection = new RoomConnection({
    url: "ws://chat.test/rooms/spec",
    name: "me",
    createSocket: create,
    onEvent,
    clock,
    random: () => random,
    ...(scenario.client?.tokens && { token: async () => "a-token" }),
    ...(scenario.client?.maxFrameBytes !== undefined && { maxFrameBytes: scenario.client.maxFrameBytes }),
  });

  const step = async (s: Step): Promise<void> => {
    if ("do" in s) {
      if (s.do === "open") connection.open();
      else if (s.do === "loadOlder") connection.loadOlder();
      else if (s.do === "loadMembers") connection.loadMembers();
      else if (s.do === "loadMembersFromStart") connection.loadMembers({ fromStart: true });
      else connection.close();
    } else if ("in" in s) {
      const data = s.in === "pong" ? "pong" : (expand(s.in, cids, limits) as unknown as ServerPacket);
      sockets.last().receive(data);
    } else if ("close" in s) {
      const socket = sockets.last();
      if (!socket.closed) socket.drop(s.close);
    } else if ("wait" in s) {
      let left = s.wait === "reconnect" ? seen.lastReconnect : s.wait;
      // A timer at a time, so that a token promise settles between them as it would.
      for (;;) {
        const next = clock.nextDelay();
        if (next === undefined || next > left) break;
        clock.advance(next);
        left -= next;
        await settle();
      }
      clock.advance(left);
    } else if ("send" in s) {
      if (typeof s.send === "object" && !Array.isArray(s.send)) {
        const { text, ...options } = s.send;
        connection.sendChat(text, options as ChatOptions);
      } else for (const text of typeof s.send === "string" ? [s.send] : s.send) connection.sendChat(text);
    } else if ("edit" in s) {
      connection.edit(...s.edit);
    } else if ("delete" in s) {
      connection.deleteMessage(s.delete);
    } else if ("react" in s) {
      connection.react(...s.react);
    } else if ("unreact" in s) {
      connection.unreact(...s.unreact);
    } else if ("rename" in s) {
      connection.rename(s.rename);
    } else if ("typing" in s) {
      connection.typing(s.typing);
    } else if ("setState" in s) {
      connection.setState(s.setState);
    } else if ("setSettings" in s) {
      connection.setSettings(s.setSettings);
    } else if ("mute" in s) {
      const { id, ...options } = s.mute;
      connection.mute(id, options);
    } else if ("unmute" in s) {
      connection.unmute(s.unmute);
    } else if ("repeat" in s) {
      for (let i = 0; i < s.repeat; i++) for (const inner of s.steps) await step(inner);
    } else {
      check(s.expect);
    }
    await settle();
    collectSent();
  };

  const check = (wanted: Expectations) => {
    collectSent();
    if (wanted.out !== undefined) expect(cutTo(seen.frames, wanted.out), "out").toEqual(wanted.out);
    if (wanted.chats !== undefined) {
      expect(
        seen.frames.filter((f) => f.type === "chat").map((f) => f.text),
        "chats",
      ).toEqual(wanted.chats);
    }
    if (wanted.out !== undefined || wanted.chats !== undefined) seen.frames = [];
    if (wanted.pings !== undefined) {
      expect(seen.pings, "pings").toBe(wanted.pings);
      seen.pings = 0;
    }
    if (wanted.delivered !== undefined) {
      expect(
        [...seen.delivered].sort((a, b) => a - b),
        "delivered",
      ).toEqual(wanted.delivered);
      seen.delivered = [];
    }
    if (wanted.errors !== undefined) {
      // A code alone checks the code only; an object its code, `for`, and `retryAfterMs` if it lists it.
      const errors = seen.errors.map(({ retryAfterMs, ...error }, i) => {
        const expected = wanted.errors![i];
        if (typeof expected !== "object") return error.code;
        return "retryAfterMs" in expected ? { ...error, retryAfterMs } : error;
      });
      expect(errors, "errors").toEqual(wanted.errors);
      seen.errors = [];
    }
    if (wanted.changed !== undefined) {
      expect(seen.changed, "changed").toEqual(wanted.changed);
      seen.changed = [];
    }
    if (wanted.messages !== undefined) {
      for (const [seq, fields] of Object.entries(wanted.messages)) {
        const held = connection.messages.get(Number(seq)) as Packet | undefined;
        if (fields === null) expect(held, `message ${seq}`).toBeUndefined();
        else {
          expect(held, `message ${seq}`).toBeDefined();
          // A field given as null is one the message does not have.
          const actual = Object.fromEntries(Object.keys(fields).map((key) => [key, held![key] ?? null]));
          expect(actual, `message ${seq}`).toEqual(fields);
        }
      }
    }
    if (wanted.reactedByMe !== undefined) {
      const actual = wanted.reactedByMe.map(([seq, reaction]) => [
        seq,
        reaction,
        connection.reactedByMe(seq, reaction),
      ]);
      expect(actual, "reactedByMe").toEqual(wanted.reactedByMe);
    }
    if (wanted.reconnectIn !== undefined) {
      expect(seen.reconnectIn, "reconnectIn").toBe(wanted.reconnectIn);
      seen.reconnectIn = null;
    }
    if (wanted.stopped !== undefined) {
      const status = connection.status;
      expect(status.state === "offline" ? status.reason : null, "stopped").toBe(wanted.stopped);
    }
    if (wanted.members !== undefined)
      expect(
        connection.members.map((m) => m.id),
        "members",
      ).toEqual(wanted.members);
    if (wanted.typers !== undefined) {
      expect(
        connection.typers.map((m) => m.id),
        "typers",
      ).toEqual(wanted.typers);
      // The app was told of every change: the last set told is the set now.
      expect(seen.toldTypers, "typers told").toEqual(wanted.typers);
    }
    if (wanted.states !== undefined) {
      const actual = Object.fromEntries(
        Object.keys(wanted.states).map((id) => [
          id,
          connection.members.find((m) => m.id === Number(id))?.state ?? null,
        ]),
      );
      expect(actual, "states").toEqual(wanted.states);
    }
    if (wanted.memberCount !== undefined) expect(connection.memberCount, "memberCount").toBe(wanted.memberCount);
    if (wanted.muted !== undefined) {
      const shown = (mute: MuteState | undefined) =>
        mute === undefined ? null : { until: mute.until ?? null, reason: mute.reason ?? null };
      expect(shown(connection.muted), "muted").toEqual(wanted.muted);
      // The app was told of every change: the last mute told is the mute now.
      expect(shown(seen.toldMuted), "muted told").toEqual(wanted.muted);
    }
    if (wanted.settings !== undefined) {
      expect(connection.settings, "settings").toEqual(wanted.settings);
      expect(seen.toldSettings, "settings told").toEqual(wanted.settings);
    }
    if (wanted.presence !== undefined) {
      expect(connection.presence, "presence").toBe(wanted.presence);
      expect(seen.toldPresence, "presence told").toBe(wanted.presence);
    }
    if (wanted.membersPage !== undefined) {
      expect(seen.membersPages, "membersPage").toEqual(wanted.membersPage);
      seen.membersPages = [];
    }
  };

  for (const s of scenario.steps) await step(s);
}

describe("the shared spec (clients/spec), run by the JavaScript client", () => {
  it("uses the shared constants", () => {
    expect(DEFAULT_BACKOFF).toEqual(constants.backoff);
    expect(DEFAULT_PING_INTERVAL_MS).toBe(constants.pingIntervalMs);
    expect(DEFAULT_ANSWER_TIMEOUT_MS).toBe(constants.answerTimeoutMs);
    expect(REFUSAL_CHECK_MS).toBe(constants.refusalCheckMs);
    expect(BURST_MARGIN).toBe(constants.burstMargin);
    expect(CLIENT_CONSTANTS.cid).toEqual(constants.cid);
    expect(CLOSE_CODES).toEqual(constants.closeCodes);
  });

  it("has a scenario this client runs, or a reason it cannot, for every rule; and no rule that is not stated", () => {
    for (const rule of Object.keys(spec.rules)) {
      const covering = spec.scenarios.filter((s) => s.rules.includes(rule));
      expect(covering.length, rule).toBeGreaterThan(0);
    }
    for (const scenario of spec.scenarios)
      for (const rule of scenario.rules) expect(Object.keys(spec.rules)).toContain(rule);
  });

  const runs = spec.scenarios.filter((scenario) => !scenario.unsupported?.ts);
  it.each(runs.map((scenario) => [scenario.name, scenario] as const))("%s", async (_name, scenario) => {
    await run(scenario);
  });
});
