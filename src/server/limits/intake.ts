// What every frame from a client goes through before anything acts on it, wherever its socket is held (the room's
// own, or a shard's): its size, its sender's rate limit, then its validity. A frame that fails is answered (once per
// window, for a refusal) or its connection closed; one that passes comes out as a request. A shard and its hub both
// take a shard's frames in: the shard to protect itself and answer at once, the hub because it bills answers too.

import { CLOSE_POLICY, CLOSE_TOO_BIG, type CloseCode } from "../../shared/close-codes";
import { decodeFrame, isBinaryPing } from "../../shared/codec";
import type { Answering, ClientRequest, Dialect, Limits, ProtocolError } from "../../shared/protocol";
import type { Session } from "../connections/session";
import type { Charges, Verdict } from "./charges";

export interface IntakeHooks<Socket> {
  /** Errors go out in the member's dialect; before join, in `dialectBeforeJoin`. */
  sendError(socket: Socket, dialectBeforeJoin: Dialect, error: ProtocolError): void;
  /** Closes a connection from the room's side (its leave is announced if it had joined). */
  close(socket: Socket, code: CloseCode, reason: string): void;
  /** Sends a bare frame: `pong`, to a `ping` the runtime did not answer. */
  sendFrame(socket: Socket, frame: string): void;
}

export class Intake<Socket extends object> {
  constructor(
    private readonly limits: Limits,
    private readonly charges: Charges<Socket>,
    private readonly hooks: IntakeHooks<Socket>,
  ) {}

  /**
   * The request a frame holds, in the dialect it came in, with what an answer to it names; undefined if the frame was
   * refused or answered.
   */
  take(socket: Socket, session: Session, frame: string | ArrayBuffer, bytes: number, now: number): Taken | undefined {
    const { limits } = this;
    if (bytes > limits.maxFrameBytes) {
      // The runtime has taken in up to 32 MiB already; answering and reading on would invite the next one.
      this.hooks.close(socket, CLOSE_TOO_BIG, `a frame must be at most ${limits.maxFrameBytes} bytes`);
      return undefined;
    }
    if (!this.enforce(socket, session, this.charges.frame(socket, bytes, now), frame)) return undefined;
    // A binary `ping` costs what any frame does against its sender's rate limit, and nothing else.
    if (isBinaryPing(frame)) {
      this.hooks.sendFrame(socket, "pong");
      return undefined;
    }
    const { request, dialect, answering } = decodeFrame(frame, limits);
    if (!request.ok) {
      this.hooks.sendError(socket, dialect, { ...request.error, ...answering });
      return undefined;
    }
    return { request: request.value, dialect, answering, bytes };
  }

  /**
   * Carries out a rate-limit verdict on `frame`: true if it passes. A refusal is answered with when to retry:
   * `rate_limited` for the sender's own limit, `room_busy` for the room's budget. The first refusal of a window is
   * answered, and every refused packet with a `cid`, so that a client can tell which of its sends to repeat (at most
   * FLOOD_CLOSE_AFTER a second: then the connection is closed); the others are dropped unanswered. The answer names
   * the refused packet (`for`, `cid`) and, before join, follows its dialect: the frame is read only for this answer.
   */
  enforce(socket: Socket, session: Session, verdict: Verdict, frame: string | ArrayBuffer): boolean {
    switch (verdict.kind) {
      case "pass":
        return true;
      case "refuse": {
        // A flood is mostly refusals: a frame is read only when its answer needs it (the first of a window, or one
        // that may name a `cid`, which only a native text frame can).
        const mayName = typeof frame === "string" && frame.includes('"cid"');
        const read = (verdict.answer || mayName) && !isBinaryPing(frame) ? decodeFrame(frame, this.limits) : undefined;
        if (verdict.answer || read?.answering?.cid !== undefined) {
          const why = verdict.code === "rate_limited" ? "too many packets" : "the room is busy";
          this.hooks.sendError(socket, session.joined ? "native" : (read?.dialect ?? "native"), {
            code: verdict.code,
            message: `${why}; retry in ${verdict.retryAfterMs} ms`,
            retryAfterMs: verdict.retryAfterMs,
            ...read?.answering,
          });
        }
        return false;
      }
      case "close":
        this.hooks.close(socket, CLOSE_POLICY, "rate limit exceeded");
        // One line per closed connection: enough for an operator to see a flood, never a flood of its own.
        console.warn(
          `room: closed ${sessionLabel(session)} for flooding (${verdict.refusedInWindow} packets refused within a second)`,
        );
        return false;
    }
  }
}

/** A frame that passed: its request, the dialect it came in, and what an answer to it names. */
export interface Taken {
  request: ClientRequest;
  dialect: Dialect;
  answering?: Answering;
  /** The frame's size in bytes (UTF-8 for a text frame), counted once as it came in. */
  bytes: number;
}

/** How a log line names a connection: by its member id once it has joined. */
export const sessionLabel = (session: Session): string =>
  session.joined ? `member ${session.id}` : "a connection that has not joined";
