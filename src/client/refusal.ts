// What a refusal from the room means for what it refused (rule `final-refusals`, clients/spec): most refusals that
// say when to try again (`rate_limited`, `room_busy`) are the room's "not now", and the client sends the packet
// again by itself then. A mute, slow mode or a blocked word say "not this": the user must wait, or write something
// else, so the packet is not sent again, whatever wait the refusal names (it is the user's to see: when the slow
// mode lets a chat go, when a timed mute ends).

import type { ErrorCode, ProtocolError } from "../shared/protocol";

/** The codes that refuse for good even with a `retryAfterMs`. */
const FINAL: ReadonlySet<ErrorCode> = new Set<ErrorCode>(["muted", "slow_mode", "blocked_word"]);

/** Whether the room refused for good: what it refused is not sent again by itself. */
export const refusedForGood = (error: ProtocolError): boolean =>
  error.retryAfterMs === undefined || FINAL.has(error.code);

/**
 * A chat the room refused for good, as `sendChat`'s promise rejects with it: an Error with the refusal's fields
 * (`code`, `retryAfterMs` when the room said when a chat may go, `for`, `cid`).
 */
export class Refusal extends Error implements ProtocolError {
  readonly code: ErrorCode;
  readonly retryAfterMs?: number;
  readonly for?: ProtocolError["for"];
  readonly cid?: string;

  constructor(error: ProtocolError) {
    super(error.message);
    this.name = "Refusal";
    this.code = error.code;
    if (error.retryAfterMs !== undefined) this.retryAfterMs = error.retryAfterMs;
    if (error.for !== undefined) this.for = error.for;
    if (error.cid !== undefined) this.cid = error.cid;
  }
}
