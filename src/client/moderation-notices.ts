// What the page says to a moderator when the room answers its moderation: whom a ban or a mute refuses, until
// when, and how to lift it; or that one was lifted. Plain sentences for the message list's system lines (text,
// never markup); names and users are isolated, so a right-to-left one cannot reorder the sentence.

import type { ServerPacket } from "../shared/protocol";
import { isolate } from "./sentence";

type Answer = Extract<ServerPacket, { type: "banned" | "unbanned" | "muted" | "unmuted" }>;

export function moderationNotice(packet: Answer): string {
  if (packet.type === "unbanned") return `You lifted the ban on ${isolate(packet.user)}.`;
  if (packet.type === "unmuted") return `You lifted the mute on ${isolate(packet.user)}.`;
  const banned = packet.type === "banned";
  const until =
    packet.until === undefined
      ? `until the ${banned ? "ban" : "mute"} is lifted`
      : `until ${new Date(packet.until).toLocaleString()}`;
  return `You ${banned ? "banned" : "muted"} ${isolate(packet.name ?? packet.user)} ${until}. To lift it: ${isolate(packet.user)}.`;
}
