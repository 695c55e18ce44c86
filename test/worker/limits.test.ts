// The rate limit charges what input costs: bytes as well as frames, and the size of a history answer.

import { describe, expect, it } from "vitest";
import { joinNative, sleep, uniqueRoom, type Packet } from "./client";

const isChat = (p: Packet) => p.type === "chat";

describe("the rate limit charges bytes", () => {
  it("charges a frame one token per started 4 KiB (RATE_LIMIT_BYTES_PER_TOKEN)", async () => {
    const room = uniqueRoom("heavy-chats");
    const { client: ann } = await joinNative(room, "ann");
    const { client: heavy } = await joinNative(room, "heavy");
    // 2,000 three-byte characters: about 6 KB, two tokens each. The join took one token of the burst of ten.
    for (let i = 0; i < 6; i++) heavy.send({ type: "chat", text: `${i}`.padEnd(2000, "€") });
    expect(await heavy.next((p) => p.type === "error")).toMatchObject({ code: "rate_limited" });
    // Counted by frames alone, all six would pass.
    await ann.collect(isChat, 4);
    await sleep(100);
    expect(ann.received.filter(isChat)).toHaveLength(4);
  });

  it("charges a history request by the size of its answer", async () => {
    const room = uniqueRoom("history-bill");
    const { client: ann } = await joinNative(room, "ann");
    for (let i = 1; i <= 6; i++) {
      ann.send({ type: "chat", text: `${i}`.padEnd(2000, "€") });
      await ann.next((p) => isChat(p) && p.seq === i);
      await sleep(300);
    }
    const { client: reader } = await joinNative(room, "reader");
    // Each answer is a page of about 20 KB (HISTORY_PAGE_MAX_BYTES here): five tokens, on top of the request's one.
    reader.send({ type: "history", before: 7 });
    expect(new TextEncoder().encode(JSON.stringify(await reader.nextOfType("history"))).length).toBeGreaterThan(16_384);
    reader.send({ type: "history", before: 7 });
    await reader.nextOfType("history");
    // Nine tokens after the join, twelve spent: three in debt, so the next request waits for four.
    reader.send({ type: "history", before: 7 });
    const refusal = await reader.next((p) => p.type === "error");
    expect(refusal).toMatchObject({ code: "rate_limited" });
    expect(refusal.retryAfterMs).toBeGreaterThan(600);
  });
});
