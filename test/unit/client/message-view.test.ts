// The browser client's DOM-free decisions about messages that change: who may edit, what pressing a reaction does,
// how reactors, quotes and game data read, where a jump to an original goes next, and the undo window of a delete.

import { describe, expect, it } from "vitest";
import {
  dataText,
  jumpStep,
  mayEdit,
  quoteText,
  reactionLabel,
  reactionStep,
  reactorsText,
  UNDO_MS,
} from "../../../src/client/message-view";
import { PendingDeletes } from "../../../src/client/pending-deletes";
import { type ChatMessage, DEFAULT_LIMITS } from "../../../src/shared/protocol";
import { FakeClock } from "./fakes";

const sender = { id: 1, name: "Ann" };
const message = (extra: Partial<ChatMessage> = {}): ChatMessage =>
  ({ seq: 7, ts: 1_000_000, sender, text: "hi", ...extra }) as ChatMessage;

describe("editing", () => {
  it("is for the author of a message not deleted, within the room's edit window if it has one", () => {
    const noWindow = { editWindowSeconds: 0 };
    expect(mayEdit(message(), true, noWindow, 9e12)).toBe(true);
    expect(mayEdit(message(), false, noWindow, 1_000_000)).toBe(false);
    expect(mayEdit(message({ text: "", deleted: true }), true, noWindow, 1_000_000)).toBe(false);
    const minute = { editWindowSeconds: 60 };
    expect(mayEdit(message(), true, minute, 1_000_000 + 59_999)).toBe(true);
    expect(mayEdit(message(), true, minute, 1_000_000 + 60_000)).toBe(false);
  });
});

describe("reactions", () => {
  const limits = { maxReactionsPerMessage: 2 };
  const reacted = message({
    reactions: [
      { reaction: "👍", count: 2, by: ["Ann", "Bob"] },
      { reaction: ":gg:", count: 1, by: ["Cy"] },
    ],
  });

  it("takes back the reader's own, and adds one that is not", () => {
    expect(reactionStep(reacted, "👍", true, limits)).toEqual({ send: "unreact" });
    expect(reactionStep(reacted, "👍", false, limits)).toEqual({ send: "react" });
    expect(reactionStep(message(), "🎉", false, limits)).toEqual({ send: "react" });
  });

  it("refuses a new one past the room's cap, and anything that is not one emoji or :name:", () => {
    expect(reactionStep(reacted, "🎉", false, limits)).toEqual({ refused: expect.stringMatching(/2 different/) });
    expect(reactionStep(message(), "<b>x</b>", false, limits)).toEqual({
      refused: expect.stringMatching(/^A reaction/),
    });
    expect(reactionStep(message(), "👍👍", false, DEFAULT_LIMITS)).toHaveProperty("refused");
  });

  it("names who reacted, and how many more the room did not name", () => {
    expect(reactorsText({ reaction: "👍", count: 2, by: ["Ann", "Bob"] })).toBe("Ann, Bob");
    expect(reactorsText({ reaction: "👍", count: 12, by: ["Ann", "Bob"] })).toBe("Ann, Bob and 10 more");
    expect(reactorsText({ reaction: "👍", count: 1, by: [] })).toBe("1 person");
    expect(reactionLabel({ reaction: "👍", count: 2, by: ["Ann", "Bob"] }, true)).toBe(
      "👍: 2, by Ann, Bob. Press to take yours back.",
    );
    expect(reactionLabel({ reaction: "👍", count: 1, by: ["Ann"] }, false)).toBe("👍: 1, by Ann. Press to add yours.");
  });
});

describe("quotes and game data", () => {
  it("reads a deleted original as such", () => {
    expect(quoteText({ seq: 1, name: "Ann", text: "<b>x</b>" })).toBe("<b>x</b>");
    expect(quoteText({ seq: 1, name: "Ann", text: "", deleted: true })).toBe("deleted message");
  });

  it("shows game data as indented JSON", () => {
    expect(dataText({ item: "<b>sword</b>", at: [1, 2] })).toBe(
      '{\n  "item": "<b>sword</b>",\n  "at": [\n    1,\n    2\n  ]\n}',
    );
  });
});

describe("a jump to an original", () => {
  const view = { shown: false, oldestSeq: 20, more: true, loading: false };

  it("shows it when it is on the page", () => {
    expect(jumpStep(5, { ...view, shown: true })).toBe("show");
  });

  it("loads older history while the original is older than everything shown, and waits for a page on its way", () => {
    expect(jumpStep(5, view)).toBe("load");
    expect(jumpStep(5, { ...view, loading: true })).toBe("wait");
  });

  it("gives up when the room has nothing older, or the original should be shown and is not", () => {
    expect(jumpStep(5, { ...view, more: false })).toBe("unavailable");
    expect(jumpStep(25, view)).toBe("unavailable");
  });
});

describe("a delete's undo window", () => {
  function deletes() {
    const clock = new FakeClock();
    const sent: number[] = [];
    const changed: number[] = [];
    const pending = new PendingDeletes(clock, UNDO_MS, {
      send: (seq) => sent.push(seq),
      changed: (seq) => changed.push(seq),
    });
    return { clock, sent, changed, pending };
  }

  it("sends the delete only when the window closes", () => {
    const t = deletes();
    t.pending.start(3);
    t.pending.start(3);
    expect(t.pending.state(3)).toBe("undoable");
    t.clock.advance(UNDO_MS - 1);
    expect(t.sent).toEqual([]);
    t.clock.advance(1);
    expect(t.sent).toEqual([3]);
    expect(t.pending.state(3)).toBe("sent");
    expect(t.changed).toEqual([3, 3]);
    t.pending.done(3);
    expect(t.pending.state(3)).toBeUndefined();
  });

  it("sends nothing when undone in time, and cannot undo what went", () => {
    const t = deletes();
    t.pending.start(3);
    t.clock.advance(1000);
    expect(t.pending.undo(3)).toBe(true);
    t.clock.advance(UNDO_MS * 2);
    expect(t.sent).toEqual([]);
    expect(t.pending.state(3)).toBeUndefined();
    t.pending.start(4);
    t.clock.advance(UNDO_MS);
    expect(t.pending.undo(4)).toBe(false);
  });

  it("sends what waits when the page goes, and shows a refused delete's message again", () => {
    const t = deletes();
    t.pending.start(3);
    t.pending.start(4);
    t.pending.flush();
    expect(t.sent).toEqual([3, 4]);
    t.clock.advance(UNDO_MS);
    expect(t.sent).toEqual([3, 4]);
    t.changed.length = 0;
    t.pending.refused();
    expect(t.changed).toEqual([3, 4]);
    expect(t.pending.state(3)).toBeUndefined();
  });
});
