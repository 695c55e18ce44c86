import { describe, expect, it } from "vitest";
import { DeliveryRecord } from "../../../src/client/delivery-record";
import { message, messages } from "./fakes";

const seqs = (list: { seq: number }[]) => list.map((m) => m.seq);

describe("DeliveryRecord", () => {
  it("passes each sequence number on once, and knows the newest and oldest", () => {
    const record = new DeliveryRecord();
    expect(seqs(record.accept(messages(5, 7)))).toEqual([5, 6, 7]);
    expect(seqs(record.accept([message(7), message(8), message(6)]))).toEqual([8]);
    expect(record.newestPosition).toBe(8);
    record.hasOlder = true;
    expect(record.wantOlder()).toBe(true);
    expect(record.nextRequest()).toEqual({ kind: "older", before: 5 });
  });

  it("fills a resume's gap page by page, newest first, and then wants nothing more", () => {
    const record = new DeliveryRecord();
    record.accept(messages(1, 10));
    record.resumeFrom(messages(31, 40), true);
    record.accept(messages(31, 40));
    expect(record.hasGap).toBe(true);
    expect(record.nextRequest()).toEqual({ kind: "gap", before: 31 });
    record.requested("gap");
    expect(record.nextRequest()).toBeUndefined(); // one page at a time
    expect(record.answer({ messages: messages(21, 30), more: true })).toEqual({
      kind: "gap",
      messages: messages(21, 30),
    });
    expect(record.nextRequest()).toEqual({ kind: "gap", before: 21 });
    record.requested("gap");
    // The page reaches back past the gap: only what falls into it is news.
    expect(record.answer({ messages: messages(8, 20), more: true })).toEqual({
      kind: "gap",
      messages: messages(11, 20),
    });
    expect(record.hasGap).toBe(false);
    expect(record.nextRequest()).toBeUndefined();
  });

  it("reports the part of a gap the room no longer keeps", () => {
    const record = new DeliveryRecord();
    record.accept(messages(1, 3));
    record.resumeFrom(messages(50, 52), true);
    record.requested("gap");
    expect(record.answer({ messages: messages(45, 49), more: false })).toEqual({
      kind: "gap",
      messages: messages(45, 49),
      lost: { after: 3, before: 45 },
    });
    expect(record.hasGap).toBe(false);
  });

  it("asks again for a page whose request was lost, and pages back until there is nothing older", () => {
    const record = new DeliveryRecord();
    record.accept(messages(20, 25));
    record.hasOlder = true;
    expect(record.wantOlder()).toBe(true);
    expect(record.wantOlder()).toBe(false); // already wanted
    record.requested("older");
    expect(record.olderLoading).toBe(true);
    record.requestLost();
    expect(record.nextRequest()).toEqual({ kind: "older", before: 20 });
    record.requested("older");
    expect(record.answer({ messages: messages(18, 19), more: false })).toEqual({
      kind: "older",
      messages: messages(18, 19),
    });
    expect(record.olderLoading).toBe(false);
    expect(record.hasOlder).toBe(false);
    expect(record.wantOlder()).toBe(false);
  });

  it("ignores a page nobody asked for", () => {
    const record = new DeliveryRecord();
    expect(record.answer({ messages: messages(1, 2), more: false })).toBeUndefined();
  });

  it("starts over after a reset", () => {
    const record = new DeliveryRecord();
    record.accept(messages(1, 9));
    record.resumeFrom(messages(20, 21), true);
    record.reset();
    expect(record.newestPosition).toBe(0);
    expect(record.hasGap).toBe(false);
    expect(seqs(record.accept(messages(1, 2)))).toEqual([1, 2]);
  });
});
