// Who is typing now, as the room's signals say (rule `typers`, clients/spec): the welcome's `typing`, then each
// `signals` batch. Nobody says when a typer stops typing without a word (it closes the tab, it just stops), so each
// is shown until typingTimeoutMs after its last signal, and no longer; a stop, its chat, its leave or a new welcome
// drop it sooner. Kept in the order they started: a refresh does not move a typer, so the line does not jump about.

import type { ServerPacket } from "../shared/protocol";
import { type Clock, NamedTimers } from "./timers";

type Signals = Extract<ServerPacket, { type: "signals" }>;

export interface TypersParts {
  clock: Clock;
  /** How long a typer is shown after its last signal. */
  timeoutMs(): number;
  /** Whether `id` may be shown: a member we know, and not ourselves. */
  shows(id: number): boolean;
  /** The set changed: the typers' ids now, in the order they started. */
  changed(ids: number[]): void;
}

export class Typers {
  /** Typer id → when it stops being shown; a Map keeps the order they started in. */
  private readonly until = new Map<number, number>();
  private readonly timers: NamedTimers<"expiry">;

  constructor(private readonly parts: TypersParts) {
    this.timers = new NamedTimers(parts.clock);
  }

  get ids(): number[] {
    return [...this.until.keys()];
  }

  /** A welcome: the room as of this join, so whoever we showed before is forgotten. */
  welcome(typing: number[] | undefined): void {
    this.change(() => {
      this.until.clear();
      this.started(typing ?? []);
    });
  }

  /** A batch of signals: a member in both lists never is (the room sends each member's last word only). */
  signals(packet: Signals): void {
    this.change(() => {
      for (const id of packet.stopped ?? []) this.until.delete(id);
      this.started(packet.typing ?? []);
    });
  }

  /** Members who chatted or left: they are not typing any more. */
  gone(ids: number[]): void {
    this.change(() => {
      for (const id of ids) this.until.delete(id);
    });
  }

  private started(ids: number[]): void {
    const until = this.parts.clock.now() + this.parts.timeoutMs();
    for (const id of ids) if (this.parts.shows(id)) this.until.set(id, until);
  }

  /** Makes a change, tells it if the set is not what it was, and wakes up when the next typer is due to go. */
  private change(make: () => void): void {
    const before = this.ids.join();
    make();
    this.expireDue();
    if (this.ids.join() !== before) this.parts.changed(this.ids);
  }

  private expireDue(): void {
    const now = this.parts.clock.now();
    for (const [id, until] of this.until) if (until <= now) this.until.delete(id);
    this.timers.clear("expiry");
    if (this.until.size === 0) return;
    const next = Math.min(...this.until.values());
    this.timers.start("expiry", next - now, () => this.change(() => {}));
  }
}
