// Messages that change, as load (issue 23): while a scenario's senders chat, a crowd of members toggles reactions on
// recent messages, a few senders edit their own messages, and every so often the whole crowd reacts to one message at
// once (a storm). Counts what every member receives of it: `reactions` packets, per second and per storm (the room
// gathers the reactions of one outbox batch to one message into one packet), and `edited` packets.
//
// A scenario without changes runs the same driver with nothing to send, so that both sides of the comparison pay for
// the same counting.

import { type IntervalHistogram, monitorEventLoopDelay } from "node:perf_hooks";
import type { LoadClient } from "./load.ts";
import { now } from "./load.ts";

export interface Changes {
  /** Members after the senders that react (0: none). */
  reactors: number;
  /** Per reactor: reactions toggled per second on recent messages (react, or unreact one it gave). */
  reactionsPerSecond: number;
  /** The first senders edit their own messages (0: none). */
  editors: number;
  /** Per editor, edits per second of its newest message. */
  editsPerSecond: number;
  /** A storm every this many ms (0: none), the first half a period in: the crowd's reactions to the newest message. */
  stormEveryMs: number;
  /** Reactions in one storm, given by the crowd in turn, each reactor up to four different ones. */
  stormReactions: number;
  /** Over how long a storm's reactions are sent, ms. */
  stormMs: number;
}

/** What members received of the changes, over the send phase (per member: averaged over the room's members). */
export interface ChangesResult {
  /** The send phase the rates are over, s. */
  seconds: number;
  reactionsSent: number;
  editsSent: number;
  storms: number;
  /** Per storm, `reactions` packets naming its message, per member: mean over storms and members, and the most. */
  stormPacketsPerMember: number;
  stormPacketsPerMemberMax: number;
  /** Per storm, the positions (`at`) its reactions took: the outbox batches they were gathered in. */
  stormBatches: number;
  /** `reactions` and `edited` packets per member per second, and every frame per member per second. */
  reactionsPacketsPerMemberPerSec: number;
  editedPacketsPerMemberPerSec: number;
  framesPerMemberPerSec: number;
  /** The load generator's own event-loop delay over the send phase, ms (p99, max): part of every latency measured. */
  loopDelayP99: number;
  loopDelayMax: number;
}

const EMOJI = ["👍", "🎉", "😂", "🔥", "👀", ":gg:"];
const STORM_EMOJI = ["👍", "🎉", "🔥", ":gg:"];
/** The crowd reacts to the recent messages but the newest few: the newest is kept for a storm. */
const RECENT = 20;
const SPARED = 3;

/** A small seeded generator, so that runs pick alike. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Storm {
  seq: number;
  startsAt: number;
  sent: number;
  ats: Set<number>;
  perMember: Uint16Array;
}

export class ChangeDriver {
  private readonly reactors: LoadClient[];
  private readonly editors: { client: LoadClient; own: number[]; edits: number }[];
  /** Chat seqs, as one member received them, newest last. */
  private readonly recent: number[] = [];
  /** Per reactor, the reactions it has given (`seq emoji`). */
  private readonly given: Set<string>[];
  private readonly storms: Storm[] = [];
  private readonly stormBySeq = new Map<number, Storm>();
  private readonly reactionsPackets: Uint32Array;
  private readonly editedPackets: Uint32Array;
  private readonly framesAtStart: number[] = [];
  private readonly next: () => number;
  private stormPeriod = -1;
  private readonly loopDelay: IntervalHistogram = monitorEventLoopDelay({ resolution: 5 });
  private startedAt = NaN;
  private stoppedAt = NaN;
  private reactionsSent = 0;
  private editsSent = 0;

  constructor(
    private readonly config: Changes,
    private readonly members: LoadClient[],
    senders: number,
    seed: number,
  ) {
    this.reactors = members.slice(senders, senders + config.reactors);
    this.editors = members.slice(0, Math.min(config.editors, senders)).map((client) => ({ client, own: [], edits: 0 }));
    this.given = this.reactors.map(() => new Set());
    this.reactionsPackets = new Uint32Array(members.length);
    this.editedPackets = new Uint32Array(members.length);
    this.next = random(seed);
    const observer = members.at(-1)!;
    members.forEach((client, m) => {
      const editor = this.editors.find((e) => e.client === client);
      client.onPacket = (packet) => {
        switch (packet.type) {
          case "chat":
            if (client === observer) {
              this.recent.push(packet.seq);
              if (this.recent.length > RECENT) this.recent.shift();
            }
            if (editor && packet.sender?.id === client.id) editor.own.push(packet.seq);
            return;
          case "reactions": {
            this.reactionsPackets[m]!++;
            const storm = this.stormBySeq.get(packet.seq);
            if (storm) {
              storm.perMember[m]!++;
              storm.ats.add(packet.at);
            }
            return;
          }
          case "edited":
            this.editedPackets[m]!++;
            return;
        }
      };
    });
  }

  start(): void {
    this.startedAt = now();
    this.loopDelay.enable();
    for (const client of this.members) this.framesAtStart.push(client.frames);
  }

  /** Sends what is due by now; called every millisecond or so of the send phase. */
  tick(): void {
    const elapsed = now() - this.startedAt;
    const { config } = this;
    const reactionsDue = Math.floor((elapsed / 1000) * config.reactionsPerSecond * this.reactors.length);
    while (this.reactionsSent < reactionsDue && this.toggle()) this.reactionsSent++;
    const editsDue = Math.floor((elapsed / 1000) * config.editsPerSecond * this.editors.length);
    while (this.editsSent < editsDue && this.edit()) this.editsSent++;
    if (config.stormEveryMs > 0 && this.reactors.length > 0) {
      const period = Math.floor((elapsed - config.stormEveryMs / 2) / config.stormEveryMs);
      if (period > this.stormPeriod && this.recent.length > 0) {
        this.stormPeriod = period;
        this.startStorm(elapsed);
      }
      for (const storm of this.storms) this.stormOn(storm, elapsed);
    }
  }

  /** Sends nothing more but the rest of a storm under way. */
  stop(): void {
    for (const storm of this.storms) this.stormOn(storm, Infinity);
    this.stoppedAt = now();
    this.loopDelay.disable();
  }

  /** A reactor in turn toggles a reaction on a recent message, not one of the newest (nor one a storm took). */
  private toggle(): boolean {
    const pool = this.recent.slice(0, -SPARED).filter((seq) => !this.stormBySeq.has(seq));
    if (pool.length === 0 || this.reactors.length === 0) return false;
    const r = this.reactionsSent % this.reactors.length;
    const seq = pool[Math.floor(this.next() * pool.length)]!;
    const reaction = EMOJI[Math.floor(this.next() * EMOJI.length)]!;
    const key = `${seq} ${reaction}`;
    const given = this.given[r]!;
    const type = given.has(key) ? "unreact" : "react";
    if (type === "react") given.add(key);
    else given.delete(key);
    this.reactors[r]!.sendPacket({ type, seq, reaction });
    return true;
  }

  /** An editor in turn edits its newest message. */
  private edit(): boolean {
    const editor = this.editors[this.editsSent % Math.max(1, this.editors.length)];
    const seq = editor?.own.at(-1);
    if (!editor || seq === undefined) return false;
    editor.client.sendPacket({ type: "edit", seq, text: `edited ${++editor.edits}` });
    return true;
  }

  /** The newest message is the storm's: the crowd never reacted to it (it spares the newest few). */
  private startStorm(elapsed: number): void {
    const storm: Storm = {
      seq: this.recent.at(-1)!,
      startsAt: elapsed,
      sent: 0,
      ats: new Set(),
      perMember: new Uint16Array(this.members.length),
    };
    this.storms.push(storm);
    this.stormBySeq.set(storm.seq, storm);
  }

  /** Sends a storm's reactions due by `elapsed`: reaction j from reactor j mod R, its (j div R)-th storm emoji. */
  private stormOn(storm: Storm, elapsed: number): void {
    const { stormReactions, stormMs } = this.config;
    const due = Math.min(stormReactions, Math.floor(((elapsed - storm.startsAt) / stormMs) * stormReactions) + 1);
    const crowd = Math.min(this.reactors.length, stormReactions);
    while (storm.sent < due) {
      const j = storm.sent++;
      const reaction = STORM_EMOJI[Math.floor(j / crowd) % STORM_EMOJI.length]!;
      this.reactors[j % crowd]!.sendPacket({ type: "react", seq: storm.seq, reaction });
    }
  }

  result(): ChangesResult {
    const seconds = (this.stoppedAt - this.startedAt) / 1000;
    const members = this.members.length;
    const sum = (a: Iterable<number>) => {
      let total = 0;
      for (const x of a) total += x;
      return total;
    };
    const perStorm = this.storms.map((s) => sum(s.perMember) / members);
    const frames = this.members.reduce((total, client, m) => total + client.frames - this.framesAtStart[m]!, 0);
    const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
    return {
      seconds,
      reactionsSent: this.reactionsSent + this.storms.reduce((total, s) => total + s.sent, 0),
      editsSent: this.editsSent,
      storms: this.storms.length,
      stormPacketsPerMember: mean(perStorm),
      stormPacketsPerMemberMax: this.storms.reduce((most, s) => Math.max(most, ...s.perMember), 0),
      stormBatches: mean(this.storms.map((s) => s.ats.size)),
      reactionsPacketsPerMemberPerSec: sum(this.reactionsPackets) / members / seconds,
      editedPacketsPerMemberPerSec: sum(this.editedPackets) / members / seconds,
      framesPerMemberPerSec: frames / members / seconds,
      loopDelayP99: this.loopDelay.percentile(99) / 1e6,
      loopDelayMax: this.loopDelay.max / 1e6,
    };
  }
}
