// A chat's client id (`cid`): the room stores a chat once per sender and cid, and repeats the cid in its echo and in
// an error that refuses the chat. So a chat sent again after a drop or a refusal is recognisably the same chat:
// the room does not post it twice, and its echo or refusal is matched to it by id, not by text (which the room trims).

/** The characters a cid may hold (docs/protocol.md): 64 of them, so one random byte picks one. */
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

/** A new random cid: 16 characters, 96 bits, as unlikely to repeat as a sender could ever need. */
export function newChatId(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => ALPHABET[byte % 64]).join("");
}
