// Who came, went or took a new name: the member list is kept up to date, and the conversation gets a quiet line
// for each, but for our own comings and goings, which are no news to us. In a room too large to list (summary
// presence) only the members near us come and go in lines (moderators, those who spoke); a switch to summary
// brings its near members, which the list shows as the connection has them.

import type { Departure, Member, RosterMember } from "../shared/protocol";
import type { PresencePacket } from "./connection-events";
import type { MemberList } from "./member-list";
import { isolate } from "./sentence";

export interface PresenceNoticeDeps {
  members: MemberList;
  notice(text: string): void;
  /** Whether `id` is one of this tab's memberships, now or before. */
  isMembership(id: number): boolean;
  selfId(): number | undefined;
  /** The room renamed us. */
  renamedSelf(member: Member): void;
  /** The member list as the connection has it now. */
  listed(): RosterMember[];
}

export function presenceNotices(deps: PresenceNoticeDeps): (packet: PresencePacket) => void {
  const { members, notice } = deps;
  const onJoin = (member: Member): void => {
    // Our own join only confirms the welcome.
    if (members.join(member) && !deps.isMembership(member.id)) notice(`${isolate(member.name)} joined.`);
  };
  const onLeave = (member: Departure): void => {
    members.leave(member.id);
    // The leave of our own earlier connection, noticed by the room only after we were back, is no news.
    if (deps.isMembership(member.id)) return;
    const how = { kicked: "was removed by a moderator", banned: "was banned by a moderator" };
    notice(`${isolate(member.name)} ${member.reason ? how[member.reason] : "left"}.`);
  };
  return (packet) => {
    switch (packet.type) {
      case "join":
        return onJoin(packet);
      case "joins":
        return packet.members.forEach(onJoin);
      case "leave":
        return onLeave(packet);
      case "leaves":
        return packet.members.forEach(onLeave);
      case "presence":
        if (packet.members) members.replace(deps.listed());
        packet.joins?.forEach(onJoin);
        return packet.leaves?.forEach(onLeave);
      case "rename":
        members.rename(packet);
        if (packet.id === deps.selfId()) {
          deps.renamedSelf({ id: packet.id, name: packet.name });
          notice(`You are now known as ${isolate(packet.name)}.`);
        } else {
          notice(`${isolate(packet.previous)} is now known as ${isolate(packet.name)}.`);
        }
    }
  };
}
