// The promises `sendChat` returns, one per chat, by its cid: kept until the room's echo settles it (resolved with
// the message as the room stored it) or a refusal for good does (rejected with a Refusal). A chat the room only
// postponed stays pending: the connection sends it again by itself.

import type { ChatMessage, ProtocolError } from "../shared/protocol";
import { Refusal } from "./refusal";

interface Settle {
  resolve(message: ChatMessage): void;
  reject(error: Refusal): void;
}

export class ChatPromises {
  private readonly pending = new Map<string, Settle>();

  /** The promise of chat `cid`, until the room settles it. */
  add(cid: string): Promise<ChatMessage> {
    return handled(new Promise((resolve, reject) => this.pending.set(cid, { resolve, reject })));
  }

  /** The room stored chat `cid`: its echo. */
  stored(cid: string, message: ChatMessage): void {
    this.pending.get(cid)?.resolve(message);
    this.pending.delete(cid);
  }

  /** The room refused chat `cid` for good. */
  refused(cid: string, error: ProtocolError): void {
    this.pending.get(cid)?.reject(new Refusal(error));
    this.pending.delete(cid);
  }
}

/** A chat refused before it went: the promise rejects at once. */
export const refusedAtOnce = (error: ProtocolError): Promise<ChatMessage> =>
  handled(Promise.reject(new Refusal(error)));

/**
 * An app that sends without awaiting (most do: the `error` event tells every refusal too) must not see an
 * unhandled rejection; one that awaits still gets it.
 */
function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}
