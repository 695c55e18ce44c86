// What a member may not say, whoever it is: nothing while a moderator has it muted (it stays and reads), and no word
// the room blocks (shared/blocked-words.ts), in a chat, an edit, a rename or the name it joins with. A refused request
// is answered to its sender alone and never stored nor heard by anyone else. The backend's posts (publishing.ts) and
// a verified member's name (its token's: the backend chose it) are not checked.

import type { ClientRequest, MuteState, ProtocolError } from "../../shared/protocol";
import type { Session } from "../connections/session";
import type { BlockedList } from "../moderation/blocked-list";
import type { Mute, MuteList } from "../moderation/mute-list";

/** What the rules are read from. */
export interface SpeechRoom {
  mutes: MuteList;
  blocked: BlockedList;
}

/** What a muted member may not do: speak, in any way others would hear. Typing is dropped unanswered. */
const SILENCED: ReadonlySet<ClientRequest["kind"]> = new Set(["chat", "edit", "react", "rename", "state"]);

/**
 * Why `session` may not do `request` now; `drop` for a signal dropped unanswered (a muted member's typing);
 * undefined if it may.
 */
export function speechRefusal(
  room: SpeechRoom,
  session: Session,
  request: ClientRequest,
  now: number,
): ProtocolError | "drop" | undefined {
  if (request.kind === "join") return session.identity || !room.blocked.blocks(request.name) ? undefined : BLOCKED;
  if (SILENCED.has(request.kind) || request.kind === "typing") {
    const mute = room.mutes.of(session, now);
    if (mute) return request.kind === "typing" ? "drop" : mutedError(mute, now);
  }
  const said = request.kind === "chat" || request.kind === "edit" ? request.text : undefined;
  // A verified member may not rename at all (forbidden, room.ts): only a guest's new name is checked.
  const named = request.kind === "rename" && !session.identity ? request.name : undefined;
  const text = said ?? named;
  return text !== undefined && room.blocked.blocks(text) ? BLOCKED : undefined;
}

/** A member's mute as it hears of it (`welcome.muted`, `mute_status`). */
export const muteStateOf = ({ until, reason }: Mute): MuteState => ({
  ...(until !== undefined && { until }),
  ...(reason !== undefined && { reason }),
});

/** The refusal never says which word: it would teach the way around the list. */
const BLOCKED: ProtocolError = {
  code: "blocked_word",
  message: "that holds a word this room does not allow; nothing was sent",
};

function mutedError(mute: Mute, now: number): ProtocolError {
  const until =
    mute.until === undefined ? "until a moderator unmutes you" : `until ${new Date(mute.until).toISOString()}`;
  return {
    code: "muted",
    message: `a moderator muted you ${until}${mute.reason === undefined ? "" : `: ${mute.reason}`}`,
    ...(mute.until !== undefined && { retryAfterMs: Math.max(1, mute.until - now) }),
  };
}
