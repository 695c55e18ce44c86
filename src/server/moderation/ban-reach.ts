// Whom a ban reaches in the room as it is now: the connections it refuses, joined or not, which go at once, and the
// members among them, whom the moderator must see before a ban removes more than its target.
//
// A user's ban refuses every connection of that user and, for as long, anonymous connections from the addresses
// the user's connections came from (ban-list.ts, its address half). An anonymous member's ban refuses anonymous
// connections from its address. Either may so reach others who share an address: a household, a school.

import type { BanAim, Member } from "../../shared/protocol";
import { memberOf, type RoomSocket, type Session } from "../connections/session";
import type { Narrowing, Sessions } from "../connections/sessions";
import type { BanTarget } from "./ban-list";

export interface BanReach {
  target: BanTarget;
  /** Whether the ban refuses this connection. */
  refuses(session: Session): boolean;
  /** Whom of a hub's members on its shards it may concern: its user's, and those from its addresses. */
  narrowing: Narrowing;
  /** Whether this member is the ban's target itself (a user's every connection is): no one need confirm its removal. */
  isTarget(member: Member): boolean;
}

/** The reach of a ban aimed at `aim`'s member (`session`, found by id) or user. */
export function reachOf<Socket extends RoomSocket>(
  sessions: Sessions<Socket>,
  aim: BanAim,
  session?: Session,
): BanReach | undefined {
  const user = "user" in aim ? aim.user : session?.identity?.user;
  if (user !== undefined) {
    const addresses = new Set<string>();
    for (const socket of sessions.where((other) => other.identity?.user === user, { users: [user] })) {
      const address = sessions.get(socket)?.address;
      if (address !== undefined) addresses.add(address);
    }
    return {
      target: { kind: "user", user, addresses: [...addresses] },
      narrowing: { users: [user], addresses: [...addresses] },
      refuses: (other) =>
        other.identity ? other.identity.user === user : other.address !== undefined && addresses.has(other.address),
      isTarget: (member) => member.user === user,
    };
  }
  const address = session?.address;
  if (address === undefined || !("id" in aim)) return undefined;
  return {
    target: { kind: "address", address },
    narrowing: { addresses: [address] },
    refuses: (other) => other.identity === undefined && other.address === address,
    isTarget: (member) => member.id === aim.id,
  };
}

/** The members the ban would remove now, in the order they joined. */
export function membersReached<Socket extends RoomSocket>(sessions: Sessions<Socket>, reach: BanReach): Member[] {
  return sessions.membersWhere(reach.refuses, reach.narrowing).map(([, session]) => memberOf(session));
}

/** Whether removing `removes` needs the moderator's confirmation it lacks: someone besides the target, not confirmed. */
export function needsConfirming(reach: BanReach, removes: Member[], confirm: readonly number[] = []): boolean {
  return removes.some((member) => !reach.isTarget(member) && !confirm.includes(member.id));
}
