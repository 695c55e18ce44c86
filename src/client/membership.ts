// Our membership of the room across connections: the name we join with, who the last welcome said we are, the
// room's limits, and the resume key. It writes each socket's join, and reads each welcome: whether it continues the
// membership (a resume, which asked for exactly what was missed) or starts over.

import {
  DEFAULT_LIMITS,
  type Limits,
  type Member,
  type NativeClientPacket,
  type ServerPacket,
} from "../shared/protocol";

type Welcome = Extract<ServerPacket, { type: "welcome" }>;
type Join = Extract<NativeClientPacket, { type: "join" }> & { maxFrameBytes?: number };

export class Membership {
  /** Who the last welcome said we are. */
  self: Member | undefined;
  /** The room's limits, as its last welcome gave them. */
  limits: Limits | undefined;
  /** A welcome came on some connection: later joins resume. */
  everJoined = false;
  private resumeKey: string | undefined;

  constructor(public name: string) {}

  /**
   * The join for a new socket. A rejoin asks for exactly what was missed since `newest`, the newest position seen
   * in the room's log (a message's seq or a change's `at`), and shows the key of the last welcome: should the room still hold our dead connection, it hands our
   * name back instead of refusing it. `maxFrameBytes` tells the room the largest frame we take.
   */
  join(newest: number, maxFrameBytes: number | undefined): Join {
    const join: Join = this.everJoined
      ? { type: "join", name: this.name, since: newest, ...(this.resumeKey && { resume: this.resumeKey }) }
      : { type: "join", name: this.name };
    return maxFrameBytes === undefined ? join : { ...join, maxFrameBytes };
  }

  /**
   * A welcome came. `resumed`: it continues the membership. `reset`: it would, but the room's newest position is
   * older than ours (`newest`), so the room has lost its history (e.g. a development server's storage was wiped): start over
   * rather than wait for sequence numbers that were already used.
   */
  welcomed(welcome: Welcome, newest: number): { self: Member; resumed: boolean; reset: boolean } {
    const resumed = this.everJoined;
    const reset = resumed && welcome.lastSeq < newest;
    this.everJoined = true;
    const self = { id: welcome.id, name: welcome.name };
    this.self = self;
    this.name = welcome.name;
    // A room older than a field of the limits does not send it: its default holds.
    this.limits = { ...DEFAULT_LIMITS, ...welcome.limits };
    this.resumeKey = welcome.resumeKey;
    return { self, resumed, reset };
  }

  /** The room refused our rename for good: we go by the name it has, and the next join carries that one. */
  renameRefused(): void {
    if (this.self) this.name = this.self.name;
  }

  /** Someone in the room was renamed: if it is us, by us or a moderator, we go by the new name. */
  renamed(packet: Extract<ServerPacket, { type: "rename" }>): void {
    if (packet.id !== this.self?.id) return;
    this.self = { id: packet.id, name: packet.name };
    this.name = packet.name;
  }
}
