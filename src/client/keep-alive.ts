// A connection that stops answering is as good as dropped, and its close may take minutes to arrive: so every
// request that must be answered (the welcome, a token, a ping) has the answer timeout, and while joined the
// connection pings the room, which also keeps proxies from closing an idle connection. Any frame is an answer.

import { type Clock, NamedTimers } from "./timers";

export class KeepAlive {
  private readonly timers: NamedTimers<"answer" | "ping">;

  constructor(
    clock: Clock,
    private readonly pingIntervalMs: number,
    private readonly answerTimeoutMs: number,
    /** No answer came in time. */
    private readonly onSilence: () => void,
  ) {
    this.timers = new NamedTimers(clock);
  }

  /** Something must answer within the answer timeout. */
  expectAnswer(): void {
    this.timers.start("answer", this.answerTimeoutMs, this.onSilence);
  }

  /** A frame came: the connection is alive. */
  heard(): void {
    this.timers.clear("answer");
  }

  /** Pings every interval with `sendPing`, each ping to be answered in time. */
  ping(sendPing: () => void): void {
    this.timers.start("ping", this.pingIntervalMs, () => {
      sendPing();
      this.expectAnswer();
      this.ping(sendPing);
    });
  }

  /** The socket is gone: no pings, no answers awaited. */
  stop(): void {
    this.timers.clear("answer", "ping");
  }
}
