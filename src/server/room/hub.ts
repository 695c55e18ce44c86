// What a room does as a hub, past SHARD_CAPACITY connections (docs/scaling.md), beyond the story that is the same
// for every connection: it takes what its shards report of their connections, and when it starts again it learns
// from its shards whom they hold. To the rest of the room a shard's connection is a socket like its own
// (shards/remote-connection.ts, `RemoteConnection`).

import { CLOSE_RECONNECT } from "../../shared/close-codes";
import { frameBytes } from "../../shared/codec";
import type { ServerPacket } from "../../shared/protocol";
import type { Liveness } from "../connections/liveness";
import type { Sessions } from "../connections/sessions";
import type { MuteList } from "../moderation/mute-list";
import type { HubRoster } from "../shards/hub-roster";
import type { ShardSet } from "../shards/hub-side";
import type { Connection } from "../shards/remote-connection";
import type { Report } from "../shards/wire";
import type { MessageChanges } from "../storage/message-changes";
import type { RoomStorage } from "../storage/room-storage";
import type { Departures } from "./departures";
import type { Outbox } from "./outbox";

/** What the hub's work needs of the room: its parts, and what it does to any connection. */
export interface HubRoom {
  shards: ShardSet;
  sessions: Sessions<Connection>;
  storage: RoomStorage;
  changes: MessageChanges;
  liveness: Liveness<Connection>;
  hubRoster: HubRoster;
  mutes: MuteList;
  outbox: Outbox<Connection>;
  departures: Departures;
  /** Takes a frame of `bytes` from a connection in, as from any other (room.ts). */
  receive(connection: Connection, frame: string | ArrayBuffer, bytes: number): Promise<void>;
}

/** What one shard's connections did, in order: frames the shard let through, and connections that closed. */
export async function takeReports(room: HubRoom, shard: number, reports: Report[]): Promise<void> {
  for (const report of reports) {
    const connection = room.shards.reported(shard, report);
    if (report.kind === "closed") {
      if (connection) await room.departures.gone(connection);
    } else if (report.kind === "shut") {
      // The shard closed it itself (too big a frame, flooding): the room does as it would for its own socket.
      if (connection) room.departures.close(connection, report.code, report.reason);
    } else if (connection) {
      // A hub that started again knows the hashes of the addresses it muted only for those it has met since.
      if (room.mutes.any) await room.mutes.learn([report.session]);
      await room.receive(connection, report.frame, frameBytes(report.frame));
      // Its shard charged a join to its own joins (shards/shard-joins.ts): one that did not happen is given back.
      if (room.sessions.get(connection)?.joined === false) connection.joinRefused();
    } else {
      // A connection the room does not know (it forgot it while starting again): it is to connect again.
      room.shards.closeUnknown(shard, report.conn, CLOSE_RECONNECT, "the room lost this connection; connect again");
    }
  }
}

/**
 * For a hub that starts again, before it takes any event: the connections its shards hold that it keeps in memory
 * come back (its shards' members are in its storage), and those not joined yet are timed again. The hub's own
 * members whose sockets did not come back (they died with it) left: its shards' members hear so.
 */
export async function restoreShards(room: HubRoom): Promise<void> {
  const restored = await room.shards.rebuild(room.storage, (after) => missedSince(room, after));
  room.sessions.restore(restored);
  for (const connection of restored) {
    const session = room.sessions.get(connection);
    if (session && !session.joined) room.liveness.expectJoin(session.openedAt);
  }
  const present = new Set(room.sessions.joinedHere().map(([, session]) => session.id));
  for (const member of room.hubRoster.missing(present)) room.outbox.leave(member);
}

/**
 * What a shard that delivered the room's log up to position `after` missed, in the log's order: the messages after
 * it, as they are now, and the changes since to messages up to it (storage/message-changes.ts, `missedSince`).
 */
function missedSince({ storage, changes }: HubRoom, after: number): ServerPacket[] {
  const chats = storage
    .page(storage.newestSeq - after, { after })
    .messages.map((message) => ({ at: message.seq, packet: { type: "chat", ...message } as const }));
  return [...chats, ...changes.missedSince(after)].sort((a, b) => a.at - b.at).map(({ packet }) => packet);
}
