import { describe, expect, it } from "vitest";
import { RoomBudget } from "../../../../src/server/limits/room-budget";

describe("RoomBudget", () => {
  it("lets everything through while the room is within its budget", () => {
    const budget = new RoomBudget<object>({ messagesPerSecond: 10, bytesPerSecond: 1_000_000 });
    const [a, b] = [{}, {}];
    for (let i = 0; i < 5; i++) {
      expect(budget.admit(a, 100, i)).toBe(0);
      expect(budget.admit(b, 100, i)).toBe(0);
    }
  });

  it("under 60 flooders at 5 per second, serves 2 members at 2 per second in full and holds the room near its budget", () => {
    const budget = new RoomBudget<object>({ messagesPerSecond: 200, bytesPerSecond: 256 * 1024 });
    const flooders = Array.from({ length: 60 }, () => ({}));
    const honest = [{}, {}];
    const sends: { at: number; socket: object }[] = [];
    for (let at = 0; at < 10_000; at += 200)
      for (const socket of flooders) sends.push({ at: at + Math.random() * 200, socket });
    for (let at = 0; at < 10_000; at += 500)
      for (const socket of honest) sends.push({ at: at + Math.random() * 500, socket });
    sends.sort((x, y) => x.at - y.at);
    let honestRefused = 0;
    let admitted = 0;
    for (const { at, socket } of sends) {
      const wait = budget.admit(socket, 100, at);
      if (wait === 0) admitted++;
      else if (honest.includes(socket)) honestRefused++;
    }
    expect(honestRefused).toBe(0);
    // 3,000 flooder messages offered in 10 s; about 200 per second admitted, a little over while senders change.
    expect(admitted / 10).toBeGreaterThan(180);
    expect(admitted / 10).toBeLessThan(240);
  });

  it("refuses a sender over its share of bytes once the room is over its byte budget", () => {
    const budget = new RoomBudget<object>({ messagesPerSecond: 1000, bytesPerSecond: 10_000 });
    const [heavy, light] = [{}, {}];
    expect(budget.admit(heavy, 6000, 0)).toBe(0);
    expect(budget.admit(light, 100, 0)).toBe(0);
    expect(budget.admit(heavy, 6000, 10)).toBe(990); // over the budget, and over its half of it: retry next window
    expect(budget.admit(light, 100, 20)).toBe(0);
  });

  it("forgets a sender that left, so it no longer divides the budget", () => {
    const budget = new RoomBudget<object>({ messagesPerSecond: 4, bytesPerSecond: 1_000_000 });
    const [a, b] = [{}, {}];
    budget.admit(b, 1, 0);
    for (let i = 0; i < 3; i++) budget.admit(a, 1, 0);
    // Over budget with two senders: a has taken its share of two, and more.
    expect(budget.admit(a, 1, 1)).toBeGreaterThan(0);
    budget.dropConnection(b);
    // Alone, a's share is the whole budget of four, and it has taken three.
    expect(budget.admit(a, 1, 2)).toBe(0);
  });
});
