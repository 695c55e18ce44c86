// The sockets a shard holds, each with its connection's name for the hub (`conn`) and its session as the hub last
// sent it (wire.ts, "attach"). Both live in the socket's attachment, so they survive hibernation; the maps
// here are a cache rebuilt from the attachments, as sessions.ts does for the room's own sockets. A socket closed
// from this side is retired: no longer held, but remembered until the runtime reports it gone, for the hub counts
// it against its address until then (sessions.ts, `Attachment`).

import {
  type Attachment,
  type JoinedSession,
  type Retired,
  type RoomSocket,
  retiredMark,
  type Session,
} from "../connections/session";

/** What a shard's socket holds: its connection's name for the hub and its session, or the mark of a retired one. */
type Held = { conn: string; session: Session } | { conn: string; retired: Retired };

export class ShardSockets<Socket extends RoomSocket> {
  private readonly byConn = new Map<string, Socket>();
  private readonly held = new Map<Socket, { conn: string; session: Session }>();
  private readonly retired = new Map<Socket, { conn: string; retired: Retired }>();
  private joinedEntries: [Socket, JoinedSession][] | undefined;

  constructor(sockets: Socket[]) {
    for (const socket of sockets) {
      const attachment = socket.deserializeAttachment() as Held;
      if ("retired" in attachment) this.retired.set(socket, attachment);
      else this.keep(socket, attachment.conn, attachment.session, false);
    }
  }

  /** A connection the hub placed here, with the session it starts with. */
  open(socket: Socket, conn: string, session: Session): void {
    this.keep(socket, conn, session);
  }

  /** The hub's latest session of a connection. */
  attach(conn: string, session: Session): void {
    const socket = this.byConn.get(conn);
    if (socket) this.keep(socket, conn, session);
  }

  socket(conn: string): Socket | undefined {
    return this.byConn.get(conn);
  }

  get(socket: Socket): { conn: string; session: Session } | undefined {
    return this.held.get(socket);
  }

  /** Every connection held, with its session. */
  all(): { conn: string; attachment: Session }[] {
    return [...this.held.values()].map(({ conn, session }) => ({ conn, attachment: session }));
  }

  /** Every connection held or retired: what a hub that starts again learns from this shard. */
  roster(): { conn: string; attachment: Attachment }[] {
    return [...this.all(), ...[...this.retired.values()].map(({ conn, retired }) => ({ conn, attachment: retired }))];
  }

  /** The members here, with their sessions: who hears what the room announces. */
  joined(): readonly [Socket, JoinedSession][] {
    this.joinedEntries ??= [...this.held]
      .filter((entry): entry is [Socket, { conn: string; session: JoinedSession }] => entry[1].session.joined)
      .map(([socket, { session }]) => [socket, session]);
    return this.joinedEntries;
  }

  /** Drops a connection the runtime reports gone; returns its name for the hub if it was held or retired. */
  remove(socket: Socket): string | undefined {
    const retired = this.retired.get(socket);
    if (retired) {
      this.retired.delete(socket);
      return retired.conn;
    }
    return this.unlist(socket);
  }

  /** Takes a connection off the lists of those held; its name for the hub if it was held. */
  private unlist(socket: Socket): string | undefined {
    const held = this.held.get(socket);
    if (!held) return undefined;
    this.held.delete(socket);
    this.byConn.delete(held.conn);
    this.joinedEntries = undefined;
    return held.conn;
  }

  /**
   * A connection about to be closed: no longer held, so that it hears nothing more, even should the shard wake
   * before its close arrives; remembered, with its address, until `remove`.
   */
  retire(socket: Socket): string | undefined {
    const session = this.held.get(socket)?.session;
    const conn = this.unlist(socket);
    if (conn === undefined || !session) return undefined;
    const retired = retiredMark(session);
    this.retired.set(socket, { conn, retired });
    socket.serializeAttachment({ conn, retired } satisfies Held);
    return conn;
  }

  private keep(socket: Socket, conn: string, session: Session, attach = true): void {
    if (attach) socket.serializeAttachment({ conn, session } satisfies Held);
    this.held.set(socket, { conn, session });
    this.byConn.set(conn, socket);
    this.joinedEntries = undefined;
  }
}
