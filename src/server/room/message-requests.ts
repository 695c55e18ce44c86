// What a member asks of the room's messages (docs/protocol.md, "Messages that change"): a chat (with the message it
// answers and game data), an edit, a deletion, a reaction given or taken back. Each becomes an entry of the room's
// log (message-log.ts), which the outbox stores with the rest of its burst and checks there, in the room's order:
// who asks is the member as it is known across connections (`authorOf`), so that an edit or a deletion made on a
// connection that resumed counts as its author's.

import type { ClientRequest } from "../../shared/protocol";
import { authorOf, type JoinedSession, memberOf } from "../connections/session";
import type { LogEntry } from "./message-log";

/** The requests that are entries of the room's log. */
export type LogRequest =
  | Extract<ClientRequest, { kind: "chat" | "edit" | "react" }>
  | { kind: "moderate"; action: { kind: "delete"; seq: number } };

/** Whether a request is an entry of the room's log. */
export const isLogRequest = (request: ClientRequest): request is LogRequest =>
  request.kind === "chat" ||
  request.kind === "edit" ||
  request.kind === "react" ||
  (request.kind === "moderate" && request.action.kind === "delete");

/** The log entry of a member's request, taken at `now`. */
export function logEntryOf(request: LogRequest, session: JoinedSession, now: number): LogEntry {
  const author = authorOf(session);
  switch (request.kind) {
    case "chat": {
      const { text, cid, replyTo, data } = request;
      const chat = { ts: now, sender: memberOf(session), text, author };
      return {
        kind: "chat",
        chat: {
          ...chat,
          ...(cid !== undefined && { cid }),
          ...(replyTo !== undefined && { replyTo }),
          ...(data !== undefined && { data }),
        },
      };
    }
    case "edit":
      return { kind: "edit", seq: request.seq, text: request.text, author, ts: now };
    case "react": {
      const { seq, reaction, on } = request;
      return { kind: "react", change: { seq, reaction, on, author, name: session.name } };
    }
    case "moderate":
      // Its author's deletion, or else a moderator's (message-log.ts decides which, as it stores it).
      return {
        kind: "delete",
        seq: request.action.seq,
        author,
        ...(session.identity?.role === "moderator" && { moderator: { ...session.identity, id: session.id } }),
      };
  }
}
