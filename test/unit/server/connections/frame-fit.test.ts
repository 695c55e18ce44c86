import { describe, expect, it } from "vitest";
import {
  batchBudget,
  chunks,
  fitHistory,
  fitMembers,
  fitWelcome,
  frameLimit,
} from "../../../../src/server/connections/frame-fit";
import { encode, frameBytes, leavesPacket } from "../../../../src/shared/codec";
import { MAX_REACTION_UNITS } from "../../../../src/shared/message-changes";
import {
  type ChatMessage,
  DEFAULT_LIMITS as limits,
  type Member,
  QUOTE_CHARS,
  REACTORS_NAMED,
  type ServerPacket,
} from "../../../../src/shared/protocol";
import { minServerFrameBytes } from "../../../../src/shared/validation";

/** A message as long as a message may be, in characters that are 3 bytes each in UTF-8. */
const message = (seq: number): ChatMessage => ({
  seq,
  ts: 1_700_000_000_000 + seq,
  sender: { id: 1, name: "ann" },
  cid: `c${seq}`,
  text: "語".repeat(limits.maxMessageChars),
});
/** A message that carries all it may, each part as heavy as it may be: 4-byte characters, data, quote, reactions. */
const heaviest = (seq: number): ChatMessage => {
  const name = "𝔸".repeat(limits.maxNameChars);
  return {
    seq,
    ts: 1_700_000_000_000 + seq,
    sender: { id: 1_000_000, name, user: "u".repeat(64), verified: true },
    cid: "c".repeat(64),
    text: "😀".repeat(limits.maxMessageChars),
    edited: 1_700_000_000_000,
    replyTo: { seq: 1, name, text: "😀".repeat(QUOTE_CHARS) },
    data: { d: "x".repeat(limits.maxDataBytes - 8) },
    reactions: Array.from({ length: limits.maxReactionsPerMessage }, () => ({
      reaction: "語".repeat(MAX_REACTION_UNITS),
      count: 1_000_000,
      by: Array(REACTORS_NAMED).fill(name),
    })),
  };
};
const members = (count: number): Member[] =>
  Array.from({ length: count }, (_, i) => ({
    id: i + 1,
    name: `member-${i + 1}`,
    user: `user-${i + 1}-${"u".repeat(40)}`,
    verified: true,
  }));

const welcome = (history: ChatMessage[], listed: Member[]): Extract<ServerPacket, { type: "welcome" }> => ({
  type: "welcome",
  id: 99,
  name: "me",
  presence: "list",
  members: listed,
  moreMembers: false,
  memberCount: listed.length,
  history,
  more: false,
  lastSeq: history.at(-1)?.seq ?? 0,
  limits,
  settings: { slowModeSeconds: 0, listed: true, title: "t".repeat(64) },
  resumeKey: "0".repeat(32),
});

const bytesOf = (packet: ServerPacket) => frameBytes(encode(packet, "native")[0]!);

describe("fitWelcome", () => {
  const history = Array.from({ length: 33 }, (_, i) => message(i + 1));
  const full = welcome(history, members(300));

  it("cuts a welcome of about 200 KB to the default limit, newest history and first members kept, more flags set", () => {
    expect(bytesOf(full)).toBeGreaterThan(200_000);
    const fitted = fitWelcome(full, limits.maxServerFrameBytes);
    expect(bytesOf(fitted)).toBeLessThanOrEqual(limits.maxServerFrameBytes);
    expect(fitted.more).toBe(true);
    expect(fitted.moreMembers).toBe(true);
    expect(fitted.history.length).toBeGreaterThan(0);
    expect(fitted.history.at(-1)!.seq).toBe(33);
    // What is kept is a run of the newest, to be paged back from the oldest kept.
    expect(fitted.history.map((m) => m.seq)).toEqual(history.slice(-fitted.history.length).map((m) => m.seq));
    expect(fitted.members).toEqual(full.members.slice(0, fitted.members.length));
    expect(fitted.members.length).toBeGreaterThan(0);
  });

  it("fits the smallest limit a client may ask for, with the newest message in it, however much it carries", () => {
    const floor = minServerFrameBytes(limits);
    const fitted = fitWelcome(full, floor);
    expect(bytesOf(fitted)).toBeLessThanOrEqual(floor);
    expect(fitted.history.at(-1)!.seq).toBe(33);
    const heavy = Array.from({ length: 3 }, (_, i) => heaviest(i + 1));
    expect(bytesOf({ type: "chat", ...heavy[0]! })).toBeGreaterThan(floor * 0.9);
    expect(bytesOf({ type: "chat", ...heavy[0]! })).toBeLessThanOrEqual(floor);
    const fittedHeavy = fitWelcome(welcome(heavy, members(3)), floor);
    expect(bytesOf(fittedHeavy)).toBeLessThanOrEqual(floor);
    expect(fittedHeavy.history.map((m) => m.seq)).toEqual([3]);
  });

  it("fits a resume's changed messages after its history, oldest change first, moreChanged set if cut", () => {
    const resumed = { ...welcome([message(40)], members(3)), changed: history.slice(0, 20), moreChanged: false };
    const fitted = fitWelcome(resumed, limits.maxServerFrameBytes);
    expect(bytesOf(fitted)).toBeLessThanOrEqual(limits.maxServerFrameBytes);
    expect(fitted.history.map((m) => m.seq)).toEqual([40]);
    expect(fitted.changed!.length).toBeGreaterThan(0);
    expect(fitted.changed).toEqual(history.slice(0, fitted.changed!.length));
    expect(fitted.moreChanged).toBe(true);
    expect(fitted.members).toHaveLength(3);
    const small = { ...welcome([], members(3)), changed: history.slice(0, 2), moreChanged: false };
    expect(fitWelcome(small, limits.maxServerFrameBytes)).toEqual(small);
  });

  it("leaves a welcome that fits as it is", () => {
    const small = welcome([message(1)], members(3));
    expect(fitWelcome(small, limits.maxServerFrameBytes)).toEqual(small);
  });
});

describe("fitHistory and fitMembers", () => {
  it("cut a page to the limit, with more set, and never to nothing", () => {
    const page = fitHistory({ messages: Array.from({ length: 30 }, (_, i) => message(i + 1)), more: false }, 20_000);
    expect(bytesOf(page)).toBeLessThanOrEqual(20_000);
    expect(page.more).toBe(true);
    expect(page.messages.at(-1)!.seq).toBe(30);
    expect(fitHistory({ messages: [message(1)], more: false }, 100).messages).toHaveLength(1);
    const list = fitMembers({ members: members(500), more: false }, 10_000);
    expect(bytesOf(list)).toBeLessThanOrEqual(10_000);
    expect(list.more).toBe(true);
    expect(list.members[0]!.id).toBe(1);
  });
});

describe("chunks", () => {
  it("splits a batch of 5,000 leaves into frames under the smallest limit, in order, in both dialects", () => {
    const gone = members(5000);
    const runs = chunks(gone, batchBudget(limits));
    expect(runs.flat()).toEqual(gone);
    for (const run of runs) {
      for (const dialect of ["native", "tutorial"] as const) {
        for (const frame of encode(leavesPacket(run), dialect))
          expect(frameBytes(frame)).toBeLessThanOrEqual(minServerFrameBytes(limits));
      }
    }
  });
});

describe("frameLimit", () => {
  it("is what the join asked for if less than the room's, else the room's", () => {
    expect(frameLimit(limits, {})).toBe(limits.maxServerFrameBytes);
    expect(frameLimit(limits, { frameBytes: 20_000 })).toBe(20_000);
    expect(frameLimit(limits, { frameBytes: 1_000_000 })).toBe(limits.maxServerFrameBytes);
  });
});
