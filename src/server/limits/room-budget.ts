// What the whole room takes in per second, shared fairly. The per-connection rate limit cannot protect a room from
// many connections: sixty at five messages a second each, every one within its own limit, drown the room and every
// member's round trip. So chats and renames are also charged to a room-wide budget of messages and bytes per
// second. While the room is within it, everything passes. Once it is over, a sender is let through only while its
// own rate is under its fair share (the budget divided by the senders active now): the heaviest senders are
// refused first, and a member who talks at a human pace keeps being served however many others flood.
//
// Rates are estimated over a sliding one-second window (the current window's count plus the share of the previous
// window's that still falls within the last second), so the estimate does not drop to zero at a window's start.

export const BUDGET_WINDOW_MS = 1000;

export interface RoomBudgetLimits {
  messagesPerSecond: number;
  bytesPerSecond: number;
}

interface Usage {
  messages: number;
  bytes: number;
}

interface Meter {
  current: Usage;
  previous: Usage;
}

export class RoomBudget<Socket extends object> {
  private readonly senders = new Map<Socket, Meter>();
  private readonly room: Meter = { current: empty(), previous: empty() };
  private windowStart = -Infinity;

  constructor(private readonly limits: RoomBudgetLimits) {}

  /** Charges a packet of `bytes` from `socket` at `now`: 0 if it passes, otherwise when to try again (ms). */
  admit(socket: Socket, bytes: number, now: number): number {
    this.roll(now);
    let sender = this.senders.get(socket);
    if (!sender) {
      sender = { current: empty(), previous: empty() };
      this.senders.set(socket, sender);
    }
    const weight = 1 - (now - this.windowStart) / BUDGET_WINDOW_MS;
    const { messagesPerSecond, bytesPerSecond } = this.limits;
    const withinBudget =
      rate(this.room, "messages", weight) + 1 <= messagesPerSecond &&
      rate(this.room, "bytes", weight) + bytes <= bytesPerSecond;
    if (!withinBudget) {
      const active = this.senders.size;
      const underShare =
        rate(sender, "messages", weight) < messagesPerSecond / active &&
        rate(sender, "bytes", weight) < bytesPerSecond / active;
      if (!underShare) return Math.max(1, Math.ceil(this.windowStart + BUDGET_WINDOW_MS - now));
    }
    for (const meter of [sender, this.room]) {
      meter.current.messages++;
      meter.current.bytes += bytes;
    }
    return 0;
  }

  /** A connection is gone: it no longer counts as an active sender. */
  dropConnection(socket: Socket): void {
    this.senders.delete(socket);
  }

  /** Starts a new window when the current one is over; senders silent for a whole window are no longer active. */
  private roll(now: number): void {
    if (now - this.windowStart < BUDGET_WINDOW_MS) return;
    const adjacent = now - this.windowStart < 2 * BUDGET_WINDOW_MS;
    this.windowStart = adjacent ? this.windowStart + BUDGET_WINDOW_MS : now;
    for (const meter of [this.room, ...this.senders.values()]) {
      meter.previous = adjacent ? meter.current : empty();
      meter.current = empty();
    }
    for (const [socket, meter] of this.senders) if (meter.previous.messages === 0) this.senders.delete(socket);
  }
}

const empty = (): Usage => ({ messages: 0, bytes: 0 });

/** A meter's rate over the last second: this window's count, and the part of the previous one still within it. */
function rate(meter: Meter, of: keyof Usage, previousWeight: number): number {
  return meter.current[of] + meter.previous[of] * previousWeight;
}
