// What the user does to the room's messages, the part of a room connection (connection.ts) that the app calls for
// them: send a chat with its reply and game data, edit, delete, react; and what it reads of them, the messages
// delivered in their current state (message-model.ts). Each request is checked against what the room would refuse
// for sure (game data that is not a JSON object within limits.maxDataBytes, a reaction that is not one emoji or
// `:name:`: src/shared/message-changes.ts; a change asked of a connection that has stopped): such a one is not sent,
// and the app gets the error at once. The rest is queued and paced like chats (send-queue.ts).

import { dataProblem, isReaction, REACTION_RULE } from "../shared/message-changes";
import {
  type ChatMessage,
  DEFAULT_LIMITS,
  type ErrorCode,
  type GameData,
  type Limits,
  type ProtocolError,
} from "../shared/protocol";
import { ChatPromises, refusedAtOnce } from "./chat-promises";
import type { ConnectionEvent, ConnectionStatus } from "./connection-events";
import { MessageModel } from "./message-model";
import type { Outgoing, OutgoingChat, Request } from "./send-queue";

/** What a chat may carry besides its text: the seq of the message it answers, and game data. */
export interface ChatOptions {
  replyTo?: number;
  data?: GameData;
}

export abstract class MessageActions {
  protected readonly model = new MessageModel();
  /** What each chat's promise waits for: the room's echo, or its refusal for good. */
  protected readonly chats = new ChatPromises();

  /** The messages delivered, by seq, each in its current state (edited, deleted, its reactions now). */
  get messages(): ReadonlyMap<number, ChatMessage> {
    return this.model.messages;
  }

  /** Whether this connection gave reaction `reaction` to message `seq` (and did not take it back). */
  reactedByMe(seq: number, reaction: string): boolean {
    return this.model.reactedByMe(seq, reaction);
  }

  /**
   * Sends a chat message now, or as soon as the room is reachable again. The text must be valid already; `replyTo`:
   * the seq of the message it answers; `data`: a JSON object for the game (else an `invalid_data` error, not sent).
   * The promise resolves with the message once the room stored it, and rejects with a `Refusal` (its `code`: e.g.
   * `muted`, `slow_mode`, `blocked_word`) if the room refused it for good; the `error` event tells that too, so an
   * app need not await it. A chat the room only postponed (`rate_limited`) goes again by itself, and stays pending.
   */
  sendChat(text: string, { replyTo, data }: ChatOptions = {}): Promise<ChatMessage> {
    const sent = this.request({
      type: "chat",
      text,
      ...(replyTo !== undefined && { replyTo }),
      ...(data !== undefined && { data }),
    });
    if (sent.type === "error") return refusedAtOnce(sent.error);
    // A chat request is queued as a chat, with its new cid.
    return this.chats.add((sent.packet as OutgoingChat).cid);
  }

  /**
   * Changes our own message `seq` to `text` (valid already). Edits, deletions and reactions are queued and paced
   * like chats; while the connection has stopped, each is refused at once with an `error` event.
   */
  edit(seq: number, text: string): void {
    this.request({ type: "edit", seq, text });
  }

  /** Deletes our own message `seq` (a moderator deletes anyone's with `moderate`: the same packet). */
  deleteMessage(seq: number): void {
    this.request({ type: "delete", seq });
  }

  /** Gives message `seq` a reaction: one emoji, or `:name:` (`isReaction`). */
  react(seq: number, reaction: string): void {
    this.request({ type: "react", seq, reaction });
  }

  /** Takes our reaction `reaction` to message `seq` back. */
  unreact(seq: number, reaction: string): void {
    this.request({ type: "unreact", seq, reaction });
  }

  abstract get status(): ConnectionStatus;
  protected abstract readonly options: { onEvent(event: ConnectionEvent): void };
  /** The room's limits as its last welcome gave them. */
  protected abstract readonly membership: { limits: Limits | undefined };
  /** Queues what passed the checks, and sends what may go now; the packet as queued (a chat with its cid). */
  protected abstract enqueue(request: Request): Outgoing;

  private request(request: Request): { type: "queued"; packet: Outgoing } | { type: "error"; error: ProtocolError } {
    const stopped = this.status.state === "offline";
    const error = requestProblem(request, this.membership.limits ?? DEFAULT_LIMITS, stopped);
    if (error) {
      this.options.onEvent({ type: "error", error });
      return { type: "error", error };
    }
    if (request.type === "react" || request.type === "unreact") {
      this.model.reacted(request.seq, request.reaction, request.type === "react");
    }
    return { type: "queued", packet: this.enqueue(request) };
  }
}

/**
 * The error the room would answer `request` with for sure, or undefined if it may go. `stopped`: the connection
 * will not reconnect by itself; a chat waits for `open` then, a change to a message is refused.
 */
export function requestProblem(request: Request, limits: Limits, stopped: boolean): ProtocolError | undefined {
  const refuse = (code: ErrorCode, message: string): ProtocolError => ({ code, message, for: request.type });
  if (stopped && request.type !== "chat" && request.type !== "rename") {
    return refuse("not_joined", "not connected to the room: open the connection first");
  }
  if (request.type === "chat" && request.data !== undefined) {
    const problem = dataProblem(request.data, limits);
    if (problem !== undefined) return refuse("invalid_data", problem);
  }
  if ((request.type === "react" || request.type === "unreact") && !isReaction(request.reaction)) {
    return refuse("invalid_reaction", REACTION_RULE);
  }
  return undefined;
}
