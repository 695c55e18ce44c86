// What the page says when the room refuses something for one of its rules: a moderator's mute, slow mode, a word the
// room blocks. Each says what did not happen and what the user can do; the text of a refused chat stays in the box.
// A blocked word is never named (the room does not say which: it would teach how to get round it).

import type { ProtocolError } from "../shared/protocol";

/** What did not happen, by what was refused. */
const NOT_DONE: Partial<Record<NonNullable<ProtocolError["for"]>, string>> = {
  chat: "Not sent",
  edit: "Not edited",
  react: "No reaction given",
  unreact: "Reaction not taken back",
  rename: "Not renamed",
  state: "Status not changed",
};

/** The line for a refusal by the room's rules, or undefined for any other. */
export function refusalLine(error: ProtocolError): string | undefined {
  const notDone = (error.for && NOT_DONE[error.for]) ?? "Refused";
  switch (error.code) {
    case "muted":
      return `${notDone}: a moderator muted you.`;
    case "slow_mode": {
      const seconds = Math.max(1, Math.ceil((error.retryAfterMs ?? 0) / 1000));
      return `${notDone}: slow mode is on. Your message is still in the box: send it again in ${seconds} s.`;
    }
    case "blocked_word":
      return error.for === "rename"
        ? `${notDone}: that name holds a word this room does not allow.`
        : `${notDone}: it holds a word this room does not allow. Change it and try again.`;
    default:
      return undefined;
  }
}
