// Connections that hold a place in the room without using it: a connection that never joins, and a member whose
// client stopped answering (a frozen tab, a phone that lost its network without a goodbye). Without this, the
// runtime would hold such sockets forever and the room would list a frozen peer as a member forever.
//
// - A connection that has not joined within the join timeout is closed. The check runs from a timer, not an
//   alarm: an alarm is stored, and a connection that never joins must write nothing. A pending timer keeps the room
//   in memory until it fires, so it is not lost to hibernation; after a restart the constructor schedules it again.
//   (Measured under `wrangler dev`, bench/README.md: the timer fires and the close frame reaches the client at the
//   join timeout. A client sees the close later only if it waits for the TCP connection to end: the runtime ends
//   that of a socket that never sent a frame when it evicts the idle room, some seconds later; nothing here can end
//   it sooner, as a hibernatable socket cannot be aborted.)
// - A member is dropped once it has been silent for the silence limit, but only a member whose client has shown it
//   keeps the connection alive: one that sent a `ping` at least once. The runtime answers pings without waking the
//   room and records when it last did (`getWebSocketAutoResponseTimestamp`); frames the room read count too. A
//   client that never pings (the Godot tutorial's) is never judged silent. The room runs that sweep when it next
//   wakes for any event, never on a timer of its own (room/silence-sweep.ts).

export interface LivenessSettings {
  joinTimeoutMs: number;
  silenceMs: number;
}

export interface LivenessHooks<Socket> {
  /** The connections that have not joined, with when they opened. */
  unjoined(): Iterable<[Socket, number]>;
  /** When the runtime last answered the socket's `ping`; undefined if it never did. */
  lastPing(socket: Socket): number | undefined;
  /** Closes a connection that overstayed, saying why. */
  close(socket: Socket, reason: string): void;
}

export class Liveness<Socket extends object> {
  private readonly lastFrame = new WeakMap<Socket, number>();
  private joinTimer: ReturnType<typeof setTimeout> | undefined;
  private joinTimerAt = Infinity;

  constructor(
    private readonly settings: LivenessSettings,
    private readonly hooks: LivenessHooks<Socket>,
  ) {}

  /** A connection opened at `openedAt` must join within the join timeout. */
  expectJoin(openedAt: number): void {
    this.checkJoinsAt(openedAt + this.settings.joinTimeoutMs);
  }

  /** Every connection has joined or gone: no check is due, and no timer may keep the room from hibernating. */
  noJoinsPending(): void {
    if (this.joinTimer !== undefined) clearTimeout(this.joinTimer);
    this.joinTimer = undefined;
    this.joinTimerAt = Infinity;
  }

  /** A frame arrived from `socket`. */
  heard(socket: Socket, now: number): void {
    this.lastFrame.set(socket, now);
  }

  /** The members, among `members`, silent for longer than the silence limit. */
  silent(members: Iterable<Socket>, now: number): Socket[] {
    const silent: Socket[] = [];
    for (const socket of members) {
      const pingedAt = this.hooks.lastPing(socket);
      if (pingedAt === undefined) continue;
      const heardAt = Math.max(pingedAt, this.lastFrame.get(socket) ?? 0);
      if (now - heardAt > this.settings.silenceMs) silent.push(socket);
    }
    return silent;
  }

  private checkJoinsAt(at: number): void {
    if (at >= this.joinTimerAt) return;
    this.noJoinsPending();
    this.joinTimerAt = at;
    this.joinTimer = setTimeout(() => this.checkJoins(), Math.max(0, at - Date.now()));
  }

  private checkJoins(): void {
    this.noJoinsPending();
    const now = Date.now();
    const overdue: Socket[] = [];
    let next = Infinity;
    for (const [socket, openedAt] of this.hooks.unjoined()) {
      const deadline = openedAt + this.settings.joinTimeoutMs;
      if (deadline <= now) overdue.push(socket);
      else next = Math.min(next, deadline);
    }
    const seconds = this.settings.joinTimeoutMs / 1000;
    for (const socket of overdue) this.hooks.close(socket, `no join within ${seconds} s`);
    if (next < Infinity) this.checkJoinsAt(next);
  }
}
