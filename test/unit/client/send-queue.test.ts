import { describe, expect, it } from "vitest";
import { type Outgoing, SendQueue } from "../../../src/client/send-queue";
import { LIMITS, message } from "./fakes";

describe("SendQueue", () => {
  it("paces to one token short of the room's burst, then to its rate", () => {
    const queue = new SendQueue();
    queue.paceTo({ ...LIMITS, rateLimitBurst: 3, rateLimitPerSecond: 5 }, 0);
    expect([queue.waitBeforeSending(0, 1), queue.waitBeforeSending(0, 1), queue.waitBeforeSending(0, 1)]).toEqual([
      0, 0, 200,
    ]);
    expect(queue.waitBeforeSending(200, 1)).toBe(0);
  });

  it("charges a frame by its cost, and a history answer the room billed, as the room does", () => {
    const queue = new SendQueue();
    queue.paceTo({ ...LIMITS, rateLimitBurst: 5, rateLimitPerSecond: 5 }, 0);
    expect(queue.waitBeforeSending(0, 3)).toBe(0);
    expect(queue.waitBeforeSending(0, 3)).toBe(400); // one token left of four, three needed
    queue.bill(0, 6); // an answer that weighed six tokens: five in debt
    expect(queue.waitBeforeSending(0, 1)).toBe(1200);
    expect(queue.waitBeforeSending(1200, 1)).toBe(0);
  });

  it("waits out a refusal before anything else goes", () => {
    const queue = new SendQueue();
    queue.paceTo(LIMITS, 0);
    queue.pauseUntil(500);
    expect(queue.waitBeforeSending(100, 1)).toBe(400);
    expect(queue.waitBeforeSending(500, 1)).toBe(0);
  });

  it("sends again, first, the chats of an earlier connection that the room never confirmed", () => {
    const queue = new SendQueue();
    queue.push({ type: "chat", text: "a" });
    queue.push({ type: "chat", text: "b" });
    queue.push({ type: "rename", name: "new" });
    const text = (packet: Outgoing | undefined) => (packet?.type === "chat" ? packet.text : packet);
    expect(text(queue.take(1))).toBe("a");
    const b = queue.take(1);
    expect(text(b)).toBe("b");
    queue.confirm(message(1, "a", { id: 1, name: "me" }));
    queue.confirm(message(2, "b", { id: 99, name: "someone else" })); // same text, not ours
    queue.push({ type: "chat", text: "c" });
    queue.dropRenames(); // the rejoin carried the new name
    queue.resendLost(2); // connection 2 is the new one
    const resent = queue.take(2);
    expect(resent).toEqual(b); // the same chat: its cid too
    expect([text(queue.take(2)), queue.take(2)]).toEqual(["c", undefined]);
    queue.resendLost(2);
    expect(queue.size).toBe(0); // what connection 2 sent is still awaiting its echo, not lost
  });
});
