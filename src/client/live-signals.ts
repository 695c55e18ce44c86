// The room's live signals as the connection hears them: members' states (into the member list, roster.ts) and who
// is typing (typers.ts), told to the app as they change. Signals are never stored and never resent: a drop loses
// them, and the next welcome brings the states and typers as of then.

import type { Limits, RosterMember, ServerPacket } from "../shared/protocol";
import type { ConnectionEvent, PresencePacket } from "./connection-events";
import type { Roster } from "./roster";
import type { Clock } from "./timers";
import { Typers } from "./typers";

export interface LiveSignalsParts {
  clock: Clock;
  roster: Roster;
  /** Our member id on this connection, once welcomed. */
  selfId(): number | undefined;
  limits(): Limits;
  onEvent(event: ConnectionEvent): void;
}

export class LiveSignals {
  private readonly typers: Typers;

  constructor(private readonly parts: LiveSignalsParts) {
    this.typers = new Typers({
      clock: parts.clock,
      timeoutMs: () => parts.limits().typingTimeoutMs,
      // Signals come only after the join of whom they name; an id we do not know is one whose page of the member
      // list has not come yet (or a room's mistake): nothing to show it by.
      shows: (id) => id !== parts.selfId() && parts.roster.get(id) !== undefined,
      changed: () => parts.onEvent({ type: "typing", typers: this.typing }),
    });
  }

  /** Who is typing now, in the order they started, as the member list has them. */
  get typing(): RosterMember[] {
    return this.typers.ids.map((id) => this.parts.roster.get(id)).filter((member) => member !== undefined);
  }

  /** A welcome (after the member list took it): the room's typers as of this join. */
  welcome(welcome: Extract<ServerPacket, { type: "welcome" }>): void {
    this.typers.welcome(welcome.typing);
  }

  /** A batch of signals: the states first, so that a typer's line shows its new state. */
  signals(packet: Extract<ServerPacket, { type: "signals" }>): void {
    for (const { id, state } of packet.states ?? []) {
      const member = this.parts.roster.setState(id, state);
      if (member) this.parts.onEvent({ type: "state", member });
    }
    this.typers.signals(packet);
  }

  /** A chat: its sender said what it was typing. */
  chat(senderId: number): void {
    this.typers.gone([senderId]);
  }

  /**
   * A join, leave, rename or presence packet (after the member list took it): a member who left types no more, nor
   * does one a switch to summary presence left out of the list; a typer renamed is told anew, for a line that names
   * the typers.
   */
  presence(packet: PresencePacket): void {
    if (packet.type === "leave") this.typers.gone([packet.id]);
    if (packet.type === "leaves") this.typers.gone(packet.members.map((member) => member.id));
    if (packet.type === "presence") this.typers.gone(this.typers.ids.filter((id) => !this.parts.roster.get(id)));
    if (packet.type === "rename" && this.typers.ids.includes(packet.id)) {
      this.parts.onEvent({ type: "typing", typers: this.typing });
    }
  }
}
