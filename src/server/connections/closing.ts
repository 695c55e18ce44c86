// The end of a connection's close handshake, as a room and a shard both answer it. The runtime does not answer a
// client's close frame on a hibernatable socket by itself: without an answer the client waits for its close
// handshake to time out, and the socket still counts against its address (sessions.ts, `Attachment`) until then.

import { CLOSE_NORMAL, isSendableCloseCode } from "../../shared/close-codes";

/**
 * Answers the close frame a client sent with `code`, echoing it. Codes such as 1005 (no code) and 1006 (the
 * connection broke) only report what happened and cannot be sent: those are answered with 1000 (`CLOSE_NORMAL`).
 */
export function answerClose(socket: WebSocket, code: number): void {
  try {
    socket.close(isSendableCloseCode(code) ? code : CLOSE_NORMAL);
  } catch {
    // Already closed from our side (e.g. for flooding), or the connection is gone: nothing left to answer.
  }
}
