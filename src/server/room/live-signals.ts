// Live signals: who is typing, and members' changes of state. They cost nothing stored: nothing here is written to
// the room's storage, given a seq, or kept past the connection, and nothing here sets a timer. What everyone hears
// of them goes out in batches (the outbox delivers a batch at most once per SIGNALS_WINDOW_MS, after everything
// announced before it), so a hundred members typing cost each member at most two frames a second, whatever they
// send. Receivers drop a typer by themselves, limits.typingTimeoutMs after its last signal: the room needs no timer
// to say that someone stopped.

import type { MemberState, ServerPacket } from "../../shared/protocol";
import { chunks } from "../connections/frame-fit";

/** The most often a batch of signals goes out: at most 2 frames a second per member, whatever the room sends. */
export const SIGNALS_WINDOW_MS = 500;

type Signal = { typing: number } | { stopped: number } | { id: number; state: MemberState };

/** What the room has heard since its last batch: each member's latest word on typing, and its latest state. */
export class SignalBatch {
  private readonly typing = new Map<number, boolean>();
  private readonly states = new Map<number, MemberState>();

  get empty(): boolean {
    return this.typing.size === 0 && this.states.size === 0;
  }

  typed(id: number, on: boolean): void {
    this.typing.set(id, on);
  }

  stateChanged(id: number, state: MemberState): void {
    this.states.set(id, state);
  }

  /** A member chatted: its chat tells everyone it stopped typing, and a start heard before it is stale. */
  chatted(id: number): void {
    this.typing.delete(id);
  }

  /** A member left: nothing of it is heard after its leave. */
  forget(id: number): void {
    this.typing.delete(id);
    this.states.delete(id);
  }

  /** The `signals` packets that deliver the batch, each within `budget` bytes; the batch is empty again. */
  take(budget: number): ServerPacket[] {
    const signals: Signal[] = [];
    for (const [id, on] of this.typing) signals.push(on ? { typing: id } : { stopped: id });
    for (const [id, state] of this.states) signals.push({ id, state });
    this.typing.clear();
    this.states.clear();
    return chunks(signals, budget).map(signalsPacket);
  }
}

function signalsPacket(run: Signal[]): ServerPacket {
  const typing: number[] = [];
  const stopped: number[] = [];
  const states: { id: number; state: MemberState }[] = [];
  for (const signal of run) {
    if ("typing" in signal) typing.push(signal.typing);
    else if ("stopped" in signal) stopped.push(signal.stopped);
    else states.push(signal);
  }
  return {
    type: "signals",
    ...(typing.length > 0 && { typing }),
    ...(stopped.length > 0 && { stopped }),
    ...(states.length > 0 && { states }),
  };
}

/**
 * Who is typing now, for a newcomer's welcome and the room's counts: each member's latest signal, forgotten
 * limits.typingTimeoutMs after it (when next asked: no timer), at its stop, its chat or its leave. In memory only:
 * a room evicted from memory was idle for longer than anyone types.
 */
export class Typers {
  /** When each typer last signalled, in the order they started. */
  private readonly lastSignal = new Map<number, number>();

  constructor(private readonly timeoutMs: number) {}

  typed(id: number, on: boolean, now: number): void {
    if (on) this.lastSignal.set(id, now);
    else this.lastSignal.delete(id);
  }

  /** A member chatted, or left: it is no longer typing. */
  stopped(id: number): void {
    this.lastSignal.delete(id);
  }

  /** The members typing at `now`, in the order they started. */
  now(now: number): number[] {
    for (const [id, at] of this.lastSignal) if (at + this.timeoutMs <= now) this.lastSignal.delete(id);
    return [...this.lastSignal.keys()];
  }
}
