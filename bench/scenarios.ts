// The load scenarios and the engine that runs one of them against one server.

import { ChangeDriver, type Changes, type ChangesResult } from "./lib/changes.ts";
import type { Usage } from "./lib/cost-meter.ts";
import { closeAll, type Dialect, joinAll, LoadClient, now, settle, Tracker, traffic } from "./lib/load.ts";
import { cpuMs, rssBytes } from "./lib/proc.ts";
import { quantiles, sleep } from "./lib/stats.ts";
import { type Typing, TypingDriver, type TypingResult } from "./lib/typing.ts";

export type SendMode =
  /** As fast as the window allows: at most `window` messages sent but not yet received by every member. */
  | { kind: "window"; messagesPerSender: number; window: number }
  /** A fixed total rate, spread evenly over the senders. */
  | { kind: "rate"; perSecond: number; seconds: number };

export interface Scenario {
  name: string;
  description: string;
  rooms: number;
  membersPerRoom: number;
  sendersPerRoom: number;
  /** Every other member (senders included) speaks the tutorial dialect, in binary frames. */
  mixedDialects?: boolean;
  /** Joins under way at once. */
  joinConcurrency: number;
  send: SendMode;
  /** Messages that change while the senders chat (lib/changes.ts); a rate scenario in one room only. */
  changes?: Changes;
  /** Members typing while the senders chat (lib/typing.ts); a rate scenario in one room only. */
  typing?: Typing;
  /** The scenario without the changes (or the typing), run in the same rounds, which this one's figures are divided by. */
  compareTo?: string;
  /** The room alone: the floors know no edits, reactions or typing. */
  oursOnly?: boolean;
}

/** The chat load of the reactions scenarios: 100 members, 10 of them chatting, 100 msg/s in total. */
const reactionsChat = (scale: number) =>
  ({
    rooms: 1,
    membersPerRoom: 100,
    sendersPerRoom: 10,
    joinConcurrency: 50,
    oursOnly: true,
    send: { kind: "rate", perSecond: 100, seconds: Math.max(1, Math.round(5 * scale)) },
  }) as const;

/**
 * The chat load of the typing scenarios: the chatters of `chatty` and `reactions` (10 msg/s each), 10 of them,
 * among 110 members; 100 msg/s in total, 11,000 deliveries/s.
 */
const typingChat = (scale: number) =>
  ({
    rooms: 1,
    membersPerRoom: 110,
    sendersPerRoom: 10,
    joinConcurrency: 50,
    oursOnly: true,
    send: { kind: "rate", perSecond: 100, seconds: Math.max(1, Math.round(5 * scale)) },
  }) as const;

/**
 * The typists of `typing`: the 100 members who do not chat, each saying it types once per typingIntervalMs (3 s,
 * docs/protocol.md), as a client's throttle sends it while its user types; after one `typing` in five, a stop
 * halfway to the next (the user cleared the input, then typed again).
 */
const TYPISTS = 100;
const TYPING_EVERY_MS = 3000;

const NO_CHANGES: Changes = {
  reactors: 0,
  reactionsPerSecond: 0,
  editors: 0,
  editsPerSecond: 0,
  stormEveryMs: 0,
  stormReactions: 0,
  stormMs: 0,
};

export function scenarios(scale: number): Scenario[] {
  const s = (n: number) => Math.max(1, Math.round(n * scale));
  return [
    {
      name: "fanout",
      description: "200 members, 1 sender, 1,500 messages as fast as a window of 64 in-flight messages allows",
      rooms: 1,
      membersPerRoom: 200,
      sendersPerRoom: 1,
      joinConcurrency: 50,
      send: { kind: "window", messagesPerSender: s(1500), window: 64 },
    },
    {
      name: "chatty",
      description: "100 members, 20 senders, 200 msg/s in total",
      rooms: 1,
      membersPerRoom: 100,
      sendersPerRoom: 20,
      joinConcurrency: 50,
      send: { kind: "rate", perSecond: 200, seconds: s(5) },
    },
    {
      name: "storm",
      description: "1,000 clients join one room at once (all connecting together), then one message",
      rooms: 1,
      membersPerRoom: 1000,
      sendersPerRoom: 1,
      joinConcurrency: 1000,
      send: { kind: "rate", perSecond: 1, seconds: 1 },
    },
    {
      name: "mixed",
      description: "100 members, half of them tutorial clients (binary frames); 10 senders, half tutorial; 200 msg/s",
      rooms: 1,
      membersPerRoom: 100,
      sendersPerRoom: 10,
      mixedDialects: true,
      joinConcurrency: 50,
      send: { kind: "rate", perSecond: 200, seconds: s(4) },
    },
    {
      name: "rooms",
      description: "200 rooms x 5 members, every member sending; 1,000 msg/s in total",
      rooms: 200,
      membersPerRoom: 5,
      sendersPerRoom: 5,
      joinConcurrency: 50,
      send: { kind: "rate", perSecond: 1000, seconds: s(3) },
    },
    {
      name: "reactions-off",
      description: "the chat of `reactions` alone: 100 members, 10 senders, 100 msg/s in total (the room only)",
      ...reactionsChat(scale),
      changes: NO_CHANGES,
    },
    {
      name: "reactions",
      description:
        "the chat of `reactions-off`, while 50 members toggle reactions on recent messages (4/s each), 5 senders " +
        "edit their newest message (1/s each), and every second the 50 react 200 times to the newest message within " +
        "50 ms (a storm) (the room only)",
      ...reactionsChat(scale),
      changes: {
        reactors: 50,
        reactionsPerSecond: 4,
        editors: 5,
        editsPerSecond: 1,
        stormEveryMs: 1000,
        stormReactions: 200,
        stormMs: 50,
      },
      compareTo: "reactions-off",
    },
    {
      name: "typing-off",
      description:
        "the chat of `typing` alone: 110 members, 10 senders, 100 msg/s in total; the 100 others silent (the room only)",
      ...typingChat(scale),
      typing: { typists: TYPISTS, everyMs: 0, stopChance: 0 },
    },
    {
      name: "typing",
      description:
        "the chat of `typing-off`, while its 100 other members type: each a `typing` every 3 s (the first ones " +
        "staggered over 3 s), and after one in five a stop 1.5 s later (the room only)",
      ...typingChat(scale),
      typing: { typists: TYPISTS, everyMs: TYPING_EVERY_MS, stopChance: 0.2 },
      compareTo: "typing-off",
    },
  ];
}

export interface Target {
  /** "ours" or "floor". */
  label: string;
  wsUrl: string;
  /** workerd processes of the server, for CPU and memory. */
  runtimePid?: number;
  proxyPid?: number;
  /** For a server that admits only verified members: a token for the client of this name (minted before joining). */
  tokenFor?: (name: string) => Promise<string>;
  /** Called as the send phase starts and once its deliveries are in (the megaroom profiles just that phase). */
  sendPhase?: (moment: "start" | "end", rooms: string[]) => Promise<void>;
}

export interface ScenarioResult {
  scenario: string;
  server: string;
  run: number;
  members: number;
  senders: number;
  sent: number;
  expected: number;
  delivered: number;
  lost: number;
  duplicates: number;
  reordered: number;
  foreign: number;
  errors: number;
  closedEarly: number;
  deliveriesPerSec: number;
  /** Delivery latency, ms: send call to receipt. */
  latency: { p50: number; p95: number; p99: number; max: number };
  /** Join time per client, ms: connect to welcome. */
  join: { p50: number; p99: number; max: number };
  /** From the first connect to the last member joined, ms. */
  joinPhaseMs: number;
  /** From the last member joined until no more frames arrive (presence fan-out draining), ms. */
  joinSettleMs: number;
  /** Frames received by all clients during the join phase (presence traffic). */
  joinFrames: number;
  /** Send phase: from the first send to the last delivery, ms. */
  sendPhaseMs: number;
  /** CPU used during the send phase, ms, per 1,000 deliveries: runtime workerd and proxy workerd. */
  cpuPerKDelivery: { runtime: number; proxy: number };
  /** CPU used during the join phase, ms. */
  joinCpuMs: { runtime: number; proxy: number };
  /** Runtime workerd RSS before connecting and after all joined, bytes. */
  rssBefore: number;
  rssJoined: number;
  /** What members received of the changes (scenarios with `changes`). */
  changes?: ChangesResult;
  /** What members received of the typing (scenarios with `typing`). */
  typing?: TypingResult;
  /** The scenario's rooms, for the cost meter to read their counters (lib/cost-meter.ts). */
  rooms: string[];
  /** What Cloudflare would bill for it, when the server has a meter (run.ts adds it). */
  cost?: Usage;
}

let roomCounter = 0;

export async function runScenario(scenario: Scenario, target: Target, run: number): Promise<ScenarioResult> {
  const tracker = new Tracker();
  const clients: LoadClient[] = [];
  const rooms: LoadClient[][] = [];
  const stamp = `${Date.now().toString(36)}-${++roomCounter}`;
  const roomNames = Array.from({ length: scenario.rooms }, (_, r) => `${scenario.name}-${target.label}-${stamp}-${r}`);
  for (let r = 0; r < scenario.rooms; r++) {
    const url = `${target.wsUrl}/rooms/${roomNames[r]}`;
    const members: LoadClient[] = [];
    for (let m = 0; m < scenario.membersPerRoom; m++) {
      const dialect: Dialect = scenario.mixedDialects && m % 2 === 1 ? "tutorial" : "native";
      const name = `r${r}m${m}`;
      const withToken = target.tokenFor ? `${url}?token=${await target.tokenFor(name)}` : url;
      members.push(new LoadClient({ url: withToken, name, dialect, tracker }));
    }
    rooms.push(members);
    clients.push(...members);
  }

  const cpu = () => ({
    runtime: target.runtimePid ? cpuMs(target.runtimePid) : NaN,
    proxy: target.proxyPid ? cpuMs(target.proxyPid) : NaN,
  });
  const rssBefore = target.runtimePid ? rssBytes(target.runtimePid) : NaN;
  const cpu0 = cpu();
  const frames0 = traffic.frames;
  try {
    const joinPhaseMs = await joinAll(clients, scenario.joinConcurrency);
    const joinSettleMs = await settle(300);
    const joinFrames = traffic.frames - frames0;
    const cpu1 = cpu();
    const rssJoined = target.runtimePid ? rssBytes(target.runtimePid) : NaN;

    // Senders are the first members of each room (so with mixed dialects, half are tutorial clients).
    const senders = rooms.flatMap((members) => {
      const perSender =
        scenario.send.kind === "window"
          ? scenario.send.messagesPerSender
          : Math.max(
              1,
              Math.round(
                (scenario.send.perSecond * scenario.send.seconds) / (scenario.rooms * scenario.sendersPerRoom),
              ),
            );
      return members
        .slice(0, scenario.sendersPerRoom)
        .map((client) => tracker.addSender(client, perSender, members.length));
    });
    const totalPlanned = senders.reduce((sum, s) => sum + s.planned, 0);

    if (scenario.changes && (scenario.rooms !== 1 || scenario.send.kind !== "rate")) {
      throw new Error(`${scenario.name}: changes need one room and a rate`);
    }
    const changes = scenario.changes && new ChangeDriver(scenario.changes, rooms[0]!, scenario.sendersPerRoom, run);
    if (scenario.typing && (scenario.rooms !== 1 || scenario.send.kind !== "rate")) {
      throw new Error(`${scenario.name}: typing needs one room and a rate`);
    }
    if (scenario.typing && scenario.sendersPerRoom + scenario.typing.typists > scenario.membersPerRoom) {
      throw new Error(`${scenario.name}: more senders and typists than members`);
    }
    const typing = scenario.typing && new TypingDriver(scenario.typing, rooms[0]!, scenario.sendersPerRoom, run);

    await target.sendPhase?.("start", roomNames);
    const cpu2 = cpu();
    if (scenario.send.kind === "window") {
      const window = scenario.send.window;
      let turn = 0;
      const pump = () => {
        while (tracker.sent - tracker.completed < window && tracker.sent < totalPlanned) {
          // Round robin over the senders that still have messages to send.
          for (let tries = 0; tries < senders.length; tries++) {
            const sender = senders[turn++ % senders.length]!;
            if (sender.sent < sender.planned) {
              tracker.send(sender);
              break;
            }
          }
        }
      };
      tracker.onComplete = pump;
      pump();
    } else {
      // Message k of the whole scenario is due at k / rate; it goes to sender k mod S.
      const intervalMs = 1000 / scenario.send.perSecond;
      const started = now();
      let k = 0;
      changes?.start();
      typing?.start();
      await new Promise<void>((resolve) => {
        const tick = setInterval(() => {
          const due = Math.min(totalPlanned, Math.floor((now() - started) / intervalMs) + 1);
          while (k < due) {
            tracker.send(senders[k % senders.length]!);
            k++;
          }
          changes?.tick();
          typing?.tick();
          if (k >= totalPlanned) {
            clearInterval(tick);
            changes?.stop();
            typing?.stop();
            resolve();
          }
        }, 1);
      });
    }
    // Wait for every delivery, or until nothing has arrived for a while.
    const expectedNow = () => senders.reduce((sum, s) => sum + s.sent * s.roomSize, 0);
    const deadline = now() + 120_000;
    while (
      tracker.delivered < expectedNow() &&
      now() < deadline &&
      now() - Math.max(traffic.lastFrameAt, tracker.firstSendAt) < 5000
    ) {
      await sleep(20);
    }
    await sleep(100); // late duplicates, if any
    if (changes) await settle(300); // the last reactions and edits
    if (typing) await settle(600); // the last batch of signals (at most one per 500 ms)
    const cpu3 = cpu();
    await target.sendPhase?.("end", roomNames);

    const expected = senders.reduce((sum, s) => sum + s.sent * s.roomSize, 0);
    const sendPhaseMs = tracker.lastDeliveryAt - tracker.firstSendAt;
    const [p50, p95, p99, max] = quantiles(tracker.latencies.values(), [0.5, 0.95, 0.99, 1]);
    const [j50, j99, jmax] = quantiles(
      clients.map((c) => c.joinMs),
      [0.5, 0.99, 1],
    );
    const perK = (a: number, b: number) => ((b - a) / Math.max(1, tracker.delivered)) * 1000;
    return {
      scenario: scenario.name,
      server: target.label,
      run,
      members: clients.length,
      senders: senders.length,
      sent: tracker.sent,
      expected,
      delivered: tracker.delivered,
      lost: expected - tracker.delivered,
      duplicates: tracker.duplicates,
      reordered: tracker.reordered,
      foreign: tracker.foreign,
      errors: clients.reduce((sum, c) => sum + c.errors, 0),
      closedEarly: clients.filter((c) => c.closed).length,
      deliveriesPerSec: (tracker.delivered / sendPhaseMs) * 1000,
      latency: { p50: p50!, p95: p95!, p99: p99!, max: max! },
      join: { p50: j50!, p99: j99!, max: jmax! },
      joinPhaseMs,
      joinSettleMs,
      joinFrames,
      sendPhaseMs,
      cpuPerKDelivery: { runtime: perK(cpu2.runtime, cpu3.runtime), proxy: perK(cpu2.proxy, cpu3.proxy) },
      joinCpuMs: { runtime: cpu1.runtime - cpu0.runtime, proxy: cpu1.proxy - cpu0.proxy },
      rssBefore,
      rssJoined,
      rooms: roomNames,
      ...(changes && { changes: changes.result() }),
      ...(typing && { typing: typing.result() }),
    };
  } finally {
    tracker.onComplete = undefined;
    for (const members of rooms) for (const client of members) client.onPacket = undefined;
    await closeAll(clients);
  }
}
