// What the room's happenings become as webhook events (docs/backend.md, "Webhooks"): each a type and its data; the
// queue adds the id, room and time (webhook-queue.ts). Message events carry the message's seq, as members see it.

import type { Departure, Member, RoomSettings, ServerPacket } from "../../shared/protocol";
import type { Acted, Moderator } from "../moderation/actions";
import type { Said } from "./message-log";
import type { NewEvent } from "./webhook-queue";

/** The first member joined a room that had none. */
export const roomOccupied = (): NewEvent => ({ type: "room.occupied", data: {} });

/** The last member left. */
export const roomVacated = (): NewEvent => ({ type: "room.vacated", data: {} });

export const memberJoined = (member: Member): NewEvent => ({ type: "member.joined", data: { member } });

/** A member left; `reason` if a moderator removed it. */
export const memberLeft = ({ reason, ...member }: Departure): NewEvent => ({
  type: "member.left",
  data: reason === undefined ? { member } : { member, reason },
});

/**
 * The events of a written batch of the log: each chat stored, edit and deletion, as everyone heard of it; after a
 * deletion a moderator made, `moderation.delete`, which says who.
 */
export function logEvents(said: readonly Said[]): NewEvent[] {
  const events: NewEvent[] = [];
  for (const item of said) {
    if (item.to !== "all") continue;
    const { type, ...data } = item.packet;
    const named = LOG_EVENTS[type];
    if (named) events.push({ type: named, data });
    if (item.moderator && item.packet.type === "deleted")
      events.push(moderationEvent({ kind: "delete", seq: item.packet.seq }, item.moderator));
  }
  return events;
}

/** Reactions are not told: a backend that wants them reads the message. */
const LOG_EVENTS: Partial<Record<ServerPacket["type"], string>> = {
  chat: "message.created",
  edited: "message.edited",
  deleted: "message.deleted",
};

/** `moderation.kick`, `.ban`, `.unban` or `.delete`: what was done, to whom, by whom. */
export function moderationEvent({ kind, ...data }: Acted | { kind: "delete"; seq: number }, by: Moderator): NewEvent {
  return { type: `moderation.${kind}`, data: { ...data, by: byOf(by) } };
}

/** The room's settings changed: all of them as they are now, and who changed them. */
export const settingsEvent = (settings: RoomSettings, by: Moderator): NewEvent => ({
  type: "room.settings",
  data: { settings, by: byOf(by) },
});

const byOf = (by: Moderator) =>
  by === "admin" ? { role: "admin" } : { role: "moderator", user: by.user, name: by.name };
