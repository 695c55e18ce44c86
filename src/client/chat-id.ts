// A chat's client id (`cid`): the room stores a chat once per sender and cid, and repeats the cid in its echo and in
// an error that refuses the chat. So a chat sent again after a drop or a refusal is recognisably the same chat:
// the room does not post it twice, and its echo or refusal is matched to it by id, not by text (which the room trims).

import { CLIENT_CONSTANTS } from "./constants";

/**
 * The characters a cid may hold (docs/protocol.md): 64 of them, so one random byte picks one; 16 of them, 96 bits,
 * as unlikely to repeat as a sender could ever need.
 */
const { alphabet: ALPHABET, length: LENGTH } = CLIENT_CONSTANTS.cid;

/** A new random cid. */
export function newChatId(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(LENGTH));
  return Array.from(bytes, (byte) => ALPHABET[byte % ALPHABET.length]).join("");
}
