// What the fault suite's attacks share: the measurements recorded for the report (lib/fault-suite.ts hands them to
// it), and small helpers to drive traffic and wait for outcomes.

import type { DevServer } from "../../tools/dev-server.ts";
import { now, type Tracker } from "./load.ts";
import { sleep } from "./stats.ts";

/** What each group measured, by group, for the report. */
export const measurements: Record<string, unknown> = {};

/** True if `seqs` is exactly first, first+1, …, last. */
export function isRun(seqs: number[], first: number, last: number): boolean {
  if (seqs.length !== last - first + 1) return false;
  for (let i = 0; i < seqs.length; i++) if (seqs[i] !== first + i) return false;
  return true;
}

/** Captures a wrangler process's output from now on (startup output is kept by dev-server.ts itself). */
export function captureOutput(server: DevServer): { text: () => string } {
  let text = "";
  server.process.stdout?.on("data", (chunk) => (text += chunk));
  server.process.stderr?.on("data", (chunk) => (text += chunk));
  return { text: () => text };
}

/** Sends chats from `senders` at `perSecond` in total until `stop()` is called; returns the stopper. */
export function stream(
  tracker: Tracker,
  senders: ReturnType<Tracker["addSender"]>[],
  perSecond: number,
): { stop: () => Promise<void> } {
  const intervalMs = 1000 / perSecond;
  const started = now();
  let k = 0;
  const total = senders.reduce((sum, s) => sum + s.planned, 0);
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const tick = setInterval(() => {
    const due = Math.min(total, Math.floor((now() - started) / intervalMs) + 1);
    while (k < due) tracker.send(senders[k++ % senders.length]!);
    if (k >= total) {
      clearInterval(tick);
      done();
    }
  }, 1);
  return {
    stop: async () => {
      clearInterval(tick);
      done();
      await finished;
    },
  };
}

export async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = now() + timeoutMs;
  while (!condition()) {
    if (now() > deadline) return false;
    await sleep(20);
  }
  return true;
}
