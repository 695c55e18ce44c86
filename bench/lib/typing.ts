// Live signals as load (issue 24): while a scenario's senders chat, a crowd of typists says it types, as a native
// client's throttle would: one `typing` per interval while its user types (the first ones staggered over one
// interval, so the crowd's rate is steady from the start), and now and then a `{"type":"typing","stop":true}` (the
// user cleared the input) halfway to its next `typing`. Counts what every member receives of it: `signals` packets,
// their bytes and the ids they name, and every frame.
//
// A scenario without typing runs the same driver with silent typists, so that both sides of the comparison pay for
// the same counting.

import { type IntervalHistogram, monitorEventLoopDelay } from "node:perf_hooks";
import { random } from "./changes.ts";
import type { LoadClient } from "./load.ts";
import { now } from "./load.ts";
import { median } from "./stats.ts";

export interface Typing {
  /** Members after the senders that type: they never chat (a chat would end their typing). */
  typists: number;
  /** Per typist, one `typing` every this many ms (0: the typists stay silent). */
  everyMs: number;
  /** After each `typing`, the chance that its typist says it stopped, halfway to its next `typing`. */
  stopChance: number;
}

/** What members received of the typing, over the send phase (per member: averaged over the room's members). */
export interface TypingResult {
  /** The send phase the rates are over, s: everything below is counted within it. */
  seconds: number;
  typingSent: number;
  stopsSent: number;
  /** `signals` packets per member per second, and their bytes (the frame's payload, as received). */
  signalsPacketsPerMemberPerSec: number;
  signalsBytesPerMemberPerSec: number;
  /** The most `signals` packets any one member received in the phase, per second. */
  signalsPacketsPerSecMost: number;
  /** Per `signals` packet, the ids it names as typing and as stopped (mean over packets). */
  typingIdsPerPacket: number;
  stoppedIdsPerPacket: number;
  /** Between two `signals` packets at one member, ms: median and shortest (the room's window is 500 ms). */
  gapMedianMs: number;
  gapMinMs: number;
  /** Every frame per member per second (chat included). */
  framesPerMemberPerSec: number;
  /** The load generator's own event-loop delay over the send phase, ms (p99, max): part of every latency measured. */
  loopDelayP99: number;
  loopDelayMax: number;
}

export class TypingDriver {
  private readonly typists: LoadClient[];
  private readonly next: () => number;
  private readonly loopDelay: IntervalHistogram = monitorEventLoopDelay({ resolution: 5 });
  /** Stops to send, due times ascending (each is half an interval after a `typing`, and those go out in order). */
  private readonly stops: { at: number; typist: LoadClient }[] = [];
  private readonly framesAtStart: number[] = [];
  private readonly framesAtStop: number[] = [];
  private readonly packets: Uint32Array;
  private readonly bytes: Float64Array;
  private readonly lastAt: Float64Array;
  private readonly gaps: number[] = [];
  private typingIds = 0;
  private stoppedIds = 0;
  private startedAt = NaN;
  private stoppedAt = NaN;
  private typingSent = 0;
  private stopsSent = 0;

  constructor(
    private readonly config: Typing,
    private readonly members: LoadClient[],
    senders: number,
    seed: number,
  ) {
    this.typists = members.slice(senders, senders + config.typists);
    this.next = random(seed);
    this.packets = new Uint32Array(members.length);
    this.bytes = new Float64Array(members.length);
    this.lastAt = new Float64Array(members.length).fill(NaN);
    members.forEach((client, m) => {
      client.onPacket = (packet, size) => {
        if (packet.type !== "signals" || !this.counting()) return;
        const at = now();
        this.packets[m]!++;
        this.bytes[m]! += size;
        this.typingIds += (packet.typing as number[] | undefined)?.length ?? 0;
        this.stoppedIds += (packet.stopped as number[] | undefined)?.length ?? 0;
        if (!Number.isNaN(this.lastAt[m]!)) this.gaps.push(at - this.lastAt[m]!);
        this.lastAt[m] = at;
      };
    });
  }

  /** Within the send phase: from start() to stop(). */
  private counting(): boolean {
    return !Number.isNaN(this.startedAt) && Number.isNaN(this.stoppedAt);
  }

  start(): void {
    this.startedAt = now();
    this.loopDelay.enable();
    for (const client of this.members) this.framesAtStart.push(client.frames);
  }

  /**
   * Sends what is due by now; called every millisecond or so of the send phase. `typing` j of the crowd is due at
   * j × everyMs / typists and comes from typist j mod typists: each typist once per everyMs, the first ones staggered.
   */
  tick(): void {
    const { everyMs, stopChance } = this.config;
    const crowd = this.typists.length;
    if (everyMs <= 0 || crowd === 0) return;
    const elapsed = now() - this.startedAt;
    const due = Math.floor(elapsed / (everyMs / crowd)) + 1;
    while (this.typingSent < due) {
      const typist = this.typists[this.typingSent % crowd]!;
      typist.sendPacket({ type: "typing" });
      this.typingSent++;
      if (this.next() < stopChance) this.stops.push({ at: elapsed + everyMs / 2, typist });
    }
    while (this.stops.length > 0 && this.stops[0]!.at <= elapsed) {
      this.stops.shift()!.typist.sendPacket({ type: "typing", stop: true });
      this.stopsSent++;
    }
  }

  /** Sends nothing more; counting ends here. */
  stop(): void {
    this.stoppedAt = now();
    this.loopDelay.disable();
    for (const client of this.members) this.framesAtStop.push(client.frames);
  }

  result(): TypingResult {
    const seconds = (this.stoppedAt - this.startedAt) / 1000;
    const members = this.members.length;
    let packets = 0;
    let bytes = 0;
    let most = 0;
    for (let m = 0; m < members; m++) {
      packets += this.packets[m]!;
      bytes += this.bytes[m]!;
      most = Math.max(most, this.packets[m]!);
    }
    const frames = this.members.reduce((total, _, m) => total + this.framesAtStop[m]! - this.framesAtStart[m]!, 0);
    return {
      seconds,
      typingSent: this.typingSent,
      stopsSent: this.stopsSent,
      signalsPacketsPerMemberPerSec: packets / members / seconds,
      signalsBytesPerMemberPerSec: bytes / members / seconds,
      signalsPacketsPerSecMost: most / seconds,
      typingIdsPerPacket: packets ? this.typingIds / packets : 0,
      stoppedIdsPerPacket: packets ? this.stoppedIds / packets : 0,
      gapMedianMs: median(this.gaps),
      gapMinMs: this.gaps.length ? Math.min(...this.gaps) : NaN,
      framesPerMemberPerSec: frames / members / seconds,
      loopDelayP99: this.loopDelay.percentile(99) / 1e6,
      loopDelayMax: this.loopDelay.max / 1e6,
    };
  }
}
